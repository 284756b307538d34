/** The ticket card in its team's channel, and the ephemeral answers of `/ticket`. */
import type { CommentVisibility, TicketPriority, TicketStatus } from '../../db/schema/enums.js';
import { TICKET_PRIORITIES, TICKET_TYPES } from '../../db/schema/enums.js';
import { ACTION, assignBlockId, COMMAND, fieldsBlockId } from '../ids.js';
import { actions, button, context, fieldsSection, linkButton, option, plain, section, SLACK_LIMITS, type Button, type KnownBlock, type SlackMessage } from './elements.js';
import { escapeMrkdwn, mention, present, PRIORITY_EMOJI, PRIORITY_LABELS, slackDate, STATUS_LABELS, ticketLine, truncate, TYPE_LABELS, userText, type TicketView } from './text.js';

/** How many tickets `ticketList` shows before "and N more". */
export const LIST_LIMIT = 20;

export interface TicketDetailsInput {
  ticket: TicketView;
  submitterSlackId: string | null;
  assigneeSlackId: string | null;
  teamName: string | null;
}

export interface TicketCardInput extends TicketDetailsInput {
  breach?: { firstResponse?: boolean; resolution?: boolean; nextResponse?: boolean } | undefined;
  /** The ticket's conversation so far (see `conversationSummary`). */
  conversation?: { comments: number; requesterLastWroteAt: Date | null } | undefined;
  /** What a plain reply in the card's thread is: the team's `agent_reply_default` (public when unset). */
  replyDefault?: CommentVisibility | undefined;
}

/**
 * How the card's thread works, per the team's default: agents otherwise cannot know whether
 * their replies reach the requester.
 */
export const THREAD_HINTS: Record<CommentVisibility, string> = {
  public: 'Replies in this thread reach the requester; start with `note:` or :lock: for a private note.',
  internal: 'Replies in this thread stay with the agents; start with `reply:` to reach the requester.',
};

function conversationLine(conversation: TicketCardInput['conversation']): string | undefined {
  if (!conversation || conversation.comments === 0) return undefined;
  const count = `:speech_balloon: ${conversation.comments} ${conversation.comments === 1 ? 'comment' : 'comments'}`;
  return conversation.requesterLastWroteAt ? `${count} · requester last wrote ${slackDate(conversation.requesterLastWroteAt)}` : count;
}

const BREACHED = ' :rotating_light: *breached*';

export function isWorkable(status: TicketStatus): boolean {
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

/** Only while a requester waits for an answer under a next-response target: otherwise there is nothing to say. */
function nextResponseLine(ticket: TicketView, breached: boolean): string | undefined {
  if (!ticket.nextResponseDueAt || !isWorkable(ticket.status)) return undefined;
  const paused = ticket.status === 'pending' ? ' _(clock paused while pending)_' : '';
  return `*Next response:* due ${slackDate(ticket.nextResponseDueAt)}${paused}${breached ? BREACHED : ''}`;
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
  const slaLines = [
    firstResponseLine(ticket, Boolean(breach.firstResponse)),
    nextResponseLine(ticket, Boolean(breach.nextResponse)),
    resolutionLine(ticket, Boolean(breach.resolution)),
  ];
  blocks.push(section(slaLines.filter((line): line is string => line !== undefined).join('\n')));
  if (ticket.status === 'closed') {
    blocks.push(context(ticket.closedAt ? `:lock: Closed ${slackDate(ticket.closedAt)}` : ':lock: Closed'));
  }
  return blocks;
}

/** Buttons a ticket offers in its current status (see `canTransition`; reopening leaves `resolved`); the Home offers the same. */
export function statusButtons(ticket: TicketView): Button[] {
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
  const breached = [
    breach?.firstResponse && 'first response',
    breach?.nextResponse && 'next response',
    breach?.resolution && 'resolution',
  ].filter(
    (b): b is string => Boolean(b),
  );
  if (breached.length > 0) blocks.push(context(`:rotating_light: *SLA breached:* ${breached.join(', ')}`));
  blocks.push(...detailBlocks(input, breach));
  // A closed ticket takes no replies; its count still tells what was said.
  const about = [ticket.status === 'closed' ? undefined : THREAD_HINTS[input.replyDefault ?? 'public'], conversationLine(input.conversation)].filter((line): line is string => Boolean(line));
  if (about.length > 0) blocks.push(context(about.join('\n')));

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
      fieldPickers(ticket),
    );
  }
  return { text: ticketLine(ticket, false), blocks };
}

/**
 * The type and priority pickers, in their own actions block whose block id is
 * `fields:{ticketId}`: a change re-matches the SLA policy like a REST PATCH does.
 */
function fieldPickers(ticket: TicketView): KnownBlock {
  const types = TICKET_TYPES.map((t) => option(TYPE_LABELS[t], t));
  const priorities = TICKET_PRIORITIES.map((p) => option(PRIORITY_LABELS[p], p));
  return actions(
    [
      { type: 'static_select', action_id: ACTION.setType, placeholder: plain('Type'), options: types, initial_option: types.find((o) => o.value === ticket.type)! },
      { type: 'static_select', action_id: ACTION.setPriority, placeholder: plain('Priority'), options: priorities, initial_option: priorities.find((o) => o.value === ticket.priority)! },
    ],
    fieldsBlockId(ticket.id),
  );
}

/** The ephemeral answer to `/ticket TKT-0042`. */
export function ticketSummary(input: TicketDetailsInput & { cardPermalink?: string | undefined }): SlackMessage {
  const { ticket } = input;
  const blocks: KnownBlock[] = [section(ticketLine(ticket)), ...detailBlocks(input)];
  if (input.cardPermalink) blocks.push(actions([linkButton(input.cardPermalink, ticket.id)]));
  return { text: ticketLine(ticket, false), blocks };
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
