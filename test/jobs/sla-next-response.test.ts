import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { slaAlerts, tenants, type TicketPriority } from '../../src/db/schema/index.js';
import { acknowledgeSlaAlert, ticketBreaches } from '../../src/domain/sla/alerts.js';
import type { BusinessCalendar } from '../../src/domain/sla/calendar.js';
import { deliverSlaAlerts, type DeliverableAlert, type SlaAlertSender } from '../../src/domain/sla/delivery.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { runSlaSweep } from '../../src/domain/sla/sweep.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { addComment } from '../../src/domain/tickets/comments.js';
import { getTicket } from '../../src/domain/tickets/queries.js';
import {
  changeTicketStatus,
  createTicket,
  deleteTicket,
  resolveTicket,
} from '../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

// The next-response clock's alerts (an extension beyond the API reference): warnings, breaches,
// escalations and acknowledgements through the same ledger as the other clocks, one run per
// wait. The clock itself: test/domain/sla/next-response.test.ts.

// Monday 2026-03-02, 10:00 UTC; 2026-03-06 is the Friday of that week.
const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ADMIN = 'per_admin';
const SUBMITTER = 'per_submitter';
const AGENT = 'per_agent';
const CHANNEL = 'C0DESK';

const UTC_9_TO_5: BusinessCalendar = {
  timezone: 'UTC',
  hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
  holidays: [],
};

function recordingSender() {
  const sent: Array<{ channel: string; alerts: DeliverableAlert[] }> = [];
  const sender: SlaAlertSender = {
    async send(channel, alerts) {
      sent.push({ channel, alerts });
      return { ts: `1700000000.${String(sent.length).padStart(6, '0')}` };
    },
  };
  return { sender, sent, lines: () => sent.flatMap((m) => m.alerts.map((a) => `${a.alert.kind}${a.alert.sequence || ''} ${a.alert.clock} ${a.alert.cycle}`)) };
}

describeEachDatabase('next-response SLA', (ctx) => {
  interface Options {
    nextResponse?: number | null;
    businessHours?: boolean;
    settings?: Record<string, unknown>;
  }

  /** A tenant whose default team posts in CHANNEL, with an (incident, medium) policy: 60 / 1440 / next 30 minutes. */
  async function workspace(options: Options = {}) {
    const tenantId = newTenantId();
    const admin = scopeFor(tenantId, ADMIN, T0);
    const team = await createTeam(ctx.db, admin, { name: 'Desk', slack_channel_id: CHANNEL });
    await updateTenantSettings(ctx.db, admin, {
      default_team_id: team.id,
      ...(options.businessHours ? { business_calendar: UTC_9_TO_5 } : {}),
      ...options.settings,
    });
    const policy = await givenPolicy(tenantId, 'medium', options.nextResponse === undefined ? 30 : options.nextResponse, options.businessHours);
    const sweep = (when: number | Date) => runSlaSweep({ db: ctx.db, now: typeof when === 'number' ? at(when) : when, tenantIds: [tenantId] });
    const deliver = (when: number, sender: SlaAlertSender) =>
      deliverSlaAlerts({ db: ctx.db, slack: sender, now: at(when), replicaId: 'test', pause: async () => {}, tenantIds: [tenantId] });
    return { tenantId, policy, sweep, deliver };
  }

  function givenPolicy(tenantId: string, priority: TicketPriority, nextResponse: number | null, businessHours = false) {
    return createSlaPolicy(ctx.db, scopeFor(tenantId, ADMIN, T0), {
      name: `incident ${priority}`,
      applies_to: ['incident'],
      priority,
      first_response_minutes: 60,
      resolution_minutes: 1440,
      next_response_minutes: nextResponse,
      business_hours_only: businessHours,
    });
  }

  const file = (tenantId: string, when: number | Date = 0) =>
    createTicket(ctx.db, scopeFor(tenantId, SUBMITTER, typeof when === 'number' ? at(when) : when), { title: 'VPN down', type: 'incident', priority: 'medium' });

  /** A public comment by `actor` at `when` (minutes after T0, or an instant); the ticket after it. */
  async function say(tenantId: string, actor: string, ticketId: string, when: number | Date, body = 'hello') {
    const scope = scopeFor(tenantId, actor, typeof when === 'number' ? at(when) : when);
    return (await addComment(ctx.db, scope, ticketId, { body })).ticket;
  }

  async function kinds(tenantId: string) {
    const rows = await ctx.db.select().from(slaAlerts).where(eq(slaAlerts.tenantId, tenantId)).orderBy(asc(slaAlerts.createdAt), asc(slaAlerts.id));
    return rows.map((r) => `${r.kind}${r.sequence || ''} ${r.clock} ${r.cycle}`);
  }


  it('warns, breaches, escalates and is acknowledged like the first response; each wait is its own run', async () => {
    const { tenantId, sweep, deliver } = await workspace({ settings: { escalation_interval_minutes: 30, escalation_max: 2 } });
    const ticket = await file(tenantId, 0);
    await say(tenantId, AGENT, ticket.id, 10);
    await say(tenantId, SUBMITTER, ticket.id, 20);
    const slack = recordingSender();
    await sweep(42);
    expect(await kinds(tenantId)).toEqual([]);
    await sweep(43);
    await deliver(43, slack.sender);
    await sweep(50);
    await deliver(50, slack.sender);
    expect(slack.lines()).toEqual(['warning next_response 1', 'breach next_response 1']);
    expect(slack.sent.every((m) => m.channel === CHANNEL)).toBe(true);
    expect(slack.sent[1]!.alerts[0]).toMatchObject({ minutes: 0, businessTime: false });
    expect(await ticketBreaches(ctx.db, await getTicket(ctx.db, { tenantId }, ticket.id))).toEqual({ firstResponse: false, resolution: false, nextResponse: true });

    await sweep(80);
    await deliver(80, slack.sender);
    expect(slack.lines().at(-1)).toBe('escalation1 next_response 1');
    const breach = (await ctx.db.select().from(slaAlerts).where(eq(slaAlerts.tenantId, tenantId))).find((r) => r.kind === 'breach')!;
    expect(await acknowledgeSlaAlert(ctx.db, scopeFor(tenantId, AGENT, at(81)), breach.id)).toMatchObject({ acknowledged: true });
    await sweep(110);
    expect((await kinds(tenantId)).filter((k) => k.startsWith('escalation'))).toEqual(['escalation1 next_response 1']);

    // Answered: the card drops the breach; the requester's next message is a new run.
    const answered = await say(tenantId, AGENT, ticket.id, 120);
    expect((await ticketBreaches(ctx.db, answered)).nextResponse).toBe(false);
    await say(tenantId, SUBMITTER, ticket.id, 130);
    await sweep(160); // warning (152.5) and breach (160) in one sweep: the breach only
    expect((await kinds(tenantId)).slice(-1)).toEqual(['breach next_response 2']);
    // Answered before the breach went out: it is not sent.
    await say(tenantId, AGENT, ticket.id, 161);
    expect(await deliver(162, slack.sender)).toMatchObject({ delivered: 0, cancelled: 1 });
    const last = (await ctx.db.select().from(slaAlerts).where(eq(slaAlerts.tenantId, tenantId))).find((r) => r.cycle === 2)!;
    expect(last).toMatchObject({ status: 'cancelled', cancelReason: 'the requester was answered' });
  });

  it('holds escalations while pending, and never alerts deleted or resolved tickets', async () => {
    const { tenantId, sweep, deliver } = await workspace({ settings: { escalation_interval_minutes: 30 } });
    const held = await file(tenantId, 0);
    const deleted = await file(tenantId, 0);
    const resolved = await file(tenantId, 0);
    for (const t of [held, deleted, resolved]) {
      await say(tenantId, AGENT, t.id, 10);
      await say(tenantId, SUBMITTER, t.id, 20);
    }
    await deleteTicket(ctx.db, scopeFor(tenantId, AGENT, at(21)), deleted.id);
    await resolveTicket(ctx.db, scopeFor(tenantId, AGENT, at(21)), resolved.id);
    const slack = recordingSender();
    await sweep(50);
    await deliver(50, slack.sender);
    expect(slack.sent.flatMap((m) => m.alerts.map((a) => a.ticket.id))).toEqual([held.id]);
    await changeTicketStatus(ctx.db, scopeFor(tenantId, AGENT, at(60)), held.id, 'pending');
    await sweep(80);
    expect((await kinds(tenantId)).filter((k) => k.startsWith('escalation'))).toEqual([]);
    const breach = (await ctx.db.select().from(slaAlerts).where(eq(slaAlerts.tenantId, tenantId))).find((r) => r.kind === 'breach')!;
    expect(breach.escalateAt).toEqual(at(110));
  });

  it('recomputes the next-response warning when the tenant changes its warning share', async () => {
    const { tenantId } = await workspace();
    const ticket = await file(tenantId, 0);
    await say(tenantId, AGENT, ticket.id, 10);
    await say(tenantId, SUBMITTER, ticket.id, 20);
    await updateTenantSettings(ctx.db, scopeFor(tenantId, ADMIN, at(21)), { sla_warning_percent: 50 });
    expect((await getTicket(ctx.db, { tenantId }, ticket.id)).nextResponseWarnAt).toEqual(at(35));
    const [tenant] = await ctx.db.select().from(tenants).where(eq(tenants.tenantId, tenantId));
    expect(tenant!.slaWarningPercent).toBe(50);
  });
});
