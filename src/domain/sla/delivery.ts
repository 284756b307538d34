import { performance } from 'node:perf_hooks';
import { and, eq, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { slaAlerts, slaPolicies, tenants, tickets } from '../../db/schema/index.js';
import { ticketColumns, type Ticket } from '../tickets/queries.js';
import { clockInstants, whyStale, type SlaAlert } from './alerts.js';
import type { BusinessCalendar } from './calendar.js';
import { clockArithmetic } from './clock.js';

/**
 * Delivery empties the alert ledger into Slack, exactly once per row as far as the
 * platform allows:
 *
 * - A replica claims due rows with a lease (`claimed_by`, `claimed_until`) in one
 *   `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`: replicas never claim the
 *   same row, and a crashed replica's lease runs out so another one takes over.
 * - Per channel, alerts go in ledger order (deadline, then creation): a replica sends only
 *   the rows that head their channel's queue and releases the rest, so an alert waiting
 *   for a retry holds back the ones behind it.
 * - A row is marked delivered, with the message ts, right after Slack accepted it. The
 *   one window for a repeat: a crash (or a lost answer) after Slack accepted the message
 *   and before that mark; the lease then runs out and the alert is sent again.
 * - Failures are recorded on the row (attempts, last error) and retried later: after
 *   Slack's `Retry-After` on a 429, else with exponential backoff. Nothing is dropped.
 */

/** More alerts than this for one channel in one run go out as digests. */
export const SLA_DIGEST_AFTER = 3;
/**
 * Alerts listed in one digest message. Not the 50 blocks a message may hold: Slack refuses a
 * message past about 12,000 characters of block text, and 40 alert lines came to ~15,000.
 * Twenty keep a digest under 9,000 (see slaDigestMessage).
 */
export const SLA_DIGEST_MAX = 20;
/** Slack's `chat.postMessage` allows about one message per second per channel. */
export const SLA_CHANNEL_INTERVAL_MS = 1000;

/** An alert ready to render: the ledger row, its ticket, and how late (or early) it is. */
export interface DeliverableAlert {
  alert: SlaAlert;
  channelId: string;
  ticket: Ticket;
  /** Breach and escalation: minutes past the deadline; warning: minutes left. */
  minutes: number;
  /** The minutes are business minutes (the policy counts business hours only). */
  businessTime: boolean;
  /** The tenant's escalation maximum, for "escalation 2 of 3". */
  escalationMax: number;
}

/** The Slack side of delivery; `src/slack/alerts.ts` implements it. */
export interface SlaAlertSender {
  /** Posts one message for `alerts` (one alert, or a digest of several) to the channel; resolves to its ts. */
  send(channelId: string, alerts: DeliverableAlert[]): Promise<{ ts: string }>;
  /** After the ledger recorded the delivery (the ticket cards show breaches). Must not throw. */
  delivered?(alerts: DeliverableAlert[]): void;
}

/** A failed send; `retryAfterMs` when Slack said when to come back (HTTP 429 `Retry-After`). */
export class SlaDeliveryError extends Error {
  override name = 'SlaDeliveryError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  /** Delay after the first failure; doubles with every further attempt ... */
  baseMs: number;
  /** ... up to this. */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 5_000, maxMs: 10 * 60_000 };

export function retryDelay(attempts: number, policy: RetryPolicy, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.max(retryAfterMs, 0);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Keeps messages to one channel at least `intervalMs` apart, across delivery runs of a process. */
export interface ChannelPacer {
  wait(channelId: string): Promise<void>;
}

export function createChannelPacer(
  options: { intervalMs?: number; sleep?: (ms: number) => Promise<void>; clock?: () => number } = {},
): ChannelPacer {
  const intervalMs = options.intervalMs ?? SLA_CHANNEL_INTERVAL_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clock = options.clock ?? (() => performance.now());
  const last = new Map<string, number>();
  return {
    async wait(channelId) {
      const previous = last.get(channelId);
      if (previous !== undefined) {
        const wait = previous + intervalMs - clock();
        if (wait > 0) await sleep(wait);
      }
      last.set(channelId, clock());
    },
  };
}

export interface DeliveryOptions {
  db: Db;
  /** Undefined when Slack is not configured: nothing is claimed, the ledger keeps everything. */
  slack: SlaAlertSender | undefined;
  now: Date | (() => Date);
  /** Who holds the claims (host and process id, say). */
  replicaId: string;
  /** Pace across runs by passing the same pacer; `pause` makes a fresh one with that sleep. */
  pacer?: ChannelPacer;
  pause?: (ms: number) => Promise<void>;
  retry?: RetryPolicy;
  /** How long a claim holds; far longer than a run takes. */
  leaseMs?: number;
  /** Rows claimed per tenant and run. */
  batch?: number;
  /** Channels served at once. */
  concurrency?: number;
  /** Deliver only these tenants' alerts (a test); all by default. */
  tenantIds?: string[];
}

export interface DeliveryResult {
  /** Alerts delivered, and the messages that carried them. */
  delivered: number;
  messages: number;
  failed: number;
  cancelled: number;
  /** Claimed but handed back (another alert heads their channel's queue). */
  released: number;
  /** When this run wants another: the earliest retry it scheduled, or now when it left work behind. */
  retryAt: Date | null;
  /** Tenants whose delivery broke off (a database error); their claims run out and are retried. */
  failures: Array<{ tenantId: string; error: unknown }>;
}

const DEFAULT_LEASE_MS = 2 * 60_000;
const DEFAULT_BATCH = 200;

export async function deliverSlaAlerts(options: DeliveryOptions): Promise<DeliveryResult> {
  const result: DeliveryResult = { delivered: 0, messages: 0, failed: 0, cancelled: 0, released: 0, retryAt: null, failures: [] };
  if (!options.slack) return result;
  // The one read across tenants (as in the sweep); every claim is per tenant.
  const all = await options.db
    .select({
      tenantId: tenants.tenantId,
      businessCalendar: tenants.businessCalendar,
      escalationIntervalMinutes: tenants.escalationIntervalMinutes,
      escalationMax: tenants.escalationMax,
    })
    .from(tenants)
    .where(options.tenantIds ? inArray(tenants.tenantId, options.tenantIds) : undefined);
  const run = new DeliveryRun(options, options.slack, result);
  for (const tenant of all) {
    try {
      await run.tenant(tenant);
    } catch (error) {
      result.failures.push({ tenantId: tenant.tenantId, error });
    }
  }
  return result;
}

interface TenantSettings {
  tenantId: string;
  businessCalendar: BusinessCalendar;
  escalationIntervalMinutes: number;
  escalationMax: number;
}

class DeliveryRun {
  private readonly db: Db;
  private readonly clock: () => Date;
  private readonly pacer: ChannelPacer;
  private readonly retry: RetryPolicy;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly concurrency: number;

  constructor(
    private readonly options: DeliveryOptions,
    private readonly sender: SlaAlertSender,
    private readonly result: DeliveryResult,
  ) {
    this.db = options.db;
    const now = options.now;
    this.clock = typeof now === 'function' ? now : () => now;
    this.pacer = options.pacer ?? createChannelPacer(options.pause ? { sleep: options.pause } : {});
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.batch = options.batch ?? DEFAULT_BATCH;
    this.concurrency = options.concurrency ?? 4;
  }

  async tenant(tenant: TenantSettings): Promise<void> {
    const at = this.clock();
    const claimed = await claimSlaAlerts(this.db, tenant.tenantId, this.options.replicaId, at, this.leaseMs, this.batch);
    if (claimed.length === 0) return;
    if (claimed.length === this.batch) this.wantRetryAt(at);

    const { ready, stale } = await this.prepare(tenant, claimed, at);
    await this.cancel(tenant.tenantId, stale);

    const byChannel = new Map<string, DeliverableAlert[]>();
    for (const alert of ready) byChannel.set(alert.channelId, [...(byChannel.get(alert.channelId) ?? []), alert]);
    const queues = [...byChannel.entries()];
    const workers = Array.from({ length: Math.min(this.concurrency, queues.length) }, async () => {
      for (let next = queues.shift(); next; next = queues.shift()) await this.channel(tenant, next[0], next[1]);
    });
    const failed = (await Promise.allSettled(workers)).find((w) => w.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Loads the tickets, drops (and explains) what went stale, and measures the rest. */
  private async prepare(tenant: TenantSettings, claimed: SlaAlert[], at: Date) {
    const ticketIds = [...new Set(claimed.map((a) => a.ticketId))];
    const [ticketRows, breaches] = await Promise.all([
      this.db
        .select({ ticket: ticketColumns, businessHoursOnly: slaPolicies.businessHoursOnly })
        .from(tickets)
        .leftJoin(slaPolicies, and(eq(slaPolicies.tenantId, tickets.tenantId), eq(slaPolicies.id, tickets.slaPolicyId)))
        .where(and(eq(tickets.tenantId, tenant.tenantId), inArray(tickets.id, ticketIds))),
      this.db
        .select({ ticketId: slaAlerts.ticketId, clock: slaAlerts.clock, cycle: slaAlerts.cycle, acknowledgedAt: slaAlerts.acknowledgedAt })
        .from(slaAlerts)
        .where(
          and(
            eq(slaAlerts.tenantId, tenant.tenantId),
            inArray(slaAlerts.ticketId, ticketIds),
            eq(slaAlerts.kind, 'breach'),
            ne(slaAlerts.status, 'cancelled'),
          ),
        ),
    ]);
    const byTicket = new Map(ticketRows.map((r) => [r.ticket.id, r]));
    const ready: DeliverableAlert[] = [];
    const stale: Array<{ id: string; reason: string }> = [];
    for (const alert of claimed) {
      const row = byTicket.get(alert.ticketId)!;
      const breach = breaches.find((b) => b.ticketId === alert.ticketId && b.clock === alert.clock && b.cycle === alert.cycle);
      const reason = whyStale(alert, row.ticket, { breached: Boolean(breach), acknowledged: Boolean(breach?.acknowledgedAt) }, at);
      if (reason) {
        stale.push({ id: alert.id, reason });
        continue;
      }
      const businessTime = Boolean(row.businessHoursOnly);
      const clock = clockArithmetic({ businessHoursOnly: businessTime }, tenant.businessCalendar);
      const deadline = clockInstants(row.ticket, alert.clock).deadline ?? alert.deadlineAt;
      const minutes = alert.kind === 'warning' ? clock.between(at, deadline) : clock.between(deadline, at);
      ready.push({ alert, channelId: alert.channelId!, ticket: row.ticket, minutes, businessTime, escalationMax: tenant.escalationMax });
    }
    return { ready, stale };
  }

  private async cancel(tenantId: string, stale: Array<{ id: string; reason: string }>): Promise<void> {
    for (const reason of new Set(stale.map((s) => s.reason))) {
      const ids = stale.filter((s) => s.reason === reason).map((s) => s.id);
      await this.db
        .update(slaAlerts)
        .set({ status: 'cancelled', cancelReason: reason, claimedBy: null, claimedUntil: null, escalateAt: null })
        .where(and(eq(slaAlerts.tenantId, tenantId), inArray(slaAlerts.id, ids), eq(slaAlerts.status, 'pending')));
    }
    this.result.cancelled += stale.length;
  }

  /** One channel: its share of the queue head, as single messages or digests, paced. */
  private async channel(tenant: TenantSettings, channelId: string, mine: DeliverableAlert[]): Promise<void> {
    mine.sort((a, b) => compareQueue(a.alert, b.alert));
    const head = await this.db
      .select({ id: slaAlerts.id })
      .from(slaAlerts)
      .where(and(eq(slaAlerts.tenantId, tenant.tenantId), eq(slaAlerts.channelId, channelId), eq(slaAlerts.status, 'pending')))
      .orderBy(slaAlerts.deadlineAt, slaAlerts.createdAt, slaAlerts.id)
      .limit(mine.length);
    let sendable = 0;
    while (sendable < mine.length && head[sendable]?.id === mine[sendable]!.alert.id) sendable += 1;
    const messages = chunk(mine.slice(0, sendable), sendable > SLA_DIGEST_AFTER ? SLA_DIGEST_MAX : 1);
    let unsent = mine.slice(sendable);
    for (const [index, alerts] of messages.entries()) {
      await this.pacer.wait(channelId);
      let ts: string;
      try {
        ({ ts } = await this.sender.send(channelId, alerts));
      } catch (error) {
        await this.recordFailure(tenant.tenantId, alerts, error);
        unsent = [...messages.slice(index + 1).flat(), ...unsent];
        break;
      }
      // Should this fail, the claims stay until their lease runs out: the crash window.
      await this.recordDelivered(tenant, alerts, ts);
    }
    await this.release(tenant.tenantId, unsent.map((a) => a.alert.id));
  }

  private async recordDelivered(tenant: TenantSettings, alerts: DeliverableAlert[], ts: string): Promise<void> {
    const at = this.clock();
    const escalateAt = new Date(at.getTime() + tenant.escalationIntervalMinutes * 60_000).toISOString();
    await this.db
      .update(slaAlerts)
      .set({
        status: 'delivered',
        deliveredAt: at,
        slackMessageTs: ts,
        attempts: sql`${slaAlerts.attempts} + 1`,
        lastError: null,
        // `claimed_by` stays: which replica sent it.
        claimedUntil: null,
        // Each re-announcement comes one interval after the previous one went out.
        escalateAt: sql`case when ${slaAlerts.kind} <> 'warning' and ${slaAlerts.sequence} < ${tenant.escalationMax} then ${escalateAt}::timestamptz end`,
      })
      .where(and(eq(slaAlerts.tenantId, tenant.tenantId), inArray(slaAlerts.id, alerts.map((a) => a.alert.id)), eq(slaAlerts.status, 'pending')));
    this.result.delivered += alerts.length;
    this.result.messages += 1;
    try {
      this.sender.delivered?.(alerts);
    } catch {
      // The delivery is recorded; what follows it is best effort.
    }
  }

  private async recordFailure(tenantId: string, alerts: DeliverableAlert[], error: unknown): Promise<void> {
    const at = this.clock();
    const attempts = Math.max(...alerts.map((a) => a.alert.attempts)) + 1;
    const retryAfterMs = error instanceof SlaDeliveryError ? error.retryAfterMs : undefined;
    const next = new Date(at.getTime() + retryDelay(attempts, this.retry, retryAfterMs));
    const message = error instanceof Error ? error.message : String(error);
    await this.db
      .update(slaAlerts)
      .set({
        attempts: sql`${slaAlerts.attempts} + 1`,
        nextAttemptAt: next,
        lastError: message.slice(0, 500),
        claimedBy: null,
        claimedUntil: null,
      })
      .where(and(eq(slaAlerts.tenantId, tenantId), inArray(slaAlerts.id, alerts.map((a) => a.alert.id)), eq(slaAlerts.claimedBy, this.options.replicaId)));
    this.result.failed += alerts.length;
    this.wantRetryAt(next);
  }

  private async release(tenantId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(slaAlerts)
      .set({ claimedBy: null, claimedUntil: null })
      .where(and(eq(slaAlerts.tenantId, tenantId), inArray(slaAlerts.id, ids), eq(slaAlerts.claimedBy, this.options.replicaId)));
    this.result.released += ids.length;
  }

  private wantRetryAt(at: Date): void {
    if (!this.result.retryAt || at < this.result.retryAt) this.result.retryAt = at;
  }
}

/**
 * Claims up to `batch` due, routed, unclaimed rows of one tenant for `replicaId`, in queue
 * order. `SKIP LOCKED`: rows another replica is claiming at this moment are left to it.
 */
export async function claimSlaAlerts(db: Db, tenantId: string, replicaId: string, at: Date, leaseMs: number, batch: number): Promise<SlaAlert[]> {
  const due = db
    .select({ id: slaAlerts.id })
    .from(slaAlerts)
    .where(
      and(
        eq(slaAlerts.tenantId, tenantId),
        eq(slaAlerts.status, 'pending'),
        isNotNull(slaAlerts.channelId),
        lte(slaAlerts.nextAttemptAt, at),
        or(isNull(slaAlerts.claimedUntil), lte(slaAlerts.claimedUntil, at)),
      ),
    )
    .orderBy(slaAlerts.deadlineAt, slaAlerts.createdAt, slaAlerts.id)
    .limit(batch)
    .for('update', { skipLocked: true });
  return db
    .update(slaAlerts)
    .set({ claimedBy: replicaId, claimedUntil: new Date(at.getTime() + leaseMs) })
    .where(and(eq(slaAlerts.tenantId, tenantId), inArray(slaAlerts.id, due)))
    .returning();
}

function compareQueue(a: SlaAlert, b: SlaAlert): number {
  return a.deadlineAt.getTime() - b.deadlineAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

