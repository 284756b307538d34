import { sql } from 'drizzle-orm';
import { foreignKey, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { stampColumns, tenantColumn } from './columns.js';
import { tenants } from './tenants.js';

export const people = pgTable(
  'people',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    slackUserId: text('slack_user_id'),
    displayName: text('display_name'),
    email: text('email'),
    timezone: text('timezone'),
    ...stampColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('people_slack_user_uq').on(t.tenantId, t.slackUserId).where(sql`${t.slackUserId} is not null`),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.tenantId] }).onDelete('cascade'),
  ],
);
