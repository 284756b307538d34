import { and, eq, gt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { preparedPer } from '../db/prepared.js';
import { slaPolicies, teams, tenants } from '../db/schema/index.js';
import { fieldChanges, recordConfigChange } from './audit.js';
import { ValidationError } from './errors.js';
import { parseInput } from './input.js';
import { isSlackUserId, upsertSlackPerson } from './people.js';
import type { Scope } from './scope.js';
import { businessCalendarSchema, DEFAULT_BUSINESS_CALENDAR, guaranteedBusinessMinutes, type BusinessCalendar } from './sla/calendar.js';
import { DEFAULT_SLA_WARNING_PERCENT } from './sla/clock.js';
import { recomputeWarningInstants } from './sla/warnings.js';

export type Tenant = typeof tenants.$inferSelect;

export interface TenantSettings extends TenantSlaSettings {
  business_calendar: BusinessCalendar;
  default_team_id: string | null;
  admin_ids: string[];
  /** The reaction that raises a ticket from a message (an emoji name, without colons). */
  intake_emoji: string;
  /** A request channel's message starting with this is not a ticket ('' : none is skipped). */
  intake_skip_prefix: string;
}

/** A tenant row is created on first contact (a Slack install, the first API call). */
export async function ensureTenant(db: Db, tenantId: string, now: Date): Promise<Tenant> {
  const [existing] = await db.select().from(tenants).where(eq(tenants.tenantId, tenantId));
  if (existing) return existing;
  await db
    .insert(tenants)
    .values({ tenantId, businessCalendar: DEFAULT_BUSINESS_CALENDAR, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
  const [created] = await db.select().from(tenants).where(eq(tenants.tenantId, tenantId));
  if (!created) throw new Error(`tenant ${tenantId} could not be created`);
  return created;
}

const ticketSettingsStatement = preparedPer((db) =>
  db
    .select({ businessCalendar: tenants.businessCalendar, defaultTeamId: tenants.defaultTeamId, slaWarningPercent: tenants.slaWarningPercent })
    .from(tenants)
    .where(eq(tenants.tenantId, sql.placeholder('tenantId')))
    .prepare('tenant_ticket_settings'),
);

/** The tenant's settings a ticket create needs; the defaults when the tenant is new. */
export async function tenantTicketSettings(
  db: Db,
  tenantId: string,
): Promise<Pick<Tenant, 'businessCalendar' | 'defaultTeamId' | 'slaWarningPercent'>> {
  const [row] = await ticketSettingsStatement(db).execute({ tenantId });
  return row ?? { businessCalendar: DEFAULT_BUSINESS_CALENDAR, defaultTeamId: null, slaWarningPercent: DEFAULT_SLA_WARNING_PERCENT };
}

/**
 * Moves the tenant's SLA sweep watermark back to `to` (never forward, and a null watermark,
 * "sweep everything", stays null): a write made an alert instant due behind the sweep's back.
 */
export async function rewindSlaSweep(db: Db, tenantId: string, to: Date): Promise<void> {
  await db
    .update(tenants)
    .set({ slaSweptUntil: to })
    .where(and(eq(tenants.tenantId, tenantId), gt(tenants.slaSweptUntil, to)));
}

/**
 * A CTE that hands out the tenant's next ticket number (creating the tenant on first
 * contact), for use inside the statement that inserts the ticket: the tenant row is
 * locked only while that one statement runs, which keeps numbers consecutive under
 * concurrent creates without holding the lock across round trips. Its parameters are the
 * placeholders `tenantId` and `createdAt`.
 */
export function nextTicketNumber(db: Db) {
  return db.$with('next_ticket_number').as(
    db
      .insert(tenants)
      .values({
        tenantId: sql.placeholder('tenantId'),
        businessCalendar: DEFAULT_BUSINESS_CALENDAR,
        ticketSeq: 1,
        createdAt: sql.placeholder('createdAt'),
        updatedAt: sql.placeholder('createdAt'),
      })
      .onConflictDoUpdate({ target: tenants.tenantId, set: { ticketSeq: sql`${tenants.ticketSeq} + 1` } })
      .returning({ ticketSeq: tenants.ticketSeq }),
  );
}

/** The reaction that raises a ticket from a message in this workspace (`ticket` until changed). */
export async function intakeEmojiOf(db: Db, tenantId: string): Promise<string> {
  const [row] = await db.select({ emoji: tenants.intakeEmoji }).from(tenants).where(eq(tenants.tenantId, tenantId));
  return row?.emoji ?? 'ticket';
}

/** The skip prefix of request channels in this workspace (`[no-ticket]` until changed; '' for none). */
export async function intakeSkipPrefixOf(db: Db, tenantId: string): Promise<string> {
  const [row] = await db.select({ prefix: tenants.intakeSkipPrefix }).from(tenants).where(eq(tenants.tenantId, tenantId));
  return row?.prefix ?? DEFAULT_INTAKE_SKIP_PREFIX;
}

export const DEFAULT_INTAKE_SKIP_PREFIX = '[no-ticket]';

export async function getTenantSettings(db: Db, scope: Scope): Promise<TenantSettings> {
  return toSettings(await ensureTenant(db, scope.tenantId, scope.now));
}

/**
 * A Slack emoji name as reactions name it: lower-case letters, digits, `_`, `-`, `+`, `'`
 * (`ticket`, `+1`, `white_check_mark`), at most 100 characters; `:ticket:` is taken as `ticket`.
 * A skin tone is not part of it (a reaction with one still counts).
 */
export const intakeEmojiSchema = z
  .string()
  .trim()
  .transform((name) => name.replace(/^:(.*):$/, '$1'))
  .pipe(z.string().regex(/^[a-z0-9_+'-]{1,100}$/, 'Must be an emoji name, e.g. ticket or :ticket:'));

export const settingsUpdateSchema = z.strictObject({
  business_calendar: businessCalendarSchema.optional(),
  default_team_id: z.string().min(1).nullable().optional(),
  /** Share of an SLA target after which a warning ("at risk") is posted. */
  sla_warning_percent: z.number().int('Must be a whole number').min(1, 'At least 1').max(99, 'At most 99').optional(),
  /** Minutes between re-announcements of an unacknowledged breach. */
  escalation_interval_minutes: z.number().int('Must be a whole number').min(1, 'At least 1 minute').max(10_080, 'At most a week').optional(),
  /** How many times an unacknowledged breach is re-announced (0: never). */
  escalation_max: z.number().int('Must be a whole number').min(0).max(100, 'At most 100').optional(),
  /**
   * The helpdesk's admins, besides the workspace's admins and owners in Slack: person ids
   * (a REST caller's token `sub`, which need not be a Slack user) or Slack user ids.
   */
  admin_ids: z.array(z.string().trim().min(1, 'Required').max(128, 'At most 128 characters')).max(100, 'At most 100 admins').optional(),
  /** The reaction that raises a ticket from a message: a Slack emoji name, with or without its colons. */
  intake_emoji: intakeEmojiSchema.optional(),
  /** A request channel's message starting with this (case-insensitive) is not a ticket; '' turns skipping off. */
  intake_skip_prefix: z.string().trim().max(30, 'At most 30 characters').optional(),
});

/** The SLA alert settings of a tenant, in the settings API's words. */
export interface TenantSlaSettings {
  sla_warning_percent: number;
  escalation_interval_minutes: number;
  escalation_max: number;
}

export async function updateTenantSettings(db: Db, scope: Scope, input: unknown): Promise<TenantSettings> {
  const patch = parseInput(settingsUpdateSchema, input);
  return db.transaction(async (tx) => {
    await ensureTenant(tx, scope.tenantId, scope.now);
    if (patch.default_team_id) {
      const [team] = await tx
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.tenantId, scope.tenantId), eq(teams.id, patch.default_team_id)));
      if (!team) throw new ValidationError([{ path: ['default_team_id'], message: 'No such team' }]);
    }
    if (patch.business_calendar) await assertCalendarServesPolicies(tx, scope.tenantId, patch.business_calendar);
    const adminIds = patch.admin_ids !== undefined ? await adminPersonIds(tx, scope, patch.admin_ids) : undefined;
    const [before] = await tx.select().from(tenants).where(eq(tenants.tenantId, scope.tenantId)).for('update');
    const shareChanged = patch.sla_warning_percent !== undefined && patch.sla_warning_percent !== before!.slaWarningPercent;
    const [row] = await tx
      .update(tenants)
      .set({
        ...(patch.business_calendar ? { businessCalendar: patch.business_calendar } : {}),
        ...(patch.default_team_id !== undefined ? { defaultTeamId: patch.default_team_id } : {}),
        ...(patch.sla_warning_percent !== undefined ? { slaWarningPercent: patch.sla_warning_percent } : {}),
        ...(patch.escalation_interval_minutes !== undefined ? { escalationIntervalMinutes: patch.escalation_interval_minutes } : {}),
        ...(patch.escalation_max !== undefined ? { escalationMax: patch.escalation_max } : {}),
        ...(adminIds !== undefined ? { adminIds } : {}),
        ...(patch.intake_emoji !== undefined ? { intakeEmoji: patch.intake_emoji } : {}),
        ...(patch.intake_skip_prefix !== undefined ? { intakeSkipPrefix: patch.intake_skip_prefix } : {}),
        // New warning instants may lie anywhere behind the watermark: the next sweep looks at all.
        ...(shareChanged ? { slaSweptUntil: null } : {}),
        updatedAt: scope.now,
      })
      .where(eq(tenants.tenantId, scope.tenantId))
      .returning();
    if (shareChanged) await recomputeWarningInstants(tx, scope.tenantId, row!.businessCalendar, row!.slaWarningPercent);
    const after = toSettings(row!);
    const changes = fieldChanges({ ...toSettings(before!) }, { ...after }, Object.keys(patch));
    if (Object.keys(changes).length > 0) await recordConfigChange(tx, scope, { subject: 'settings', action: 'update', changes });
    return after;
  });
}

/**
 * Admins as person ids, without duplicates: a Slack user id becomes that user's person (on
 * first contact, like any Slack user). Other ids are kept as given: a REST caller is its
 * token's `sub`, which need not be anyone Slack knows, so they are not checked against people.
 */
async function adminPersonIds(db: Db, scope: Scope, refs: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const ref of refs) {
    ids.push(isSlackUserId(ref) ? (await upsertSlackPerson(db, scope.tenantId, { slackUserId: ref }, scope.now)).id : ref);
  }
  return [...new Set(ids)];
}

/**
 * A calendar too thin for a business-hours policy's targets would make every ticket under
 * that policy fail to get a deadline: refused where it is configured, naming the policies.
 * Inactive policies count too: tickets they already govern keep their targets.
 */
async function assertCalendarServesPolicies(db: Db, tenantId: string, calendar: BusinessCalendar): Promise<void> {
  const capacity = Math.floor(guaranteedBusinessMinutes(calendar));
  const blocking = await db
    .select({ id: slaPolicies.id, name: slaPolicies.name, first: slaPolicies.firstResponseMinutes, resolution: slaPolicies.resolutionMinutes })
    .from(slaPolicies)
    .where(
      and(
        eq(slaPolicies.tenantId, tenantId),
        eq(slaPolicies.isDeleted, false),
        eq(slaPolicies.businessHoursOnly, true),
        or(gt(slaPolicies.firstResponseMinutes, capacity), gt(slaPolicies.resolutionMinutes, capacity)),
      ),
    )
    .limit(5);
  if (blocking.length === 0) return;
  throw new ValidationError(
    blocking.map((p) => ({
      path: ['business_calendar'],
      message: `SLA policy "${p.name}" (${p.id}) counts up to ${Math.max(p.first, p.resolution)} business minutes, but this calendar guarantees only ${capacity} within the ~100-year horizon; widen the hours or lower that policy's targets first`,
    })),
  );
}

export async function getTenantSlaSettings(db: Db, scope: Scope): Promise<TenantSlaSettings> {
  return toSlaSettings(await ensureTenant(db, scope.tenantId, scope.now));
}

function toSettings(row: Tenant): TenantSettings {
  return {
    business_calendar: row.businessCalendar,
    default_team_id: row.defaultTeamId,
    ...toSlaSettings(row),
    admin_ids: row.adminIds,
    intake_emoji: row.intakeEmoji,
    intake_skip_prefix: row.intakeSkipPrefix,
  };
}

export function toSlaSettings(row: Pick<Tenant, 'slaWarningPercent' | 'escalationIntervalMinutes' | 'escalationMax'>): TenantSlaSettings {
  return {
    sla_warning_percent: row.slaWarningPercent,
    escalation_interval_minutes: row.escalationIntervalMinutes,
    escalation_max: row.escalationMax,
  };
}
