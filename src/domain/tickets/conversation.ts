import type { Db } from '../../db/client.js';
import type { CommentFile } from '../../db/schema/index.js';
import { DomainError, InvalidTransitionError, NotFoundError } from '../errors.js';
import type { IdFactory } from '../ids.js';
import type { Scope } from '../scope.js';
import { addComment, deleteComment, editComment, MessageAlreadyRecordedError, type Comment, type CommentListener } from './comments.js';
import { bodyWithFiles } from './deliveries.js';
import { getTicket, type Ticket } from './queries.js';
import { findCommentByMessage, findThread, listThreads, type CommentMessage, type TicketThread } from './threads.js';
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
  /** The requester wrote in a closed ticket's thread: nothing stored, they are to be told. */
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

/** The note's text without its marker, or undefined when the message is not a private note. */
export function privateNoteBody(text: string): string | undefined {
  const trimmed = text.trimStart();
  const marker = NOTE_MARKERS.find((m) => trimmed.toLowerCase().startsWith(m));
  if (!marker) return undefined;
  const body = trimmed.slice(marker.length).trim();
  // "note:" alone still is a note; keep what was written rather than store nothing.
  return body || trimmed;
}

/**
 * Applies a person's message in a ticket thread, once per Slack message:
 * - agents' side: a private note (see NOTE_MARKERS) is an internal comment, never mirrored;
 *   anything else is a public comment (an agent's is the first response), mirrored to the
 *   requester's side;
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
  const note = thread.side === 'agents' ? privateNoteBody(message.text) : undefined;
  const files = message.files ?? [];
  const input = note === undefined ? { body: bodyWithFiles(message.text, files), visibility: 'public' } : { body: bodyWithFiles(note, files), visibility: 'internal' };
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
    if (error instanceof InvalidTransitionError && thread.side === 'requester') {
      return { kind: 'closed', ticket: await getTicket(db, scope, thread.ticketId, { includeDeleted: true }), thread };
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
  const mirrorTo =
    added.comment.visibility === 'internal'
      ? []
      : (await listThreads(db, scope.tenantId, ticket.id)).filter((t) => !(t.channelId === thread.channelId && t.threadTs === thread.threadTs));
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
      const text = comment.visibility === 'internal' ? (privateNoteBody(change.text) ?? change.text) : change.text;
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
