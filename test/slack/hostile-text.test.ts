import { afterAll, beforeAll, expect, it } from 'vitest';
import { SLA_DIGEST_MAX } from '../../src/domain/sla/delivery.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { listTickets } from '../../src/domain/tickets/queries.js';
import { startSlaScheduler, type SlaScheduler } from '../../src/jobs/sla.js';
import { createLogger } from '../../src/log.js';
import { SLA_ALERT_EVENT_TYPE } from '../../src/slack/alerts.js';
import { MODAL_MAX_LENGTH } from '../../src/slack/blocks/form.js';
import { ACTION, assignBlockId, BLOCK, CALLBACK, INPUT_ACTION } from '../../src/slack/ids.js';
import { checkMessage, hasLoneSurrogate } from '../support/block-kit.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { tokenFor } from '../support/http-server.js';
import { scopeFor, steppingClock } from '../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

/**
 * Hostile text through every surface that shows it: tickets whose titles, descriptions,
 * categories and team names try to ping the channel, mention people, link channels, disguise
 * links or break entities, with emoji across every cut point and text at the longest the API
 * accepts. Every payload must be one real Slack accepts (the fake refuses the rest), and no
 * mrkdwn may carry a control sequence that came from user input.
 */

const CHANNEL = 'C0HOSTILE1';
const LONE_CHANNEL = 'C0HOSTILE2';
const REQUESTER = 'UREQ0001';
const AGENT = 'UAGENT001';
const AGENT_2 = 'UAGENT002';
const ON_CALL = 'UONCALL01';
const OUR_USERS = [REQUESTER, AGENT, AGENT_2, ON_CALL];

const PING = '<!channel>';
/** A run of emoji (and ZWJ families) over the whole title: every cut point falls inside one. */
const EMOJI_TITLES = ['😀'.repeat(100), `x${'😀'.repeat(99)}`, '👨‍👩‍👧‍👦'.repeat(18), `ab${'🇩🇪'.repeat(49)}`];
const HOSTILE_TITLES = [
  `${PING} the printer is on fire`,
  '<!here> <!everyone> <!subteam^S0ADMINS> help',
  '<@U0ADMIN01> please look <@W0ADMIN02>',
  '<#C0GENERAL|general> is down',
  '<https://evil.example|click me> to reset your password',
  '&amp; &lt;b&gt; <> & < > &#60;',
  PING.repeat(20), // 200 characters, 320 once escaped: cut inside an entity
  `*bold* _it_ ~s~ \`code\` > quote ${'😀'.repeat(80)}`,
  ...EMOJI_TITLES,
];
const HOSTILE_UNIT = `${PING} <@U0ADMIN01> <#C0GENERAL|x> <https://evil.example|click> &amp; 😀👨‍👩‍👧‍👦🇩🇪 `;
/** `unit` repeated to at most `max` UTF-16 units, whole units only (so whole graphemes). */
const upTo = (unit: string, max: number) => unit.repeat(Math.floor(max / unit.length));
const CATEGORY = upTo(PING, 100);
const TEAM_NAME = '<!here> desk & <ops>';

type Json = Record<string, unknown>;

/** Every object nested in `value`. */
function objects(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(objects);
  if (value === null || typeof value !== 'object') return [];
  return [value as Json, ...Object.values(value).flatMap(objects)];
}

/** What Slack reads as mrkdwn in a message: its `text` and every mrkdwn text object. */
function mrkdwnOf(args: Json): string[] {
  const texts = objects(args.blocks ?? [])
    .filter((o) => o.type === 'mrkdwn')
    .map((o) => String(o.text));
  return typeof args.text === 'string' && args.mrkdwn !== false ? [args.text, ...texts] : texts;
}

/**
 * The control sequences the app writes itself: mentions of the people it knows, its dates,
 * and links to Slack's own permalinks. Whatever `<` is left came from user input.
 */
const OURS = [
  new RegExp(`<@(${OUR_USERS.join('|')})>`, 'g'),
  /<!date\^\d+\^[^|>]*\|[^<>]*>/g,
  /<https:\/\/fake-workspace\.slack\.com\/archives\/[^|<>]*\|(card|this message)>/g,
];
const withoutOurs = (text: string) => OURS.reduce((t, pattern) => t.replace(pattern, ''), text);

const isMessageCall = (call: FakeSlackCall) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url'].includes(call.method);
const isAlert = (call: FakeSlackCall) => (call.args.metadata as { event_type?: string } | undefined)?.event_type === SLA_ALERT_EVENT_TYPE;
const textOf = (call: FakeSlackCall) => mrkdwnOf(call.args).join('\n');

describeEachDatabase('hostile text on every Slack surface', (ctx) => {
  let h: SlackHarness;
  let sla: SlaScheduler;
  const clock = steppingClock('2026-03-02T10:00:00.000Z');

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db, now: clock.now });
    sla = startSlaScheduler({
      db: ctx.db,
      slack: h.slack.alerts,
      cron: null,
      log: createLogger('error', () => {}),
      now: clock.now,
      sweepAtStart: false,
      delivery: { pause: async () => {} },
    });
  });
  afterAll(async () => {
    await sla?.stop();
    await h?.close();
  });

  it('sends only what Slack accepts, and no mrkdwn control sequence from user input', async () => {
    const teamId = newTenantId();
    h.install(teamId);
    const start = clock.set('2026-03-02T10:00:00.000Z');
    const admin = scopeFor(teamId, null, start);
    const requester = await upsertSlackPerson(ctx.db, teamId, { slackUserId: REQUESTER }, start);
    const agents = [await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT }, start), await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT_2 }, start)];
    const team = await createTeam(ctx.db, admin, { name: TEAM_NAME, slack_channel_id: CHANNEL, agent_ids: agents.map((a) => a.id), escalation_contact_ids: [ON_CALL] });
    const lone = await createTeam(ctx.db, admin, { name: `${PING} only`, slack_channel_id: LONE_CHANNEL, agent_ids: agents.map((a) => a.id) });
    await updateTenantSettings(ctx.db, admin, { default_team_id: team.id, escalation_interval_minutes: 60 });
    await createSlaPolicy(ctx.db, admin, { name: 'High', applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 240 });
    const mark = h.fake.calls.length;

    // Tickets from the form (the description at the form's own limit) ...
    const text = (value: string) => ({ [INPUT_ACTION]: { type: 'plain_text_input', value } });
    const choice = (value: string) => ({ [INPUT_ACTION]: { type: 'static_select', selected_option: { value } } });
    for (const title of HOSTILE_TITLES) {
      const values = {
        [BLOCK.title]: text(title),
        [BLOCK.description]: text(upTo(HOSTILE_UNIT, MODAL_MAX_LENGTH.description)),
        [BLOCK.type]: choice('incident'),
        [BLOCK.priority]: choice('high'),
        [BLOCK.category]: text(CATEGORY),
      };
      const res = await h.sender.viewSubmission({ userId: REQUESTER, teamId, view: { callback_id: CALLBACK.createTicketModal, state: { values } } });
      expect(res.status).toBe(200);
    }
    // ... and from the REST API, with the longest description the API accepts: enough for two digests.
    // An agent, by Slack user id: a human token acts as that user's person, with the agent's rights.
    const token = await tokenFor({ sub: AGENT, tenant_id: teamId });
    const api = (method: string, path: string, body: Json) =>
      fetch(`${h.baseUrl}/api/v1/helpdesk${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const longest = upTo(HOSTILE_UNIT, 40_000);
    for (let i = 0; i < SLA_DIGEST_MAX + 2; i += 1) {
      const title = HOSTILE_TITLES[i % HOSTILE_TITLES.length]!;
      const res = await api('POST', '/tickets', { title, description: longest, type: 'incident', priority: 'high', category: CATEGORY, submitted_by_id: requester.id });
      expect(res.status).toBe(201);
    }
    const single = await api('POST', '/tickets', { title: `${PING} ${'😀'.repeat(90)}`, type: 'incident', priority: 'high', team_id: lone.id });
    expect(single.status).toBe(201);
    await h.slack.idle();

    // The first ticket through its life from the card and the DM: card updates, thread lines, DMs.
    const first = (await listTickets(ctx.db, { tenantId: teamId }, { sort: 'number', limit: 1 })).items[0]!;
    const click = (userId: string, action: Json) => h.sender.blockActions({ userId, teamId, channelId: CHANNEL, messageTs: first.slackMessageTs!, actions: [action as never] });
    for (const [userId, actionId] of [
      [AGENT, ACTION.claim],
      [AGENT, ACTION.setPending],
      [AGENT, ACTION.resolve],
      [REQUESTER, ACTION.reopen],
    ] as const) {
      expect((await click(userId, { action_id: actionId, value: first.id })).status).toBe(200);
      await h.slack.idle();
    }
    await click(AGENT, { action_id: ACTION.assign, block_id: assignBlockId(first.id), type: 'users_select', selected_user: AGENT_2 });
    // An update through the API: the thread line says what changed.
    expect((await api('PATCH', `/tickets/${first.id}`, { title: `${PING} renamed`, category: '<@U0ADMIN01>' })).status).toBe(200);
    await h.slack.idle();

    // The slash command's answers: the list, one ticket, the form prefilled from its words, a help answer.
    await h.sender.slashCommand({ command: '/ticket', text: 'list', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    await h.sender.slashCommand({ command: '/ticket', text: first.number, userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    await h.sender.slashCommand({ command: '/ticket', text: `${'x'.repeat(199)}😀 ${PING}`, userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    const help = await h.sender.slashCommand({ command: '/ticket', text: `tkt-${PING}<@U0ADMIN01>&amp;`, userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    // The help answer travels in the acknowledgement, not through the fake: checked here.
    expect(checkMessage(help.body as Json)).toBeUndefined();
    expect(withoutOurs(mrkdwnOf(help.body as Json).join('\n'))).not.toContain('<');
    expect(JSON.stringify(help.body)).toContain('&lt;!channel&gt;');

    // The message shortcut: a message at the longest Slack sends, emoji across the form's cut points.
    const shortcutText = `${'x'.repeat(199)}😀 ${PING}\n${upTo(HOSTILE_UNIT, 39_000)}`;
    await h.sender.messageShortcut({ callbackId: CALLBACK.messageShortcut, userId: REQUESTER, teamId, channelId: 'C0GENERAL', message: { ts: '1700000123.000200', text: shortcutText, user: 'UOTHER01' } });
    await h.slack.idle();

    // SLA: warnings, then breaches, then escalations; digests in the busy channel, a single alert in the other.
    for (const minutes of [23, 31, 91]) {
      clock.set(new Date(start.getTime() + minutes * 60_000).toISOString());
      await sla.runNow();
      await h.slack.idle();
    }

    const calls = h.fake.calls.slice(mark);
    // Every call accepted: nothing refused, nothing failed.
    expect(calls.filter((c) => c.error !== undefined).map((c) => `${c.method}: ${c.error} ${c.refused?.join('; ') ?? ''}`)).toEqual([]);
    expect(h.problems).toEqual([]);

    // Every surface was shown hostile text.
    const cards = calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL && !c.args.thread_ts && !isAlert(c));
    const updates = calls.filter((c) => c.method === 'chat.update');
    const lines = calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts);
    const dms = calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === REQUESTER);
    const alerts = calls.filter(isAlert);
    const digests = alerts.filter((c) => c.args.channel === CHANNEL);
    const singles = alerts.filter((c) => c.args.channel === LONE_CHANNEL);
    const answers = calls.filter((c) => c.method === 'response_url');
    const forms = calls.filter((c) => c.method === 'views.open');
    expect(cards).toHaveLength(HOSTILE_TITLES.length + SLA_DIGEST_MAX + 2);
    expect(updates.length).toBeGreaterThanOrEqual(6);
    expect(lines.map((c) => String(c.args.text))).toEqual(
      expect.arrayContaining([expect.stringContaining('claimed'), expect.stringContaining('assigned it to'), expect.stringContaining('updated')]),
    );
    expect(dms.length).toBeGreaterThanOrEqual(HOSTILE_TITLES.length + 4);
    expect(answers).toHaveLength(2);
    expect(forms).toHaveLength(2);
    expect(singles.length).toBeGreaterThanOrEqual(2); // warning and breach (and escalation) of the lone ticket
    // Over SLA_DIGEST_MAX alerts at once: split into several digests, each well under Slack's block text limit.
    expect(digests.length).toBeGreaterThanOrEqual(6);
    for (const digest of digests) {
      const blockText = objects(digest.args.blocks).filter((o) => o.type === 'mrkdwn' || o.type === 'plain_text').reduce((n, o) => n + String(o.text).length, 0);
      expect(blockText).toBeLessThan(10_000);
    }

    // No mrkdwn carries a control sequence from user input; the hostile text is there, escaped.
    for (const call of calls.filter(isMessageCall)) {
      for (const mrkdwn of mrkdwnOf(call.args)) {
        expect(withoutOurs(mrkdwn), `${call.method} to ${String(call.args.channel ?? call.responseId)}`).not.toContain('<');
      }
    }
    for (const surface of [cards, updates, dms, answers, digests, singles]) {
      expect(surface.some((c) => textOf(c).includes('&lt;!channel&gt;'))).toBe(true);
    }
    // The notification text of the single alert, the one Slack notifies with, is escaped too.
    expect(singles.every((c) => String(c.args.text).includes('&lt;!channel&gt;'))).toBe(true);

    // The forms were prefilled, cut at whole graphemes within their inputs' limits.
    for (const form of forms) {
      const inputs = objects(form.args.view).filter((o) => o.type === 'plain_text_input');
      for (const input of inputs) {
        const value = input.initial_value as string | undefined;
        if (value === undefined) continue;
        expect(value.length).toBeLessThanOrEqual(input.max_length as number);
        expect(hasLoneSurrogate(value)).toBe(false);
      }
      expect(inputs.some((i) => typeof i.initial_value === 'string' && i.initial_value.includes('x'.repeat(150)))).toBe(true);
    }
  });
});
