import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { slaAlertKindEnum, slaAlertStatusEnum, slaClockEnum } from './enums.js';
import { tickets } from './tickets.js';

/**
 * The alert ledger. A row is written before delivery; its unique key
 * (ticket, clock, cycle, kind, sequence) is what makes an alert happen exactly once.
 */
export const slaAlerts = pgTable(
  'sla_alerts',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    ticketId: text('ticket_id').notNull(),
    clock: slaClockEnum('clock').notNull(),
    /**
     * Which run of the clock: the ticket's SLA cycle for resolution, always 1 for the first
     * response, the ticket's next-response round for the next response (each wait for an
     * answer is its own run, with its own warning, breach and escalations).
     */
    cycle: integer('cycle').notNull(),
    kind: slaAlertKindEnum('kind').notNull(),
    /** 0 for the warning and the breach; 1, 2, ... for escalations of a breach. */
    sequence: integer('sequence').notNull().default(0),
    deadlineAt: timestamptz('deadline_at').notNull(),
    channelId: text('channel_id'),
    status: slaAlertStatusEnum('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull(),
    lastError: text('last_error'),
    deliveredAt: timestamptz('delivered_at'),
    slackMessageTs: text('slack_message_ts'),
    acknowledgedAt: timestamptz('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
    /** The replica delivering it and until when (a lease: a crashed replica's claim expires); once delivered, who did. */
    claimedBy: text('claimed_by'),
    claimedUntil: timestamptz('claimed_until'),
    /** Breach and escalation rows: when the next escalation is due; null once it exists or never will. */
    escalateAt: timestamptz('escalate_at'),
    /** Why a pending alert was not sent after all (status `cancelled`). */
    cancelReason: text('cancel_reason'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('sla_alerts_once_uq').on(t.tenantId, t.ticketId, t.clock, t.cycle, t.kind, t.sequence),
    foreignKey({ columns: [t.tenantId, t.ticketId], foreignColumns: [tickets.tenantId, tickets.id] }).onDelete(
      'cascade',
    ),
    index('sla_alerts_undelivered_idx').on(t.tenantId, t.nextAttemptAt).where(sql`status = 'pending'`),
    // A channel's queue, in delivery order: an alert goes out only after the ones before it.
    index('sla_alerts_channel_queue_idx')
      .on(t.tenantId, t.channelId, t.deadlineAt, t.createdAt, t.id)
      .where(sql`status = 'pending'`),
    index('sla_alerts_escalation_due_idx').on(t.tenantId, t.escalateAt).where(sql`escalate_at is not null`),
  ],
);
