import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatInstant,
  renderBlocks,
  renderCall,
  renderMrkdwn,
  type TranscriptDirectory,
} from '../../scripts/demo-transcript.js';
import { ticketCard } from '../../src/slack/blocks/card.js';
import { slackDate, type TicketView } from '../../src/slack/blocks/text.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The lines that tell the story: card, claim, Ada's pending and resolved DMs, the close. */
function expectTheStory(text: string) {
  // The setup, in Slack: Margaret's Home checklist, the team, the suggested policies, business hours with a preview, settings.
  expect(text).toContain("Margaret's Home tab:");
  expect(text).toContain('Set up your helpdesk');
  expect(text).toContain('Margaret sees modal "New team"');
  expect(text).toContain('✅ Done — 1 team');
  expect(text).toContain('Margaret sees modal "SLA policies"');
  expect(text).toContain('✅ Done — 4 policies');
  expect(text).toContain('First response 30m · resolution 4h · 24x7');
  expect(text).toMatch(/Preview: a 4-hour business-hours target raised now \(.*\) is due .*, Europe\/Berlin time\./);
  expect(text).toContain('Europe/Berlin · Mon 09:00–12:00, 13:00–17:00 · Tue–Fri 09:00–17:00');
  expect(text).toContain('@Margaret created team IT Help Desk');
  expect(text).toContain('@Margaret changed settings: business hours');
  expect(text).toContain('Margaret sees modal "Helpdesk settings"');
  expect(text).toContain('Team (optional): [IT Help Desk ▾]');
  // The agent's and the requester's Homes.
  expect(text).toContain("Grace's Home tab:");
  expect(text).toContain('Unassigned in my teams (1)');
  expect(text).toContain('⚠️ First response at risk, 7m left');
  expect(text).toContain("Grace's Home tab is brought up to date");
  expect(text).toContain("Ada's Home tab:");
  expect(text).toContain('My requests (1)');
  expect(text).toContain('Ada sees modal "New ticket"');
  expect(text).toContain("#it-help  Helpdesk: TKT-0001 · My laptop won't connect to the VPN");
  expect(text).toContain('[Claim] [In progress] [Resolve]');
  expect(text).toContain("DM to Ada  Helpdesk: 🎫 Your ticket TKT-0001 · My laptop won't connect to the VPN was created.");
  // The SLA alerts: a warning, then the breach once, its mark on the card, and the acknowledgement.
  expect(text).toContain("#it-help  Helpdesk: ⚠️ TKT-0001 · My laptop won't connect to the VPN — first response at risk, 7m left");
  expect(text).toContain("#it-help  Helpdesk: 🚨 TKT-0001 · My laptop won't connect to the VPN — first response breached, 1m late");
  expect(text.split('first response breached').length - 1).toBe(1);
  expect(text).toContain('[Claim] [Acknowledge] [View ticket ↗]');
  expect(text).toContain('🚨 SLA breached: first response');
  expect(text).toContain('#it-help › thread  Helpdesk: @Grace acknowledged this alert — no further escalation');
  expect(text).toContain('#it-help › thread  Helpdesk: @Grace claimed this ticket');
  expect(text).toContain('DM to Ada  Helpdesk: @Grace is working on TKT-0001');
  // The conversation: Grace's question reaches Ada's DM thread, Ada's answer the card's thread, Grace's note stays put.
  expect(text).toContain('#it-help › thread  Grace: Which VPN client version are you on');
  expect(text).toContain('DM to Ada › thread  Helpdesk: Grace: Which VPN client version are you on, and does it fail on your phone hotspot too?');
  expect(text).toContain('DM with Helpdesk › thread  Ada: Version 5.2');
  expect(text).toContain('#it-help › thread  Helpdesk: Ada: Version 5.2 — and yes, the hotspot fails the same way.');
  expect(text).toContain("#it-help › thread  Grace: note: her profile predates the certificate rotation; I'll reissue it");
  expect(text).toContain('#it-help  Helpdesk reacted 🔒 to the message');
  expect(text).not.toMatch(/DM to Ada.*certificate rotation/);
  expect(text).toMatch(/💬 3 comments · requester last wrote \w{3} \d+ \w{3}, \d\d:\d\d UTC/);
  expect(text).toContain('Replies in this thread reach the requester; start with `note:` or 🔒 for a private note.');
  expect(text).toContain('DM to Ada  Helpdesk: @Grace needs your input on TKT-0001');
  expect(text).toMatch(/DM to Ada {2}Helpdesk: TKT-0001 · .* was resolved by @Grace/);
  expect(text).toContain('[Close] [Reopen] [View ticket ↗]');
  expect(text).toContain('#it-help › thread  Helpdesk: @Ada closed it');
  expect(text).toContain('Status: Closed');
  expect(text).toContain('Only visible to Ada  Helpdesk: ✅ You have no open tickets.');
  expect(text).toContain('TKT-0001 is closed');
  // Channel intake: Grace's 🎫 on Ada's message in #it-help, answered in its thread, with the conversation there.
  expect(text).toContain('#it-help › thread  Helpdesk: 🎫 @Ada, this message is now TKT-0002 · The printer on floor 2 jams on every page @here for IT Help Desk (raised by @Grace).');
  expect(text).toContain('#it-help  Helpdesk: TKT-0002 · The printer on floor 2 jams on every page @here');
  expect(text).toContain('#it-help › thread  Helpdesk: Grace: Thanks Ada, a technician is on the way with a new fuser.');
  expect(text).not.toMatch(/DM to Ada {2}Helpdesk: 🎫 Your ticket TKT-0002/);
}

describe('npm run demo', () => {
  // The whole story, as a newcomer runs it: the real app and the embedded database in a process of its own.
  it('plays the whole story as `npm run demo`, exits 0 and prints the transcript', { timeout: 130_000 }, async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'demo'], { cwd: REPO_ROOT, env, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      });
    });
    expect(code, `demo exited ${String(code)}; stderr:\n${stderr}`).toBe(0);
    expect(stderr).not.toContain('demo failed');
    expectTheStory(stdout);
    // Everything was rendered: no raw mentions, date tokens or escapes left.
    expect(stdout).not.toMatch(/<@|<!date|&amp;|&lt;|&gt;/);
    expect(stdout).toContain('Working from home & cut off');
  });
});

describe('demo transcript renderer', () => {
  const directory: TranscriptDirectory = {
    botName: 'Helpdesk',
    users: { U0ADA: { name: 'Ada', tz: 'Europe/Berlin' }, U0GRACE: { name: 'Grace' } },
    channels: { C0ITHELP: 'it-help' },
  };
  // 2023-11-14T22:13:20Z
  const unix = 1_700_000_000;

  it('turns mrkdwn into readable text', () => {
    expect(formatInstant(unix)).toBe('Tue 14 Nov, 22:13 UTC');
    expect(formatInstant(unix, 'Europe/Berlin')).toBe('Tue 14 Nov, 23:13 Europe/Berlin');
    expect(formatInstant(unix, 'Not/AZone')).toBe('Tue 14 Nov, 22:13 UTC');
    expect(renderMrkdwn('<@U0ADA> asked <@UNKNOWN1> in <#C0ITHELP> and <#C0OTHER|random>', directory)).toBe(
      '@Ada asked @UNKNOWN1 in #it-help and #random',
    );
    expect(renderMrkdwn(`due ${slackDate(new Date(unix * 1000))}`, directory, 'Europe/Berlin')).toBe('due Tue 14 Nov, 23:13 Europe/Berlin');
    expect(renderMrkdwn('*TKT-0001* · Fish &amp; chips &lt;now&gt; _(paused)_ in_progress', directory)).toBe(
      'TKT-0001 · Fish & chips <now> (paused) in_progress',
    );
    expect(renderMrkdwn(':lock: Closed, see <https://example.test/x|the card> :unknown_emoji:', directory)).toBe(
      '🔒 Closed, see the card :unknown_emoji:',
    );
  });

  it('renders Block Kit the way the card reads in Slack', () => {
    const ticket: TicketView = {
      id: 'tkt_1',
      number: 'TKT-0042',
      title: 'Printer <on> fire',
      description: null,
      type: 'incident',
      status: 'open',
      priority: 'urgent',
      category: null,
      assignedToId: null,
      firstResponseAt: null,
      firstResponseDueAt: new Date(unix * 1000),
      dueAt: null,
      resolvedAt: null,
      closedAt: null,
    };
    const card = ticketCard({ ticket, submitterSlackId: 'U0ADA', assigneeSlackId: null, teamName: 'IT & Ops' });
    expect(renderBlocks(card.blocks, directory)).toEqual([
      'TKT-0042 · Printer <on> fire',
      'Type: Incident   Priority: 🔴 Urgent',
      'Status: Open   Submitter: @Ada',
      'Assignee: unassigned   Team: IT & Ops',
      'First response: due Tue 14 Nov, 22:13 UTC',
      'Resolution: no target',
      'Replies in this thread reach the requester; start with `note:` or 🔒 for a private note.',
      '[Claim] [In progress] [Resolve]',
      '[Assign to… ▾]',
      '[Incident ▾] [Urgent ▾]',
    ]);
  });

  it('shows a Home tab in full to the person the step is about, as one line for anyone else, and reads admin form inputs', () => {
    const home = { method: 'views.publish', args: { user_id: 'U0ADA', view: { type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Helpdesk' } }] } } };
    expect(renderCall(home, directory, { home: 'U0ADA' })).toEqual(["Ada's Home tab:", '    Helpdesk']);
    expect(renderCall(home, directory, { home: 'U0GRACE' })).toEqual(["Ada's Home tab is brought up to date"]);
    const option = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });
    const input = (label: string, element: Record<string, unknown>) => ({ type: 'input', label: { type: 'plain_text', text: label }, element });
    expect(
      renderBlocks(
        [
          input('Channel', { type: 'conversations_select', initial_conversation: 'C0ITHELP' }),
          input('Agents', { type: 'multi_users_select', initial_users: ['U0ADA', 'U0GRACE'] }),
          input('Reply', { type: 'radio_buttons', options: [option('Public', 'p'), option('Internal', 'i')], initial_option: option('Public', 'p') }),
          input('Options', { type: 'checkboxes', options: [option('Create', 'c'), option('Business hours', 'b')], initial_options: [option('Create', 'c')] }),
          input('Minutes', { type: 'number_input', initial_value: '30' }),
          input('Zone', { type: 'static_select', option_groups: [{ options: [option('UTC', 'UTC')] }, { options: [option('Berlin', 'Europe/Berlin'), option('Paris', 'Europe/Paris')] }] }),
        ],
        directory,
      ),
    ).toEqual([
      'Channel: [#it-help ▾]',
      'Agents: [@Ada, @Grace ▾]',
      'Reply: (•) Public  ( ) Internal',
      'Options: [x] Create  [ ] Business hours',
      'Minutes: 30',
      'Zone: [Choose ▾] (3 choices)',
    ]);
  });

  it('names a DM thread by its person, and shows the app\'s reactions', () => {
    const dms = { ...directory, dms: { DU0ADA: 'U0ADA' } };
    expect(renderCall({ method: 'chat.postMessage', args: { channel: 'DU0ADA', thread_ts: '1.2', text: '<@U0GRACE>: Which version?' } }, dms)).toEqual([
      'DM to Ada › thread  Helpdesk: @Grace: Which version?',
    ]);
    expect(renderCall({ method: 'reactions.add', args: { channel: 'C0ITHELP', timestamp: '1.3', name: 'lock' } }, dms)).toEqual([
      '#it-help  Helpdesk reacted 🔒 to the message',
    ]);
  });

  it('says who sees each call and where', () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: `Due ${slackDate(new Date(unix * 1000))}` } }];
    expect(renderCall({ method: 'chat.postMessage', args: { channel: 'U0ADA', text: 'fallback', blocks } }, directory)).toEqual([
      'DM to Ada  Helpdesk: Due Tue 14 Nov, 23:13 Europe/Berlin',
    ]);
    expect(renderCall({ method: 'chat.update', args: { channel: 'C0ITHELP', ts: '1.2', text: 'x', blocks } }, directory)).toEqual([
      '#it-help  Helpdesk (card updated): Due Tue 14 Nov, 22:13 UTC',
    ]);
    expect(renderCall({ method: 'chat.postMessage', args: { channel: 'C0ITHELP', thread_ts: '1.2', text: '<@U0GRACE> claimed this ticket' } }, directory)).toEqual([
      '#it-help › thread  Helpdesk: @Grace claimed this ticket',
    ]);
    expect(renderCall({ method: 'response_url', args: { text: 'Your open tickets (0)' } }, directory, { viewer: 'U0ADA' })).toEqual([
      'Only visible to Ada  Helpdesk: Your open tickets (0)',
    ]);
    const view = {
      type: 'modal',
      title: { type: 'plain_text', text: 'New ticket' },
      submit: { type: 'plain_text', text: 'Create' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [
        { type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', initial_value: 'VPN' } },
        {
          type: 'input',
          block_id: 'type',
          optional: true,
          label: { type: 'plain_text', text: 'Type' },
          element: {
            type: 'static_select',
            options: [
              { text: { type: 'plain_text', text: 'Incident' }, value: 'incident' },
              { text: { type: 'plain_text', text: 'Change' }, value: 'change' },
            ],
            initial_option: { text: { type: 'plain_text', text: 'Change' }, value: 'change' },
          },
        },
      ],
    };
    expect(renderCall({ method: 'views.open', args: { trigger_id: 't', view } }, directory, { viewer: 'U0ADA' })).toEqual([
      'Ada sees modal "New ticket"  [Create] [Cancel]',
      '    Title: VPN',
      '    Type (optional): [Change ▾] (Incident | Change)',
    ]);
    expect(renderCall({ method: 'chat.getPermalink', args: { channel: 'C0ITHELP' } }, directory)).toEqual([]);
  });
});
