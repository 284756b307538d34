import { sql } from 'drizzle-orm';
import { boolean, foreignKey, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { stampColumns, tenantColumn, timestamptz } from './columns.js';
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
    /**
     * What Slack last said of the user's place in the workspace (users.info `is_admin`,
     * `is_owner` or `is_primary_owner`): workspace admins and owners are helpdesk admins.
     * Null until asked; asked again once `slack_role_checked_at` is a few minutes old.
     */
    slackIsAdmin: boolean('slack_is_admin'),
    slackIsOwner: boolean('slack_is_owner'),
    slackRoleCheckedAt: timestamptz('slack_role_checked_at'),
    /**
     * When the person last opened the app's Home tab in Slack: only people who opened it
     * recently get their Home republished after a change (see src/slack/home/publisher.ts).
     */
    homeOpenedAt: timestamptz('home_opened_at'),
    ...stampColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('people_slack_user_uq').on(t.tenantId, t.slackUserId).where(sql`${t.slackUserId} is not null`),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.tenantId] }).onDelete('cascade'),
  ],
);
