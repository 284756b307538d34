import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { schedule, type ScheduledTask } from 'node-cron';
import type { Db } from '../db/client.js';
import { isDatabaseUnavailable, rootCause } from '../db/errors.js';
import { slaInstantNowDue } from '../domain/sla/clock.js';
import {
  createChannelPacer,
  deliverSlaAlerts,
  type DeliveryOptions,
  type DeliveryResult,
  type SlaAlertSender,
} from '../domain/sla/delivery.js';
import { runSlaSweep, type SlaSweepResult } from '../domain/sla/sweep.js';
import type { TicketChangeListener } from '../domain/tickets/tickets.js';
import type { Logger } from '../log.js';

/**
 * Schedules the SLA alert engine: node-cron fires the sweep (fill the alert ledger) and the
 * delivery (empty it into Slack); both are plain functions of the database and `now`.
 * The cron expression is evaluated in UTC. One run at start-up catches up what fell due
 * while the service was down (node-cron itself never catches up missed runs).
 *
 * Replicas each run this: they share the ledger, whose unique key and claims make every
 * alert go out once (see `src/domain/sla/delivery.ts`), so no cron coordination is needed.
 */

export interface SlaSchedulerOptions {
  db: Db;
  /** Undefined when Slack is not configured: the ledger fills, delivery waits. */
  slack: SlaAlertSender | undefined;
  /** node-cron expression, 5 fields or 6 with seconds; null schedules nothing (runs only on request). */
  cron: string | null;
  log: Logger;
  now?: () => Date;
  /** Names this process in the ledger's claims. */
  replicaId?: string;
  /** Sweep once right away (default true). */
  sweepAtStart?: boolean;
  /** How long `poke()` waits for more changes before running (default 200 ms). */
  pokeDelayMs?: number;
  delivery?: Pick<DeliveryOptions, 'pause' | 'retry' | 'leaseMs' | 'batch' | 'concurrency'>;
}

export interface SlaRunResult {
  sweep: SlaSweepResult;
  /** Null when Slack is not configured. */
  delivery: DeliveryResult | null;
}

export interface SlaScheduler {
  /** Sweeps and delivers now (after a run in progress); concurrent requests share the next run. */
  runNow(): Promise<SlaRunResult>;
  /** A run soon, debounced: for a change that made an alert due. */
  poke(): void;
  /** Ticket change listener: pokes when a change made an SLA instant due (a priority change into the past). */
  onTicketChange: TicketChangeListener;
  /** Resolves once no run is in progress or waiting. */
  idle(): Promise<void>;
  /** Stops the schedule and waits for a run in progress. */
  stop(): Promise<void>;
}

function throwIfUnavailable(failures: ReadonlyArray<{ error: unknown }>): void {
  const outage = failures.find((failure) => isDatabaseUnavailable(failure.error));
  if (outage) throw outage.error;
}

/** A failed delivery is retried this soon at the earliest, whatever the ledger says. */
const MIN_RETRY_DELAY_MS = 50;

export function startSlaScheduler(options: SlaSchedulerOptions): SlaScheduler {
  const { db, slack, log } = options;
  const now = options.now ?? (() => new Date());
  const replicaId = options.replicaId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pacer = createChannelPacer(options.delivery?.pause ? { sleep: options.delivery.pause } : {});
  let stopped = false;
  let chain: Promise<unknown> = Promise.resolve();
  let waiting: Promise<SlaRunResult> | null = null;
  let pokeTimer: NodeJS.Timeout | undefined;
  let retryTimer: { timer: NodeJS.Timeout; at: number } | undefined;

  const run = async (): Promise<SlaRunResult> => {
    const sweep = await runSlaSweep({ db, now: now() });
    // The database went away mid-sweep: the whole run is skipped, reported once below, not per tenant.
    throwIfUnavailable(sweep.failures);
    for (const failure of sweep.failures) {
      log.error('sla: sweep failed for a tenant; it is swept again next time', {
        tenantId: failure.tenantId,
        error: failure.error instanceof Error ? failure.error.message : String(failure.error),
      });
    }
    const created = sweep.created.warning + sweep.created.breach + sweep.created.escalation;
    if (created > 0) log.info('sla: alerts due', { ...sweep.created });
    if (!slack) return { sweep, delivery: null };
    const delivery = await deliverSlaAlerts({ db, slack, now, replicaId, pacer, ...options.delivery });
    throwIfUnavailable(delivery.failures);
    for (const failure of delivery.failures) {
      log.error('sla: delivery broke off for a tenant; its alerts are retried', {
        tenantId: failure.tenantId,
        error: failure.error instanceof Error ? failure.error.message : String(failure.error),
      });
    }
    if (delivery.failed > 0) log.warn('sla: Slack did not take some alerts; they are retried', { failed: delivery.failed, retryAt: delivery.retryAt?.toISOString() });
    if (delivery.retryAt) retryAt(delivery.retryAt);
    return { sweep, delivery };
  };

  const runNow = (): Promise<SlaRunResult> => {
    if (waiting) return waiting;
    const next = chain.then(() => {
      waiting = null;
      return run();
    });
    waiting = next;
    chain = next.catch(() => {});
    return next;
  };

  // While the database is down every tick fails the same way: one line when it goes, one when it is back.
  let databaseDown = false;
  const runLogged = (why: string) => {
    if (stopped) return Promise.resolve();
    return runNow().then(
      () => {
        if (!databaseDown) return;
        databaseDown = false;
        log.info('sla: the database is back; runs resume');
      },
      (error: unknown) => {
        if (isDatabaseUnavailable(error)) {
          if (databaseDown) return;
          databaseDown = true;
          log.warn('sla: the database is unavailable; runs are skipped until it is back (alerts due meanwhile go out then)', {
            error: String(rootCause(error)),
          });
          return;
        }
        log.error(`sla: ${why} run failed`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      },
    );
  };

  /** A delivery that failed wants another go before the next cron run, perhaps. */
  const retryAt = (at: Date) => {
    const due = at.getTime();
    if (stopped || (retryTimer && retryTimer.at <= due)) return;
    if (retryTimer) clearTimeout(retryTimer.timer);
    const delay = Math.max(MIN_RETRY_DELAY_MS, due - now().getTime());
    const timer = setTimeout(() => {
      retryTimer = undefined;
      void runLogged('retry');
    }, delay);
    timer.unref();
    retryTimer = { timer, at: due };
  };

  let task: ScheduledTask | undefined;
  if (options.cron) {
    task = schedule(options.cron, () => runLogged('scheduled'), {
      name: 'sla-sweep',
      timezone: 'Etc/UTC',
      noOverlap: true,
      logger: {
        info: (m) => log.debug(`node-cron: ${m}`),
        debug: (m) => log.debug(`node-cron: ${String(m)}`),
        warn: (m) => log.debug(`node-cron: ${m}`),
        error: (m, e) => log.error(`node-cron: ${String(m)}`, e ? { error: e.message } : undefined),
      },
    });
  }
  if (options.sweepAtStart ?? true) void runLogged('start-up');

  const poke = () => {
    if (stopped || pokeTimer) return;
    pokeTimer = setTimeout(() => {
      pokeTimer = undefined;
      void runLogged('poked');
    }, options.pokeDelayMs ?? 200);
    pokeTimer.unref();
  };

  return {
    runNow,
    poke,
    onTicketChange(event) {
      if (slaInstantNowDue(event.previous, event.ticket, event.scope.now)) poke();
    },
    async idle() {
      while (waiting || pokeTimer) await Promise.all([chain, pokeTimer ? new Promise((r) => setTimeout(r, 10)) : null]);
      await chain;
    },
    async stop() {
      stopped = true;
      clearTimeout(pokeTimer);
      pokeTimer = undefined;
      if (retryTimer) clearTimeout(retryTimer.timer);
      retryTimer = undefined;
      await task?.destroy();
      await chain;
    },
  };
}
