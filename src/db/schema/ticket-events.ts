import { foreignKey, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { sourceTypeEnum } from './enums.js';
import { tickets } from './tickets.js';

export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

/** The audit trail: one row per change of a ticket, never updated. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    ticketId: text('ticket_id').notNull(),
    kind: text('kind').notNull(),
    actorId: text('actor_id'),
    appId: text('app_id'),
    sourceType: sourceTypeEnum('source_type').notNull(),
    slaCycle: integer('sla_cycle').notNull(),
    at: timestamptz('at').notNull(),
    changes: jsonb('changes').$type<FieldChanges>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.ticketId], foreignColumns: [tickets.tenantId, tickets.id] }).onDelete(
      'cascade',
    ),
    index('ticket_events_ticket_idx').on(t.tenantId, t.ticketId, t.at),
  ],
);
