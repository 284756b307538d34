import { index, jsonb, pgTable, primaryKey, text, foreignKey } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { tenants } from './tenants.js';

/** What part of the configuration a change touched. */
export const CONFIG_SUBJECTS = ['team', 'sla_policy', 'settings', 'setup'] as const;
export type ConfigSubject = (typeof CONFIG_SUBJECTS)[number];

/**
 * The configuration's audit trail: one row per change of a team, an SLA policy, the
 * settings (business hours, admins, alert settings) or a setup step, from Slack or REST;
 * never updated. `changes` holds each changed field as `{ from, to }` (wire names).
 */
export const configChanges = pgTable(
  'config_changes',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    subject: text('subject').$type<ConfigSubject>().notNull(),
    /** The team's or policy's id; null for tenant-wide settings and setup steps. */
    subjectId: text('subject_id'),
    /** `create`, `update`, `deactivate`, `delete`, or a setup step's outcome such as `skip`. */
    action: text('action').notNull(),
    actorId: text('actor_id'),
    appId: text('app_id'),
    at: timestamptz('at').notNull(),
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.tenantId] }).onDelete('cascade'),
    index('config_changes_tenant_at_idx').on(t.tenantId, t.at),
  ],
);
