import { boolean, integer, text, timestamp } from 'drizzle-orm/pg-core';
import { sourceTypeEnum } from './enums.js';

/** Timestamps are always `timestamptz`, read and written as JS Dates. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/** Every row belongs to one tenant; keys and indexes lead with it. */
export const tenantColumn = () => text('tenant_id').notNull();

/** The common fields of every seed record (Ticket, SLAPolicy). */
export const recordColumns = () => ({
  tenantId: tenantColumn(),
  id: text('id').notNull(),
  appId: text('app_id'),
  createdAt: timestamptz('created_at').notNull(),
  updatedAt: timestamptz('updated_at').notNull(),
  createdBy: text('created_by'),
  updatedBy: text('updated_by'),
  source: text('source').notNull().default('edm'),
  sourceType: sourceTypeEnum('source_type').notNull().default('api'),
  isDeleted: boolean('is_deleted').notNull().default(false),
  deletedAt: timestamptz('deleted_at'),
  deletedBy: text('deleted_by'),
  schemaVersion: integer('schema_version').notNull().default(1),
  /** Bumped on every write: the basis of ETags and optimistic concurrency. */
  revision: integer('revision').notNull().default(1),
});

/** Audit stamps for configuration rows (teams, people, tenants). */
export const stampColumns = () => ({
  createdAt: timestamptz('created_at').notNull(),
  updatedAt: timestamptz('updated_at').notNull(),
});
