import type { Db } from '../../db/client.js';
import type { CommentFile, CommentVisibility } from '../../db/schema/index.js';
import { ConflictError, DomainError, ForbiddenError, InvalidTransitionError, NotFoundError } from '../errors.js';
import type { IdFactory } from '../ids.js';
import type { Scope } from '../scope.js';
import { ticketReplyDefault } from '../teams.js';
import { addComment, deleteComment, editComment, MessageAlreadyRecordedError, type Comment, type CommentListener } from './comments.js';
import { bodyWithFiles, mirrorTargets } from './deliveries.js';
import { getTicket, type Ticket } from './queries.js';
import { findCommentByMessage, findThread, linkThread, listThreads, type CommentMessage, type TicketThread } from './threads.js';
import { changeTicketStatus, reopenTicket, type TicketChangeListener } from './tickets.js';

/**
 * A ticket's conversation in Slack: a person's message in one of its threads becomes a
 * comment, and the rules of what it does to the ticket live here. The Slack listener only
 * translates the event; the comment's copies in the other threads are queued with it (see
 * deliveries.ts) and delivered by the Slack layer's mirror.
 */

/** A person's plain message in a Slack thread, as the event named it. */
export interface ThreadMessage {
  channelId: string;
  threadTs: string;
  messageTs: string;
  text: string;
  /** Files shared with the message: the comment's body lists them as Markdown links. */
  files?: CommentFile[] | undefined;
}

export type ThreadMessageOutcome =
  /** The thread is no ticket's (or its ticket is gone): not ours to act on. */
  | { kind: 'ignored' }
  /** Slack delivered this message before: it was applied then. */
  | { kind: 'duplicate' }
  /** Someone wrote in a closed ticket's thread (either side): nothing stored, they are to be told. */
  | { kind: 'closed'; ticket: Ticket; thread: TicketThread }
  | {
      kind: 'comment';
      comment: Comment;
      ticket: Ticket;
      thread: TicketThread;
      /** The other threads a copy is queued for (none for a private note). */
      mirrorTo: TicketThread[];
      /** The requester's reply reopened the resolved ticket. */
      reopened: boolean;
    };

/** Agents mark a private note by starting the message with one of these. */
const NOTE_MARKERS = [':lock:', '🔒', 'note:'];
/** Agents of a team whose replies are internal by default send one to the requester with this. */
const REPLY_MARKER = 'reply:';

/** The text after `marker` at its start (case-insensitive), or undefined when it does not start with it. */
function afterMarker(text: string, markers: string[]): string | undefined {
  const trimmed = text.trimStart();
  const marker = markers.find((m) => trimmed.toLowerCase().startsWith(m));
  if (!marker) return undefined;
  const body = trimmed.slice(marker.length).trim();
  // A marker alone still says what was meant; keep what was written rather than store nothing.
  return body || trimmed;
}

/** The note's text without its marker, or undefined when the message is not a private note. */
export function privateNoteBody(text: string): string | undefined {
  return afterMarker(text, NOTE_MARKERS);
}

/** The reply's text without `reply:`, or undefined when the message does not start with it. */
export function publicReplyBody(text: string): string | undefined {
  return afterMarker(text, [REPLY_MARKER]);
}

/**
 * What an agent's message in the card's thread is. A marker decides (a lock or `note:`:
 * internal; `reply:`: public, whatever the team's default, so the habit of one team works in
 * another), else the team's default; the marker is not part of the comment.
 */
export function agentMessage(text: string, teamDefault: CommentVisibility): { body: string; visibility: CommentVisibility } {
  const note = privateNoteBody(text);
  if (note !== undefined) return { body: note, visibility: 'internal' };
  const reply = publicReplyBody(text);
  if (reply !== undefined) return { body: reply, visibility: 'public' };
  return { body: text, visibility: teamDefault };
}

/**
 * Applies a person's message in a ticket thread, once per Slack message:
 * - agents' side: a private note (see NOTE_MARKERS) is an internal comment, never mirrored;
 *   a `reply:` is a public comment (an agent's is the first response), mirrored to the
 *   requester's side; anything else is what the ticket's team chose (`agent_reply_default`);
 * - requester's side: a public comment mirrored to the agents; a pending ticket goes back
 *   to in progress, a resolved one is reopened; a closed one takes nothing.
 */
export async function receiveThreadMessage(
  db: Db,
  scope: Scope,
  message: ThreadMessage,
  deps: { ids?: IdFactory; onChange?: TicketChangeListener | undefined; onComment?: CommentListener | undefined } = {},
): Promise<ThreadMessageOutcome> {
  const thread = await findThread(db, scope.tenantId, message.channelId, message.threadTs);
  if (!thread) return { kind: 'ignored' };
  const said =
    thread.side === 'agents'
      ? agentMessage(message.text, await ticketReplyDefault(db, scope.tenantId, thread.ticketId))
      : { body: message.text, visibility: 'public' as const };
  const files = message.files ?? [];
  const input = { body: bodyWithFiles(said.body, files), visibility: said.visibility };
  let added: { comment: Comment; ticket: Ticket };
  try {
    added = await addComment(db, scope, thread.ticketId, input, {
      ...deps,
      source: 'slack',
      files,
      slackMessage: { channelId: message.channelId, threadTs: message.threadTs, messageTs: message.messageTs },
    });
  } catch (error) {
    if (error instanceof MessageAlreadyRecordedError) return { kind: 'duplicate' };
    if (error instanceof NotFoundError) return { kind: 'ignored' };
    if (error instanceof InvalidTransitionError) {
      return { kind: 'closed', ticket: await getTicket(db, scope, thread.ticketId, { includeDeleted: true }), thread };
    }
    if (error instanceof ForbiddenError && input.visibility === 'internal' && privateNoteBody(message.text) === undefined) {
      // Internal by the team's default, not by a marker: they may not have known, so say how to reach the requester.
      throw new ForbiddenError(`${error.message}; in this team, replies in a card's thread stay with the agents unless they start with \`reply:\``);
    }
    throw error;
  }
  let { ticket } = added;
  let reopened = false;
  if (thread.side === 'requester') {
    // The requester answered: the ball is back with the agents.
    try {
      if (ticket.status === 'pending') {
        ticket = (await changeTicketStatus(db, scope, ticket.id, 'in_progress', { onChange: deps.onChange })).ticket;
      } else if (ticket.status === 'resolved') {
        ticket = (await reopenTicket(db, scope, ticket.id, { onChange: deps.onChange })).ticket;
        reopened = true;
      }
    } catch (error) {
      // An agent closed it in between: the comment stands, the status is theirs.
      if (!(error instanceof InvalidTransitionError)) throw error;
    }
  }
  // The other side's threads (the same rule the outbox follows).
  const mirrorTo = mirrorTargets(added.comment, await listThreads(db, scope.tenantId, ticket.id), thread);
  return { kind: 'comment', comment: added.comment, ticket, thread, mirrorTo, reopened };
}

export type ThreadEditOutcome = { kind: 'ignored' } | { kind: 'changed'; comment: Comment; copies: CommentMessage[] };

/**
 * Its author edited or deleted their message in a ticket thread: the comment follows, and the
 * other copies to update or delete are returned. A message that is no comment's, a comment
 * already deleted (a redelivery) or a closed ticket's (final) changes nothing.
 */
export async function changeThreadMessage(
  db: Db,
  scope: Scope,
  message: { channelId: string; messageTs: string },
  change: { kind: 'edited'; text: string } | { kind: 'deleted' },
  deps: { onComment?: CommentListener | undefined } = {},
): Promise<ThreadEditOutcome> {
  const hit = await findCommentByMessage(db, scope.tenantId, message.channelId, message.messageTs);
  if (!hit || hit.comment.isDeleted) return { kind: 'ignored' };
  const { comment } = hit;
  let changed: Comment;
  try {
    if (change.kind === 'edited') {
      const text = (comment.visibility === 'internal' ? privateNoteBody(change.text) : publicReplyBody(change.text)) ?? change.text;
      const body = bodyWithFiles(text, comment.files);
      changed = await editComment(db, scope, comment.ticketId, comment.id, { body }, deps);
      // Slack also says "changed" when only an unfurl was added: the copies need nothing.
      if (changed.body === comment.body) return { kind: 'ignored' };
    } else {
      changed = await deleteComment(db, scope, comment.ticketId, comment.id, deps);
    }
  } catch (error) {
    // Not the author's (Slack lets only authors edit; an admin's delete is not theirs), a closed
    // ticket, an emptied text: the stored comment stays as it was.
    if (error instanceof DomainError) return { kind: 'ignored' };
    throw error;
  }
  const copies = hit.copies.filter((c) => !(c.channelId === message.channelId && c.messageTs === message.messageTs));
  return { kind: 'changed', comment: changed, copies };
}

/** Where a ticket was raised from: the Slack thread of a channel message (its own, or the one it replies in). */
export interface MessageSource {
  channel_id: string;
  thread_ts: string;
}

export type SourceThreadOutcome =
  | { kind: 'linked'; thread: TicketThread }
  /** The thread already carries another ticket's conversation: replies there stay that ticket's. */
  | { kind: 'taken'; ticketId: string };

/**
 * A ticket raised from a message: that message's thread becomes a requester's side of the
 * ticket, so what is said there reaches the agents and back. A thread follows one ticket: a
 * second ticket raised from the same thread leaves it with the first. The format is checked
 * (`linkThread` throws a ValidationError on a malformed channel or ts); the tenant is the scope's.
 */
export async function linkSourceThread(db: Db, scope: Pick<Scope, 'tenantId' | 'now'>, ticketId: string, source: MessageSource): Promise<SourceThreadOutcome> {
  try {
    return { kind: 'linked', thread: await linkThread(db, scope, ticketId, { side: 'requester', ...source }) };
  } catch (error) {
    if (error instanceof ConflictError && error.conflictingId) return { kind: 'taken', ticketId: error.conflictingId };
    throw error;
  }
}
