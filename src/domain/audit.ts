import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { configChanges, type ConfigSubject } from '../db/schema/index.js';
import { newId, type IdFactory } from './ids.js';
import type { Scope } from './scope.js';

export type ConfigChange = typeof configChanges.$inferSelect;

export interface ConfigChangeInput {
  subject: ConfigSubject;
  subjectId?: string | null | undefined;
  action: string;
  /** Each changed field (wire name) as `{ from, to }`; `{}` when the action says it all. */
  changes?: Record<string, { from: unknown; to: unknown }> | undefined;
}

/**
 * Records who changed what in the configuration, and when. Called by the configuration's
 * domain writes inside their own transaction, so a change and its record commit together,
 * whichever surface (Slack, REST) made it.
 */
export async function recordConfigChange(db: Db, scope: Scope, change: ConfigChangeInput, ids: IdFactory = newId): Promise<void> {
  await db.insert(configChanges).values({
    tenantId: scope.tenantId,
    id: ids('configChange'),
    subject: change.subject,
    subjectId: change.subjectId ?? null,
    action: change.action,
    actorId: scope.actorId,
    appId: scope.appId ?? null,
    at: scope.now,
    changes: change.changes ?? {},
  });
}

/** The fields whose value differs between two wire-shaped records, as `{ from, to }`. */
export function fieldChanges(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    if (JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null)) changes[field] = { from: before[field] ?? null, to: after[field] ?? null };
  }
  return changes;
}

/** The tenant's latest configuration changes, newest first (optionally of one subject, or one record). */
export async function listConfigChanges(
  db: Db,
  tenantId: string,
  filter: { subject?: ConfigSubject; subjectId?: string; action?: string; limit?: number } = {},
): Promise<ConfigChange[]> {
  return db
    .select()
    .from(configChanges)
    .where(
      and(
        eq(configChanges.tenantId, tenantId),
        filter.subject ? eq(configChanges.subject, filter.subject) : undefined,
        filter.subjectId ? eq(configChanges.subjectId, filter.subjectId) : undefined,
        filter.action ? eq(configChanges.action, filter.action) : undefined,
      ),
    )
    .orderBy(desc(configChanges.at), desc(configChanges.id))
    .limit(Math.min(Math.max(filter.limit ?? 50, 1), 500));
}
