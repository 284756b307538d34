import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { commentMessages, THREAD_SIDES, ticketComments, tickets, ticketThreads, type ThreadSide } from '../../db/schema/index.js';
import { ConflictError } from '../errors.js';
import { parseInput } from '../input.js';
import { enqueueForNewThread } from './deliveries.js';
import type { Scope } from '../scope.js';

/**
 * The Slack threads of a ticket's conversation, and where each copy of a comment lives in
 * them. Bookkeeping for the Slack side: no ticket revision, no event. The requester's side is
 * a list of threads, so a new kind of intake (a DM today, a shared channel tomorrow) links
 * one more row rather than adding a code path.
 */

export type TicketThread = typeof ticketThreads.$inferSelect;
export type CommentMessage = typeof commentMessages.$inferSelect;

const channelId = z.string().regex(/^[CDG][A-Z0-9]{2,30}$/, 'Must be a Slack channel id (C…, D… or G…)');
/** Slack message timestamps: seconds, a dot, microseconds. */
const messageTs = z.string().regex(/^\d{1,12}\.\d{1,8}$/, 'Must be a Slack message ts, e.g. 1712345678.000100');

const threadSchema = z.strictObject({ side: z.enum(THREAD_SIDES), channel_id: channelId, thread_ts: messageTs });
const messageSchema = z.strictObject({ channel_id: channelId, thread_ts: messageTs, message_ts: messageTs });

/**
 * Links a Slack thread to a ticket. Linking it again to the same ticket is a no-op (Slack
 * retries); a thread already carrying another ticket's conversation is a conflict. A new
 * link queues copies of the comments already written that belong in it (a comment written
 * through the API right after the ticket was created, before the requester's DM existed);
 * `queuedCopies` says how many, so the caller wakes the mirror only when there is work.
 */
export async function linkThread(
  db: Db,
  scope: Pick<Scope, 'tenantId' | 'now'>,
  ticketId: string,
  input: { side: ThreadSide; channel_id: string; thread_ts: string },
): Promise<TicketThread & { queuedCopies: number }> {
  const data = parseInput(threadSchema, input);
  return db.transaction(async (tx) => {
    // The ticket's row, locked as addComment locks it: a comment racing this link either
    // committed before (and is queued below) or sees the thread (and queues itself).
    await tx
      .select({ id: tickets.id })
      .from(tickets)
      .where(and(eq(tickets.tenantId, scope.tenantId), eq(tickets.id, ticketId)))
      .for('update');
    const [inserted] = await tx
      .insert(ticketThreads)
      .values({ tenantId: scope.tenantId, ticketId, side: data.side, channelId: data.channel_id, threadTs: data.thread_ts, createdAt: scope.now })
      .onConflictDoNothing()
      .returning();
    if (inserted) return { ...inserted, queuedCopies: await enqueueForNewThread(tx, inserted, scope.now) };
    const thread = await findThread(tx, scope.tenantId, data.channel_id, data.thread_ts);
    if (!thread || thread.ticketId !== ticketId) {
      throw new ConflictError(`That Slack thread already belongs to another ticket`, thread?.ticketId);
    }
    return { ...thread, queuedCopies: 0 };
  });
}

/**
 * Unlinks a requester's thread from a ticket: the app cannot take part in it (not a member of
 * its channel), so it is no side of the conversation. The agents' side is never unlinked.
 */
export async function unlinkRequesterThread(db: Db, tenantId: string, ticketId: string, channel: string, threadTs: string): Promise<void> {
  await db
    .delete(ticketThreads)
    .where(
      and(
        eq(ticketThreads.tenantId, tenantId),
        eq(ticketThreads.ticketId, ticketId),
        eq(ticketThreads.side, 'requester'),
        eq(ticketThreads.channelId, channel),
        eq(ticketThreads.threadTs, threadTs),
      ),
    );
}

/** The ticket a Slack thread belongs to, if any: how an incoming message finds its ticket. */
export async function findThread(db: Db, tenantId: string, channel: string, threadTs: string): Promise<TicketThread | undefined> {
  const [row] = await db
    .select()
    .from(ticketThreads)
    .where(and(eq(ticketThreads.tenantId, tenantId), eq(ticketThreads.channelId, channel), eq(ticketThreads.threadTs, threadTs)));
  return row;
}

/** Every side of a ticket's conversation: the agents' thread first, then the requester's, oldest first. */
export async function listThreads(db: Db, tenantId: string, ticketId: string): Promise<TicketThread[]> {
  return db
    .select()
    .from(ticketThreads)
    .where(and(eq(ticketThreads.tenantId, tenantId), eq(ticketThreads.ticketId, ticketId)))
    .orderBy(asc(ticketThreads.side), asc(ticketThreads.createdAt), asc(ticketThreads.channelId));
}

/** Records one Slack copy of a comment (the original, or a mirror the app posted). Idempotent. */
export async function recordCommentMessage(
  db: Db,
  scope: Pick<Scope, 'tenantId'>,
  commentId: string,
  input: { channel_id: string; thread_ts: string; message_ts: string },
): Promise<void> {
  const data = parseInput(messageSchema, input);
  await db
    .insert(commentMessages)
    .values({ tenantId: scope.tenantId, commentId, channelId: data.channel_id, threadTs: data.thread_ts, messageTs: data.message_ts })
    .onConflictDoNothing();
}

/** Every Slack copy recorded for a comment: what an edit or delete made outside Slack follows. */
export async function listCommentMessages(db: Db, tenantId: string, commentId: string): Promise<CommentMessage[]> {
  return db
    .select()
    .from(commentMessages)
    .where(and(eq(commentMessages.tenantId, tenantId), eq(commentMessages.commentId, commentId)))
    .orderBy(asc(commentMessages.channelId), asc(commentMessages.messageTs));
}

/**
 * The comment a Slack message is a copy of, with all its copies: what an edit or delete event
 * in one thread needs to update the others.
 */
export async function findCommentByMessage(
  db: Db,
  tenantId: string,
  channel: string,
  messageTsValue: string,
): Promise<{ comment: typeof ticketComments.$inferSelect; copies: CommentMessage[] } | undefined> {
  const [hit] = await db
    .select({ comment: ticketComments })
    .from(commentMessages)
    .innerJoin(ticketComments, and(eq(ticketComments.tenantId, commentMessages.tenantId), eq(ticketComments.id, commentMessages.commentId)))
    .where(and(eq(commentMessages.tenantId, tenantId), eq(commentMessages.channelId, channel), eq(commentMessages.messageTs, messageTsValue)));
  if (!hit) return undefined;
  const copies = await db
    .select()
    .from(commentMessages)
    .where(and(eq(commentMessages.tenantId, tenantId), eq(commentMessages.commentId, hit.comment.id)))
    .orderBy(asc(commentMessages.channelId), asc(commentMessages.messageTs));
  return { comment: hit.comment, copies };
}
