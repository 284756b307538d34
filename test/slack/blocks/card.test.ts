import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES, type TicketStatus } from '../../../src/db/schema/enums.js';
import type { Ticket } from '../../../src/domain/tickets/queries.js';
import { canTransition } from '../../../src/domain/tickets/status.js';
import { errorMessage, helpMessage, ticketList, ticketSummary } from '../../../src/slack/blocks/card.js';
import { escapeMrkdwn } from '../../../src/slack/blocks/text.js';
import { ACTION, assignBlockId, fieldsBlockId, parseAssignBlockId, parseFieldsBlockId } from '../../../src/slack/ids.js';
import { allText, block, blocksOf, buttons, card, CREATED, DUE, everyMessage, expectWithinMessageLimits, FIRST_DUE, type Json, makeTicket, mrkdwnTexts, ofType, ticketIn } from '../../support/block-fixtures.js';

describe('ticketCard', () => {
  const BUTTONS: Record<TicketStatus, string[]> = {
    open: [ACTION.claim, ACTION.startProgress, ACTION.resolve],
    in_progress: [ACTION.claim, ACTION.setPending, ACTION.resolve],
    pending: [ACTION.claim, ACTION.startProgress, ACTION.resolve],
    resolved: [ACTION.close, ACTION.reopen],
    closed: [],
  };
  const cases = TICKET_STATUSES.flatMap((status) => [
    { status, assigned: false },
    { status, assigned: true },
  ]);

  it.each(cases)('offers the right buttons: $status, assigned=$assigned', ({ status, assigned }) => {
    const ticket = ticketIn(status, assigned);
    const message = card(ticket);
    const expected = BUTTONS[status].filter((id) => !(assigned && id === ACTION.claim));
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(expected);

    const workable = status === 'open' || status === 'in_progress' || status === 'pending';
    const assign = block(message, assignBlockId(ticket.id));
    expect(Boolean(assign)).toBe(workable);
    if (assign) {
      expect(parseAssignBlockId(assign.block_id as string)).toBe(ticket.id);
      const select = (assign.elements as Json[])[0]!;
      expect(select).toMatchObject({ type: 'users_select', action_id: ACTION.assign });
      if (assigned) expect(select.initial_user).toBe('U0AGENT');
      else expect(select).not.toHaveProperty('initial_user');
    }
    if (status === 'closed') {
      expect(ofType(message.blocks, 'actions')).toHaveLength(0);
      expect(mrkdwnTexts(message.blocks).some((t) => t.includes('Closed'))).toBe(true);
    }
    expectWithinMessageLimits(message);
  });

  it('offers type and priority pickers on a workable ticket, showing its own', () => {
    for (const status of TICKET_STATUSES) {
      const ticket = { ...ticketIn(status, false), type: 'change' as const, priority: 'urgent' as const };
      const message = card(ticket);
      const pickers = block(message, fieldsBlockId(ticket.id));
      expect(Boolean(pickers)).toBe(status === 'open' || status === 'in_progress' || status === 'pending');
      if (!pickers) continue;
      expect(parseFieldsBlockId(pickers.block_id as string)).toBe(ticket.id);
      const [type, priority] = pickers.elements as Json[];
      expect(type).toMatchObject({ type: 'static_select', action_id: ACTION.setType, initial_option: { value: 'change', text: { text: 'Change' } } });
      expect((type!.options as Json[]).map((o) => o.value)).toEqual(['incident', 'service_request', 'change', 'problem']);
      expect(priority).toMatchObject({ type: 'static_select', action_id: ACTION.setPriority, initial_option: { value: 'urgent', text: { text: 'Urgent' } } });
      expect((priority!.options as Json[]).map((o) => o.value)).toEqual(['low', 'medium', 'high', 'urgent']);
      expectWithinMessageLimits(message);
    }
  });

  it('only offers status buttons the status machine allows', () => {
    const target: Partial<Record<string, TicketStatus>> = {
      [ACTION.startProgress]: 'in_progress',
      [ACTION.setPending]: 'pending',
      [ACTION.resolve]: 'resolved',
      [ACTION.close]: 'closed',
    };
    for (const status of TICKET_STATUSES) {
      for (const b of buttons(card(ticketIn(status, true)).blocks)) {
        const to = target[b.action_id as string];
        if (to) expect(canTransition(status, to), `${status} -> ${to}`).toBe(true);
        if (b.action_id === ACTION.reopen) expect(status).toBe('resolved');
      }
    }
  });

  it('makes Claim the primary action of an unassigned ticket', () => {
    const claim = buttons(card(ticketIn('open', false)).blocks).find((b) => b.action_id === ACTION.claim);
    expect(claim).toMatchObject({ style: 'primary', text: { text: 'Claim' } });
  });

  it('shows the header, fields and people', () => {
    const message = card(makeTicket({ priority: 'urgent' }));
    expect(blocksOf(message)[0]).toMatchObject({ type: 'header', text: { text: 'TKT-0042 · Printer on fire' } });
    const text = mrkdwnTexts(message.blocks).join('\n');
    expect(text).toContain('*Type*\nIncident');
    expect(text).toContain('*Priority*\n:red_circle: Urgent');
    expect(text).toContain('*Status*\nOpen');
    expect(text).toContain('*Submitter*\n<@U0SUBMIT>');
    expect(text).toContain('*Assignee*\n_unassigned_');
    expect(text).toContain('*Team*\nIT Support');
    expect(text).toContain('*Category*\nHardware');
    expect(card(makeTicket({ priority: 'high' })).blocks).toSatisfy((b: unknown) =>
      mrkdwnTexts(b).some((t) => t.includes(':large_orange_circle: High')),
    );
    expect(mrkdwnTexts(card(ticketIn('in_progress', true)).blocks).join()).toContain('*Assignee*\n<@U0AGENT>');
  });

  it('has a fallback text with the number and title', () => {
    const message = card(makeTicket());
    expect(message.text).toContain('TKT-0042');
    expect(message.text).toContain('Printer on fire');
  });

  it('escapes user text everywhere it is shown as mrkdwn', () => {
    const nasty = '<script>&alert("x")</script> <!channel>';
    const ticket = makeTicket({ title: nasty, description: nasty, category: nasty });
    const messages = [
      ...everyMessage(ticket),
      card(ticket, { teamName: nasty }),
      ticketList({ tickets: [ticket] }),
    ];
    for (const message of messages) {
      const text = allText(message);
      expect(text).not.toContain('<script>');
      expect(text).not.toContain('<!channel>');
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(text).toContain('&lt;script&gt;&amp;alert');
    }
    // The header is plain_text, which Slack does not parse: it keeps the title as typed.
    expect(blocksOf(card(ticket))[0]).toMatchObject({ text: { type: 'plain_text', text: `TKT-0042 · ${nasty}` } });
  });

  it('truncates a huge description to the section limit without half an entity', () => {
    for (const description of ['d'.repeat(50_000), 'a&'.repeat(20_000), '<'.repeat(10_000)]) {
      const message = card(makeTicket({ description }));
      const section = mrkdwnTexts(message.blocks).find((t) => t.startsWith(escapeMrkdwn(description.slice(0, 5))))!;
      expect(section.length).toBeLessThanOrEqual(3000);
      expect(section.length).toBeGreaterThan(2990);
      expect(section.endsWith('…')).toBe(true);
      expect(section).not.toMatch(/&[a-z]*…$/);
      expectWithinMessageLimits(message);
    }
  });

  it('shortens a long title in the header', () => {
    const message = card(makeTicket({ title: 'T'.repeat(400) }));
    const header = (blocksOf(message)[0]!.text as Json).text as string;
    expect(header.length).toBe(150);
    expect(header.endsWith('…')).toBe(true);
  });

  it('renders the SLA deadlines as Slack dates', () => {
    const text = mrkdwnTexts(card(makeTicket()).blocks).join('\n');
    expect(text).toContain(`*First response:* due <!date^${FIRST_DUE.getTime() / 1000}^`);
    expect(text).toContain(`*Resolution:* due <!date^${DUE.getTime() / 1000}^`);
    expect(text).toContain('|2025-03-06T17:00:00Z>');
    expect(text).not.toContain('breached');
  });

  it('shows when the first response happened, and targets that do not exist', () => {
    const responded = new Date('2025-03-04T10:15:00.000Z');
    const text = mrkdwnTexts(card(makeTicket({ firstResponseAt: responded })).blocks).join('\n');
    expect(text).toContain(`*First response:* responded <!date^${responded.getTime() / 1000}^`);
    const none = mrkdwnTexts(card(makeTicket({ firstResponseDueAt: null, dueAt: null })).blocks).join('\n');
    expect(none).toContain('*First response:* no target');
    expect(none).toContain('*Resolution:* no target');
    expect(mrkdwnTexts(card(ticketIn('pending', true)).blocks).join()).toContain('paused');
  });

  it('marks a breach only when told to', () => {
    const both = mrkdwnTexts(card(makeTicket(), { breach: { firstResponse: true, resolution: true } }).blocks).join('\n');
    expect(both).toContain('*SLA breached:* first response, resolution');
    expect(both).toMatch(/\*First response:\* due <!date[^>]+> :rotating_light: \*breached\*/);
    const resolution = mrkdwnTexts(card(makeTicket(), { breach: { resolution: true } }).blocks).join('\n');
    expect(resolution).toContain('*SLA breached:* resolution');
    expect(resolution).not.toContain('first response,');
    expect(mrkdwnTexts(card(makeTicket(), { breach: {} }).blocks).join()).not.toContain('SLA breached');
  });

  it('shows the next-response deadline only while the requester waits, and its breach', () => {
    const due = new Date('2025-03-04T15:00:00.000Z');
    const quiet = mrkdwnTexts(card(makeTicket()).blocks).join('\n');
    expect(quiet).not.toContain('Next response');
    const waiting = makeTicket({ status: 'in_progress', nextResponseStartedAt: CREATED, nextResponseDueAt: due });
    const text = mrkdwnTexts(card(waiting).blocks).join('\n');
    expect(text).toContain(`*Next response:* due <!date^${due.getTime() / 1000}^`);
    expect(text).not.toContain('breached');
    const paused = mrkdwnTexts(card({ ...waiting, status: 'pending' }).blocks).join('\n');
    expect(paused).toMatch(/\*Next response:\* due <!date[^>]+> _\(clock paused while pending\)_/);
    const late = mrkdwnTexts(card(waiting, { breach: { nextResponse: true } }).blocks).join('\n');
    expect(late).toContain('*SLA breached:* next response');
    expect(late).toMatch(/\*Next response:\* due <!date[^>]+> :rotating_light: \*breached\*/);
    const all = mrkdwnTexts(card(waiting, { breach: { firstResponse: true, nextResponse: true, resolution: true } }).blocks).join('\n');
    expect(all).toContain('*SLA breached:* first response, next response, resolution');
    // A resolved ticket waits for nothing.
    expect(mrkdwnTexts(card({ ...waiting, status: 'resolved', resolvedAt: due }).blocks).join()).not.toContain('Next response');
  });

  it('says where replies in its thread go, and how to keep a note private', () => {
    const open = mrkdwnTexts(card(makeTicket()).blocks).join('\n');
    expect(open).toContain('Replies in this thread reach the requester; start with `note:` or :lock: for a private note.');
    // A closed ticket takes no replies: no promise that they reach anyone.
    expect(mrkdwnTexts(card(ticketIn('closed', true)).blocks).join('\n')).not.toContain('Replies in this thread');
  });

  it('says replies stay with the agents when the team keeps them internal, and how to reach the requester', () => {
    const internal = mrkdwnTexts(card(makeTicket(), { replyDefault: 'internal' }).blocks).join('\n');
    expect(internal).toContain('Replies in this thread stay with the agents; start with `reply:` to reach the requester.');
    expect(internal).not.toContain('reach the requester;');
    expect(mrkdwnTexts(card(makeTicket(), { replyDefault: 'public' }).blocks).join('\n')).toContain('Replies in this thread reach the requester;');
  });

  it('shows the conversation: how many comments, and when the requester last wrote', () => {
    const wrote = new Date('2026-03-02T09:30:00Z');
    const texts = (conversation: { comments: number; requesterLastWroteAt: Date | null }) =>
      mrkdwnTexts(card(makeTicket(), { conversation }).blocks).join('\n');
    expect(texts({ comments: 3, requesterLastWroteAt: wrote })).toContain(
      `:speech_balloon: 3 comments · requester last wrote <!date^${wrote.getTime() / 1000}^{date_short_pretty} at {time}|2026-03-02T09:30:00Z>`,
    );
    expect(texts({ comments: 1, requesterLastWroteAt: null })).toMatch(/:speech_balloon: 1 comment$/m);
    expect(texts({ comments: 0, requesterLastWroteAt: null })).not.toContain(':speech_balloon:');
    expectWithinMessageLimits(card(makeTicket({ title: 'x'.repeat(200), description: 'y'.repeat(40_000) }), { conversation: { comments: 12_345, requesterLastWroteAt: wrote } }));
  });
});

describe('ticketSummary', () => {
  it('shows the details without workflow buttons, with a link when known', () => {
    const ticket = ticketIn('in_progress', true);
    const input = { ticket, submitterSlackId: 'U0SUBMIT', assigneeSlackId: 'U0AGENT', teamName: 'IT Support' };
    const message = ticketSummary({ ...input, cardPermalink: 'https://acme.slack.com/archives/C1/p1' });
    const text = mrkdwnTexts(message.blocks).join('\n');
    expect(text).toContain('*TKT-0042* · Printer on fire');
    expect(text).toContain('*Status*\nIn progress');
    expect(text).toContain('*Assignee*\n<@U0AGENT>');
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual([ACTION.openLink]);
    expect(ofType(ticketSummary(input).blocks, 'actions')).toHaveLength(0);
    expect(message.text).toContain('TKT-0042');
  });
});

describe('ticketList', () => {
  const many = Array.from({ length: 100 }, (_, i) =>
    makeTicket({ id: `tkt_${i}`, number: `TKT-${String(i + 1).padStart(4, '0')}`, title: `Ticket ${i + 1}` }),
  );

  it('shows at most 20 tickets and counts the rest', () => {
    const message = ticketList({ tickets: many });
    expectWithinMessageLimits(message);
    const sections = mrkdwnTexts(message.blocks).filter((t) => /^\*TKT-\d{4}\*/.test(t));
    expect(sections).toHaveLength(20);
    expect(sections[0]).toContain('Ticket 1\nOpen · :large_orange_circle: High · due <!date^');
    expect(mrkdwnTexts(message.blocks).at(-1)).toBe('and 80 more');
    expect(message.text).toBe('Your open tickets (100)');
  });

  it('counts from the total when only a page was loaded', () => {
    const message = ticketList({ tickets: many.slice(0, 20), total: 57 });
    expect(mrkdwnTexts(message.blocks)).toContain('and 37 more');
    expect(mrkdwnTexts(ticketList({ tickets: many.slice(0, 3) }).blocks).join()).not.toContain('more');
  });

  it('has an empty state', () => {
    const message = ticketList({ tickets: [] });
    expect(message.text).toBe('You have no open tickets.');
    expect(message.blocks).toHaveLength(1);
  });
});

describe('helpMessage and errorMessage', () => {
  it('lists the subcommands, escaping the placeholder', () => {
    const text = mrkdwnTexts(helpMessage().blocks).join('\n');
    for (const usage of ['`/ticket`', '`/ticket &lt;title&gt;`', '`/ticket list`', '`/ticket TKT-0042`', '`/ticket help`']) {
      expect(text).toContain(usage);
    }
    expect(text).not.toContain('<title>');
  });

  it('starts with what it did not understand, escaped', () => {
    const message = helpMessage({ unknown: 'frobnicate <!here> `x`' });
    expect(message.text).toBe("I didn't understand `frobnicate &lt;!here&gt; 'x'`");
    expect(mrkdwnTexts(message.blocks)[0]).toMatch(/^I didn't understand `frobnicate &lt;!here&gt; 'x'`/);
    expect(helpMessage({ unknown: '  ' }).text).toBe('How to use /ticket');
  });

  it('escapes error text', () => {
    const message = errorMessage('A team named "<b>" already exists');
    expect(message.text).toBe('A team named "&lt;b&gt;" already exists');
    expect(mrkdwnTexts(message.blocks)).toEqual([':warning: A team named "&lt;b&gt;" already exists']);
  });
});
