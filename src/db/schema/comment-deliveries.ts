import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { commentDeliveryStatusEnum } from './enums.js';
import { ticketComments } from './ticket-comments.js';

/**
 * The outbox of the Slack mirror: "bring this comment's copy in this thread up to date".
 * A row is written in the same transaction as the comment write (or the thread link) that
 * makes it due, so nothing acknowledged is lost; one row per (comment, thread), so a burst of
 * edits coalesces into one run of the job, which reads the comment as it is then.
 */
export const commentDeliveries = pgTable(
  'comment_deliveries',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    commentId: text('comment_id').notNull(),
    channelId: text('channel_id').notNull(),
    threadTs: text('thread_ts').notNull(),
    status: commentDeliveryStatusEnum('status').notNull().default('pending'),
    /**
     * Bumped by every enqueue: a run marks the row delivered only if no write came after the
     * one it read (else the row stays pending and runs again with the newer comment).
     */
    generation: integer('generation').notNull().default(1),
    /** Failed tries since the last enqueue. */
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull(),
    lastError: text('last_error'),
    /** The replica running it and until when (a lease: a crashed replica's claim runs out). */
    claimedBy: text('claimed_by'),
    claimedUntil: timestamptz('claimed_until'),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('comment_deliveries_target_uq').on(t.tenantId, t.commentId, t.channelId, t.threadTs),
    foreignKey({ columns: [t.tenantId, t.commentId], foreignColumns: [ticketComments.tenantId, ticketComments.id] }).onDelete('cascade'),
    // Due work, and each thread's queue in order (copies appear in the order comments were written).
    index('comment_deliveries_due_idx').on(t.tenantId, t.nextAttemptAt).where(sql`status = 'pending'`),
    index('comment_deliveries_thread_queue_idx').on(t.tenantId, t.channelId, t.threadTs, t.createdAt, t.id).where(sql`status = 'pending'`),
  ],
);
