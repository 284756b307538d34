import { and, asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { slaAlerts, tenants, type TicketPriority } from '../../src/db/schema/index.js';
import { acknowledgeSlaAlert, ticketBreaches } from '../../src/domain/sla/alerts.js';
import type { BusinessCalendar } from '../../src/domain/sla/calendar.js';
import {
  deliverSlaAlerts,
  SlaDeliveryError,
  type DeliverableAlert,
  type DeliveryOptions,
  type SlaAlertSender,
} from '../../src/domain/sla/delivery.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { runSlaSweep } from '../../src/domain/sla/sweep.js';
import { createTeam, updateTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { getTicket } from '../../src/domain/tickets/queries.js';
import {
  changeTicketStatus,
  claimTicket,
  closeTicket,
  createTicket,
  deleteTicket,
  reopenTicket,
  resolveTicket,
  updateTicket,
} from '../../src/domain/tickets/tickets.js';
import { startSlaScheduler } from '../../src/jobs/sla.js';
import { createLogger } from '../../src/log.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

// Monday 2026-03-02, 10:00 UTC; 2026-03-06 is the Friday of that week.
const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ADMIN = 'per_admin';
const SUBMITTER = 'per_submitter';
const AGENT = 'per_agent';
const CHANNEL = 'C0DESK';
const OTHER_CHANNEL = 'C0NETWORK';

const UTC_9_TO_5: BusinessCalendar = {
  timezone: 'UTC',
  hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
  holidays: [],
};

/** A fake Slack side: records what it was asked to send, fails when told to. */
function recordingSender() {
  const sent: Array<{ channel: string; alerts: DeliverableAlert[]; ts: string }> = [];
  const failures: unknown[] = [];
  let ts = 0;
  const sender: SlaAlertSender = {
    async send(channel, alerts) {
      if (failures.length > 0) throw failures.shift();
      const message = { channel, alerts, ts: `1700000000.${String(++ts).padStart(6, '0')}` };
      sent.push(message);
      return { ts: message.ts };
    },
  };
  return {
    sender,
    sent,
    failNext: (error: unknown, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(error);
    },
    /** `TKT-0001 breach first_response`, one line per alert sent, in order. */
    lines: () => sent.flatMap((m) => m.alerts.map((a) => `${a.ticket.number} ${a.alert.kind}${a.alert.sequence ? a.alert.sequence : ''} ${a.alert.clock}`)),
  };
}

describeEachDatabase('SLA alert sweep and delivery', (ctx) => {
  /** A tenant with a team (channel CHANNEL) as the default team and one (incident, medium) policy. */
  async function workspace(options: { firstResponse?: number; resolution?: number; businessHours?: boolean; settings?: Record<string, unknown> } = {}) {
    const tenantId = newTenantId();
    const admin = scopeFor(tenantId, ADMIN, T0);
    const team = await createTeam(ctx.db, admin, { name: 'Desk', slack_channel_id: CHANNEL });
    await updateTenantSettings(ctx.db, admin, {
      default_team_id: team.id,
      ...(options.businessHours ? { business_calendar: UTC_9_TO_5 } : {}),
      ...options.settings,
    });
    await policy(tenantId, 'medium', options.firstResponse ?? 60, options.resolution ?? 240, options.businessHours);
    const sweep = (minutes: number | Date) => runSlaSweep({ db: ctx.db, now: typeof minutes === 'number' ? at(minutes) : minutes, tenantIds: [tenantId] });
    const deliver = (minutes: number | Date, sender: SlaAlertSender | undefined, extra: Partial<DeliveryOptions> = {}) =>
      deliverSlaAlerts({
        db: ctx.db,
        slack: sender,
        now: typeof minutes === 'number' ? at(minutes) : minutes,
        replicaId: 'test',
        pause: async () => {},
        tenantIds: [tenantId],
        ...extra,
      });
    return { tenantId, team, admin, sweep, deliver };
  }

  function policy(tenantId: string, priority: TicketPriority, firstResponse: number, resolution: number, businessHours = false) {
    return createSlaPolicy(ctx.db, scopeFor(tenantId, ADMIN, T0), {
      name: `incident ${priority}`,
      applies_to: ['incident'],
      priority,
      first_response_minutes: firstResponse,
      resolution_minutes: resolution,
      business_hours_only: businessHours,
    });
  }

  function file(tenantId: string, minutes: number | Date = 0, extra: Record<string, unknown> = {}) {
    const when = typeof minutes === 'number' ? at(minutes) : minutes;
    return createTicket(ctx.db, scopeFor(tenantId, SUBMITTER, when), { title: 'VPN down', type: 'incident', priority: 'medium', ...extra });
  }

  const as = (tenantId: string, actor: string, minutes: number) => scopeFor(tenantId, actor, at(minutes));

  async function ledger(tenantId: string) {
    return ctx.db.select().from(slaAlerts).where(eq(slaAlerts.tenantId, tenantId)).orderBy(asc(slaAlerts.createdAt), asc(slaAlerts.deadlineAt), asc(slaAlerts.id));
  }

  /** `breach first_response 1` per ledger row (kind, clock, cycle; escalations with their number). */
  async function kinds(tenantId: string, filter: (row: Awaited<ReturnType<typeof ledger>>[number]) => boolean = () => true) {
    return (await ledger(tenantId)).filter(filter).map((r) => `${r.kind}${r.sequence ? r.sequence : ''} ${r.clock} ${r.cycle}`);
  }

  it('warns when a clock has used its share, breaches at the deadline, each once, in the team channel', async () => {
    const { tenantId, sweep } = await workspace();
    const ticket = await file(tenantId, 0);
    // 75% of 60 and 240 minutes.
    expect(ticket.firstResponseWarnAt).toEqual(at(45));
    expect(ticket.resolutionWarnAt).toEqual(at(180));

    await sweep(44);
    expect(await kinds(tenantId)).toEqual([]);
    await sweep(45);
    expect(await kinds(tenantId)).toEqual(['warning first_response 1']);
    await sweep(46);
    await sweep(59);
    expect(await kinds(tenantId)).toHaveLength(1);
    const result = await sweep(60);
    expect(result.created).toEqual({ warning: 0, breach: 1, escalation: 0 });
    await sweep(180);
    await sweep(181);
    await sweep(240);
    await sweep(241);
    expect(await kinds(tenantId)).toEqual([
      'warning first_response 1',
      'breach first_response 1',
      'warning resolution 1',
      'breach resolution 1',
    ]);
    const rows = await ledger(tenantId);
    expect(rows.every((r) => r.channelId === CHANNEL && r.status === 'pending' && r.ticketId === ticket.id)).toBe(true);
    expect(rows.map((r) => r.deadlineAt)).toEqual([at(60), at(60), at(240), at(240)]);
  });

  it('posts only the breach when the warning and the breach fall due in the same sweep', async () => {
    const { tenantId, sweep } = await workspace();
    await file(tenantId, 0);
    await sweep(70);
    expect(await kinds(tenantId)).toEqual(['breach first_response 1']);
    await sweep(300);
    expect(await kinds(tenantId)).toEqual(['breach first_response 1', 'breach resolution 1']);
  });

  it('never alerts for deleted, resolved or closed tickets, nor on first response once responded', async () => {
    const { tenantId, sweep } = await workspace();
    const deleted = await file(tenantId, 0);
    const resolved = await file(tenantId, 0);
    const closed = await file(tenantId, 0);
    const claimed = await file(tenantId, 0);
    await deleteTicket(ctx.db, as(tenantId, AGENT, 10), deleted.id);
    await resolveTicket(ctx.db, as(tenantId, AGENT, 10), resolved.id);
    await resolveTicket(ctx.db, as(tenantId, AGENT, 10), closed.id);
    await closeTicket(ctx.db, as(tenantId, SUBMITTER, 11), closed.id);
    await claimTicket(ctx.db, as(tenantId, AGENT, 10), claimed.id);
    for (const minutes of [45, 60, 180, 240, 600]) await sweep(minutes);
    const rows = await ledger(tenantId);
    expect(rows.map((r) => `${r.kind} ${r.clock} ${r.ticketId === claimed.id ? 'claimed' : 'other'}`)).toEqual([
      'warning resolution claimed',
      'breach resolution claimed',
    ]);
  });

  it('pauses the resolution clock while pending (first response keeps running)', async () => {
    const { tenantId, sweep } = await workspace();
    const ticket = await file(tenantId, 0);
    await sweep(60);
    // The agent's status change is also the first response.
    await changeTicketStatus(ctx.db, as(tenantId, AGENT, 100), ticket.id, 'pending');
    await sweep(100);
    // The original resolution warning (180) and deadline (240) pass while it is pending.
    await sweep(190);
    await sweep(250);
    expect(await kinds(tenantId)).toEqual(['breach first_response 1']);
    // Back in progress after 150 minutes pending: warning at 330, deadline at 390.
    const resumed = (await changeTicketStatus(ctx.db, as(tenantId, AGENT, 250), ticket.id, 'in_progress')).ticket;
    expect(resumed.resolutionWarnAt).toEqual(at(330));
    expect(resumed.dueAt).toEqual(at(390));
    await sweep(329);
    expect(await kinds(tenantId)).toHaveLength(1);
    await sweep(330);
    await sweep(390);
    expect(await kinds(tenantId)).toEqual(['breach first_response 1', 'warning resolution 1', 'breach resolution 1']);
  });

  it('counts business hours when the policy does, and says how late in business time', async () => {
    const { tenantId, sweep, deliver } = await workspace({ firstResponse: 120, resolution: 480, businessHours: true });
    // Friday 16:00 on a 09:00-17:00 calendar: one business hour on Friday, the rest on Monday.
    const ticket = await file(tenantId, new Date('2026-03-06T16:00:00.000Z'));
    expect(ticket).toMatchObject({
      firstResponseWarnAt: new Date('2026-03-09T09:30:00.000Z'), // 90 of 120 business minutes
      firstResponseDueAt: new Date('2026-03-09T10:00:00.000Z'),
      resolutionWarnAt: new Date('2026-03-09T14:00:00.000Z'), // 360 of 480
      dueAt: new Date('2026-03-09T16:00:00.000Z'),
    });

    // The clock stands still over the weekend.
    await sweep(new Date('2026-03-07T12:00:00.000Z'));
    expect(await kinds(tenantId)).toEqual([]);
    const slack = recordingSender();
    const monday = (time: string) => new Date(`2026-03-09T${time}:00.000Z`);
    await sweep(monday('09:40'));
    await deliver(monday('09:40'), slack.sender);
    expect(slack.sent[0]!.alerts[0]).toMatchObject({ minutes: 20, businessTime: true });
    await sweep(monday('11:30'));
    await deliver(monday('11:30'), slack.sender);
    expect(slack.lines()).toEqual(['TKT-0001 warning first_response', 'TKT-0001 breach first_response']);
    expect(slack.sent[1]!.alerts[0]).toMatchObject({ minutes: 90, businessTime: true });
    // Lateness over a night counts business minutes only: due Mon 16:00, at Tue 09:45 it is 60 + 45 late.
    await claimTicket(ctx.db, scopeFor(tenantId, AGENT, monday('11:31')), ticket.id);
    const tuesday = new Date('2026-03-10T09:45:00.000Z');
    await sweep(tuesday);
    await deliver(tuesday, slack.sender);
    expect(slack.lines().slice(2)).toEqual(['TKT-0001 breach resolution']);
    expect(slack.sent.at(-1)!.alerts[0]).toMatchObject({ minutes: 105, businessTime: true });
  });

  it('alerts a reopened ticket in its new cycle, and never again for the old one', async () => {
    const { tenantId, sweep, deliver } = await workspace();
    const ticket = await file(tenantId, 0);
    await claimTicket(ctx.db, as(tenantId, AGENT, 5), ticket.id);
    await sweep(240);
    const slack = recordingSender();
    await deliver(240, slack.sender);
    expect(slack.lines()).toEqual(['TKT-0001 breach resolution']);

    await resolveTicket(ctx.db, as(tenantId, AGENT, 300), ticket.id);
    const reopened = (await reopenTicket(ctx.db, as(tenantId, SUBMITTER, 400), ticket.id)).ticket;
    expect(reopened).toMatchObject({ slaCycle: 2, dueAt: at(640), resolutionWarnAt: at(580) });
    await sweep(401);
    await sweep(579);
    expect(await kinds(tenantId)).toEqual(['breach resolution 1']);
    await sweep(640);
    expect(await kinds(tenantId)).toEqual(['breach resolution 1', 'breach resolution 2']);
    await deliver(640, slack.sender);
    expect(slack.lines()).toEqual(['TKT-0001 breach resolution', 'TKT-0001 breach resolution']);
    expect(slack.sent[1]!.alerts[0]!.alert.cycle).toBe(2);
  });

  it('drops an old cycle\'s undelivered alert when the ticket was reopened meanwhile', async () => {
    const { tenantId, sweep, deliver } = await workspace();
    const ticket = await file(tenantId, 0);
    await claimTicket(ctx.db, as(tenantId, AGENT, 5), ticket.id);
    await sweep(180); // cycle 1 warning, not delivered (Slack not configured)
    expect((await deliver(181, undefined)).delivered).toBe(0);
    await resolveTicket(ctx.db, as(tenantId, AGENT, 200), ticket.id);
    await reopenTicket(ctx.db, as(tenantId, SUBMITTER, 210), ticket.id);
    const slack = recordingSender();
    expect(await deliver(211, slack.sender)).toMatchObject({ delivered: 0, cancelled: 1 });
    const [row] = await ledger(tenantId);
    expect(row).toMatchObject({ status: 'cancelled', cancelReason: 'the ticket was reopened since' });
  });

  it('catches up after a gap: every alert that fell due while nobody swept, breaches over warnings', async () => {
    const { tenantId, sweep } = await workspace();
    const early = await file(tenantId, 0); // FR due 60, resolution 240
    const late = await file(tenantId, 100); // FR warn 145, due 160; resolution warn 280, due 340
    const claimed = await file(tenantId, 100);
    await claimTicket(ctx.db, as(tenantId, AGENT, 101), claimed.id); // resolution warn 280
    await sweep(10);
    // Down from 10 to 300.
    const result = await sweep(300);
    expect(result.created).toEqual({ warning: 2, breach: 3, escalation: 0 });
    const rows = await ledger(tenantId);
    const of = (id: string) => rows.filter((r) => r.ticketId === id).map((r) => `${r.kind} ${r.clock}`).sort();
    expect(of(early.id)).toEqual(['breach first_response', 'breach resolution']);
    expect(of(late.id)).toEqual(['breach first_response', 'warning resolution']);
    expect(of(claimed.id)).toEqual(['warning resolution']);
    expect((await sweep(301)).created).toEqual({ warning: 0, breach: 0, escalation: 0 });
  });

  it('breaches at once, and once, when a priority change moves a deadline into the past', async () => {
    const { tenantId, sweep } = await workspace();
    await policy(tenantId, 'high', 15, 30);
    const ticket = await file(tenantId, 0);
    await sweep(20);
    await sweep(35); // the watermark is now past both new deadlines (15 and 30)
    expect(await kinds(tenantId)).toEqual([]);

    const scheduler = startSlaScheduler({ db: ctx.db, slack: undefined, cron: null, log: createLogger('error', () => {}), now: () => at(36), sweepAtStart: false, pokeDelayMs: 5 });
    try {
      const changed = await updateTicket(ctx.db, as(tenantId, AGENT, 36), ticket.id, { priority: 'high' }, { onChange: scheduler.onTicketChange });
      expect(changed.ticket).toMatchObject({ firstResponseDueAt: at(15), dueAt: at(30) });
      // idle() waits for the poke the change scheduled, and for the run it starts.
      await scheduler.idle();
      expect((await kinds(tenantId)).sort()).toEqual(['breach first_response 1', 'breach resolution 1']);
    } finally {
      await scheduler.stop();
    }
    await sweep(37);
    await sweep(60);
    expect(await kinds(tenantId)).toHaveLength(2);
  });

  it('recomputes the warning instants of open tickets when the warning share changes', async () => {
    const { tenantId, admin, sweep } = await workspace({ settings: { sla_warning_percent: 50 } });
    const ticket = await file(tenantId, 0);
    expect(ticket.firstResponseWarnAt).toEqual(at(30));
    const done = await file(tenantId, 0);
    await resolveTicket(ctx.db, as(tenantId, AGENT, 1), done.id);
    await sweep(20);
    await updateTenantSettings(ctx.db, { ...admin, now: at(21) }, { sla_warning_percent: 25 });
    expect(await getTicket(ctx.db, { tenantId }, ticket.id)).toMatchObject({ firstResponseWarnAt: at(15), resolutionWarnAt: at(60) });
    await sweep(22);
    expect(await kinds(tenantId)).toEqual(['warning first_response 1']);
    const invalid = await updateTenantSettings(ctx.db, admin, { sla_warning_percent: 100 }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ issues: [expect.objectContaining({ path: ['sla_warning_percent'] })] });
  });

  it('escalates an unacknowledged breach every interval, at most N times, until acknowledged', async () => {
    const { tenantId, sweep, deliver } = await workspace({ settings: { escalation_interval_minutes: 30, escalation_max: 2 } });
    const ignored = await file(tenantId, 0);
    const acknowledged = await file(tenantId, 0);
    const slack = recordingSender();
    await sweep(60);
    await deliver(60, slack.sender);
    expect(slack.lines()).toEqual(['TKT-0001 breach first_response', 'TKT-0002 breach first_response']);

    // Someone takes TKT-0002 on.
    const breach = (await ledger(tenantId)).find((r) => r.ticketId === acknowledged.id)!;
    const ack = await acknowledgeSlaAlert(ctx.db, as(tenantId, AGENT, 70), breach.id);
    expect(ack).toMatchObject({ acknowledged: true, acknowledgedBy: AGENT });
    expect((await acknowledgeSlaAlert(ctx.db, as(tenantId, 'per_late', 71), breach.id)).acknowledgedBy).toBe(AGENT);

    await sweep(89);
    expect((await kinds(tenantId, (r) => r.kind === 'escalation'))).toEqual([]);
    await sweep(90);
    await deliver(90, slack.sender);
    await sweep(119);
    await deliver(119, slack.sender);
    await sweep(120);
    await deliver(120, slack.sender);
    await sweep(150);
    await sweep(300);
    await deliver(300, slack.sender);
    expect(slack.lines().filter((line) => line.includes('escalation'))).toEqual([
      'TKT-0001 escalation1 first_response',
      'TKT-0001 escalation2 first_response',
    ]);
    const rows = await ledger(tenantId);
    expect(rows.find((r) => r.id === breach.id)).toMatchObject({ acknowledgedBy: AGENT, acknowledgedAt: at(70), escalateAt: null });
    const chain = rows.filter((r) => r.ticketId === ignored.id && r.clock === 'first_response');
    expect(chain.map((r) => r.deliveredAt)).toEqual([at(60), at(90), at(120)]);
  });

  it('stops escalating when the ticket gets its response, and cancels a waiting escalation on acknowledgement', async () => {
    const { tenantId, sweep, deliver } = await workspace({ settings: { escalation_interval_minutes: 30 } });
    const responded = await file(tenantId, 0);
    const waiting = await file(tenantId, 0);
    const slack = recordingSender();
    await sweep(60);
    await deliver(60, slack.sender);
    await claimTicket(ctx.db, as(tenantId, AGENT, 70), responded.id);
    await sweep(90); // escalation 1 of `waiting` written; not delivered yet
    expect(await kinds(tenantId, (r) => r.kind === 'escalation')).toEqual(['escalation1 first_response 1']);
    const breach = (await ledger(tenantId)).find((r) => r.ticketId === waiting.id && r.kind === 'breach')!;
    expect((await acknowledgeSlaAlert(ctx.db, as(tenantId, AGENT, 91), breach.id)).cancelledEscalations).toBe(1);
    expect(await deliver(92, slack.sender)).toMatchObject({ delivered: 0 });
    const escalation = (await ledger(tenantId)).find((r) => r.kind === 'escalation')!;
    expect(escalation).toMatchObject({ status: 'cancelled', cancelReason: 'the breach was acknowledged' });
  });

  it('holds an escalation while the ticket is pending, and escalates once it is back and still late', async () => {
    const { tenantId, sweep, deliver } = await workspace({ settings: { escalation_interval_minutes: 30 } });
    const ticket = await file(tenantId, 0);
    await claimTicket(ctx.db, as(tenantId, AGENT, 5), ticket.id);
    const slack = recordingSender();
    await sweep(240);
    await deliver(240, slack.sender);
    await changeTicketStatus(ctx.db, as(tenantId, AGENT, 250), ticket.id, 'pending');
    await sweep(270);
    expect(await kinds(tenantId, (r) => r.kind === 'escalation')).toEqual([]);
    const breach = (await ledger(tenantId)).find((r) => r.kind === 'breach')!;
    expect(breach.escalateAt).toEqual(at(300));
    // Back after 30 minutes pending: due 270, still late.
    await changeTicketStatus(ctx.db, as(tenantId, AGENT, 280), ticket.id, 'in_progress');
    await sweep(290);
    expect(await kinds(tenantId)).toEqual(['breach resolution 1']);
    await sweep(300);
    await deliver(300, slack.sender);
    expect(slack.lines()).toEqual(['TKT-0001 breach resolution', 'TKT-0001 escalation1 resolution']);
  });

  it('delivers in order per channel, as a digest past three alerts, paced at a second per channel', async () => {
    const { tenantId, admin, team, sweep, deliver } = await workspace();
    const network = await createTeam(ctx.db, admin, { name: 'Network', slack_channel_id: OTHER_CHANNEL });
    for (let i = 0; i < 5; i++) await file(tenantId, i); // desk: deadlines 60..64
    await file(tenantId, 10, { team_id: network.id });
    await file(tenantId, 11, { team_id: network.id });
    await sweep(100);
    const slack = recordingSender();
    const pauses: number[] = [];
    const result = await deliver(100, slack.sender, { pause: async (ms) => void pauses.push(ms) });
    expect(result).toMatchObject({ delivered: 7, messages: 3, failed: 0 });
    const desk = slack.sent.filter((m) => m.channel === CHANNEL);
    const other = slack.sent.filter((m) => m.channel === OTHER_CHANNEL);
    expect(desk).toHaveLength(1);
    expect(desk[0]!.alerts.map((a) => a.ticket.number)).toEqual(['TKT-0001', 'TKT-0002', 'TKT-0003', 'TKT-0004', 'TKT-0005']);
    expect(other.map((m) => m.alerts.map((a) => a.ticket.number))).toEqual([['TKT-0006'], ['TKT-0007']]);
    // One pause: between the two messages to the network channel.
    expect(pauses).toHaveLength(1);
    expect(pauses[0]).toBeGreaterThan(900);
    const rows = await ledger(tenantId);
    expect(new Set(rows.filter((r) => r.channelId === CHANNEL).map((r) => r.slackMessageTs))).toEqual(new Set([desk[0]!.ts]));
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1 && r.claimedBy === 'test' && r.claimedUntil === null)).toBe(true);
    void team;
  });

  it('retries failures with backoff, honours Retry-After, and holds back the alerts behind a failed one', async () => {
    const { tenantId, sweep, deliver } = await workspace();
    await file(tenantId, 0);
    await file(tenantId, 1);
    await sweep(70);
    const slack = recordingSender();
    slack.failNext(new SlaDeliveryError('rate limited', 30_000));
    const first = await deliver(70, slack.sender, { retry: { baseMs: 10_000, maxMs: 60_000 } });
    expect(first).toMatchObject({ delivered: 0, failed: 1, released: 1, retryAt: new Date(at(70).getTime() + 30_000) });
    let rows = await ledger(tenantId);
    expect(rows.map((r) => [r.attempts, r.lastError, r.claimedBy])).toEqual([
      [1, 'rate limited', null],
      [0, null, null],
    ]);
    // The second alert is due but waits behind the first.
    expect(await deliver(at(70.1), slack.sender)).toMatchObject({ delivered: 0, released: 1 });
    slack.failNext(new Error('HTTP 500'));
    const second = await deliver(at(70.5), slack.sender, { retry: { baseMs: 10_000, maxMs: 60_000 } });
    expect(second).toMatchObject({ failed: 1, retryAt: new Date(at(70.5).getTime() + 20_000) });
    const third = await deliver(at(71), slack.sender);
    expect(third).toMatchObject({ delivered: 2, messages: 2 });
    expect(slack.lines()).toEqual(['TKT-0001 breach first_response', 'TKT-0002 breach first_response']);
    rows = await ledger(tenantId);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['delivered', 3],
      ['delivered', 1],
    ]);
  });

  it('keeps alerts while Slack is not configured or the ticket has nowhere to go, and sends them later', async () => {
    const tenantId = newTenantId();
    const admin = scopeFor(tenantId, ADMIN, T0);
    await policy(tenantId, 'medium', 60, 240);
    const ticket = await file(tenantId, 0);
    await runSlaSweep({ db: ctx.db, now: at(60), tenantIds: [tenantId] });
    const [row] = await ledger(tenantId);
    expect(row).toMatchObject({ kind: 'breach', channelId: null, status: 'pending' });
    const slack = recordingSender();
    const deliver = (minutes: number, sender: SlaAlertSender | undefined) =>
      deliverSlaAlerts({ db: ctx.db, slack: sender, now: at(minutes), replicaId: 'test', pause: async () => {}, tenantIds: [tenantId] });
    expect(await deliver(61, slack.sender)).toMatchObject({ delivered: 0 });

    // A team with a channel becomes the default: the next sweep routes the waiting alert.
    const team = await createTeam(ctx.db, admin, { name: 'Desk' });
    await updateTenantSettings(ctx.db, admin, { default_team_id: team.id });
    expect((await runSlaSweep({ db: ctx.db, now: at(62), tenantIds: [tenantId] })).routed).toBe(0);
    await updateTeam(ctx.db, admin, team.id, { slack_channel_id: CHANNEL });
    expect((await runSlaSweep({ db: ctx.db, now: at(63), tenantIds: [tenantId] })).routed).toBe(1);
    expect(await deliver(64, undefined)).toMatchObject({ delivered: 0 });
    expect(await deliver(65, slack.sender)).toMatchObject({ delivered: 1 });
    expect(slack.sent[0]).toMatchObject({ channel: CHANNEL });
    expect(await ticketBreaches(ctx.db, await getTicket(ctx.db, { tenantId }, ticket.id))).toEqual({ firstResponse: true, resolution: false, nextResponse: false });
  });

  it('does not send what went stale while waiting: resolved, responded, or overtaken by the breach', async () => {
    const { tenantId, sweep, deliver } = await workspace();
    const resolved = await file(tenantId, 0);
    const responded = await file(tenantId, 0);
    const overtaken = await file(tenantId, 0);
    await sweep(50); // three first-response warnings
    await resolveTicket(ctx.db, as(tenantId, AGENT, 51), resolved.id);
    await claimTicket(ctx.db, as(tenantId, AGENT, 51), responded.id);
    await sweep(61); // the breach of `overtaken`
    const slack = recordingSender();
    expect(await deliver(61, slack.sender)).toMatchObject({ delivered: 1, cancelled: 3 });
    expect(slack.lines()).toEqual(['TKT-0003 breach first_response']);
    const reasons = (await ledger(tenantId)).filter((r) => r.status === 'cancelled').map((r) => r.cancelReason).sort();
    expect(reasons).toEqual(['the breach superseded it', 'the first response was given', 'the ticket is resolved']);
  });

  it('keeps the sweep watermark per tenant and moves it only forward', async () => {
    const { tenantId, sweep } = await workspace();
    await sweep(30);
    const watermark = async () => (await ctx.db.select({ at: tenants.slaSweptUntil }).from(tenants).where(and(eq(tenants.tenantId, tenantId))))[0]!.at;
    expect(await watermark()).toEqual(at(30));
    await sweep(10);
    expect(await watermark()).toEqual(at(30));
  });
});

export type { Db };
