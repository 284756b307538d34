import { and, eq, isNotNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { configChanges, slaPolicies, TICKET_TYPES, type TicketPriority } from '../../db/schema/index.js';
import { recordConfigChange } from '../audit.js';
import { ConflictError, ValidationError, type FieldIssue } from '../errors.js';
import type { Scope } from '../scope.js';
import { updateTenantSettings } from '../tenants.js';
import { createSlaPolicy, type SlaPolicy } from './policies.js';

/**
 * The SLA part of the first-run setup: a suggested policy set to start from, creating a set
 * at once, or deciding to have none; and whether each step is done.
 */

export interface SuggestedPolicy {
  priority: TicketPriority;
  name: string;
  first_response_minutes: number;
  resolution_minutes: number;
  business_hours_only: boolean;
}

/**
 * One policy per priority, for every ticket type: a desk starting out rarely wants targets
 * that differ by type, and one policy per priority keeps the (type, priority) grid full.
 * Urgent and high run 24x7 (an outage does not wait for Monday); medium and low count
 * business hours.
 */
export const SUGGESTED_SLA_POLICIES: readonly SuggestedPolicy[] = [
  { priority: 'urgent', name: 'Urgent', first_response_minutes: 30, resolution_minutes: 4 * 60, business_hours_only: false },
  { priority: 'high', name: 'High', first_response_minutes: 60, resolution_minutes: 8 * 60, business_hours_only: false },
  { priority: 'medium', name: 'Medium', first_response_minutes: 4 * 60, resolution_minutes: 24 * 60, business_hours_only: true },
  { priority: 'low', name: 'Low', first_response_minutes: 8 * 60, resolution_minutes: 72 * 60, business_hours_only: true },
];

/** The ticket types a suggested policy applies to: all of them. */
export const SUGGESTED_APPLIES_TO = [...TICKET_TYPES];

/**
 * Creates several policies all or nothing, each through `createSlaPolicy` (same validation
 * as one at a time). Every input is tried, so one answer names every problem: a refused one
 * is reported with its index first in the path (`[2, 'resolution_minutes']`; a conflict with
 * an active policy at `[i, 'priority']`), and then nothing at all is written.
 */
export async function createSlaPolicies(db: Db, scope: Scope, inputs: readonly unknown[]): Promise<SlaPolicy[]> {
  return db.transaction(async (tx) => {
    const created: SlaPolicy[] = [];
    const issues: FieldIssue[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        // Its own savepoint: a refused one leaves the transaction usable for the next.
        created.push(await tx.transaction((inner) => createSlaPolicy(inner, scope, input)));
      } catch (error) {
        if (error instanceof ValidationError) issues.push(...error.issues.map((issue) => ({ path: [index, ...issue.path], message: issue.message })));
        else if (error instanceof ConflictError) issues.push({ path: [index, 'priority'], message: error.message });
        else throw error;
      }
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return created;
  });
}

/** The admin chose to run without SLA policies for now: recorded, which completes the setup step. */
export async function skipSlaPolicies(db: Db, scope: Scope): Promise<void> {
  await recordConfigChange(db, scope, { subject: 'setup', action: 'skip', subjectId: 'sla_policies' });
}

/**
 * Business hours saved by an admin (validated by the settings schema). Saving them unchanged (keeping the defaults) changes
 * nothing and so records no settings change; it still answers the setup step, which is
 * recorded as confirmed.
 */
export async function saveBusinessHours(db: Db, scope: Scope, calendar: unknown): Promise<void> {
  await updateTenantSettings(db, scope, { business_calendar: calendar });
  if (!(await slaSetupStatus(db, scope.tenantId)).businessHours) {
    await recordConfigChange(db, scope, { subject: 'setup', action: 'confirm', subjectId: 'business_hours' });
  }
}

export interface SlaSetupStatus {
  /** The tenant has an SLA policy (any status), or chose to have none. */
  policies: boolean;
  /** Business hours were set once (a settings change that touched `business_calendar`, or saved as they were). */
  businessHours: boolean;
}

export async function slaSetupStatus(db: Db, tenantId: string): Promise<SlaSetupStatus> {
  // Every admin's Home asks: the two reads go together.
  const [[policy], [hours]] = await Promise.all([
    db
      .select({ id: slaPolicies.id })
      .from(slaPolicies)
      .where(and(eq(slaPolicies.tenantId, tenantId), eq(slaPolicies.isDeleted, false)))
      .limit(1),
    db
      .select({ id: configChanges.id })
      .from(configChanges)
      .where(
        and(
          eq(configChanges.tenantId, tenantId),
          or(
            and(eq(configChanges.subject, 'settings'), isNotNull(sql`${configChanges.changes} -> 'business_calendar'`)),
            and(eq(configChanges.subject, 'setup'), eq(configChanges.subjectId, 'business_hours')),
          ),
        ),
      )
      .limit(1),
  ]);
  const [skipped] = policy
    ? [policy]
    : await db
        .select({ id: configChanges.id })
        .from(configChanges)
        .where(and(eq(configChanges.tenantId, tenantId), eq(configChanges.subject, 'setup'), eq(configChanges.action, 'skip'), eq(configChanges.subjectId, 'sla_policies')))
        .limit(1);
  return { policies: Boolean(skipped), businessHours: Boolean(hours) };
}
