import { foreignKey, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { tickets } from './tickets.js';

/**
 * The Slack message a ticket was raised from (a reaction, a DM to the app; request channels
 * later): one ticket per message, enforced by the key, so concurrent reactions and
 * retried event deliveries raise it once. The requester is the message's author (the
 * ticket's submitter); who raised it is kept here and as the ticket's creator.
 */
export const ticketSources = pgTable(
  'ticket_sources',
  {
    tenantId: tenantColumn(),
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    ticketId: text('ticket_id').notNull(),
    /** The person who raised it (the reactor), a person id. */
    raisedById: text('raised_by_id'),
    /** How: `reaction`, `dm` (more kinds of intake add their own word). */
    via: text('via').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.channelId, t.messageTs] }),
    foreignKey({ columns: [t.tenantId, t.ticketId], foreignColumns: [tickets.tenantId, tickets.id] }).onDelete('cascade'),
    index('ticket_sources_ticket_idx').on(t.tenantId, t.ticketId),
  ],
);
