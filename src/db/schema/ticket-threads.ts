import { foreignKey, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { threadSideEnum } from './enums.js';
import { tickets } from './tickets.js';

/**
 * The Slack threads a ticket's conversation lives in: one on the agents' side, and one per
 * way the requester raised or heard of it (a DM, the channel message it came from). A new
 * kind of intake adds a row, not a code path. A thread belongs to at most one ticket.
 */
export const ticketThreads = pgTable(
  'ticket_threads',
  {
    tenantId: tenantColumn(),
    channelId: text('channel_id').notNull(),
    threadTs: text('thread_ts').notNull(),
    ticketId: text('ticket_id').notNull(),
    side: threadSideEnum('side').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    // An incoming message names (channel, thread_ts): that finds its ticket.
    primaryKey({ columns: [t.tenantId, t.channelId, t.threadTs] }),
    foreignKey({ columns: [t.tenantId, t.ticketId], foreignColumns: [tickets.tenantId, tickets.id] }).onDelete('cascade'),
    index('ticket_threads_ticket_idx').on(t.tenantId, t.ticketId),
  ],
);
