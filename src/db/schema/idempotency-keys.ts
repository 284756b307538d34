import { integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';

/**
 * Remembered answers to POSTs sent with an `Idempotency-Key`, per caller: a retried
 * create returns the first result instead of creating twice.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    tenantId: tenantColumn(),
    /** `app_id:sub` of the caller, so two callers never share a key space. */
    caller: text('caller').notNull(),
    key: text('key').notNull(),
    /** Method, path and a hash of the body: the same key with another request is refused. */
    fingerprint: text('fingerprint').notNull(),
    /** Null while the first request is still running. */
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.caller, t.key] })],
);
