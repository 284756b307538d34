import { foreignKey, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn } from './columns.js';
import { ticketComments } from './ticket-comments.js';

/**
 * Each Slack copy of a comment: the message in every thread it was written or mirrored into.
 * A table rather than a jsonb list because Slack's edit and delete events name a message
 * (channel, ts) and must find its comment, and its other copies, by that key.
 */
export const commentMessages = pgTable(
  'comment_messages',
  {
    tenantId: tenantColumn(),
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    /** The thread (ticket_threads) the copy lives in. */
    threadTs: text('thread_ts').notNull(),
    commentId: text('comment_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.channelId, t.messageTs] }),
    foreignKey({ columns: [t.tenantId, t.commentId], foreignColumns: [ticketComments.tenantId, ticketComments.id] }).onDelete('cascade'),
    index('comment_messages_comment_idx').on(t.tenantId, t.commentId),
  ],
);
