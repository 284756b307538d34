/**
 * Block Kit builders: pure functions from tickets to Slack JSON. No I/O and no clock:
 * dates are rendered with Slack's `<!date^…>` syntax, so each reader sees their own time zone.
 */
import type { types, ViewOutput } from '@slack/bolt';
import {
  TICKET_PRIORITIES,
  TICKET_TYPES,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '../db/schema/enums.js';
import { SLA_DIGEST_MAX } from '../domain/sla/delivery.js';
import type { Ticket } from '../domain/tickets/queries.js';
import { ACTION, assignBlockId, BLOCK, CALLBACK, COMMAND, INPUT_ACTION } from './ids.js';

type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;
type ContextBlock = types.ContextBlock;
type ActionsBlock = types.ActionsBlock;
type InputBlock = types.InputBlock;
type Button = types.Button;
type PlainTextElement = types.PlainTextElement;
type MrkdwnElement = types.MrkdwnElement;
type PlainTextOption = types.PlainTextOption;
type StaticSelect = types.StaticSelect;

/** A chat message: `text` is the notification / screen-reader fallback for `blocks`. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Slack's documented limits that these builders stay within. */
export const SLACK_LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  sectionField: 2000,
  headerText: 150,
  modalTitle: 24,
  optionText: 75,
  buttonText: 75,
  buttonValue: 2000,
  privateMetadata: 3000,
  selectOptions: 100,
  placeholder: 150,
  /** A plain_text_input's `max_length` must be 1-3000, or Slack refuses the whole view. */
  inputMaxLength: 3000,
} as const;

/**
 * Modal input lengths (the title and category match the domain schema). The description's
 * is Slack's highest `max_length`; the domain takes longer ones from the API.
 */
export const MODAL_MAX_LENGTH = { title: 200, description: SLACK_LIMITS.inputMaxLength, category: 100 } as const;

/** How many tickets `ticketList` shows before "and N more". */
export const LIST_LIMIT = 20;

export const TYPE_LABELS: Record<TicketType, string> = {
  incident: 'Incident',
  service_request: 'Service request',
  change: 'Change',
  problem: 'Problem',
};

export const PRIORITY_LABELS: Record<TicketPriority, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  urgent: 'Urgent',
};

export const STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  pending: 'Pending',
  resolved: 'Resolved',
  closed: 'Closed',
};

const PRIORITY_EMOJI: Partial<Record<TicketPriority, string>> = {
  urgent: ':red_circle:',
  high: ':large_orange_circle:',
};

/** Title length used inside mrkdwn lines (the domain's own maximum). */
const TITLE_MAX = 200;
const API_ACTOR = 'Someone via the API';

/** The ticket fields the builders read; a full `Ticket` row fits. */
export type TicketView = Pick<
  Ticket,
  | 'id'
  | 'number'
  | 'title'
  | 'description'
  | 'type'
  | 'status'
  | 'priority'
  | 'category'
  | 'assignedToId'
  | 'firstResponseAt'
  | 'firstResponseDueAt'
  | 'dueAt'
  | 'resolvedAt'
  | 'closedAt'
>;

// ---------------------------------------------------------------------------
// Text helpers

/**
 * Escapes the characters mrkdwn treats as control characters: `&`, `<`, `>`. Every piece of
 * user text that goes into mrkdwn (block text and `text` fallbacks alike) goes through here,
 * so it cannot form `<!channel>`, `<@U…>`, `<#C…>` or a disguised `<url|label>` link.
 */
export function escapeMrkdwn(text: string): string {
  return wellFormed(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` without lone UTF-16 surrogates (each becomes U+FFFD, as `toWellFormed` does): Slack refuses them. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATES, '\uFFFD');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Shortens `text` to at most `max` UTF-16 units, ending in '…'. The one place anything sent to
 * Slack is cut: whole graphemes only, so no emoji (nor flag, skin tone or family) is split.
 */
export function truncate(text: string, max: number): string {
  const whole = wellFormed(text);
  if (whole.length <= max) return whole;
  if (max < 1) return '';
  let end = 0;
  for (const { segment } of graphemes.segment(whole)) {
    if (end + segment.length > max - 1) break;
    end += segment.length;
  }
  return `${whole.slice(0, end)}…`;
}

/**
 * Truncates mrkdwn without leaving half an entity (`&am…`) or half a `<…>` token behind.
 * User text is escaped first, so every `&` and `<` left in the text is one of ours.
 */
function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  return truncate(text, max).replace(/&[a-z]*…$/, '…').replace(/<[^>]*…$/, '…');
}

/** User-supplied text for mrkdwn: escaped, then fitted to `max`. */
function userText(text: string, max: number): string {
  return fitMrkdwn(escapeMrkdwn(text), max);
}

/**
 * A date every reader sees in their own time zone, e.g. "Today at 2:05 PM";
 * clients that cannot render it show the UTC ISO instant.
 */
export function slackDate(date: Date, format = '{date_short_pretty} at {time}'): string {
  const unix = Math.floor(date.getTime() / 1000);
  const fallback = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<!date^${unix}^${format}|${fallback}>`;
}

function mention(slackUserId: string): string {
  return `<@${slackUserId}>`;
}

function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url)}|${escapeMrkdwn(label)}>`;
}

/** `TKT-0042 · Printer on fire`, escaped for mrkdwn. */
function ticketLine(ticket: Pick<TicketView, 'number' | 'title'>, bold = true): string {
  const number = bold ? `*${ticket.number}*` : ticket.number;
  return `${number} · ${userText(ticket.title, TITLE_MAX)}`;
}

function present(value: string | null | undefined): string | undefined {
  return value && value.trim() ? value : undefined;
}

// ---------------------------------------------------------------------------
// Block helpers

function plain(text: string): PlainTextElement {
  return { type: 'plain_text', text: wellFormed(text), emoji: true };
}

function mrkdwn(text: string): MrkdwnElement {
  return { type: 'mrkdwn', text };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(fitMrkdwn(text, SLACK_LIMITS.sectionText)) };
}

function fieldsSection(fields: [label: string, value: string][]): SectionBlock {
  return {
    type: 'section',
    fields: fields.map(([label, value]) => mrkdwn(fitMrkdwn(`*${label}*\n${value}`, SLACK_LIMITS.sectionField))),
  };
}

function context(text: string): ContextBlock {
  return { type: 'context', elements: [mrkdwn(fitMrkdwn(text, SLACK_LIMITS.sectionText))] };
}

function button(text: string, actionId: string, ticketId: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: plain(truncate(text, SLACK_LIMITS.buttonText)),
    action_id: actionId,
    value: ticketId,
    ...(style ? { style } : {}),
  };
}

/** A "View ticket" link button; Slack still sends an action for it, which must be acked. */
function linkButton(url: string, ticketId: string): Button {
  return { ...button('View ticket', ACTION.openLink, ticketId), url };
}

function actions(elements: ActionsBlock['elements'], blockId?: string): ActionsBlock {
  return { type: 'actions', elements, ...(blockId ? { block_id: blockId } : {}) };
}

function option(text: string, value: string): PlainTextOption {
  return { text: plain(truncate(text, SLACK_LIMITS.optionText)), value };
}

// ---------------------------------------------------------------------------
// Create-ticket modal

export interface TicketModalInitial {
  title?: string | undefined;
  description?: string | undefined;
  type?: TicketType | undefined;
  priority?: TicketPriority | undefined;
  teamId?: string | undefined;
  category?: string | undefined;
}

export interface TicketModalInput {
  teams: { id: string; name: string }[];
  defaultTeamId?: string | undefined;
  initial?: TicketModalInitial | undefined;
  privateMetadata?: string | undefined;
  /** Permalink of the message a shortcut was used on; shown, and appended to the description. */
  sourceMessageLink?: string | undefined;
}

/** The values a modal submission carries, as raw strings (validation is the domain's job). */
export interface TicketModalValues {
  title: string | undefined;
  description: string | undefined;
  type: string | undefined;
  priority: string | undefined;
  teamId: string | undefined;
  category: string | undefined;
}

function textInput(
  blockId: string,
  label: string,
  options: { maxLength: number; initial?: string | undefined; multiline?: boolean; optional?: boolean; placeholder?: string },
): InputBlock {
  const initial = present(options.initial);
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(options.optional ? { optional: true } : {}),
    element: {
      type: 'plain_text_input',
      action_id: INPUT_ACTION,
      max_length: options.maxLength,
      ...(options.multiline ? { multiline: true } : {}),
      ...(options.placeholder ? { placeholder: plain(truncate(options.placeholder, SLACK_LIMITS.placeholder)) } : {}),
      ...(initial ? { initial_value: truncate(initial, options.maxLength) } : {}),
    },
  };
}

function selectInput(
  blockId: string,
  label: string,
  options: PlainTextOption[],
  selected: string | undefined,
  extra: { optional?: boolean; placeholder: string },
): InputBlock {
  const initial = options.find((o) => o.value === selected);
  const element: StaticSelect = {
    type: 'static_select',
    action_id: INPUT_ACTION,
    placeholder: plain(truncate(extra.placeholder, SLACK_LIMITS.placeholder)),
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    ...(extra.optional ? { optional: true } : {}),
    element,
  };
}

/** At most 100 team options; a preselected team beyond the cut takes the last place. */
function teamOptions(teams: TicketModalInput['teams'], selected: string | undefined): PlainTextOption[] {
  const shown = teams.slice(0, SLACK_LIMITS.selectOptions);
  const chosen = teams.find((t) => t.id === selected);
  if (chosen && !shown.includes(chosen)) shown[shown.length - 1] = chosen;
  return shown.map((t) => option(t.name, t.id));
}

/** The description prefilled from a shortcut's message, keeping the link within the input's limit. */
function initialDescription(description: string | undefined, sourceLink: string | undefined): string | undefined {
  const body = present(description);
  if (!sourceLink) return body;
  const suffix = `Source: ${sourceLink}`;
  if (!body) return suffix;
  const room = MODAL_MAX_LENGTH.description - suffix.length - 2;
  return `${truncate(body, Math.max(room, 1))}\n\n${suffix}`;
}

/** The "New ticket" modal (slash command and message shortcut). */
export function ticketModal(input: TicketModalInput): types.ModalView {
  const initial = input.initial ?? {};
  if (input.privateMetadata && input.privateMetadata.length > SLACK_LIMITS.privateMetadata) {
    throw new RangeError(`private_metadata is ${input.privateMetadata.length} characters; Slack allows 3000`);
  }
  const blocks: KnownBlock[] = [];
  if (input.sourceMessageLink) blocks.push(context(`:link: From ${link(input.sourceMessageLink, 'this message')}`));
  blocks.push(
    textInput(BLOCK.title, 'Title', {
      maxLength: MODAL_MAX_LENGTH.title,
      initial: initial.title,
      placeholder: 'What do you need help with?',
    }),
    textInput(BLOCK.description, 'Description', {
      maxLength: MODAL_MAX_LENGTH.description,
      initial: initialDescription(initial.description, input.sourceMessageLink),
      multiline: true,
      optional: true,
      placeholder: 'Steps, error messages, who is affected…',
    }),
    selectInput(
      BLOCK.type,
      'Type',
      TICKET_TYPES.map((t) => option(TYPE_LABELS[t], t)),
      initial.type ?? 'service_request',
      { placeholder: 'Choose a type' },
    ),
    selectInput(
      BLOCK.priority,
      'Priority',
      TICKET_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p)),
      initial.priority ?? 'medium',
      { placeholder: 'Choose a priority' },
    ),
  );
  if (input.teams.length > 0) {
    const teamId = initial.teamId ?? input.defaultTeamId;
    blocks.push(
      selectInput(BLOCK.team, 'Team', teamOptions(input.teams, teamId), teamId, {
        optional: true,
        placeholder: 'Choose a team',
      }),
    );
  }
  blocks.push(
    textInput(BLOCK.category, 'Category', {
      maxLength: MODAL_MAX_LENGTH.category,
      initial: initial.category,
      optional: true,
      placeholder: 'e.g. Hardware, Access, Billing',
    }),
  );
  return {
    type: 'modal',
    callback_id: CALLBACK.createTicketModal,
    title: plain('New ticket'),
    submit: plain('Create'),
    close: plain('Cancel'),
    blocks,
    ...(input.privateMetadata ? { private_metadata: input.privateMetadata } : {}),
  };
}

/** Reads a submitted `ticketModal`; Slack's `null` for an empty input becomes `undefined`. */
export function readTicketModal(values: ViewOutput['state']['values']): TicketModalValues {
  const input = (block: string) => values[block]?.[INPUT_ACTION];
  const text = (block: string) => input(block)?.value ?? undefined;
  const selected = (block: string) => input(block)?.selected_option?.value ?? undefined;
  return {
    title: text(BLOCK.title),
    description: text(BLOCK.description),
    type: selected(BLOCK.type),
    priority: selected(BLOCK.priority),
    teamId: selected(BLOCK.team),
    category: text(BLOCK.category),
  };
}

// ---------------------------------------------------------------------------
// Ticket details (card and summary)

export interface TicketDetailsInput {
  ticket: TicketView;
  submitterSlackId: string | null;
  assigneeSlackId: string | null;
  teamName: string | null;
}

export interface TicketCardInput extends TicketDetailsInput {
  breach?: { firstResponse?: boolean; resolution?: boolean } | undefined;
}

const BREACHED = ' :rotating_light: *breached*';

function isWorkable(status: TicketStatus): boolean {
  return status === 'open' || status === 'in_progress' || status === 'pending';
}

function priorityText(priority: TicketPriority): string {
  const emoji = PRIORITY_EMOJI[priority];
  return emoji ? `${emoji} ${PRIORITY_LABELS[priority]}` : PRIORITY_LABELS[priority];
}

function assigneeText(ticket: TicketView, assigneeSlackId: string | null): string {
  if (assigneeSlackId) return mention(assigneeSlackId);
  return ticket.assignedToId ? '_someone outside Slack_' : '_unassigned_';
}

function firstResponseLine(ticket: TicketView, breached: boolean): string {
  const label = '*First response:*';
  if (ticket.firstResponseAt) return `${label} responded ${slackDate(ticket.firstResponseAt)}`;
  if (!ticket.firstResponseDueAt) return `${label} no target`;
  return `${label} due ${slackDate(ticket.firstResponseDueAt)}${breached ? BREACHED : ''}`;
}

function resolutionLine(ticket: TicketView, breached: boolean): string {
  const label = '*Resolution:*';
  if (ticket.resolvedAt && !isWorkable(ticket.status)) return `${label} resolved ${slackDate(ticket.resolvedAt)}`;
  if (ticket.status === 'closed') return `${label} closed unresolved`;
  if (!ticket.dueAt) return `${label} no target`;
  const paused = ticket.status === 'pending' ? ' _(clock paused while pending)_' : '';
  return `${label} due ${slackDate(ticket.dueAt)}${paused}${breached ? BREACHED : ''}`;
}

/** Fields, description and SLA lines: shared by the channel card and the `/ticket TKT-…` summary. */
function detailBlocks(input: TicketDetailsInput, breach: TicketCardInput['breach'] = {}): KnownBlock[] {
  const { ticket } = input;
  const fields: [string, string][] = [
    ['Type', TYPE_LABELS[ticket.type]],
    ['Priority', priorityText(ticket.priority)],
    ['Status', STATUS_LABELS[ticket.status]],
    ['Submitter', input.submitterSlackId ? mention(input.submitterSlackId) : '_unknown_'],
    ['Assignee', assigneeText(ticket, input.assigneeSlackId)],
    ['Team', input.teamName ? userText(input.teamName, 200) : '_no team_'],
  ];
  const category = present(ticket.category);
  if (category) fields.push(['Category', userText(category, 200)]);

  const blocks: KnownBlock[] = [fieldsSection(fields)];
  const description = present(ticket.description);
  if (description) blocks.push(section(userText(description, SLACK_LIMITS.sectionText)));
  blocks.push(
    section(
      `${firstResponseLine(ticket, Boolean(breach.firstResponse))}\n${resolutionLine(ticket, Boolean(breach.resolution))}`,
    ),
  );
  if (ticket.status === 'closed') {
    blocks.push(context(ticket.closedAt ? `:lock: Closed ${slackDate(ticket.closedAt)}` : ':lock: Closed'));
  }
  return blocks;
}

/** Buttons a ticket offers in its current status (see `canTransition`; reopening leaves `resolved`). */
function statusButtons(ticket: TicketView): Button[] {
  const { id, status } = ticket;
  const buttons: Button[] = [];
  if (isWorkable(status) && !ticket.assignedToId) buttons.push(button('Claim', ACTION.claim, id, 'primary'));
  if (status === 'open' || status === 'pending') buttons.push(button('In progress', ACTION.startProgress, id));
  if (status === 'in_progress') buttons.push(button('Pending', ACTION.setPending, id));
  if (isWorkable(status)) buttons.push(button('Resolve', ACTION.resolve, id));
  if (status === 'resolved') {
    buttons.push(button('Close', ACTION.close, id, 'primary'), button('Reopen', ACTION.reopen, id));
  }
  return buttons;
}

/**
 * The ticket's card in its team channel. The assign users_select sits in its own actions
 * block whose block id is `assign:{ticketId}`; it is offered while the ticket is workable
 * (the domain refuses to reassign resolved and closed tickets).
 */
export function ticketCard(input: TicketCardInput): SlackMessage {
  const { ticket, breach } = input;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(truncate(`${ticket.number} · ${ticket.title}`, SLACK_LIMITS.headerText)) },
  ];
  const breached = [breach?.firstResponse && 'first response', breach?.resolution && 'resolution'].filter(
    (b): b is string => Boolean(b),
  );
  if (breached.length > 0) blocks.push(context(`:rotating_light: *SLA breached:* ${breached.join(', ')}`));
  blocks.push(...detailBlocks(input, breach));

  const buttons = statusButtons(ticket);
  if (buttons.length > 0) blocks.push(actions(buttons));
  if (isWorkable(ticket.status)) {
    blocks.push(
      actions(
        [
          {
            type: 'users_select',
            action_id: ACTION.assign,
            placeholder: plain(ticket.assignedToId ? 'Reassign to…' : 'Assign to…'),
            ...(input.assigneeSlackId ? { initial_user: input.assigneeSlackId } : {}),
          },
        ],
        assignBlockId(ticket.id),
      ),
    );
  }
  return { text: ticketLine(ticket, false), blocks };
}

/** The ephemeral answer to `/ticket TKT-0042`. */
export function ticketSummary(input: TicketDetailsInput & { cardPermalink?: string | undefined }): SlackMessage {
  const { ticket } = input;
  const blocks: KnownBlock[] = [section(ticketLine(ticket)), ...detailBlocks(input)];
  if (input.cardPermalink) blocks.push(actions([linkButton(input.cardPermalink, ticket.id)]));
  return { text: ticketLine(ticket, false), blocks };
}

// ---------------------------------------------------------------------------
// Thread lines

export type ThreadLineKind = 'created' | 'claimed' | 'assigned' | 'status' | 'resolved' | 'closed' | 'reopened' | 'updated';

export interface ThreadLineInput {
  /** Who acted; null when the change came through the API from someone not in Slack. */
  actorSlackId: string | null;
  kind: ThreadLineKind;
  /**
   * `assigned`: the new assignee's Slack user id (absent: unassigned);
   * `status`: the new `TicketStatus`; `updated`: what changed, e.g. "priority and title".
   */
  detail?: string | null | undefined;
}

function threadPredicate(kind: ThreadLineKind, detail: string | undefined): string {
  switch (kind) {
    case 'created':
      return 'created this ticket';
    case 'claimed':
      return 'claimed this ticket';
    case 'assigned':
      return detail ? `assigned it to ${mention(detail)}` : 'unassigned it';
    case 'status': {
      const label = detail && detail in STATUS_LABELS ? STATUS_LABELS[detail as TicketStatus] : userText(detail ?? '?', 50);
      return `set status to *${label}*`;
    }
    case 'resolved':
      return 'resolved it';
    case 'closed':
      return 'closed it';
    case 'reopened':
      return 'reopened it';
    case 'updated':
      return detail ? `updated ${userText(detail, 500)}` : 'updated the ticket';
  }
}

/** One line for the card's thread: "<@U1> claimed this ticket". */
export function threadLine(input: ThreadLineInput): { text: string } {
  const actor = input.actorSlackId ? mention(input.actorSlackId) : API_ACTOR;
  return { text: `${actor} ${threadPredicate(input.kind, present(input.detail))}` };
}

// ---------------------------------------------------------------------------
// Requester DMs

function targetText(due: Date | null): string {
  return due ? slackDate(due) : 'No SLA target';
}

/** DM to the requester once their ticket exists, with its SLA targets. */
export function requesterCreatedDm(input: {
  ticket: TicketView;
  teamName: string | null;
  cardPermalink?: string | undefined;
}): SlackMessage {
  const { ticket } = input;
  const fields: [string, string][] = [
    ['First response target', targetText(ticket.firstResponseDueAt)],
    ['Resolution target', targetText(ticket.dueAt)],
  ];
  if (input.teamName) fields.push(['Team', userText(input.teamName, 200)]);
  const blocks: KnownBlock[] = [
    section(`:ticket: Your ticket ${ticketLine(ticket)} was created.`),
    fieldsSection(fields),
  ];
  if (input.cardPermalink) blocks.push(actions([linkButton(input.cardPermalink, ticket.id)]));
  return { text: `Your ticket ${ticketLine(ticket, false)} was created.`, blocks };
}

export type RequesterUpdateKind = 'claimed' | 'pending' | 'resolved' | 'closed' | 'reopened';

function updateSentence(kind: RequesterUpdateKind, actor: string | undefined, line: string): string {
  switch (kind) {
    case 'claimed':
      return `${actor ?? 'An agent'} is working on ${line}.`;
    case 'pending':
      return `${actor ?? 'An agent'} needs your input on ${line}.`;
    case 'resolved':
      return `${line} was resolved${actor ? ` by ${actor}` : ''} — close it if you are happy, or reopen it if not.`;
    case 'closed':
      return `${line} was closed${actor ? ` by ${actor}` : ''}.`;
    case 'reopened':
      return `${line} was reopened${actor ? ` by ${actor}` : ''}.`;
  }
}

/** DM to the requester when their ticket moves; a resolved ticket offers Close and Reopen. */
export function requesterUpdateDm(input: {
  ticket: TicketView;
  kind: RequesterUpdateKind;
  actorSlackId: string | null;
  cardPermalink?: string | undefined;
}): SlackMessage {
  const { ticket, kind } = input;
  const actor = input.actorSlackId ? mention(input.actorSlackId) : undefined;
  const blocks: KnownBlock[] = [section(updateSentence(kind, actor, ticketLine(ticket)))];
  const buttons: Button[] = [];
  if (kind === 'resolved') {
    buttons.push(button('Close', ACTION.close, ticket.id, 'primary'), button('Reopen', ACTION.reopen, ticket.id));
  }
  if (input.cardPermalink) buttons.push(linkButton(input.cardPermalink, ticket.id));
  if (buttons.length > 0) blocks.push(actions(buttons));
  return { text: updateSentence(kind, actor, ticketLine(ticket, false)), blocks };
}

// ---------------------------------------------------------------------------
// Slash command answers

/** The ephemeral `/ticket list`: up to 20 tickets, then "and N more". */
export function ticketList(input: { tickets: TicketView[]; total?: number | undefined }): SlackMessage {
  const total = Math.max(input.total ?? input.tickets.length, input.tickets.length);
  if (input.tickets.length === 0) {
    const text = 'You have no open tickets.';
    return { text, blocks: [section(`:white_check_mark: ${text} Use \`${COMMAND}\` to open one.`)] };
  }
  const shown = input.tickets.slice(0, LIST_LIMIT);
  const blocks: KnownBlock[] = [section(`*Your open tickets* (${total})`)];
  for (const ticket of shown) {
    const due = ticket.dueAt && isWorkable(ticket.status) ? ` · due ${slackDate(ticket.dueAt)}` : '';
    blocks.push(
      section(`${ticketLine(ticket)}\n${STATUS_LABELS[ticket.status]} · ${priorityText(ticket.priority)}${due}`),
    );
  }
  if (total > shown.length) blocks.push(context(`and ${total - shown.length} more`));
  return { text: `Your open tickets (${total})`, blocks };
}

/** `/ticket help`, or the answer to a subcommand that was not understood. */
export function helpMessage(input: { unknown?: string | undefined } = {}): SlackMessage {
  const usage = [
    `\`${COMMAND}\` — open the new ticket form`,
    `\`${COMMAND} ${escapeMrkdwn('<title>')}\` — new ticket with the title filled in`,
    `\`${COMMAND} list\` — your open tickets`,
    `\`${COMMAND} TKT-0042\` — show one ticket`,
    `\`${COMMAND} help\` — this message`,
  ].join('\n');
  const blocks: KnownBlock[] = [];
  let text = `How to use ${COMMAND}`;
  const unknown = present(input.unknown);
  if (unknown) {
    // A backtick would end the code span early.
    text = `I didn't understand \`${userText(unknown.trim().replace(/`/g, "'"), 100)}\``;
    blocks.push(section(`${text}. Here is what I can do:`));
  }
  blocks.push(section(usage));
  return { text, blocks };
}

/** A short ephemeral error; `message` is shown as text, never as mrkdwn. */
export function errorMessage(message: string, options: { mrkdwn?: boolean } = {}): SlackMessage {
  // `mrkdwn: true` for text the app composed itself (mentions such as <@U123> stay live).
  const text = options.mrkdwn ? truncate(message, 500) : userText(message, 500);
  return { text, blocks: [section(`:warning: ${text}`)] };
}

// ---------------------------------------------------------------------------
// SLA alerts

export type SlaAlertKindView = 'warning' | 'breach' | 'escalation';
export type SlaClockView = 'first_response' | 'resolution';

export interface SlaAlertView {
  alertId: string;
  kind: SlaAlertKindView;
  clock: SlaClockView;
  /** 1, 2, … for escalations. */
  sequence: number;
  escalationMax: number;
  ticket: Pick<TicketView, 'id' | 'number' | 'title' | 'assignedToId'>;
  assigneeSlackId: string | null;
  /** Breach and escalation: minutes late; warning: minutes left. */
  minutes: number;
  /** The minutes count business hours only. */
  businessTime: boolean;
  deadlineAt: Date;
  /** Escalations mention the team's escalation contacts. */
  escalationContactSlackIds: string[];
  /** Link to the ticket's card, when it has one. */
  cardPermalink?: string | undefined;
}

/**
 * Block text a digest stays under: well below the ~12,000 characters past which Slack refuses
 * a message (`msg_blocks_too_long`). Delivery sends at most SLA_DIGEST_MAX alerts a digest,
 * so each alert's line gets an equal share.
 */
export const SLA_DIGEST_TEXT_BUDGET = 9_000;
const DIGEST_FRAME = 300; // the header, the footer and the buttons' labels
const DIGEST_LINE_MAX = Math.floor((SLA_DIGEST_TEXT_BUDGET - DIGEST_FRAME) / SLA_DIGEST_MAX);
/** Escalation contacts a digest line names before "+N more" (the single alert names them all). */
const DIGEST_CC_MAX = 3;

const CLOCK_LABELS: Record<SlaClockView, string> = { first_response: 'first response', resolution: 'resolution' };

/** "45m", "2h 15m", "3d 4h" (days only in absolute time: a business day is not 24 hours). */
export function formatDuration(minutes: number, businessTime = false): string {
  const whole = Math.floor(Math.max(0, minutes));
  if (whole < 1) return 'less than a minute';
  const days = businessTime ? 0 : Math.floor(whole / 1440);
  const hours = Math.floor((whole - days * 1440) / 60);
  const mins = whole % 60;
  if (days >= 2) return hours ? `${days}d ${hours}h` : `${days}d`;
  const allHours = days * 24 + hours;
  if (allHours === 0) return `${mins}m`;
  return mins ? `${allHours}h ${mins}m` : `${allHours}h`;
}

/** "first response breached" / "resolution at risk": the words the notification text carries. */
function alertState(alert: Pick<SlaAlertView, 'kind' | 'clock'>): string {
  return `${CLOCK_LABELS[alert.clock]} ${alert.kind === 'warning' ? 'at risk' : 'breached'}`;
}

/** "2h 15m late (business hours)" / "45m left". */
function alertTiming(alert: Pick<SlaAlertView, 'kind' | 'minutes' | 'businessTime'>): string {
  const amount = formatDuration(alert.minutes, alert.businessTime);
  const when = alert.kind === 'warning' ? `${amount} left` : `${amount} late`;
  return alert.businessTime ? `${when} (business hours)` : when;
}

function alertEmoji(kind: SlaAlertKindView): string {
  return kind === 'warning' ? ':warning:' : ':rotating_light:';
}

function escalationLabel(alert: Pick<SlaAlertView, 'kind' | 'sequence' | 'escalationMax'>): string {
  return alert.kind === 'escalation' ? `Escalation ${alert.sequence} of ${Math.max(alert.sequence, alert.escalationMax)}: ` : '';
}

function alertAssignee(alert: SlaAlertView): string {
  if (alert.assigneeSlackId) return mention(alert.assigneeSlackId);
  return alert.ticket.assignedToId ? '_someone outside Slack_' : '_unassigned_';
}

/** The notification text: ticket number, which target, breached or at risk, how late or how much left. */
function alertText(alert: SlaAlertView): string {
  return `${escalationLabel(alert)}${alert.ticket.number} ${alertState(alert)}: ${alertTiming(alert)} — ${userText(alert.ticket.title, 150)}`;
}

/** One SLA alert in the team's channel: what is late, by how much, who has it, and what to do. */
export function slaAlertMessage(alert: SlaAlertView): SlackMessage {
  const headline =
    `${alertEmoji(alert.kind)} ${escalationLabel(alert)}${ticketLine(alert.ticket)} — ` +
    `*${alertState(alert)}*, ${alertTiming(alert)}`;
  const blocks: KnownBlock[] = [
    section(alert.kind === 'escalation' ? `${headline}, not acknowledged yet` : headline),
    fieldsSection([
      ['Target', CLOCK_LABELS[alert.clock].replace(/^./, (c) => c.toUpperCase())],
      [alert.kind === 'warning' ? 'Due' : 'Was due', slackDate(alert.deadlineAt)],
      ['Assignee', alertAssignee(alert)],
    ]),
  ];
  if (alert.kind === 'escalation' && alert.escalationContactSlackIds.length > 0) {
    blocks.push(context(`cc ${alert.escalationContactSlackIds.map(mention).join(' ')}`));
  }
  const buttons: Button[] = [];
  if (!alert.ticket.assignedToId) buttons.push(button('Claim', ACTION.alertClaim, alert.ticket.id, 'primary'));
  buttons.push(button('Acknowledge', ACTION.alertAck, alert.alertId));
  if (alert.cardPermalink) buttons.push(linkButton(alert.cardPermalink, alert.ticket.id));
  blocks.push(actions(buttons));
  return { text: alertText(alert), blocks };
}

/** One alert's digest line, at most DIGEST_LINE_MAX characters: the title gets the room the rest leaves. */
function digestLine(alert: SlaAlertView): string {
  const card = alert.cardPermalink ? ` · ${link(alert.cardPermalink, 'card')}` : '';
  const contacts = alert.kind === 'escalation' ? alert.escalationContactSlackIds : [];
  const more = contacts.length > DIGEST_CC_MAX ? ` +${contacts.length - DIGEST_CC_MAX} more` : '';
  const cc = contacts.length > 0 ? ` · cc ${contacts.slice(0, DIGEST_CC_MAX).map(mention).join(' ')}${more}` : '';
  const head = `${alertEmoji(alert.kind)} ${escalationLabel(alert)}*${alert.ticket.number}* · `;
  const tail = ` — *${alertState(alert)}*, ${alertTiming(alert)} · ${alertAssignee(alert)}${card}${cc}`;
  const room = Math.min(TITLE_MAX, Math.max(DIGEST_LINE_MAX - head.length - tail.length, 20));
  // A very long permalink could still overflow: the end of the line gives way, never a token's half.
  return fitMrkdwn(`${head}${userText(alert.ticket.title, room)}${tail}`, DIGEST_LINE_MAX);
}

/**
 * Several alerts for one channel in one message: one line each, each with its Acknowledge.
 * At most SLA_DIGEST_MAX alerts (delivery splits longer queues into several digests).
 */
export function slaDigestMessage(alerts: SlaAlertView[]): SlackMessage {
  if (alerts.length === 0) throw new RangeError('A digest needs at least one alert');
  if (alerts.length > SLA_DIGEST_MAX) {
    throw new RangeError(`A digest lists at most ${SLA_DIGEST_MAX} alerts (got ${alerts.length})`);
  }
  const blocks: KnownBlock[] = [section(`:rotating_light: *${alerts.length} SLA alerts*`)];
  for (const alert of alerts) {
    blocks.push({ ...section(digestLine(alert)), accessory: button('Acknowledge', ACTION.alertAck, alert.alertId) });
  }
  blocks.push(context('Acknowledge stops a breach from being escalated. Claim a ticket from its card.'));
  const listed = alerts.slice(0, 10).map((a) => `${escalationLabel(a)}${a.ticket.number} ${alertState(a)}`);
  const more = alerts.length > listed.length ? `, and ${alerts.length - listed.length} more` : '';
  return { text: `${alerts.length} SLA alerts: ${listed.join(', ')}${more}`, blocks };
}

/** The thread reply under an alert once someone acknowledged it. */
export function slaAcknowledgedLine(input: { actorSlackId: string | null; kind: SlaAlertKindView; cancelledEscalations: number }): { text: string } {
  const actor = input.actorSlackId ? mention(input.actorSlackId) : API_ACTOR;
  const effect = input.kind === 'warning' ? '' : ' — no further escalation';
  return { text: `${actor} acknowledged this alert${effect}` };
}
