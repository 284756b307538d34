import { webApi } from '@slack/bolt';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import { slaAlerts } from '../../src/db/schema/index.js';
import { deliverSlaAlerts, type RetryPolicy } from '../../src/domain/sla/delivery.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { runSlaSweep } from '../../src/domain/sla/sweep.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { claimTicket, createTicket } from '../../src/domain/tickets/tickets.js';
import { createLogger } from '../../src/log.js';
import { createSlackAlertSender, SLA_ALERT_EVENT_TYPE } from '../../src/slack/alerts.js';
import { createPostgresDatabase, newTenantId } from '../support/databases.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack.js';
import { scopeFor } from '../support/scope.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const REPLICAS = 3;
const CHANNELS = ['C0DESK1', 'C0DESK2', 'C0DESK3', 'C0DESK4'];

/**
 * Several app replicas against one real PostgreSQL: each with its own connection pool,
 * sweeping and delivering in a loop, all posting to one fake Slack.
 */
describe('SLA alerts with several replicas [postgres]', () => {
  let setup: Database & { url: string };
  let replicas: Database[] = [];
  let fake: FakeSlack;

  beforeAll(async () => {
    setup = await createPostgresDatabase({ migrated: true, poolMax: 4 });
    replicas = await Promise.all(Array.from({ length: REPLICAS }, () => openDatabase({ databaseUrl: setup.url, poolMax: 3 })));
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    await fake?.close();
    for (const replica of replicas) await replica.close();
    await setup?.close();
  });

  /** A tenant whose tickets go to the four channels in turn (one team each). */
  async function workspace(settings: Record<string, unknown> = {}) {
    const tenantId = newTenantId();
    const admin = scopeFor(tenantId, 'per_admin', new Date('2026-01-01T00:00:00Z'));
    const teams = [];
    for (const [index, channel] of CHANNELS.entries()) {
      teams.push(await createTeam(setup.db, admin, { name: `Team ${index}`, slack_channel_id: channel }));
    }
    await updateTenantSettings(setup.db, admin, settings);
    await createSlaPolicy(setup.db, admin, {
      name: 'Fast',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 2,
      resolution_minutes: 5,
    });
    return { tenantId, teams };
  }

  /** Replica `i`'s loop: sweep, deliver, sleep a little, until told to stop. */
  function runReplicas(tenantId: string, now: () => Date, retry: RetryPolicy, stop: () => boolean) {
    const log = createLogger('error', () => {});
    return Promise.all(
      replicas.map(async (replica, index) => {
        const client = new webApi.WebClient('xoxb-replica', { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
        const slack = createSlackAlertSender({ db: replica.db, client, log });
        while (!stop()) {
          await runSlaSweep({ db: replica.db, now: now(), tenantIds: [tenantId] });
          await deliverSlaAlerts({
            db: replica.db,
            slack,
            now,
            replicaId: `replica-${index}`,
            retry,
            tenantIds: [tenantId],
            pause: (ms) => sleep(ms / 20),
          });
          await sleep(50 + Math.random() * 150);
        }
      }),
    );
  }

  const alertPosts = () =>
    fake.callsTo('chat.postMessage').filter((c) => (c.args.metadata as { event_type?: string } | undefined)?.event_type === SLA_ALERT_EVENT_TYPE);
  const idsOf = (call: FakeSlackCall) =>
    String((call.args.metadata as { event_payload: { alert_ids: string } }).event_payload.alert_ids).split(',');

  async function ledger(db: Db, tenantId: string) {
    return db
      .select()
      .from(slaAlerts)
      .where(eq(slaAlerts.tenantId, tenantId))
      .orderBy(asc(slaAlerts.deadlineAt), asc(slaAlerts.createdAt), asc(slaAlerts.id));
  }

  async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  it('alerts every breach and escalation exactly once while tickets breach under three sweepers', { timeout: 90_000 }, async () => {
    fake.reset();
    const { tenantId, teams } = await workspace({ escalation_interval_minutes: 3, escalation_max: 1 });
    // Virtual time: a real second is a minute, shared by everyone.
    const origin = Date.now();
    const virtualStart = new Date('2026-03-02T10:00:00Z').getTime();
    const now = () => new Date(virtualStart + (Date.now() - origin) * 60);
    let stopping = false;
    const running = runReplicas(tenantId, now, { baseMs: 5_000, maxMs: 30_000 }, () => stopping);

    const tickets: string[] = [];
    for (let i = 0; i < 24; i++) {
      const ticket = await createTicket(setup.db, scopeFor(tenantId, 'per_requester', now()), {
        title: `Outage ${i}`,
        type: 'incident',
        priority: 'high',
        team_id: teams[i % teams.length]!.id,
      });
      tickets.push(ticket.id);
      await sleep(150);
    }
    try {
      // Every ticket: both breaches (2 and 5 minutes in) and one escalation each, 3 minutes after.
      await until(
        async () => (await ledger(setup.db, tenantId)).filter((r) => r.kind !== 'warning' && r.status === 'delivered').length === tickets.length * 4,
        60_000,
        'every breach and escalation to be delivered',
      );
    } finally {
      stopping = true;
      await running;
    }

    const rows = await ledger(setup.db, tenantId);
    const posts = alertPosts();
    const sentIds = posts.flatMap(idsOf);
    // Exactly once: no alert in two messages, and every delivered row in one.
    expect(sentIds.length).toBe(new Set(sentIds).size);
    expect(new Set(sentIds)).toEqual(new Set(rows.filter((r) => r.status === 'delivered').map((r) => r.id)));
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    // None missed: per ticket, the two breaches and their escalations, each once.
    for (const ticketId of tickets) {
      const delivered = rows.filter((r) => r.ticketId === ticketId && r.kind !== 'warning' && r.status === 'delivered');
      expect(delivered.map((r) => `${r.kind}${r.sequence} ${r.clock}`).sort()).toEqual([
        'breach0 first_response',
        'breach0 resolution',
        'escalation1 first_response',
        'escalation1 resolution',
      ]);
    }
    // Only warnings are ever dropped (the breach overtook them), and none came after its breach.
    expect(rows.filter((r) => r.status === 'cancelled').every((r) => r.kind === 'warning' && r.cancelReason === 'the breach superseded it')).toBe(true);
    const position = new Map(sentIds.map((id, index) => [id, index]));
    for (const warning of rows.filter((r) => r.kind === 'warning' && r.status === 'delivered')) {
      const breach = rows.find((r) => r.ticketId === warning.ticketId && r.clock === warning.clock && r.kind === 'breach')!;
      expect(position.get(warning.id)!).toBeLessThan(position.get(breach.id)!);
    }
    // Every replica took part, and no claim is left behind.
    expect(new Set(rows.filter((r) => r.status === 'delivered').map((r) => r.claimedBy))).toEqual(new Set(['replica-0', 'replica-1', 'replica-2']));
    expect(rows.every((r) => r.claimedUntil === null)).toBe(true);
  });

  it('delivers everything once and in order per channel while Slack answers 429 and 500', { timeout: 60_000 }, async () => {
    fake.reset();
    const { tenantId, teams } = await workspace();
    // Per channel: one ticket already responded to (its resolution breach) and one ignored
    // (both breaches), all past their deadlines before any replica starts.
    const past = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    for (const [index, team] of teams.entries()) {
      const ignored = await createTicket(setup.db, scopeFor(tenantId, 'per_requester', past(30 - index)), { title: `Ignored ${index}`, type: 'incident', priority: 'high', team_id: team.id });
      const claimed = await createTicket(setup.db, scopeFor(tenantId, 'per_requester', past(20 - index)), { title: `Claimed ${index}`, type: 'incident', priority: 'high', team_id: team.id });
      await claimTicket(setup.db, scopeFor(tenantId, 'per_agent', past(19 - index)), claimed.id);
      void ignored;
    }
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 2);
    fake.failNext('chat.postMessage', { status: 500 }, 3);

    let stopping = false;
    const running = runReplicas(tenantId, () => new Date(), { baseMs: 300, maxMs: 1_000 }, () => stopping);
    try {
      await until(
        async () => {
          const rows = await ledger(setup.db, tenantId);
          return rows.length === 12 && rows.every((r) => r.status === 'delivered');
        },
        30_000,
        'all twelve breaches to be delivered',
      );
    } finally {
      stopping = true;
      await running;
    }

    const rows = await ledger(setup.db, tenantId);
    const posts = alertPosts();
    const failed = posts.slice(0, 5);
    const accepted = posts.slice(5);
    expect(rows.filter((r) => r.attempts > 1).length).toBeGreaterThanOrEqual(1);
    const sentIds = accepted.flatMap(idsOf);
    expect(sentIds.length).toBe(12);
    expect(new Set(sentIds)).toEqual(new Set(rows.map((r) => r.id)));
    // In order per channel: the ledger's order (deadline, then creation).
    for (const channel of CHANNELS) {
      const expected = rows.filter((r) => r.channelId === channel).map((r) => r.id);
      const delivered = accepted.filter((c) => c.args.channel === channel).flatMap(idsOf);
      expect(delivered, channel).toEqual(expected);
    }
    // Retry-After honoured: nothing more went to a rate-limited channel for a second.
    for (const limited of failed.slice(0, 2)) {
      const next = posts.find((c) => c.args.channel === limited.args.channel && c.at > limited.at);
      expect(next, `a retry in ${String(limited.args.channel)}`).toBeDefined();
      expect(next!.at.getTime() - limited.at.getTime()).toBeGreaterThanOrEqual(950);
    }
    expect(rows.some((r) => r.lastError === null && r.attempts > 1)).toBe(true);
  });
});
