import { and, asc, eq, inArray, isNull, lte, notExists, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { commentDeliveries, commentMessages, ticketComments, ticketThreads, type CommentFile, type ThreadSide } from '../../db/schema/index.js';
import { newId, type IdFactory } from '../ids.js';
import type { Comment } from './comments.js';
import { listThreads, type CommentMessage, type TicketThread } from './threads.js';

/**
 * The outbox of the Slack mirror (table `comment_deliveries`): one job per (comment, thread)
 * saying "bring this comment's copy in this thread up to date". Jobs are written in the same
 * transaction as what makes them due (a comment added, edited or deleted; a thread linked), so
 * a write the caller was told about is never lost to a crash or a Slack outage. A job is a
 * reconciliation, not a command: when it runs it reads the comment as it is then and posts,
 * updates or deletes the copy to match, so several writes in a row make one Slack call.
 *
 * Who sees what: a public comment goes to every thread of its ticket but the one it was
 * written in; an internal comment written through the API goes to the agents' threads only;
 * a private note written in Slack stays where it was written.
 */

export type CommentDelivery = typeof commentDeliveries.$inferSelect;

/** Only pass the database handle of a transaction: jobs must commit with what made them due. */
type Tx = Db;

interface Target {
  channelId: string;
  threadTs: string;
}

/** Schedules (or re-schedules, coalescing) a sync of each comment into each thread. */
async function enqueue(tx: Tx, tenantId: string, pairs: Array<{ commentId: string } & Target>, now: Date, ids: IdFactory = newId): Promise<number> {
  if (pairs.length === 0) return 0;
  await tx
    .insert(commentDeliveries)
    .values(
      pairs.map((p) => ({
        tenantId,
        id: ids('commentDelivery'),
        commentId: p.commentId,
        channelId: p.channelId,
        threadTs: p.threadTs,
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [commentDeliveries.tenantId, commentDeliveries.commentId, commentDeliveries.channelId, commentDeliveries.threadTs],
      set: {
        status: 'pending',
        generation: sql`${commentDeliveries.generation} + 1`,
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        updatedAt: now,
      },
    });
  return pairs.length;
}

/**
 * The threads a comment is mirrored into, given the thread it was written in (if Slack): the
 * other side's. A requester's message reaches the agents, not the requester's other threads
 * (where it would come back to them as a copy); an agent's reaches every requester's thread.
 * An internal comment only ever reaches the agents, and a private note written in Slack nowhere.
 */
export function mirrorTargets<T extends Pick<TicketThread, 'side' | 'channelId' | 'threadTs'>>(
  comment: Pick<Comment, 'visibility' | 'source'>,
  threads: T[],
  origin?: Target,
): T[] {
  if (comment.visibility === 'internal' && comment.source === 'slack') return [];
  const written = origin && threads.find((t) => t.channelId === origin.channelId && t.threadTs === origin.threadTs);
  return threads.filter(
    (t) =>
      (comment.visibility === 'public' || t.side === 'agents') &&
      !(origin && t.channelId === origin.channelId && t.threadTs === origin.threadTs) &&
      !(written && t.side === written.side),
  );
}

/** A new comment: a job for each thread it is mirrored into. Call inside the comment's transaction. */
export async function enqueueNewComment(tx: Tx, comment: Comment, origin: Target | undefined, now: Date): Promise<void> {
  const threads = await listThreads(tx, comment.tenantId, comment.ticketId);
  const targets = mirrorTargets(comment, threads, origin);
  await enqueue(tx, comment.tenantId, targets.map((t) => ({ commentId: comment.id, channelId: t.channelId, threadTs: t.threadTs })), now);
}

/** An edit or delete: every thread the comment is mirrored into runs its job again. Call inside the write's transaction. */
export async function enqueueCommentChange(tx: Tx, comment: Pick<Comment, 'tenantId' | 'id'>, now: Date): Promise<void> {
  await tx
    .update(commentDeliveries)
    .set({ status: 'pending', generation: sql`${commentDeliveries.generation} + 1`, attempts: 0, nextAttemptAt: now, lastError: null, updatedAt: now })
    .where(and(eq(commentDeliveries.tenantId, comment.tenantId), eq(commentDeliveries.commentId, comment.id)));
}

/**
 * A thread newly linked to a ticket: the comments already written that belong there and have
 * no copy in it yet are queued, oldest first. Call inside the link's transaction, with the
 * ticket row locked (addComment locks it too), so a comment racing the link is either seen
 * here or sees the thread.
 */
export async function enqueueForNewThread(tx: Tx, thread: Pick<TicketThread, 'tenantId' | 'ticketId' | 'side' | 'channelId' | 'threadTs'>, now: Date): Promise<number> {
  const copied = tx
    .select({ one: sql`1` })
    .from(commentMessages)
    .where(
      and(
        eq(commentMessages.tenantId, ticketComments.tenantId),
        eq(commentMessages.commentId, ticketComments.id),
        eq(commentMessages.channelId, thread.channelId),
        eq(commentMessages.threadTs, thread.threadTs),
      ),
    );
  const visible =
    thread.side === 'agents'
      ? or(eq(ticketComments.visibility, 'public'), eq(ticketComments.source, 'api'))
      : eq(ticketComments.visibility, 'public');
  const comments = await tx
    .select({ id: ticketComments.id })
    .from(ticketComments)
    .where(
      and(
        eq(ticketComments.tenantId, thread.tenantId),
        eq(ticketComments.ticketId, thread.ticketId),
        eq(ticketComments.isDeleted, false),
        visible,
        notExists(copied),
      ),
    )
    .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id));
  return enqueue(tx, thread.tenantId, comments.map((c) => ({ commentId: c.id, channelId: thread.channelId, threadTs: thread.threadTs })), now);
}

// ---------------------------------------------------------------------------
// Running jobs (the Slack layer's deliverer)

/** The tenants with jobs due: the one read across tenants; every claim after it is per tenant. */
export async function tenantsWithDueDeliveries(db: Db, at: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ tenantId: commentDeliveries.tenantId })
    .from(commentDeliveries)
    .where(and(eq(commentDeliveries.status, 'pending'), lte(commentDeliveries.nextAttemptAt, at)));
  return rows.map((r) => r.tenantId);
}

/**
 * Claims up to `batch` due, unclaimed jobs of one tenant for `replicaId` until `at + leaseMs`,
 * oldest first. `SKIP LOCKED`: jobs another replica is claiming at this moment are left to it;
 * a crashed replica's lease runs out and the job is claimed again.
 */
export async function claimCommentDeliveries(db: Db, tenantId: string, replicaId: string, at: Date, leaseMs: number, batch: number): Promise<CommentDelivery[]> {
  const due = db
    .select({ id: commentDeliveries.id })
    .from(commentDeliveries)
    .where(
      and(
        eq(commentDeliveries.tenantId, tenantId),
        eq(commentDeliveries.status, 'pending'),
        lte(commentDeliveries.nextAttemptAt, at),
        or(isNull(commentDeliveries.claimedUntil), lte(commentDeliveries.claimedUntil, at)),
      ),
    )
    .orderBy(asc(commentDeliveries.createdAt), asc(commentDeliveries.id))
    .limit(batch)
    .for('update', { skipLocked: true });
  const claimed = await db
    .update(commentDeliveries)
    .set({ claimedBy: replicaId, claimedUntil: new Date(at.getTime() + leaseMs) })
    .where(and(eq(commentDeliveries.tenantId, tenantId), inArray(commentDeliveries.id, due)))
    .returning();
  return claimed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The first pending job of a thread (due or not, claimed or not): copies go out in this order. */
export async function threadQueueHead(db: Db, tenantId: string, channelId: string, threadTs: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: commentDeliveries.id })
    .from(commentDeliveries)
    .where(
      and(
        eq(commentDeliveries.tenantId, tenantId),
        eq(commentDeliveries.channelId, channelId),
        eq(commentDeliveries.threadTs, threadTs),
        eq(commentDeliveries.status, 'pending'),
      ),
    )
    .orderBy(asc(commentDeliveries.createdAt), asc(commentDeliveries.id))
    .limit(1);
  return row?.id;
}

/** What a job reconciles: the comment as it is now, its copy in the job's thread, and that thread's side. */
export interface DeliveryTarget {
  comment: Comment | undefined;
  copy: CommentMessage | undefined;
  side: ThreadSide | undefined;
}

export async function deliveryTarget(db: Db, job: CommentDelivery): Promise<DeliveryTarget> {
  const [[comment], [copy], [thread]] = await Promise.all([
    db
      .select()
      .from(ticketComments)
      .where(and(eq(ticketComments.tenantId, job.tenantId), eq(ticketComments.id, job.commentId))),
    db
      .select()
      .from(commentMessages)
      .where(
        and(
          eq(commentMessages.tenantId, job.tenantId),
          eq(commentMessages.commentId, job.commentId),
          eq(commentMessages.channelId, job.channelId),
          eq(commentMessages.threadTs, job.threadTs),
        ),
      )
      .limit(1),
    db
      .select({ side: ticketThreads.side })
      .from(ticketThreads)
      .where(and(eq(ticketThreads.tenantId, job.tenantId), eq(ticketThreads.channelId, job.channelId), eq(ticketThreads.threadTs, job.threadTs))),
  ]);
  return { comment, copy, side: thread?.side };
}

const mine = (job: CommentDelivery, replicaId: string) =>
  and(eq(commentDeliveries.tenantId, job.tenantId), eq(commentDeliveries.id, job.id), eq(commentDeliveries.claimedBy, replicaId));

/**
 * Done for the generation the run read. A write that came in meanwhile bumped the generation:
 * then the job only goes back to the queue (unclaimed), to run again with the newer comment.
 * Returns whether the job was closed.
 */
export async function markDeliveryDone(db: Db, job: CommentDelivery, replicaId: string, at: Date): Promise<boolean> {
  const done = await db
    .update(commentDeliveries)
    .set({ status: 'delivered', attempts: 0, lastError: null, claimedUntil: null, updatedAt: at })
    .where(and(mine(job, replicaId), eq(commentDeliveries.generation, job.generation)))
    .returning({ id: commentDeliveries.id });
  if (done.length > 0) return true;
  await releaseDeliveries(db, job.tenantId, [job.id], replicaId);
  return false;
}

/** A failure worth another try: retried at `next` (unless a newer write made it due sooner). */
export async function markDeliveryRetry(db: Db, job: CommentDelivery, replicaId: string, next: Date, error: string, at: Date): Promise<void> {
  await db
    .update(commentDeliveries)
    .set({
      attempts: sql`${commentDeliveries.attempts} + 1`,
      nextAttemptAt: sql`case when ${commentDeliveries.generation} = ${job.generation} then ${next.toISOString()}::timestamptz else ${commentDeliveries.nextAttemptAt} end`,
      lastError: error.slice(0, 500),
      claimedBy: null,
      claimedUntil: null,
      updatedAt: at,
    })
    .where(mine(job, replicaId));
}

/**
 * Slack refused the copy for good: the job is closed as failed, with the error. Returns false
 * when a newer write came in meanwhile (the job stays pending and tries that instead).
 */
export async function markDeliveryFailed(db: Db, job: CommentDelivery, replicaId: string, error: string, at: Date): Promise<boolean> {
  const failed = await db
    .update(commentDeliveries)
    .set({ status: 'failed', attempts: sql`${commentDeliveries.attempts} + 1`, lastError: error.slice(0, 500), claimedUntil: null, updatedAt: at })
    .where(and(mine(job, replicaId), eq(commentDeliveries.generation, job.generation)))
    .returning({ id: commentDeliveries.id });
  if (failed.length > 0) return true;
  await releaseDeliveries(db, job.tenantId, [job.id], replicaId);
  return false;
}

/** Hands claimed jobs back untouched (their thread's turn has not come, or the run is stopping). */
export async function releaseDeliveries(db: Db, tenantId: string, ids: string[], replicaId: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(commentDeliveries)
    .set({ claimedBy: null, claimedUntil: null })
    .where(and(eq(commentDeliveries.tenantId, tenantId), inArray(commentDeliveries.id, ids), eq(commentDeliveries.claimedBy, replicaId)));
}

/** A ticket's jobs (tests and diagnostics). */
export async function listCommentDeliveries(db: Db, tenantId: string, commentId?: string): Promise<CommentDelivery[]> {
  return db
    .select()
    .from(commentDeliveries)
    .where(and(eq(commentDeliveries.tenantId, tenantId), commentId ? eq(commentDeliveries.commentId, commentId) : undefined))
    .orderBy(asc(commentDeliveries.createdAt), asc(commentDeliveries.id));
}

// ---------------------------------------------------------------------------
// Files

/** Markdown link text: brackets and backslashes escaped so a file name cannot end the link. */
function markdownLabel(name: string): string {
  return name.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

/** The Markdown list of a message's files the comment body ends with ('' when none). */
export function fileListMarkdown(files: CommentFile[]): string {
  // Parentheses and spaces would end the link's URL early: percent-encoded (encodeURIComponent leaves parentheses).
  const url = (permalink: string) => permalink.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return files.map((f) => `- [${markdownLabel(f.name)}](${url(f.permalink)})`).join('\n');
}

/** A Slack message's text and files as a comment body: the text, then the files as Markdown links. */
export function bodyWithFiles(text: string, files: CommentFile[]): string {
  const list = fileListMarkdown(files);
  if (!list) return text;
  return text.trim() ? `${text}\n\n${list}` : list;
}

/** The text part of a body `bodyWithFiles` made (the copies link the files themselves). */
export function bodyWithoutFiles(body: string, files: CommentFile[]): string {
  const list = fileListMarkdown(files);
  if (!list || !body.endsWith(list)) return body;
  return body.slice(0, body.length - list.length).replace(/\n\n$/, '');
}
