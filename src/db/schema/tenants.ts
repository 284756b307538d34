import { integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { BusinessCalendar } from '../../domain/sla/calendar.js';
import { stampColumns } from './columns.js';

/** One row per Slack workspace (or Enterprise Grid org): its settings and counters. */
export const tenants = pgTable('tenants', {
  tenantId: text('tenant_id').primaryKey(),
  name: text('name'),
  businessCalendar: jsonb('business_calendar').$type<BusinessCalendar>().notNull(),
  defaultTeamId: text('default_team_id'),
  /** Last ticket number handed out; bumped under the row lock of the create transaction. */
  ticketSeq: integer('ticket_seq').notNull().default(0),
  ...stampColumns(),
});
