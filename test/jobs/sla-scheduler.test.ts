import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { slaAlerts } from '../../src/db/schema/index.js';
import type { SlaAlertSender } from '../../src/domain/sla/delivery.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { createTicket } from '../../src/domain/tickets/tickets.js';
import { startSlaScheduler } from '../../src/jobs/sla.js';
import { createLogger } from '../../src/log.js';
import { createPgliteDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('SLA scheduler', () => {
  let database: Database;
  const quiet = createLogger('error', () => {});

  beforeAll(async () => {
    database = await createPgliteDatabase({ migrated: true });
  });
  afterAll(async () => {
    await database?.close();
  });

  /** A tenant with one ticket whose first response was due ten minutes ago. */
  async function overdueTicket() {
    const tenantId = newTenantId();
    const past = new Date(Date.now() - 40 * 60_000);
    const admin = scopeFor(tenantId, 'per_admin', past);
    const team = await createTeam(database.db, admin, { name: 'Desk', slack_channel_id: 'C0DESK' });
    await updateTenantSettings(database.db, admin, { default_team_id: team.id });
    await createSlaPolicy(database.db, admin, { name: 'P', applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 600 });
    await createTicket(database.db, scopeFor(tenantId, 'per_requester', past), { title: 'Down', type: 'incident', priority: 'high' });
    const alerts = () => database.db.select().from(slaAlerts).where(eq(slaAlerts.tenantId, tenantId));
    return { tenantId, alerts };
  }

  async function until(condition: () => Promise<boolean>, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await sleep(25);
    }
  }

  it('sweeps once at start-up, catching up what fell due while it was down', async () => {
    const { alerts } = await overdueTicket();
    const scheduler = startSlaScheduler({ db: database.db, slack: undefined, cron: null, log: quiet });
    try {
      await until(async () => (await alerts()).length === 1);
      await scheduler.idle();
      expect((await alerts())[0]).toMatchObject({ kind: 'breach', status: 'pending' });
    } finally {
      await scheduler.stop();
    }
  });

  it('runs on a six-field cron expression (seconds) and delivers once Slack is there', async () => {
    const { alerts } = await overdueTicket();
    const sent: string[] = [];
    const slack: SlaAlertSender = {
      async send(_channel, batch) {
        sent.push(...batch.map((a) => a.alert.id));
        return { ts: `1700000000.${String(sent.length).padStart(6, '0')}` };
      },
    };
    const scheduler = startSlaScheduler({ db: database.db, slack, cron: '* * * * * *', log: quiet, sweepAtStart: false, delivery: { pause: async () => {} } });
    try {
      await until(async () => (await alerts()).some((a) => a.status === 'delivered'), 5000);
      const [row] = await alerts();
      expect(sent.filter((id) => id === row!.id)).toHaveLength(1);
    } finally {
      await scheduler.stop();
    }
  });

  it('retries a failed delivery before the next cron run, after the backoff', async () => {
    const { alerts } = await overdueTicket();
    let calls = 0;
    const slack: SlaAlertSender = {
      async send() {
        calls += 1;
        if (calls === 1) throw new Error('Slack is down');
        return { ts: '1700000000.000001' };
      },
    };
    // No cron at all: only the retry timer can deliver it.
    const scheduler = startSlaScheduler({
      db: database.db,
      slack,
      cron: null,
      log: quiet,
      delivery: { pause: async () => {}, retry: { baseMs: 100, maxMs: 100 } },
    });
    try {
      await until(async () => (await alerts()).some((a) => a.status === 'delivered'), 5000);
      expect((await alerts())[0]).toMatchObject({ attempts: 2, lastError: null });
    } finally {
      await scheduler.stop();
    }
  });

  it('stop() waits for the run in progress', async () => {
    const { alerts } = await overdueTicket();
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let sent = false;
    const slack: SlaAlertSender = {
      async send() {
        started = true;
        await slow;
        sent = true;
        return { ts: '1700000000.000001' };
      },
    };
    const scheduler = startSlaScheduler({ db: database.db, slack, cron: null, log: quiet, delivery: { pause: async () => {} } });
    await until(async () => started);
    // stop() resolves only after the delivery in flight has finished.
    const stopping = scheduler.stop().then(() => sent);
    // Turns of the event loop, not time: a stop() that did not wait for the delivery is done by now.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await stopping).toBe(true);
    expect((await alerts())[0]).toMatchObject({ status: 'delivered' });
  });

  it('shares one run among requests made while another waits', async () => {
    const scheduler = startSlaScheduler({ db: database.db, slack: undefined, cron: null, log: quiet, sweepAtStart: false });
    try {
      const first = scheduler.runNow();
      const [second, third] = [scheduler.runNow(), scheduler.runNow()];
      expect(second).toBe(third);
      await Promise.all([first, second]);
    } finally {
      await scheduler.stop();
    }
  });
});

describe('SLA_SWEEP_CRON', () => {
  it('defaults to every minute and takes six fields', () => {
    expect(loadConfig({}).slaSweepCron).toBe('* * * * *');
    expect(loadConfig({ SLA_SWEEP_CRON: '*/5 * * * * *' }).slaSweepCron).toBe('*/5 * * * * *');
  });

  it('names a bad expression and what is wrong with it', () => {
    for (const [value, message] of [
      ['61 * * * *', /^SLA_SWEEP_CRON is "61 \* \* \* \*": must be a cron expression, .*minute/],
      ['every minute', /^SLA_SWEEP_CRON is "every minute": must be a cron expression, .*fields/],
    ] as const) {
      const error = (() => {
        try {
          loadConfig({ SLA_SWEEP_CRON: value });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([expect.stringMatching(message)]);
    }
  });
});
