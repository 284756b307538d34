import type { ViewOutput } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { TICKET_STATUSES, type TicketStatus } from '../../src/db/schema/enums.js';
import type { Ticket } from '../../src/domain/tickets/queries.js';
import { canTransition } from '../../src/domain/tickets/status.js';
import {
  errorMessage,
  escapeMrkdwn,
  helpMessage,
  formatDuration,
  readTicketModal,
  requesterCreatedDm,
  slaAcknowledgedLine,
  slaAlertMessage,
  slaDigestMessage,
  SLA_DIGEST_TEXT_BUDGET,
  type SlaAlertView,
  requesterUpdateDm,
  slackDate,
  SLACK_LIMITS,
  threadLine,
  ticketCard,
  ticketList,
  ticketModal,
  ticketSummary,
  truncate,
  type SlackMessage,
  type ThreadLineKind,
} from '../../src/slack/blocks.js';
import {
  ACTION,
  assignBlockId,
  BLOCK,
  CALLBACK,
  INPUT_ACTION,
  parseAssignBlockId,
  ticketActionIds,
} from '../../src/slack/ids.js';
import { SLA_DIGEST_MAX } from '../../src/domain/sla/delivery.js';
import { checkMessage, checkView, hasLoneSurrogate } from '../support/block-kit.js';

// ---------------------------------------------------------------------------
// Fixtures and JSON walkers

const CREATED = new Date('2025-03-04T09:00:00.000Z');
const FIRST_DUE = new Date('2025-03-04T13:30:00.000Z');
const DUE = new Date('2025-03-06T17:00:00.000Z');

function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    tenantId: 'ten_1',
    id: 'tkt_01JNQ5ZKX8Y3V2M4T6R9P0A1BC',
    appId: null,
    createdAt: CREATED,
    updatedAt: CREATED,
    createdBy: 'per_1',
    updatedBy: 'per_1',
    source: 'slack',
    sourceType: 'frontend',
    isDeleted: false,
    deletedAt: null,
    deletedBy: null,
    schemaVersion: 1,
    revision: 1,
    numberSeq: 42,
    number: 'TKT-0042',
    title: 'Printer on fire',
    description: 'Third floor, near the kitchen.',
    type: 'incident',
    status: 'open',
    priority: 'high',
    category: 'Hardware',
    submittedById: 'per_1',
    assignedToId: null,
    teamId: 'grp_1',
    slaPolicyId: 'sla_1',
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    dueAt: DUE,
    firstResponseDueAt: FIRST_DUE,
    firstResponseWarnAt: null,
    resolutionWarnAt: null,
    slaCycle: 1,
    slaCycleStartedAt: CREATED,
    slaPauses: [],
    relatedAssetId: null,
    relatedVulnerabilityId: null,
    tags: [],
    slackChannelId: 'C0123ABCD',
    slackMessageTs: null,
    ...overrides,
  };
}

/** A ticket consistent with its status: assigned tickets carry an assignee, finished ones their stamps. */
function ticketIn(status: TicketStatus, assigned: boolean): Ticket {
  return makeTicket({
    status,
    assignedToId: assigned ? 'per_2' : null,
    firstResponseAt: status === 'open' ? null : new Date('2025-03-04T10:00:00.000Z'),
    resolvedAt: status === 'resolved' || status === 'closed' ? new Date('2025-03-05T10:00:00.000Z') : null,
    closedAt: status === 'closed' ? new Date('2025-03-05T12:00:00.000Z') : null,
  });
}

function card(ticket: Ticket, extra: Partial<Parameters<typeof ticketCard>[0]> = {}): SlackMessage {
  return ticketCard({
    ticket,
    submitterSlackId: 'U0SUBMIT',
    assigneeSlackId: ticket.assignedToId ? 'U0AGENT' : null,
    teamName: 'IT Support',
    ...extra,
  });
}

type Json = Record<string, unknown>;

/** Every object nested anywhere in `value` (itself included). */
function objects(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(objects);
  if (value === null || typeof value !== 'object') return [];
  return [value as Json, ...Object.values(value).flatMap(objects)];
}

const ofType = (value: unknown, type: string) => objects(value).filter((o) => o.type === type);
const mrkdwnTexts = (value: unknown) => ofType(value, 'mrkdwn').map((o) => o.text as string);
const buttons = (value: unknown) => ofType(value, 'button');
const actionIds = (value: unknown) =>
  objects(value)
    .filter((o) => 'action_id' in o)
    .map((o) => o.action_id as string);
const blocksOf = (view: { blocks: unknown[] }) => view.blocks as Json[];
const block = (view: { blocks: unknown[] }, id: string) => blocksOf(view).find((b) => b.block_id === id);
const allText = (message: SlackMessage) => [message.text, ...mrkdwnTexts(message.blocks)].join('\n');

/** The value/option Slack would echo back for an untouched input. */
function stateFromModal(view: ReturnType<typeof ticketModal>): ViewOutput['state']['values'] {
  const values: ViewOutput['state']['values'] = {};
  for (const b of blocksOf(view).filter((b) => b.type === 'input')) {
    const element = b.element as Json;
    values[b.block_id as string] = {
      [element.action_id as string]:
        element.type === 'static_select'
          ? { type: 'static_select', selected_option: (element.initial_option as never) ?? null }
          : { type: 'plain_text_input', value: (element.initial_value as string | undefined) ?? null },
    };
  }
  return values;
}

/** Checks a message against every Block Kit limit the fake Slack enforces (`block-kit.ts`). */
function expectWithinMessageLimits(message: SlackMessage): void {
  expect(checkMessage({ channel: 'C1', ...message })).toBeUndefined();
}

function everyMessage(ticket: Ticket): SlackMessage[] {
  return [
    card(ticket, { breach: { firstResponse: true, resolution: true } }),
    ticketSummary({
      ticket,
      submitterSlackId: 'U0SUBMIT',
      assigneeSlackId: null,
      teamName: 'IT Support',
      cardPermalink: 'https://acme.slack.com/archives/C0123ABCD/p1741078800000100',
    }),
    requesterCreatedDm({ ticket, teamName: 'IT Support', cardPermalink: 'https://acme.slack.com/archives/C1/p1' }),
    ...(['claimed', 'pending', 'resolved', 'closed', 'reopened'] as const).map((kind) =>
      requesterUpdateDm({ ticket, kind, actorSlackId: 'U0AGENT', cardPermalink: 'https://acme.slack.com/archives/C1/p1' }),
    ),
    ticketList({ tickets: [ticket] }),
  ];
}

// ---------------------------------------------------------------------------

describe('Slack ids', () => {
  it('lists every action id once', () => {
    const ids = ticketActionIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.values(ACTION).sort());
    expect(ids).toContain('alert_ack');
  });

  it('round-trips assign block ids and rejects others', () => {
    const ticketId = 'tkt_01JNQ5ZKX8Y3V2M4T6R9P0A1BC';
    expect(assignBlockId(ticketId)).toBe(`assign:${ticketId}`);
    expect(parseAssignBlockId(assignBlockId(ticketId))).toBe(ticketId);
    expect(parseAssignBlockId('assign:')).toBeUndefined();
    expect(parseAssignBlockId('title')).toBeUndefined();
    expect(parseAssignBlockId(undefined)).toBeUndefined();
  });
});

describe('text helpers', () => {
  it('escapes the mrkdwn control characters, ampersand first', () => {
    expect(escapeMrkdwn('<script>&amp; a > b <!channel>')).toBe('&lt;script&gt;&amp;amp; a &gt; b &lt;!channel&gt;');
  });

  it('truncates with an ellipsis without splitting a surrogate pair', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    const cut = truncate('ab😀cd', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });

  it('cuts whole graphemes only: emoji, flags, skin tones and families at every cut point', () => {
    const text = `a😀b🇩🇪c👍🏽d👨‍👩‍👧‍👦e${'é'.normalize('NFD')}f`;
    const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((g) => g.segment);
    for (let max = 1; max <= text.length; max += 1) {
      const cut = truncate(text, max);
      expect(cut.length, `max ${max}`).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(cut), `max ${max}`).toBe(false);
      const kept = cut.endsWith('…') && cut !== text ? cut.slice(0, -1) : cut;
      // What is kept is a run of whole graphemes from the start.
      let joined = '';
      for (const g of graphemes) {
        if (joined.length >= kept.length) break;
        joined += g;
      }
      expect(joined, `max ${max}`).toBe(kept);
    }
  });

  it('repairs text that arrives already broken (a lone surrogate) instead of sending it on', () => {
    const broken = 'ab\uD83D';
    expect(hasLoneSurrogate(truncate(broken, 10))).toBe(false);
    expect(hasLoneSurrogate(escapeMrkdwn(broken))).toBe(false);
    const view = ticketModal({ teams: [], initial: { title: broken, description: `x${broken}` } });
    expect(checkView(view)).toBeUndefined();
  });

  it('renders dates for the reader with the unix seconds and a UTC fallback', () => {
    expect(slackDate(new Date('2025-03-04T13:30:00.999Z'))).toBe(
      `<!date^1741095000^{date_short_pretty} at {time}|2025-03-04T13:30:00Z>`,
    );
    expect(slackDate(FIRST_DUE, '{date_long}')).toBe('<!date^1741095000^{date_long}|2025-03-04T13:30:00Z>');
  });
});

describe('ticketModal', () => {
  const teams = [
    { id: 'grp_1', name: 'IT Support' },
    { id: 'grp_2', name: 'Facilities' },
  ];
  const inputBlock = (view: ReturnType<typeof ticketModal>, id: string) => block(view, id)?.element as Json;

  it('is the create modal with every input block', () => {
    const view = ticketModal({ teams });
    expect(view.callback_id).toBe(CALLBACK.createTicketModal);
    expect(view.title.text).toBe('New ticket');
    expect(view.title.text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect(view.submit?.text).toBe('Create');
    expect(view.close?.text).toBe('Cancel');
    for (const id of Object.values(BLOCK)) {
      expect(block(view, id), id).toMatchObject({ type: 'input' });
      expect(inputBlock(view, id).action_id).toBe(INPUT_ACTION);
    }
    expect(blocksOf(view).length).toBeLessThanOrEqual(SLACK_LIMITS.modalBlocks);
  });

  it('makes only the title, type and priority required', () => {
    const view = ticketModal({ teams });
    const optional = blocksOf(view)
      .filter((b) => b.optional)
      .map((b) => b.block_id);
    expect(optional.sort()).toEqual([BLOCK.category, BLOCK.description, BLOCK.team].sort());
    expect(inputBlock(view, BLOCK.title)).toMatchObject({ type: 'plain_text_input', max_length: 200 });
    expect(inputBlock(view, BLOCK.description)).toMatchObject({ multiline: true, max_length: 3000 });
    // Slack refuses a max_length past 3000, and with it the whole form.
    expect(checkView(view)).toBeUndefined();
    expect(inputBlock(view, BLOCK.category)).toMatchObject({ max_length: 100 });
  });

  it('offers every type and priority with human labels and sensible defaults', () => {
    const view = ticketModal({ teams });
    const type = inputBlock(view, BLOCK.type);
    expect((type.options as Json[]).map((o) => [(o.text as Json).text, o.value])).toEqual([
      ['Incident', 'incident'],
      ['Service request', 'service_request'],
      ['Change', 'change'],
      ['Problem', 'problem'],
    ]);
    expect(type.initial_option).toMatchObject({ value: 'service_request' });
    const priority = inputBlock(view, BLOCK.priority);
    expect((priority.options as Json[]).map((o) => o.value)).toEqual(['low', 'medium', 'high', 'urgent']);
    expect(priority.initial_option).toMatchObject({ value: 'medium', text: { text: 'Medium' } });
  });

  it('preselects the default team, unless the initial team says otherwise', () => {
    expect(inputBlock(ticketModal({ teams, defaultTeamId: 'grp_2' }), BLOCK.team).initial_option).toMatchObject({
      value: 'grp_2',
      text: { text: 'Facilities' },
    });
    const chosen = ticketModal({ teams, defaultTeamId: 'grp_2', initial: { teamId: 'grp_1' } });
    expect(inputBlock(chosen, BLOCK.team).initial_option).toMatchObject({ value: 'grp_1' });
    expect(inputBlock(ticketModal({ teams }), BLOCK.team)).not.toHaveProperty('initial_option');
    expect(inputBlock(ticketModal({ teams, defaultTeamId: 'grp_gone' }), BLOCK.team)).not.toHaveProperty(
      'initial_option',
    );
  });

  it('omits the team block when there are no teams', () => {
    const view = ticketModal({ teams: [], defaultTeamId: 'grp_1' });
    expect(block(view, BLOCK.team)).toBeUndefined();
    expect(block(view, BLOCK.title)).toBeDefined();
  });

  it('keeps within 100 team options and shortens long names, keeping the preselected team', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `grp_${i}`, name: `Team ${i} ${'x'.repeat(100)}` }));
    const team = inputBlock(ticketModal({ teams: many, defaultTeamId: 'grp_120' }), BLOCK.team);
    const options = team.options as Json[];
    expect(options).toHaveLength(SLACK_LIMITS.selectOptions);
    for (const o of options) expect(((o.text as Json).text as string).length).toBeLessThanOrEqual(75);
    expect(team.initial_option).toMatchObject({ value: 'grp_120' });
    expect(options.map((o) => o.value)).toContain('grp_120');
  });

  it('never sends empty, null or undefined values', () => {
    const views = [
      ticketModal({ teams: [] }),
      ticketModal({ teams, initial: { title: '', description: '   ', category: '', teamId: undefined } }),
      ticketModal({
        teams,
        defaultTeamId: 'grp_1',
        privateMetadata: '',
        initial: { title: 'VPN down', description: 'Since 9am', type: 'incident', priority: 'urgent', category: 'Network' },
        sourceMessageLink: 'https://acme.slack.com/archives/C1/p1',
      }),
    ];
    for (const view of views) {
      for (const o of objects(view)) {
        for (const [key, value] of Object.entries(o)) {
          expect(value, key).not.toBe('');
          expect(value, key).not.toBeUndefined();
          expect(value, key).not.toBeNull();
        }
      }
      expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    }
  });

  it('prefills the initial values, clipped to the input limits', () => {
    const view = ticketModal({
      teams,
      initial: { title: 'T'.repeat(300), description: 'Broken', type: 'problem', priority: 'low', category: 'Access' },
    });
    expect((inputBlock(view, BLOCK.title).initial_value as string).length).toBe(200);
    expect(inputBlock(view, BLOCK.description).initial_value).toBe('Broken');
    expect(inputBlock(view, BLOCK.type).initial_option).toMatchObject({ value: 'problem' });
    expect(inputBlock(view, BLOCK.priority).initial_option).toMatchObject({ value: 'low' });
    expect(inputBlock(view, BLOCK.category).initial_value).toBe('Access');
  });

  it('shows the source message link and keeps it in a long prefilled description', () => {
    const url = 'https://acme.slack.com/archives/C0123ABCD/p1741078800000100?thread_ts=1741078800.000100&cid=C0123ABCD';
    const view = ticketModal({ teams, sourceMessageLink: url, initial: { description: 'x'.repeat(6000) } });
    const first = blocksOf(view)[0]!;
    expect(first.type).toBe('context');
    expect(mrkdwnTexts(first)[0]).toContain(`<${url.replace('&', '&amp;')}|this message>`);
    const description = inputBlock(view, BLOCK.description).initial_value as string;
    expect(description.length).toBeLessThanOrEqual(3000);
    expect(checkView(view)).toBeUndefined();
    expect(description.endsWith(url)).toBe(true);
    const onlyLink = ticketModal({ teams, sourceMessageLink: url });
    expect(inputBlock(onlyLink, BLOCK.description).initial_value).toContain(url);
  });

  it('passes private metadata through and refuses metadata Slack would reject', () => {
    expect(ticketModal({ teams, privateMetadata: '{"channel":"C1"}' }).private_metadata).toBe('{"channel":"C1"}');
    expect(() => ticketModal({ teams, privateMetadata: 'x'.repeat(3001) })).toThrow(RangeError);
  });
});

describe('readTicketModal', () => {
  it('round-trips the values of a modal as Slack submits them', () => {
    const initial = {
      title: 'VPN down',
      description: 'Since 9am',
      type: 'incident',
      priority: 'urgent',
      teamId: 'grp_2',
      category: 'Network',
    } as const;
    const view = ticketModal({ teams: [{ id: 'grp_1', name: 'IT' }, { id: 'grp_2', name: 'Net' }], initial });
    expect(readTicketModal(stateFromModal(view))).toEqual(initial);
  });

  it('turns empty optional inputs into undefined', () => {
    const view = ticketModal({ teams: [{ id: 'grp_1', name: 'IT' }], initial: { title: 'Hi' } });
    expect(readTicketModal(stateFromModal(view))).toEqual({
      title: 'Hi',
      description: undefined,
      type: 'service_request',
      priority: 'medium',
      teamId: undefined,
      category: undefined,
    });
    expect(readTicketModal({})).toEqual({
      title: undefined,
      description: undefined,
      type: undefined,
      priority: undefined,
      teamId: undefined,
      category: undefined,
    });
  });
});

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
});

describe('every message', () => {
  const tickets = TICKET_STATUSES.flatMap((s) => [ticketIn(s, false), ticketIn(s, true)]);

  it('puts the ticket id in every button value', () => {
    for (const ticket of tickets) {
      for (const message of everyMessage(ticket)) {
        for (const b of buttons(message.blocks)) expect(b.value).toBe(ticket.id);
      }
    }
  });

  it('only uses action ids the listeners handle', () => {
    const known = new Set<string>(ticketActionIds());
    for (const ticket of tickets) {
      for (const message of everyMessage(ticket)) {
        for (const id of actionIds(message.blocks)) expect(known.has(id), id).toBe(true);
      }
    }
  });

  it('stays within the message limits', () => {
    for (const ticket of tickets) for (const message of everyMessage(ticket)) expectWithinMessageLimits(message);
  });
});

describe('threadLine', () => {
  const cases: [ThreadLineKind, string | undefined, string][] = [
    ['created', undefined, '<@U1> created this ticket'],
    ['claimed', undefined, '<@U1> claimed this ticket'],
    ['assigned', 'U2', '<@U1> assigned it to <@U2>'],
    ['assigned', undefined, '<@U1> unassigned it'],
    ['status', 'pending', '<@U1> set status to *Pending*'],
    ['status', 'in_progress', '<@U1> set status to *In progress*'],
    ['resolved', undefined, '<@U1> resolved it'],
    ['closed', undefined, '<@U1> closed it'],
    ['reopened', undefined, '<@U1> reopened it'],
    ['updated', 'priority & title', '<@U1> updated priority &amp; title'],
  ];

  it.each(cases)('%s (%s)', (kind, detail, expected) => {
    expect(threadLine({ actorSlackId: 'U1', kind, detail })).toEqual({ text: expected });
  });

  it('names the API when no Slack user acted', () => {
    expect(threadLine({ actorSlackId: null, kind: 'claimed' }).text).toBe('Someone via the API claimed this ticket');
    expect(threadLine({ actorSlackId: null, kind: 'status', detail: 'resolved' }).text).toBe(
      'Someone via the API set status to *Resolved*',
    );
  });
});

describe('requester DMs', () => {
  const permalink = 'https://acme.slack.com/archives/C0123ABCD/p1741078800000100';

  it('confirms a new ticket with its SLA targets and a link', () => {
    const message = requesterCreatedDm({ ticket: makeTicket(), teamName: 'IT Support', cardPermalink: permalink });
    const text = mrkdwnTexts(message.blocks).join('\n');
    expect(message.text).toContain('TKT-0042');
    expect(message.text).toContain('Printer on fire');
    expect(text).toContain(`*First response target*\n<!date^${FIRST_DUE.getTime() / 1000}^`);
    expect(text).toContain(`*Resolution target*\n<!date^${DUE.getTime() / 1000}^`);
    expect(text).toContain('*Team*\nIT Support');
    expect(buttons(message.blocks)).toEqual([
      expect.objectContaining({ action_id: ACTION.openLink, url: permalink, text: expect.objectContaining({ text: 'View ticket' }) }),
    ]);
  });

  it('says when there is no SLA target, and has no link without a permalink', () => {
    const message = requesterCreatedDm({ ticket: makeTicket({ firstResponseDueAt: null, dueAt: null }), teamName: null });
    const text = mrkdwnTexts(message.blocks).join('\n');
    expect(text).toContain('*First response target*\nNo SLA target');
    expect(text).toContain('*Resolution target*\nNo SLA target');
    expect(text).not.toContain('*Team*');
    expect(ofType(message.blocks, 'actions')).toHaveLength(0);
  });

  it.each([
    ['claimed', '<@U0AGENT> is working on *TKT-0042*'],
    ['pending', '<@U0AGENT> needs your input on *TKT-0042*'],
    ['resolved', 'was resolved by <@U0AGENT> — close it if you are happy, or reopen'],
    ['closed', 'was closed by <@U0AGENT>'],
    ['reopened', 'was reopened by <@U0AGENT>'],
  ] as const)('explains a %s update', (kind, phrase) => {
    const message = requesterUpdateDm({ ticket: makeTicket(), kind, actorSlackId: 'U0AGENT' });
    expect(mrkdwnTexts(message.blocks).join()).toContain(phrase);
    expect(message.text).toContain('TKT-0042');
    expect(message.text).toContain('Printer on fire');
    const ids = buttons(message.blocks).map((b) => b.action_id);
    expect(ids).toEqual(kind === 'resolved' ? [ACTION.close, ACTION.reopen] : []);
  });

  it('reads naturally without a Slack actor', () => {
    const claimed = requesterUpdateDm({ ticket: makeTicket(), kind: 'claimed', actorSlackId: null });
    expect(claimed.text).toBe('An agent is working on TKT-0042 · Printer on fire.');
    const closed = requesterUpdateDm({ ticket: makeTicket(), kind: 'closed', actorSlackId: null, cardPermalink: permalink });
    expect(closed.text).toBe('TKT-0042 · Printer on fire was closed.');
    expect(buttons(closed.blocks).map((b) => b.action_id)).toEqual([ACTION.openLink]);
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

describe('SLA alerts', () => {
  const alert = (overrides: Partial<SlaAlertView> = {}): SlaAlertView => ({
    alertId: 'alr_01JNQ5ZKX8Y3V2M4T6R9P0A1BC',
    kind: 'breach',
    clock: 'first_response',
    sequence: 0,
    escalationMax: 3,
    ticket: { id: 'tkt_1', number: 'TKT-0042', title: 'Printer <on> fire', assignedToId: null },
    assigneeSlackId: null,
    minutes: 135,
    businessTime: false,
    deadlineAt: FIRST_DUE,
    escalationContactSlackIds: [],
    cardPermalink: 'https://acme.slack.com/archives/C1/p1',
    ...overrides,
  });

  it('formats durations in minutes, hours and (absolute) days', () => {
    expect(formatDuration(0.4)).toBe('less than a minute');
    expect(formatDuration(45.9)).toBe('45m');
    expect(formatDuration(60)).toBe('1h');
    expect(formatDuration(135)).toBe('2h 15m');
    expect(formatDuration(2 * 1440 + 200)).toBe('2d 3h');
    expect(formatDuration(2 * 1440, true)).toBe('48h');
  });

  it('says in its notification text which ticket, which target, breached or at risk, and how late', () => {
    // The notification text is mrkdwn too: the title is escaped there as in the blocks.
    expect(slaAlertMessage(alert()).text).toBe('TKT-0042 first response breached: 2h 15m late — Printer &lt;on&gt; fire');
    expect(slaAlertMessage(alert({ clock: 'resolution', kind: 'warning', minutes: 45 })).text).toBe(
      'TKT-0042 resolution at risk: 45m left — Printer &lt;on&gt; fire',
    );
    expect(slaAlertMessage(alert({ businessTime: true })).text).toContain('2h 15m late (business hours)');
    expect(slaAlertMessage(alert({ kind: 'escalation', sequence: 2 })).text).toMatch(/^Escalation 2 of 3: TKT-0042 first response breached/);
  });

  it('offers Claim while unassigned, Acknowledge with the alert id, and the link to the card', () => {
    const message = slaAlertMessage(alert());
    expect(buttons(message.blocks).map((b) => [(b.text as Json).text, b.action_id, b.value])).toEqual([
      ['Claim', ACTION.alertClaim, 'tkt_1'],
      ['Acknowledge', ACTION.alertAck, 'alr_01JNQ5ZKX8Y3V2M4T6R9P0A1BC'],
      ['View ticket', ACTION.openLink, 'tkt_1'],
    ]);
    expect(allText(message)).toContain('_unassigned_');
    const assigned = slaAlertMessage(alert({ ticket: { ...alert().ticket, assignedToId: 'per_1' }, assigneeSlackId: 'U0AGENT', cardPermalink: undefined }));
    expect(buttons(assigned.blocks).map((b) => (b.text as Json).text)).toEqual(['Acknowledge']);
    expect(allText(assigned)).toContain('<@U0AGENT>');
    expect(allText(message)).toContain('Printer &lt;on&gt; fire');
    expectWithinMessageLimits(message);
  });

  it('mentions the escalation contacts on escalations only', () => {
    const contacts = { escalationContactSlackIds: ['U0ONCALL', 'U0BOSS'] };
    expect(allText(slaAlertMessage(alert({ kind: 'escalation', sequence: 1, ...contacts })))).toContain('cc <@U0ONCALL> <@U0BOSS>');
    expect(allText(slaAlertMessage(alert(contacts)))).not.toContain('cc ');
  });

  it('lists several alerts in one digest, each with its Acknowledge, within the block limit', () => {
    const many = Array.from({ length: SLA_DIGEST_MAX }, (_, i) =>
      alert({ alertId: `alr_${i}`, kind: i % 3 === 0 ? 'warning' : 'breach', ticket: { ...alert().ticket, number: `TKT-${1000 + i}` } }),
    );
    const digest = slaDigestMessage(many);
    expectWithinMessageLimits(digest);
    expect(digest.text).toMatch(/^20 SLA alerts: TKT-1000 first response at risk, TKT-1001 first response breached, .*, and 10 more$/);
    expect(buttons(digest.blocks).map((b) => b.value)).toEqual(many.map((a) => a.alertId));
    expect(() => slaDigestMessage([])).toThrow(RangeError);
    expect(() => slaDigestMessage(Array.from({ length: SLA_DIGEST_MAX + 1 }, () => alert()))).toThrow(RangeError);
  });

  it('keeps a full digest of the longest alerts well under the block text Slack refuses', () => {
    // Longest everything: a 200-character title of ampersands (1000 once escaped), the
    // escalation label, a long permalink and fifty escalation contacts.
    const longest = Array.from({ length: SLA_DIGEST_MAX }, (_, i) =>
      alert({
        alertId: `alr_${i}`,
        kind: 'escalation',
        sequence: 99,
        businessTime: true,
        minutes: 99_999,
        ticket: { ...alert().ticket, number: `TKT-${100000 + i}`, title: '&'.repeat(200) },
        cardPermalink: `https://a-very-long-workspace-name.enterprise.slack.com/archives/C0123ABCDEF/p1741078800000100?thread_ts=1741078800.000100&cid=C0123ABCDEF`,
        escalationContactSlackIds: Array.from({ length: 50 }, (_, j) => `U0CONTACT${j}`),
      }),
    );
    const digest = slaDigestMessage(longest);
    const blockText = mrkdwnTexts(digest.blocks).join('').length + ofType(digest.blocks, 'plain_text').map((t) => (t.text as string).length).reduce((a, b) => a + b, 0);
    expect(blockText).toBeLessThanOrEqual(SLA_DIGEST_TEXT_BUDGET);
    expect(SLA_DIGEST_TEXT_BUDGET).toBeLessThanOrEqual(9_000);
    expectWithinMessageLimits(digest);
    // Each line still says which ticket, what is late and offers its Acknowledge.
    for (const [i, line] of mrkdwnTexts(digest.blocks).slice(1, -1).entries()) {
      expect(line).toContain(`*TKT-${100000 + i}*`);
      expect(line).toContain('breached');
      expect(line).toContain('+47 more');
    }
  });

  it('says who acknowledged, in the thread', () => {
    expect(slaAcknowledgedLine({ actorSlackId: 'U0AGENT', kind: 'breach', cancelledEscalations: 0 }).text).toBe(
      '<@U0AGENT> acknowledged this alert — no further escalation',
    );
    expect(slaAcknowledgedLine({ actorSlackId: 'U0AGENT', kind: 'warning', cancelledEscalations: 0 }).text).toBe('<@U0AGENT> acknowledged this alert');
  });
});

describe('hostile text in every builder', () => {
  // Titles at the domain's 200-character maximum with an emoji (or a ZWJ family, or a flag)
  // straddling every cut point a builder may use, and mrkdwn control sequences.
  const fillers = ['😀', '👨‍👩‍👧‍👦', '🇩🇪', '<!channel>', '&'];
  const titles = fillers.flatMap((filler) =>
    Array.from({ length: filler.length + 1 }, (_, shift) => `${'x'.repeat(shift)}${filler.repeat(200)}`.slice(0, 200 - ((200 - shift) % filler.length))),
  );
  const description = '<!here> <@U0ADMIN> <#C0GENERAL|general> <https://evil.example|click> &amp; 😀'.repeat(600);
  const permalink = 'https://acme.slack.com/archives/C1/p1';
  /** Whatever `<` is left once the builders' own mentions, dates and links are removed came from the user. */
  const userControl = (text: string) =>
    text.replace(/<@U0(SUBMIT|AGENT)>/g, '').replace(/<!date\^[^>]*>/g, '').replace(/<https:\/\/acme\.slack\.com\/archives\/C1\/p1\|[a-z ]+>/g, '');

  function messagesFor(title: string): SlackMessage[] {
    const ticket = makeTicket({ title, description, category: '<!channel>'.repeat(10) });
    const view: SlaAlertView = {
      alertId: 'alr_1',
      kind: 'escalation',
      clock: 'resolution',
      sequence: 1,
      escalationMax: 3,
      ticket,
      assigneeSlackId: null,
      minutes: 61,
      businessTime: false,
      deadlineAt: DUE,
      escalationContactSlackIds: ['U0AGENT'],
      cardPermalink: permalink,
    };
    return [
      ...everyMessage(ticket),
      card(ticket, { teamName: '<!here> team' }),
      slaAlertMessage(view),
      slaDigestMessage(Array.from({ length: SLA_DIGEST_MAX }, () => view)),
      { ...threadLine({ actorSlackId: 'U0AGENT', kind: 'updated', detail: title }), blocks: [] },
      helpMessage({ unknown: title }),
      errorMessage(title),
    ];
  }

  it.each(titles.map((title) => [title.length, title]))('accepted by Slack, nothing unescaped (%i characters)', (_length, title) => {
    expect(hasLoneSurrogate(title)).toBe(false);
    for (const message of messagesFor(title)) {
      const { blocks, ...rest } = message;
      expect(checkMessage({ channel: 'C1', ...rest, ...(blocks.length > 0 ? { blocks } : {}) })).toBeUndefined();
      for (const text of [message.text, ...mrkdwnTexts(message.blocks)]) expect(userControl(text)).not.toContain('<');
    }
    const view = ticketModal({ teams: [{ id: 'grp_1', name: title }], initial: { title, description, category: title }, sourceMessageLink: permalink });
    expect(checkView(view)).toBeUndefined();
  });
});
