import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { slaAlerts, type SlaAlertKind, type SlaClock } from '../../db/schema/index.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import { isStorableText } from '../input.js';
import { mayActOnTicket } from '../tickets/permissions.js';
import type { Scope } from '../scope.js';
import { getTicket, type Ticket } from '../tickets/queries.js';
import { isClockRunning } from './clock.js';

/**
 * The SLA alert ledger: one row per alert, keyed (ticket, clock, cycle, kind, sequence),
 * written before delivery. This module: what the ledger means for one ticket or one alert
 * (staleness, acknowledgement, breach flags). `sweep.ts` fills the ledger, `delivery.ts`
 * empties it into Slack.
 */

export type SlaAlert = typeof slaAlerts.$inferSelect;

/** The first-response clock runs once, from creation: its alerts always belong to cycle 1. */
export const FIRST_RESPONSE_CYCLE = 1;

/** The clock's deadline and warning instant on the ticket as it is now. */
export function clockInstants(
  ticket: Pick<Ticket, 'firstResponseDueAt' | 'firstResponseWarnAt' | 'dueAt' | 'resolutionWarnAt' | 'nextResponseDueAt' | 'nextResponseWarnAt'>,
  clock: SlaClock,
) {
  switch (clock) {
    case 'first_response':
      return { deadline: ticket.firstResponseDueAt, warnAt: ticket.firstResponseWarnAt };
    case 'resolution':
      return { deadline: ticket.dueAt, warnAt: ticket.resolutionWarnAt };
    case 'next_response':
      return { deadline: ticket.nextResponseDueAt, warnAt: ticket.nextResponseWarnAt };
  }
}

/**
 * The ledger's `cycle` of the clock's current run: the resolution cycle, 1 for the first
 * response, the next-response round (each wait for an answer is a run of its own).
 */
export function alertCycle(ticket: Pick<Ticket, 'slaCycle' | 'nextResponseRound'>, clock: SlaClock): number {
  switch (clock) {
    case 'first_response':
      return FIRST_RESPONSE_CYCLE;
    case 'resolution':
      return ticket.slaCycle;
    case 'next_response':
      return ticket.nextResponseRound;
  }
}

/**
 * Why a pending alert is no longer worth sending when its turn comes (undefined: send it).
 * Deleted, resolved and closed tickets never alert; an old cycle does not; a warning the
 * breach overtook, or a breach whose deadline a change moved later, is news no longer.
 */
export function whyStale(
  alert: Pick<SlaAlert, 'kind' | 'clock' | 'cycle'>,
  ticket: Ticket,
  chain: { breached: boolean; acknowledged: boolean },
  now: Date,
): string | undefined {
  if (ticket.isDeleted) return 'the ticket was deleted';
  if (ticket.status === 'resolved' || ticket.status === 'closed') return `the ticket is ${ticket.status}`;
  if (alert.cycle !== alertCycle(ticket, alert.clock)) {
    return alert.clock === 'next_response' ? 'the requester was answered since' : 'the ticket was reopened since';
  }
  if (alert.clock === 'first_response' && ticket.firstResponseAt) return 'the first response was given';
  if (alert.clock === 'next_response' && !ticket.nextResponseStartedAt) return 'the requester was answered';
  const { deadline, warnAt } = clockInstants(ticket, alert.clock);
  if (!deadline) return 'the ticket has no SLA target anymore';
  if (alert.kind === 'warning') {
    if (chain.breached) return 'the breach superseded it';
    if (!warnAt || warnAt > now) return 'the target moved later';
    return undefined;
  }
  if (deadline > now) return 'the target moved later';
  if (alert.kind === 'escalation' && chain.acknowledged) return 'the breach was acknowledged';
  return undefined;
}

/** Whether the alert's clock still runs on the ticket (an escalation is only due while it does). */
export function clockStillRunning(alert: Pick<SlaAlert, 'clock' | 'cycle'>, ticket: Ticket): boolean {
  return isClockRunning(alert.clock, ticket) && alert.cycle === alertCycle(ticket, alert.clock);
}

export async function getSlaAlert(db: Db, tenantId: string, id: string): Promise<SlaAlert> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(id)) throw new NotFoundError('SLA alert', id);
  const [row] = await db
    .select()
    .from(slaAlerts)
    .where(and(eq(slaAlerts.tenantId, tenantId), eq(slaAlerts.id, id)));
  if (!row) throw new NotFoundError('SLA alert', id);
  return row;
}

export interface AcknowledgeResult {
  alert: SlaAlert;
  /** False when someone had acknowledged it already (then `acknowledgedBy` says who). */
  acknowledged: boolean;
  acknowledgedBy: string | null;
  /** Escalations that were waiting and will not be sent now. */
  cancelledEscalations: number;
}

/**
 * Someone takes the alert on. For a breach (or one of its escalations) this stops the
 * escalation: the breach records who and when, no further escalation is scheduled, and
 * escalations not yet sent are cancelled. The first acknowledgement counts.
 */
export async function acknowledgeSlaAlert(
  db: Db,
  scope: Scope,
  alertId: string,
  /** A person acting from a chat surface: only who may act on the ticket may acknowledge its alerts. */
  options: { checkPermission?: boolean } = {},
): Promise<AcknowledgeResult> {
  // No alert can have such an id; the database would refuse to even compare it.
  if (!isStorableText(alertId)) throw new NotFoundError('SLA alert', alertId);
  return db.transaction(async (tx) => {
    const [clicked] = await tx
      .select()
      .from(slaAlerts)
      .where(and(eq(slaAlerts.tenantId, scope.tenantId), eq(slaAlerts.id, alertId)))
      .for('update');
    if (!clicked) throw new NotFoundError('SLA alert', alertId);
    if (options.checkPermission) {
      const ticket = await getTicket(tx, scope, clicked.ticketId, { includeDeleted: true });
      const permitted = await mayActOnTicket(tx, ticket, scope, 'acknowledge');
      if (!permitted.allowed) throw new ForbiddenError(permitted.reason);
    }
    const chainKinds: SlaAlertKind[] = clicked.kind === 'warning' ? ['warning'] : ['breach', 'escalation'];
    const chain = and(
      eq(slaAlerts.tenantId, scope.tenantId),
      eq(slaAlerts.ticketId, clicked.ticketId),
      eq(slaAlerts.clock, clicked.clock),
      eq(slaAlerts.cycle, clicked.cycle),
      inArray(slaAlerts.kind, chainKinds),
    );
    const rows = await tx.select().from(slaAlerts).where(chain).orderBy(slaAlerts.sequence).for('update');
    const head = rows.find((r) => r.kind !== 'escalation') ?? clicked;
    if (head.acknowledgedAt) {
      return { alert: clicked, acknowledged: false, acknowledgedBy: head.acknowledgedBy, cancelledEscalations: 0 };
    }
    const ack = { acknowledgedAt: scope.now, acknowledgedBy: scope.actorId };
    await tx
      .update(slaAlerts)
      .set({ ...ack, escalateAt: null })
      .where(and(eq(slaAlerts.tenantId, scope.tenantId), inArray(slaAlerts.id, [...new Set([head.id, clicked.id])])));
    await tx.update(slaAlerts).set({ escalateAt: null }).where(chain);
    const cancelled = await tx
      .update(slaAlerts)
      .set({ status: 'cancelled', cancelReason: 'the breach was acknowledged', claimedBy: null, claimedUntil: null })
      .where(and(chain, eq(slaAlerts.kind, 'escalation'), eq(slaAlerts.status, 'pending')))
      .returning({ id: slaAlerts.id });
    return {
      alert: { ...clicked, ...ack, escalateAt: null },
      acknowledged: true,
      acknowledgedBy: scope.actorId,
      cancelledEscalations: cancelled.length,
    };
  });
}

export interface BreachFlags {
  firstResponse: boolean;
  resolution: boolean;
  /** The requester's current wait for an answer breached (false once they are answered). */
  nextResponse: boolean;
}

/** Which clocks of the ticket's current cycle had a breach announced: the card shows them. */
export async function ticketBreaches(
  db: Db,
  ticket: Pick<Ticket, 'tenantId' | 'id' | 'slaCycle' | 'nextResponseRound' | 'nextResponseStartedAt'>,
): Promise<BreachFlags> {
  const rows = await db
    .select({ clock: slaAlerts.clock, cycle: slaAlerts.cycle })
    .from(slaAlerts)
    .where(and(eq(slaAlerts.tenantId, ticket.tenantId), eq(slaAlerts.ticketId, ticket.id), eq(slaAlerts.kind, 'breach'), eq(slaAlerts.status, 'delivered')));
  return {
    firstResponse: rows.some((r) => r.clock === 'first_response'),
    resolution: rows.some((r) => r.clock === 'resolution' && r.cycle === ticket.slaCycle),
    nextResponse:
      ticket.nextResponseStartedAt !== null && rows.some((r) => r.clock === 'next_response' && r.cycle === ticket.nextResponseRound),
  };
}
