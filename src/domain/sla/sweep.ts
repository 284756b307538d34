import { and, eq, inArray, isNotNull, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import {
  FIRST_RESPONSE_CLOCK_RUNNING,
  NEXT_RESPONSE_CLOCK_RUNNING,
  RESOLUTION_CLOCK_RUNNING,
  slaAlerts,
  teams,
  tenants,
  tickets,
  type SlaAlertKind,
  type SlaClock,
} from '../../db/schema/index.js';
import { newId, type IdFactory } from '../ids.js';
import { ticketColumns } from '../tickets/queries.js';
import { alertCycle, clockInstants, clockStillRunning } from './alerts.js';

/**
 * The sweep fills the alert ledger: warnings, breaches and escalations that fell due,
 * one row each, written `ON CONFLICT DO NOTHING` against the ledger's unique key, so any
 * number of sweeps (replicas, retries, catch-up after downtime) writes each alert once.
 * It never talks to Slack: delivery empties the ledger separately.
 *
 * Cost follows the alerts that fell due, not the tickets: each tenant keeps a watermark
 * (`tenants.sla_swept_until`) below which everything is in the ledger, and the sweep reads
 * only instants between the watermark and now from the partial indexes of running clocks.
 * Writes that make an instant due behind the watermark move it back (`rewindSlaSweep`).
 */

/**
 * The window reaches this far behind the watermark, for writes that committed after a
 * sweep read the tickets but carry an instant before its `now` (a transaction in flight,
 * or the writer's clock a little behind the sweeper's). Re-reading costs only the alerts
 * of the last few minutes; the ledger's key makes it harmless.
 */
export const SLA_SWEEP_OVERLAP_MS = 5 * 60_000;

const INSERT_BATCH = 2000;

export interface SlaSweepResult {
  tenants: number;
  created: Record<SlaAlertKind, number>;
  /** Waiting alerts that now know their channel (a team got one). */
  routed: number;
  /** Tenants whose sweep failed; the others were swept. Their watermark did not move. */
  failures: Array<{ tenantId: string; error: unknown }>;
}

export interface SlaSweepOptions {
  db: Db;
  now: Date;
  ids?: IdFactory;
  /** Sweep only these tenants (a benchmark, a test); all by default. */
  tenantIds?: string[];
}

/** One sweep over every tenant, at `now`. A plain function: cron only schedules it. */
export async function runSlaSweep({ db, now, ids = newId, tenantIds }: SlaSweepOptions): Promise<SlaSweepResult> {
  // The one read across tenants: which tenants there are, with their sweep settings.
  // Every other statement of the sweep is scoped to one tenant by an index leading with it.
  const all = await db
    .select({
      tenantId: tenants.tenantId,
      defaultTeamId: tenants.defaultTeamId,
      escalationMax: tenants.escalationMax,
      escalationIntervalMinutes: tenants.escalationIntervalMinutes,
      sweptUntil: tenants.slaSweptUntil,
    })
    .from(tenants)
    .where(tenantIds ? inArray(tenants.tenantId, tenantIds) : undefined);
  const result: SlaSweepResult = { tenants: all.length, created: { warning: 0, breach: 0, escalation: 0 }, routed: 0, failures: [] };
  for (const tenant of all) {
    try {
      const swept = await sweepTenant(db, tenant, now, ids);
      for (const kind of Object.keys(swept.created) as SlaAlertKind[]) result.created[kind] += swept.created[kind];
      result.routed += swept.routed;
    } catch (error) {
      result.failures.push({ tenantId: tenant.tenantId, error });
    }
  }
  return result;
}

interface SweepTenant {
  tenantId: string;
  defaultTeamId: string | null;
  escalationMax: number;
  escalationIntervalMinutes: number;
  sweptUntil: Date | null;
}

export async function sweepTenant(db: Db, tenant: SweepTenant, now: Date, ids: IdFactory = newId) {
  const from = tenant.sweptUntil ? new Date(tenant.sweptUntil.getTime() - SLA_SWEEP_OVERLAP_MS) : null;
  const created: Record<SlaAlertKind, number> = { warning: 0, breach: 0, escalation: 0 };

  const due = rowsOf<DueRow>(await db.execute(dueAlertsQuery({ tenantId: tenant.tenantId, defaultTeamId: tenant.defaultTeamId, from, now })));
  const rows = due.map((row) => ({
    tenantId: tenant.tenantId,
    id: ids('alert'),
    ticketId: row.ticket_id,
    clock: row.clock,
    cycle: Number(row.cycle),
    kind: row.kind,
    sequence: 0,
    deadlineAt: new Date(Number(row.deadline_ms)),
    channelId: row.channel_id,
    nextAttemptAt: now,
    createdAt: now,
  }));
  for (const kind of await insertAlerts(db, rows)) created[kind] += 1;
  created.escalation += await escalate(db, tenant, now, ids);
  const routed = await routeWaitingAlerts(db, tenant);

  // Compare-and-set: a write that moved the watermark back meanwhile wins (the next sweep
  // reads from there); a concurrent sweep that moved it forward makes this a no-op.
  if (!tenant.sweptUntil || tenant.sweptUntil < now) {
    await db
      .update(tenants)
      .set({ slaSweptUntil: now })
      .where(
        and(
          eq(tenants.tenantId, tenant.tenantId),
          tenant.sweptUntil ? eq(tenants.slaSweptUntil, tenant.sweptUntil) : isNull(tenants.slaSweptUntil),
        ),
      );
  }
  return { created, routed };
}

interface DueRow {
  ticket_id: string;
  clock: SlaClock;
  cycle: number | string;
  kind: SlaAlertKind;
  deadline_ms: number | string;
  channel_id: string | null;
}

export interface SweepWindow {
  tenantId: string;
  defaultTeamId: string | null;
  /** Exclusive lower bound of the instants read; null reads everything due. */
  from: Date | null;
  now: Date;
}

/**
 * The warnings and breaches that fell due in `(from, now]` and are not in the ledger yet,
 * with the channel each goes to. Six range scans, one per partial index of a running
 * clock (each branch repeats its index's predicate), so the cost is the number of instants
 * in the window. Only the breach when both a clock's warning and its breach fell due.
 * Exported so a benchmark can print its plan.
 */
export function dueAlertsQuery(window: SweepWindow): SQL {
  const tenant = window.tenantId;
  const now = sql`${window.now.toISOString()}::timestamptz`;
  const inWindow = (column: string) =>
    window.from
      ? sql`${sql.raw(column)} <= ${now} and ${sql.raw(column)} > ${window.from.toISOString()}::timestamptz`
      : sql`${sql.raw(column)} <= ${now}`;
  const firstResponseRunning = sql.raw(FIRST_RESPONSE_CLOCK_RUNNING);
  const resolutionRunning = sql.raw(RESOLUTION_CLOCK_RUNNING);
  const nextResponseRunning = sql.raw(NEXT_RESPONSE_CLOCK_RUNNING);
  return sql`
    with due as (
      select id, team_id, 'first_response'::sla_clock as clock, 1 as cycle, 'breach'::sla_alert_kind as kind,
             first_response_due_at as deadline_at
      from tickets
      where tenant_id = ${tenant} and ${firstResponseRunning} and first_response_due_at is not null
        and ${inWindow('first_response_due_at')}
      union all
      select id, team_id, 'resolution', sla_cycle, 'breach', due_at
      from tickets
      where tenant_id = ${tenant} and ${resolutionRunning} and due_at is not null
        and ${inWindow('due_at')}
      union all
      select id, team_id, 'first_response', 1, 'warning', first_response_due_at
      from tickets
      where tenant_id = ${tenant} and ${firstResponseRunning} and first_response_warn_at is not null
        and ${inWindow('first_response_warn_at')} and first_response_due_at > ${now}
      union all
      select id, team_id, 'resolution', sla_cycle, 'warning', due_at
      from tickets
      where tenant_id = ${tenant} and ${resolutionRunning} and resolution_warn_at is not null
        and ${inWindow('resolution_warn_at')} and due_at > ${now}
      union all
      select id, team_id, 'next_response', next_response_round, 'breach', next_response_due_at
      from tickets
      where tenant_id = ${tenant} and ${nextResponseRunning} and next_response_due_at is not null
        and ${inWindow('next_response_due_at')}
      union all
      select id, team_id, 'next_response', next_response_round, 'warning', next_response_due_at
      from tickets
      where tenant_id = ${tenant} and ${nextResponseRunning} and next_response_warn_at is not null
        and ${inWindow('next_response_warn_at')} and next_response_due_at > ${now}
    )
    select due.id as ticket_id, due.clock, due.cycle, due.kind,
           (extract(epoch from due.deadline_at) * 1000)::float8 as deadline_ms,
           coalesce(team.slack_channel_id, fallback.slack_channel_id) as channel_id
    from due
    left join teams team on team.tenant_id = ${tenant} and team.id = due.team_id
    left join teams fallback on fallback.tenant_id = ${tenant} and fallback.id = ${window.defaultTeamId}
    -- A lateral probe of the ledger's unique index per candidate (never a scan of the ledger).
    left join lateral (
      select true as found from sla_alerts a
      where a.tenant_id = ${tenant} and a.ticket_id = due.id and a.clock = due.clock
        and a.cycle = due.cycle and a.kind = due.kind and a.sequence = 0
      limit 1
    ) existing on true
    where existing.found is null
    order by due.deadline_at, due.id`;
}

type NewAlert = Pick<
  typeof slaAlerts.$inferInsert,
  'tenantId' | 'id' | 'ticketId' | 'clock' | 'cycle' | 'kind' | 'sequence' | 'deadlineAt' | 'channelId' | 'nextAttemptAt' | 'createdAt'
>;

/**
 * Inserts ledger rows, skipping any whose key exists already; the kinds of those it wrote.
 * The rows travel as one JSON parameter: building a many-row VALUES list costs more than
 * the insert itself.
 */
async function insertAlerts(db: Db, rows: NewAlert[]): Promise<SlaAlertKind[]> {
  const written: SlaAlertKind[] = [];
  for (let at = 0; at < rows.length; at += INSERT_BATCH) {
    const batch = rows.slice(at, at + INSERT_BATCH).map((r) => ({
      tenant_id: r.tenantId,
      id: r.id,
      ticket_id: r.ticketId,
      clock: r.clock,
      cycle: r.cycle,
      kind: r.kind,
      sequence: r.sequence,
      deadline_at: (r.deadlineAt as Date).toISOString(),
      channel_id: r.channelId,
      next_attempt_at: (r.nextAttemptAt as Date).toISOString(),
      created_at: (r.createdAt as Date).toISOString(),
    }));
    const inserted = rowsOf<{ kind: SlaAlertKind }>(
      await db.execute(sql`
        insert into sla_alerts (tenant_id, id, ticket_id, clock, cycle, kind, sequence, deadline_at, channel_id, next_attempt_at, created_at)
        select tenant_id, id, ticket_id, clock::sla_clock, cycle, kind::sla_alert_kind, sequence, deadline_at, channel_id, next_attempt_at, created_at
        from jsonb_to_recordset(${JSON.stringify(batch)}::jsonb) as x(
          tenant_id text, id text, ticket_id text, clock text, cycle integer, kind text, sequence integer,
          deadline_at timestamptz, channel_id text, next_attempt_at timestamptz, created_at timestamptz)
        on conflict do nothing
        returning kind`),
    );
    written.push(...inserted.map((r) => r.kind));
  }
  return written;
}

/**
 * Escalations: a delivered breach (or escalation) carries `escalate_at` until the next
 * escalation is written; due ones get it written, while the clock still runs, the
 * deadline is still past, nobody acknowledged, and the tenant's maximum allows. While
 * the ticket is pending (its resolution clock paused) the escalation waits an interval.
 */
async function escalate(db: Db, tenant: SweepTenant, now: Date, ids: IdFactory): Promise<number> {
  const breach = alias(slaAlerts, 'breach');
  const due = await db
    .select({
      alert: { id: slaAlerts.id, ticketId: slaAlerts.ticketId, clock: slaAlerts.clock, cycle: slaAlerts.cycle, sequence: slaAlerts.sequence, deadlineAt: slaAlerts.deadlineAt, channelId: slaAlerts.channelId },
      ticket: ticketColumns,
      acknowledgedAt: breach.acknowledgedAt,
    })
    .from(slaAlerts)
    .innerJoin(tickets, and(eq(tickets.tenantId, slaAlerts.tenantId), eq(tickets.id, slaAlerts.ticketId)))
    .leftJoin(
      breach,
      and(
        eq(breach.tenantId, slaAlerts.tenantId),
        eq(breach.ticketId, slaAlerts.ticketId),
        eq(breach.clock, slaAlerts.clock),
        eq(breach.cycle, slaAlerts.cycle),
        eq(breach.kind, 'breach'),
        eq(breach.sequence, 0),
      ),
    )
    .where(and(eq(slaAlerts.tenantId, tenant.tenantId), isNotNull(slaAlerts.escalateAt), lte(slaAlerts.escalateAt, now)));
  if (due.length === 0) return 0;

  const paused = due.filter(({ alert, ticket, acknowledgedAt }) =>
    !acknowledgedAt &&
    (alert.clock === 'resolution' || alert.clock === 'next_response') &&
    ticket.status === 'pending' &&
    !ticket.isDeleted &&
    alert.cycle === alertCycle(ticket, alert.clock),
  );
  if (paused.length > 0) {
    await db
      .update(slaAlerts)
      .set({ escalateAt: new Date(now.getTime() + tenant.escalationIntervalMinutes * 60_000) })
      .where(and(eq(slaAlerts.tenantId, tenant.tenantId), inArray(slaAlerts.id, paused.map((d) => d.alert.id))));
  }
  const settled = due.filter((d) => !paused.includes(d));
  if (settled.length === 0) return 0;
  const channels = await currentChannels(db, tenant, [...new Set(settled.map((d) => d.alert.ticketId))]);
  const rows = settled
    .filter(({ alert, ticket, acknowledgedAt }) => {
      const { deadline } = clockInstants(ticket, alert.clock);
      return !acknowledgedAt && alert.sequence < tenant.escalationMax && clockStillRunning(alert, ticket) && deadline !== null && deadline <= now;
    })
    .map(({ alert }) => ({
      tenantId: tenant.tenantId,
      id: ids('alert'),
      ticketId: alert.ticketId,
      clock: alert.clock,
      cycle: alert.cycle,
      kind: 'escalation' as const,
      sequence: alert.sequence + 1,
      deadlineAt: alert.deadlineAt,
      channelId: channels.get(alert.ticketId) ?? alert.channelId,
      nextAttemptAt: now,
      createdAt: now,
    }));
  const written = await insertAlerts(db, rows);
  // Written or not worth writing: either way this row's escalation is settled.
  await db
    .update(slaAlerts)
    .set({ escalateAt: null })
    .where(and(eq(slaAlerts.tenantId, tenant.tenantId), inArray(slaAlerts.id, settled.map((d) => d.alert.id))));
  return written.length;
}

/** Where each ticket's alerts go now: its team's channel, else the default team's. */
async function currentChannels(db: Db, tenant: SweepTenant, ticketIds: string[]): Promise<Map<string, string>> {
  const team = alias(teams, 'team');
  const fallback = alias(teams, 'fallback');
  const rows = await db
    .select({ id: tickets.id, channel: sql<string | null>`coalesce(${team.slackChannelId}, ${fallback.slackChannelId})` })
    .from(tickets)
    .leftJoin(team, and(eq(team.tenantId, tickets.tenantId), eq(team.id, tickets.teamId)))
    .leftJoin(fallback, and(eq(fallback.tenantId, tickets.tenantId), eq(fallback.id, sql`${tenant.defaultTeamId}`)))
    .where(and(eq(tickets.tenantId, tenant.tenantId), inArray(tickets.id, ticketIds)));
  return new Map(rows.filter((r) => r.channel).map((r) => [r.id, r.channel!]));
}

/**
 * Alerts written while their ticket had nowhere to go wait in the ledger; once the team
 * (or the default team) has a channel they take it. Skipped at once in a tenant without
 * any team channel.
 */
async function routeWaitingAlerts(db: Db, tenant: SweepTenant): Promise<number> {
  const routed = rowsOf<{ id: string }>(
    await db.execute(sql`
      update sla_alerts as a
      set channel_id = coalesce(team.slack_channel_id, fallback.slack_channel_id)
      from tickets t
      left join teams team on team.tenant_id = t.tenant_id and team.id = t.team_id
      left join teams fallback on fallback.tenant_id = t.tenant_id and fallback.id = ${tenant.defaultTeamId}
      where a.tenant_id = ${tenant.tenantId} and a.status = 'pending' and a.channel_id is null
        and t.tenant_id = ${tenant.tenantId} and t.id = a.ticket_id
        and coalesce(team.slack_channel_id, fallback.slack_channel_id) is not null
        and exists (select 1 from teams where tenant_id = ${tenant.tenantId} and slack_channel_id is not null)
      returning a.id`),
  );
  return routed.length;
}
