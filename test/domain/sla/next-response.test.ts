import { asc, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { slaAlerts, type TicketPriority } from '../../../src/db/schema/index.js';
import type { BusinessCalendar } from '../../../src/domain/sla/calendar.js';
import { createSlaPolicy, updateSlaPolicy } from '../../../src/domain/sla/policies.js';
import { runSlaSweep } from '../../../src/domain/sla/sweep.js';
import { createTeam } from '../../../src/domain/teams.js';
import { updateTenantSettings } from '../../../src/domain/tenants.js';
import { addComment } from '../../../src/domain/tickets/comments.js';
import {
  changeTicketStatus,
  createTicket,
  listTicketEvents,
  reopenTicket,
  resolveTicket,
  updateTicket,
} from '../../../src/domain/tickets/tickets.js';
import { ticketToWire } from '../../../src/http/wire.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

// The next-response clock (an extension beyond the API reference) on the ticket: started by the
// requester's public comment once the first response was given, answered by anyone else's
// public comment, paused while pending. Its alerts: test/jobs/sla-next-response.test.ts.

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
    return { tenantId, policy, sweep };
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

  const clockOf = (t: { nextResponseStartedAt: Date | null; nextResponseDueAt: Date | null; nextResponseWarnAt: Date | null; nextResponseRound: number }) => ({
    startedAt: t.nextResponseStartedAt,
    dueAt: t.nextResponseDueAt,
    warnAt: t.nextResponseWarnAt,
    round: t.nextResponseRound,
  });
  const STOPPED = (round: number) => ({ startedAt: null, dueAt: null, warnAt: null, round });


  it("starts at the requester's comment once the first response was given, and stops at anyone else's", async () => {
    const { tenantId } = await workspace();
    const ticket = await file(tenantId, 0);
    // Before the first response the first-response clock covers the wait.
    expect(clockOf(await say(tenantId, SUBMITTER, ticket.id, 5))).toEqual(STOPPED(0));
    const answered = await say(tenantId, AGENT, ticket.id, 10);
    expect(answered.firstResponseAt).toEqual(at(10));
    expect(clockOf(answered)).toEqual(STOPPED(0));

    const asked = await say(tenantId, SUBMITTER, ticket.id, 20);
    // 75% of 30 minutes: the warning at 22.5 minutes.
    expect(clockOf(asked)).toEqual({ startedAt: at(20), dueAt: at(50), warnAt: at(42.5), round: 1 });
    expect(ticketToWire(asked).next_response_due_at).toBe(at(50).toISOString());
    // A second message while waiting changes nothing: the wait counts from the first.
    const again = await say(tenantId, SUBMITTER, ticket.id, 25);
    expect(clockOf(again)).toEqual(clockOf(asked));
    expect(again.revision).toBe(asked.revision);

    expect(clockOf(await say(tenantId, AGENT, ticket.id, 30))).toEqual(STOPPED(1));
    // The next wait is a new round.
    expect(clockOf(await say(tenantId, SUBMITTER, ticket.id, 40))).toEqual({ startedAt: at(40), dueAt: at(70), warnAt: at(62.5), round: 2 });
    // An internal note answers nobody.
    const noted = (await addComment(ctx.db, scopeFor(tenantId, AGENT, at(45)), ticket.id, { body: 'checking', visibility: 'internal' })).ticket;
    expect(noted.nextResponseDueAt).toEqual(at(70));

    const events = await listTicketEvents(ctx.db, { tenantId }, ticket.id);
    const requesterEvents = events.filter((e) => e.kind === 'requester_replied');
    expect(requesterEvents).toHaveLength(2);
    expect(requesterEvents[0]!.changes).toMatchObject({ next_response_due_at: { from: null, to: at(50).toISOString() } });
    expect(events.filter((e) => e.kind === 'responded').map((e) => e.at)).toEqual([at(10), at(30)]);
  });

  it('runs no clock when the policy sets no next-response target', async () => {
    const { tenantId } = await workspace({ nextResponse: null });
    const ticket = await file(tenantId, 0);
    const answered = await say(tenantId, AGENT, ticket.id, 10);
    const asked = await say(tenantId, SUBMITTER, ticket.id, 20);
    expect(clockOf(asked)).toEqual(STOPPED(0));
    expect(asked.revision).toBe(answered.revision);
    expect(ticketToWire(asked).next_response_due_at).toBeNull();
  });

  it('pauses while pending, ends on resolve, and a message on a resolved ticket waits from its reopening', async () => {
    const { tenantId } = await workspace();
    const ticket = await file(tenantId, 0);
    await say(tenantId, AGENT, ticket.id, 10);
    await say(tenantId, SUBMITTER, ticket.id, 20);
    // Pending is not an answer: the clock stops running, the wait stays.
    const pending = (await changeTicketStatus(ctx.db, scopeFor(tenantId, AGENT, at(30)), ticket.id, 'pending')).ticket;
    expect(pending.nextResponseStartedAt).toEqual(at(20));
    // 30 minutes pending push the deadline (50) and the warning (42.5) back by 30.
    const back = (await changeTicketStatus(ctx.db, scopeFor(tenantId, AGENT, at(60)), ticket.id, 'in_progress')).ticket;
    expect(clockOf(back)).toEqual({ startedAt: at(20), dueAt: at(80), warnAt: at(72.5), round: 1 });

    const resolved = (await resolveTicket(ctx.db, scopeFor(tenantId, AGENT, at(70)), ticket.id)).ticket;
    expect(clockOf(resolved)).toEqual(STOPPED(1));
    // The requester writes on the resolved ticket: the wait is recorded, the clock runs once it is reopened.
    const waiting = await say(tenantId, SUBMITTER, ticket.id, 100);
    expect(waiting).toMatchObject({ status: 'resolved', nextResponseStartedAt: at(100), nextResponseRound: 2 });
    const reopened = (await reopenTicket(ctx.db, scopeFor(tenantId, SUBMITTER, at(110)), ticket.id)).ticket;
    expect(clockOf(reopened)).toEqual({ startedAt: at(110), dueAt: at(140), warnAt: at(132.5), round: 2 });
    // A pause before the wait began does not count: pending at 120-130 after a wait from 110.
    await changeTicketStatus(ctx.db, scopeFor(tenantId, AGENT, at(120)), ticket.id, 'pending');
    const resumed = (await changeTicketStatus(ctx.db, scopeFor(tenantId, AGENT, at(130)), ticket.id, 'in_progress')).ticket;
    expect(resumed.nextResponseDueAt).toEqual(at(150));
  });

  it('counts business hours when the policy does', async () => {
    const { tenantId } = await workspace({ businessHours: true });
    // Friday 2026-03-06 on a 09:00-17:00 UTC calendar.
    const friday = (time: string) => new Date(`2026-03-06T${time}:00.000Z`);
    const ticket = await file(tenantId, friday('14:00'));
    await say(tenantId, AGENT, ticket.id, friday('14:10'));
    // 10 business minutes on Friday, 20 on Monday morning.
    const asked = await say(tenantId, SUBMITTER, ticket.id, friday('16:50'));
    expect(asked.nextResponseDueAt).toEqual(new Date('2026-03-09T09:20:00.000Z'));
    expect(asked.nextResponseWarnAt).toEqual(new Date('2026-03-09T09:12:30.000Z'));
  });

  it('re-targets from the same start when a priority change re-matches the policy, and breaches at once when already late', async () => {
    const { tenantId, sweep } = await workspace();
    await givenPolicy(tenantId, 'high', 10);
    const ticket = await file(tenantId, 0);
    await say(tenantId, AGENT, ticket.id, 10);
    await say(tenantId, SUBMITTER, ticket.id, 20);
    await sweep(25);
    const high = (await updateTicket(ctx.db, scopeFor(tenantId, AGENT, at(35)), ticket.id, { priority: 'high' })).ticket;
    expect(clockOf(high)).toEqual({ startedAt: at(20), dueAt: at(30), warnAt: at(27.5), round: 1 });
    // The deadline moved behind the sweep's watermark: the next sweep still breaches, once.
    await sweep(36);
    await sweep(37);
    expect(await kinds(tenantId)).toEqual(['breach next_response 1']);
  });

  it('keeps the policy target through create, update and clear', async () => {
    const { tenantId, policy } = await workspace();
    expect(policy.nextResponseMinutes).toBe(30);
    const admin = scopeFor(tenantId, ADMIN, at(1));
    expect((await updateSlaPolicy(ctx.db, admin, policy.id, { next_response_minutes: 45 })).nextResponseMinutes).toBe(45);
    expect((await updateSlaPolicy(ctx.db, admin, policy.id, { name: 'renamed' })).nextResponseMinutes).toBe(45);
    expect((await updateSlaPolicy(ctx.db, admin, policy.id, { next_response_minutes: null })).nextResponseMinutes).toBeNull();
  });
});
