/** Lines in a card's thread and DMs to the requester. */
import { ACTION } from '../ids.js';
import { actions, button, fieldsSection, linkButton, section, type Button, type KnownBlock, type SlackMessage } from './elements.js';
import { API_ACTOR, escapeMrkdwn, fitMrkdwn, link, mention, mirroredMrkdwn, present, slackDate, STATUS_LABELS, ticketLine, truncate, userText, type TicketView } from './text.js';
import type { TicketStatus } from '../../db/schema/enums.js';

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

/**
 * In the thread of a message a reaction made a ticket, for the whole channel to see: which
 * ticket, for which team, by when, and who raised it for whom; Close is for the requester
 * (anyone else is told privately that it is not theirs to close).
 */
export function intakeAnswer(input: {
  ticket: TicketView;
  teamName: string | null;
  requesterSlackId: string;
  raisedBySlackId: string;
}): SlackMessage {
  const { ticket } = input;
  const requester = mention(input.requesterSlackId);
  const by = input.raisedBySlackId === input.requesterSlackId ? '' : ` (raised by ${mention(input.raisedBySlackId)})`;
  const team = input.teamName ? ` for *${userText(input.teamName, 200)}*` : '';
  const fields: [string, string][] = [
    ['First response target', targetText(ticket.firstResponseDueAt)],
    ['Resolution target', targetText(ticket.dueAt)],
  ];
  if (input.teamName) fields.push(['Team', userText(input.teamName, 200)]);
  const sentence = `:ticket: ${requester}, this message is now ${ticketLine(ticket)}${team}${by}. Replies in this thread reach the agents, and theirs appear here.`;
  return {
    text: `${requester}, this message is now ${ticketLine(ticket, false)}${by}.`,
    blocks: [section(sentence), fieldsSection(fields), actions([button('Close', ACTION.close, ticket.id)])],
  };
}

/** DM to someone who reacted to raise a ticket where the app cannot read the message. */
export function intakeNotReadable(input: { channelId: string; emoji: string }): { text: string } {
  return {
    text:
      `I could not make a ticket of the message you reacted to with :${input.emoji}: in <#${input.channelId}>: I am not a member of that channel, so I cannot read it. ` +
      'Invite me there (type `/invite @Helpdesk` in the channel), then react again.',
  };
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
// The ticket's conversation (threads on both sides)

/** Slack truncates a message's text past 40,000 characters; the copy is cut first, cleanly. */
const MESSAGE_TEXT_MAX = 40_000;

/** Slack shows at most this much of a customized author name; longer ones are cut. */
const USERNAME_MAX = 80;

/** Who wrote a comment, as its copies show them. */
export interface CopyAuthor {
  /** Their Slack name (display name, else real name), when known. */
  name: string | null;
  slackUserId: string | null;
  /** Their avatar, when known. */
  iconUrl: string | null;
}

/** The comment fields a copy shows. */
export interface CopiedComment {
  body: string;
  source: 'slack' | 'api';
  visibility: 'public' | 'internal';
  files: Array<{ name: string; permalink: string }>;
  /** The body without its file list (`bodyWithoutFiles`): the copy links the files itself. */
  text: string;
}

export const FILES_NOTE = '_Files stay where they were shared: people without access to that conversation may not be able to open them._';

/**
 * The app's copy of a comment in one of the ticket's threads. Slack text (a person's message in
 * the other thread) is reposted as written, broadcasts defused; Markdown from the API is
 * escaped, so it can neither ping nor link. With `customize` (the token has
 * `chat:write.customize`) the copy carries its author's name and avatar; otherwise it starts
 * "Ada Lovelace: ", or their mention when the name is unknown. Files are linked by name, with
 * a line saying not everyone may open them. An internal note says so up front.
 */
export function commentCopy(input: { comment: CopiedComment; author: CopyAuthor; customize: boolean }): { text: string; username?: string; icon_url?: string } {
  const { comment, author } = input;
  const content = comment.source === 'slack' ? mirroredMrkdwn(comment.text) : escapeMrkdwn(comment.text);
  const files = comment.files.map((f) => `:paperclip: ${link(f.permalink, f.name)}`);
  const body = [content.trim() ? content : '', ...files, ...(files.length > 0 ? [FILES_NOTE] : [])].filter(Boolean).join('\n');
  const marker = comment.visibility === 'internal' ? ':lock: _Internal note_ · ' : '';
  if (input.customize && author.name) {
    return {
      text: fitMrkdwn(`${marker}${body}`, MESSAGE_TEXT_MAX),
      username: truncate(author.name, USERNAME_MAX),
      ...(author.iconUrl ? { icon_url: author.iconUrl } : {}),
    };
  }
  const label = author.name ? escapeMrkdwn(author.name) : author.slackUserId ? mention(author.slackUserId) : API_ACTOR;
  return { text: fitMrkdwn(`${marker}${label}: ${body}`, MESSAGE_TEXT_MAX) };
}

/** Told in the agents' thread when a copy of a comment could not be delivered (once per failure). */
export function copyFailedNotice(input: { side: 'agents' | 'requester' | undefined; error: string }): { text: string } {
  const where = input.side === 'requester' ? "the requester's thread" : input.side === 'agents' ? "the agents' thread" : 'a thread of this ticket';
  return {
    text: `:warning: A comment could not be copied into ${where}: Slack answered \`${escapeMrkdwn(input.error)}\`. It is kept on the ticket; people in that thread have not seen it.`,
  };
}

/** Told in the requester's thread when they write in a closed ticket's thread. */
export function closedTicketReply(ticket: Pick<TicketView, 'number' | 'title'>): { text: string } {
  return {
    text: `${ticketLine(ticket)} is closed, so this message was not passed on to the agents. If you still need help, raise a new ticket with /ticket.`,
  };
}

/** Told privately to an agent who wrote in a closed ticket's card thread. */
export function closedTicketAgentReply(ticket: Pick<TicketView, 'number' | 'title'>): { text: string } {
  return { text: `${ticketLine(ticket)} is closed, so this message was not recorded or passed on to the requester. A closed ticket is final.` };
}

/** Told in the requester's thread when their reply reopened the ticket (the agents' thread gets the notifier's line). */
export function reopenedByReply(ticket: Pick<TicketView, 'number' | 'title'>): { text: string } {
  return { text: `Your reply reopened ${ticketLine(ticket)}; the agents have been told.` };
}

// ---------------------------------------------------------------------------
// A ticket raised from a channel message: the app's answer in that message's thread

/** In the message's thread once its ticket exists: people there learn that their replies reach the agents. */
export function sourceThreadAnswer(input: { ticket: Pick<TicketView, 'number' | 'title'>; teamName: string | null; requesterSlackId: string }): { text: string } {
  const team = input.teamName ? ` for *${userText(input.teamName, 200)}*` : '';
  return {
    text: `:ticket: ${mention(input.requesterSlackId)} raised ${ticketLine(input.ticket)}${team} from this message. Replies in this thread reach the agents, and theirs appear here.`,
  };
}

/** In the message's thread when it already follows another ticket: replies there stay with that one. */
export function sourceThreadTaken(input: { ticket: Pick<TicketView, 'number' | 'title'>; following: Pick<TicketView, 'number' | 'title'>; requesterSlackId: string }): { text: string } {
  return {
    text: `:ticket: ${mention(input.requesterSlackId)} raised ${ticketLine(input.ticket)} from this message. Replies in this thread keep going to ${ticketLine(input.following)}.`,
  };
}

/** DM to the requester when the app cannot post in the message's thread (not a member there). */
export function sourceThreadUnreachable(input: { ticket: Pick<TicketView, 'number' | 'title'> }): { text: string } {
  return {
    text:
      `I could not answer in the thread of the message you raised ${ticketLine(input.ticket)} from: I am not a member of that conversation, ` +
      'so replies there do not reach the agents. Follow the ticket here instead, in the thread of my "ticket created" message. ' +
      'To have tickets raised in that channel followed in their own thread, invite me to it.',
  };
}
