import { sql } from 'drizzle-orm';
import { check, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { BusinessCalendar } from '../../domain/sla/calendar.js';
import { stampColumns, timestamptz } from './columns.js';

/** One row per Slack workspace (or Enterprise Grid org): its settings and counters. */
export const tenants = pgTable(
  'tenants',
  {
    tenantId: text('tenant_id').primaryKey(),
    name: text('name'),
    businessCalendar: jsonb('business_calendar').$type<BusinessCalendar>().notNull(),
    defaultTeamId: text('default_team_id'),
    /** Last ticket number handed out; bumped under the row lock of the create transaction. */
    ticketSeq: integer('ticket_seq').notNull().default(0),
    /** Share of a target after which an SLA clock is "at risk" (a warning alert). */
    slaWarningPercent: integer('sla_warning_percent').notNull().default(75),
    /** An unacknowledged breach is announced again after this many minutes ... */
    escalationIntervalMinutes: integer('escalation_interval_minutes').notNull().default(60),
    /** ... at most this many times (0: never). */
    escalationMax: integer('escalation_max').notNull().default(3),
    /** The helpdesk's own admins (person ids), besides the workspace's admins and owners in Slack. */
    adminIds: text('admin_ids').array().notNull().default(sql`'{}'::text[]`),
    /** The reaction that raises a ticket from a message (a Slack emoji name, without colons). */
    intakeEmoji: text('intake_emoji').notNull().default('ticket'),
    /** A message in a request channel that starts with this is not a ticket ('' : every message is). */
    intakeSkipPrefix: text('intake_skip_prefix').notNull().default('[no-ticket]'),
    /**
     * The SLA sweep's watermark: every alert whose instant is at or before it is in the
     * ledger. Lowered by any write that moves an instant into the past; null = sweep all.
     */
    slaSweptUntil: timestamptz('sla_swept_until'),
    ...stampColumns(),
  },
  (t) => [
    check('tenants_sla_warning_percent_range', sql`${t.slaWarningPercent} between 1 and 99`),
    check('tenants_escalation_interval_positive', sql`${t.escalationIntervalMinutes} > 0`),
    check('tenants_escalation_max_range', sql`${t.escalationMax} between 0 and 100`),
  ],
);
