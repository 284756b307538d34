import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { preparedPer } from '../db/prepared.js';
import { teams, tenants } from '../db/schema/index.js';
import { ValidationError } from './errors.js';
import type { Scope } from './scope.js';
import { businessCalendarSchema, DEFAULT_BUSINESS_CALENDAR, type BusinessCalendar } from './sla/calendar.js';

export type Tenant = typeof tenants.$inferSelect;

export interface TenantSettings {
  business_calendar: BusinessCalendar;
  default_team_id: string | null;
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
    .select({ businessCalendar: tenants.businessCalendar, defaultTeamId: tenants.defaultTeamId })
    .from(tenants)
    .where(eq(tenants.tenantId, sql.placeholder('tenantId')))
    .prepare('tenant_ticket_settings'),
);

/** The tenant's settings a ticket create needs; the defaults when the tenant is new. */
export async function tenantTicketSettings(
  db: Db,
  tenantId: string,
): Promise<Pick<Tenant, 'businessCalendar' | 'defaultTeamId'>> {
  const [row] = await ticketSettingsStatement(db).execute({ tenantId });
  return row ?? { businessCalendar: DEFAULT_BUSINESS_CALENDAR, defaultTeamId: null };
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

export async function getTenantSettings(db: Db, scope: Scope): Promise<TenantSettings> {
  return toSettings(await ensureTenant(db, scope.tenantId, scope.now));
}

export const settingsUpdateSchema = z.strictObject({
  business_calendar: businessCalendarSchema.optional(),
  default_team_id: z.string().min(1).nullable().optional(),
});

export async function updateTenantSettings(db: Db, scope: Scope, input: unknown): Promise<TenantSettings> {
  const parsed = settingsUpdateSchema.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const patch = parsed.data;
  return db.transaction(async (tx) => {
    await ensureTenant(tx, scope.tenantId, scope.now);
    if (patch.default_team_id) {
      const [team] = await tx
        .select({ id: teams.id })
        .from(teams)
        .where(and(eq(teams.tenantId, scope.tenantId), eq(teams.id, patch.default_team_id)));
      if (!team) throw new ValidationError([{ path: ['default_team_id'], message: 'No such team' }]);
    }
    const [row] = await tx
      .update(tenants)
      .set({
        ...(patch.business_calendar ? { businessCalendar: patch.business_calendar } : {}),
        ...(patch.default_team_id !== undefined ? { defaultTeamId: patch.default_team_id } : {}),
        updatedAt: scope.now,
      })
      .where(eq(tenants.tenantId, scope.tenantId))
      .returning();
    return toSettings(row!);
  });
}

function toSettings(row: Tenant): TenantSettings {
  return { business_calendar: row.businessCalendar, default_team_id: row.defaultTeamId };
}
