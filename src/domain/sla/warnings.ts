import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { slaPolicies, tickets } from '../../db/schema/index.js';
import type { BusinessCalendar } from './calendar.js';
import { computeDeadlines } from './clock.js';

const BATCH = 500;

/**
 * The tenant changed its warning share: recomputes the warning instants of every ticket
 * whose clocks can still alert, from the same start, targets and pauses as the deadlines.
 * Bookkeeping like the deadlines' own recomputation, so no revision bump and no event.
 * Returns how many tickets were recomputed.
 */
export async function recomputeWarningInstants(
  db: Db,
  tenantId: string,
  calendar: BusinessCalendar,
  warningPercent: number,
): Promise<number> {
  const rows = await db
    .select({
      id: tickets.id,
      createdAt: tickets.createdAt,
      cycleStartedAt: tickets.slaCycleStartedAt,
      pauses: tickets.slaPauses,
      nextResponseStartedAt: tickets.nextResponseStartedAt,
      firstResponseMinutes: slaPolicies.firstResponseMinutes,
      resolutionMinutes: slaPolicies.resolutionMinutes,
      nextResponseMinutes: slaPolicies.nextResponseMinutes,
      businessHoursOnly: slaPolicies.businessHoursOnly,
    })
    .from(tickets)
    .innerJoin(slaPolicies, and(eq(slaPolicies.tenantId, tickets.tenantId), eq(slaPolicies.id, tickets.slaPolicyId)))
    .where(
      and(
        eq(tickets.tenantId, tenantId),
        eq(tickets.isDeleted, false),
        inArray(tickets.status, ['open', 'in_progress', 'pending']),
        isNotNull(tickets.slaPolicyId),
      ),
    );
  for (let at = 0; at < rows.length; at += BATCH) {
    const values = rows.slice(at, at + BATCH).map((row) => {
      const instants = computeDeadlines(
        { createdAt: row.createdAt, cycleStartedAt: row.cycleStartedAt, pauses: row.pauses, nextResponseStartedAt: row.nextResponseStartedAt },
        row,
        calendar,
        warningPercent,
      );
      const at = (instant: Date | null) => sql`${instant?.toISOString() ?? null}::timestamptz`;
      return sql`(${row.id}, ${at(instants.firstResponseWarnAt)}, ${at(instants.resolutionWarnAt)}, ${at(instants.nextResponseWarnAt)})`;
    });
    await db.execute(sql`
      update tickets set first_response_warn_at = v.first_response_warn_at, resolution_warn_at = v.resolution_warn_at,
        next_response_warn_at = v.next_response_warn_at
      from (values ${sql.join(values, sql`, `)}) as v(id, first_response_warn_at, resolution_warn_at, next_response_warn_at)
      where tickets.tenant_id = ${tenantId} and tickets.id = v.id`);
  }
  return rows.length;
}
