import { expect, it } from 'vitest';
import type { Db } from '../../../src/db/client.js';
import type { TicketPriority, TicketType } from '../../../src/db/schema/index.js';
import type { BusinessCalendar } from '../../../src/domain/sla/calendar.js';
import { createSlaPolicy, type SlaPolicy } from '../../../src/domain/sla/policies.js';
import { updateTenantSettings } from '../../../src/domain/tenants.js';
import type { Ticket } from '../../../src/domain/tickets/queries.js';
import {
  changeTicketStatus,
  claimTicket,
  createTicket,
  listTicketEvents,
  recordResponse,
  reopenTicket,
  resolveTicket,
  updateTicket,
} from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

// Weekdays used below (2026-01-01 is a Thursday):
//   2026-03-06 Fri, 2026-03-08 Sun (US spring forward: 02:00 EST -> 03:00 EDT), 2026-03-09 Mon,
//   2026-03-13 Fri, 2026-03-14 Sat, 2026-03-16 Mon, 2026-04-01 Wed, 2026-05-22 Fri,
//   2026-05-25 Mon (holiday below), 2026-05-26 Tue, 2026-10-30 Fri,
//   2026-11-01 Sun (US fall back: 02:00 EDT -> 01:00 EST), 2026-11-02 Mon.
// New York is UTC-5 (EST) before 2026-03-08 and after 2026-11-01, UTC-4 (EDT) in between.

// ---------------------------------------------------------------------------------------------
// Helpers

const SUBMITTER = 'per_submitter';
const AGENT = 'per_agent';
const OTHER_AGENT = 'per_other_agent';
const ADMIN = 'per_admin';
const SETUP_TIME = '2026-01-01T00:00:00.000Z';

const NINE_TO_FIVE: Array<[string, string]> = [['09:00', '17:00']];
const NEW_YORK_9_TO_5: BusinessCalendar = {
  timezone: 'America/New_York',
  hours: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE },
  holidays: [],
};

interface PolicySpec {
  type?: TicketType;
  priority?: TicketPriority;
  firstResponse: number;
  resolution: number;
  businessHours?: boolean;
}

/** One active policy for (type, priority), default (incident, medium). */
function givenPolicy(db: Db, tenantId: string, spec: PolicySpec): Promise<SlaPolicy> {
  const type = spec.type ?? 'incident';
  const priority = spec.priority ?? 'medium';
  return createSlaPolicy(db, scopeFor(tenantId, ADMIN, SETUP_TIME), {
    name: `${type} ${priority}`,
    applies_to: [type],
    priority,
    first_response_minutes: spec.firstResponse,
    resolution_minutes: spec.resolution,
    business_hours_only: spec.businessHours ?? false,
  });
}

/** The tenant's business calendar: New York, Mon-Fri 09:00-17:00, plus the given holidays. */
async function givenNewYorkCalendar(db: Db, tenantId: string, holidays: string[] = []): Promise<void> {
  await updateTenantSettings(db, scopeFor(tenantId, ADMIN, SETUP_TIME), {
    business_calendar: { ...NEW_YORK_9_TO_5, holidays },
  });
}

/** A business-hours (incident, medium) policy on the New York calendar. */
async function givenBusinessHoursPolicy(db: Db, tenantId: string, firstResponse: number, resolution: number) {
  await givenNewYorkCalendar(db, tenantId);
  return givenPolicy(db, tenantId, { firstResponse, resolution, businessHours: true });
}

/** A ticket filed by SUBMITTER at `at`. */
function fileTicket(
  db: Db,
  tenantId: string,
  at: string,
  fields: { type?: TicketType; priority?: TicketPriority } = {},
): Promise<Ticket> {
  return createTicket(db, scopeFor(tenantId, SUBMITTER, at), {
    title: 'Printer on fire',
    type: fields.type ?? 'incident',
    priority: fields.priority ?? 'medium',
  });
}

const as = (tenantId: string, actorId: string, at: string) => scopeFor(tenantId, actorId, at);
const iso = (date: Date | null) => (date ? date.toISOString() : null);

// ---------------------------------------------------------------------------------------------

describeEachDatabase('ticket SLA clocks', (ctx) => {
  // -------------------------------------------------------------------------------------------
  // Matching and 24x7 deadlines

  it('sets both deadlines from creation in absolute time for a 24x7 policy', async () => {
    const tenantId = newTenantId();
    const policy = await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 240 });
    const ticket = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');

    expect(ticket.slaPolicyId).toBe(policy.id);
    expect(ticket.slaCycle).toBe(1);
    expect(ticket.slaPauses).toEqual([]);
    // 10:00Z + 60 min.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-04-01T11:00:00.000Z');
    // 10:00Z + 240 min.
    expect(iso(ticket.dueAt)).toBe('2026-04-01T14:00:00.000Z');
  });

  it('leaves the deadlines null when no policy matches', async () => {
    const tenantId = newTenantId();
    // Right type, wrong priority; right priority, wrong type; an inactive exact match.
    await givenPolicy(ctx.db, tenantId, { priority: 'high', firstResponse: 60, resolution: 240 });
    await givenPolicy(ctx.db, tenantId, { type: 'change', firstResponse: 60, resolution: 240 });
    await createSlaPolicy(ctx.db, scopeFor(tenantId, ADMIN, SETUP_TIME), {
      name: 'inactive',
      applies_to: ['incident'],
      priority: 'medium',
      first_response_minutes: 60,
      resolution_minutes: 240,
      status: 'inactive',
    });

    const ticket = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');
    expect(ticket.slaPolicyId).toBeNull();
    expect(ticket.dueAt).toBeNull();
    expect(ticket.firstResponseDueAt).toBeNull();
  });

  // -------------------------------------------------------------------------------------------
  // Business hours

  it('counts only business hours: Friday 16:00 + 120 min is Monday 10:00', async () => {
    const tenantId = newTenantId();
    await givenBusinessHoursPolicy(ctx.db, tenantId, 60, 120);
    // Friday 2026-03-13 16:00 EDT = 20:00Z.
    const ticket = await fileTicket(ctx.db, tenantId, '2026-03-13T20:00:00.000Z');

    // 60 min: Fri 16:00-17:00 EDT -> lands exactly at closing, Fri 17:00 EDT = 21:00Z.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-03-13T21:00:00.000Z');
    // 120 min: Fri 16:00-17:00 (60) + Mon 09:00-10:00 (60) -> Monday 2026-03-16 10:00 EDT = 14:00Z.
    expect(iso(ticket.dueAt)).toBe('2026-03-16T14:00:00.000Z');
  });

  it('starts counting at the next opening when created on a Saturday', async () => {
    const tenantId = newTenantId();
    await givenBusinessHoursPolicy(ctx.db, tenantId, 60, 120);
    // Saturday 2026-03-14 12:00 EDT = 16:00Z: closed until Monday 2026-03-16 09:00 EDT (13:00Z).
    const ticket = await fileTicket(ctx.db, tenantId, '2026-03-14T16:00:00.000Z');

    // Mon 09:00 + 60 min = Mon 10:00 EDT = 14:00Z.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-03-16T14:00:00.000Z');
    // Mon 09:00 + 120 min = Mon 11:00 EDT = 15:00Z.
    expect(iso(ticket.dueAt)).toBe('2026-03-16T15:00:00.000Z');
  });

  it('keeps a deadline that lands exactly at closing time at closing time', async () => {
    const tenantId = newTenantId();
    await givenBusinessHoursPolicy(ctx.db, tenantId, 60, 480);
    // Monday 2026-03-16 09:00 EDT = 13:00Z; 480 min = the whole 8 h day.
    const ticket = await fileTicket(ctx.db, tenantId, '2026-03-16T13:00:00.000Z');
    // Monday 17:00 EDT = 21:00Z, not Tuesday 09:00 EDT (13:00Z).
    expect(iso(ticket.dueAt)).toBe('2026-03-16T21:00:00.000Z');
    // Mon 09:00 + 60 = 10:00 EDT = 14:00Z.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-03-16T14:00:00.000Z');
  });

  it('skips a holiday', async () => {
    const tenantId = newTenantId();
    await givenNewYorkCalendar(ctx.db, tenantId, ['2026-05-25']);
    await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 120, businessHours: true });
    // Friday 2026-05-22 16:00 EDT = 20:00Z.
    const ticket = await fileTicket(ctx.db, tenantId, '2026-05-22T20:00:00.000Z');
    // Fri 16:00-17:00 (60), Sat/Sun closed, Mon 2026-05-25 holiday, Tue 09:00-10:00 (60)
    // -> Tuesday 2026-05-26 10:00 EDT = 14:00Z.
    expect(iso(ticket.dueAt)).toBe('2026-05-26T14:00:00.000Z');
  });

  // -------------------------------------------------------------------------------------------
  // DST

  it('is correct across the spring-forward weekend in business hours', async () => {
    const tenantId = newTenantId();
    await givenBusinessHoursPolicy(ctx.db, tenantId, 60, 120);
    // Friday 2026-03-06 16:00 EST = 21:00Z.
    const ticket = await fileTicket(ctx.db, tenantId, '2026-03-06T21:00:00.000Z');
    // Fri 16:00-17:00 EST (60) + Mon 2026-03-09 09:00-10:00 EDT (60): Monday 10:00 EDT = 14:00Z
    // (the clocks sprang forward on Sunday 2026-03-08; 10:00 EST would be 15:00Z).
    expect(iso(ticket.dueAt)).toBe('2026-03-09T14:00:00.000Z');
    // Fri 16:00 + 60 = Fri 17:00 EST = 22:00Z.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-03-06T22:00:00.000Z');
  });

  it('is correct across the fall-back weekend in business hours', async () => {
    const tenantId = newTenantId();
    await givenBusinessHoursPolicy(ctx.db, tenantId, 60, 120);
    // Friday 2026-10-30 16:00 EDT = 20:00Z.
    const ticket = await fileTicket(ctx.db, tenantId, '2026-10-30T20:00:00.000Z');
    // Fri 16:00-17:00 EDT (60) + Mon 2026-11-02 09:00-10:00 EST (60): Monday 10:00 EST = 15:00Z
    // (the clocks fell back on Sunday 2026-11-01; 10:00 EDT would be 14:00Z).
    expect(iso(ticket.dueAt)).toBe('2026-11-02T15:00:00.000Z');
  });

  it('counts absolute minutes across the spring-forward night for a 24x7 policy', async () => {
    const tenantId = newTenantId();
    await givenNewYorkCalendar(ctx.db, tenantId); // present but irrelevant: the policy is 24x7
    await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 24 * 60 });
    // Saturday 2026-03-07 12:00 EST (-05:00) = 17:00Z.
    const ticket = await fileTicket(ctx.db, tenantId, '2026-03-07T12:00:00-05:00');
    // + 1440 absolute minutes = 2026-03-08 17:00Z = Sunday 13:00 EDT (-04:00): the wall clock
    // moved by 25 h because the night lost an hour.
    expect(iso(ticket.dueAt)).toBe('2026-03-08T17:00:00.000Z');
    expect(ticket.dueAt!.getTime()).toBe(new Date('2026-03-08T13:00:00-04:00').getTime());
  });

  // -------------------------------------------------------------------------------------------
  // Pending pauses the resolution clock

  it('moves the resolution deadline by the time spent pending (24x7)', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 240 });
    // Created Wed 2026-04-01 10:00Z: first response due 11:00Z, resolution due 14:00Z.
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');
    await claimTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:05:00.000Z'), created.id);

    const paused = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T10:30:00.000Z'), created.id, 'pending');
    expect(paused.ticket.status).toBe('pending');
    expect(paused.ticket.slaPauses).toEqual([{ from: '2026-04-01T10:30:00.000Z', to: null }]);
    // While pending the deadline is not extended yet.
    expect(iso(paused.ticket.dueAt)).toBe('2026-04-01T14:00:00.000Z');

    const resumed = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T11:00:00.000Z'), created.id, 'in_progress');
    expect(resumed.ticket.slaPauses).toEqual([{ from: '2026-04-01T10:30:00.000Z', to: '2026-04-01T11:00:00.000Z' }]);
    // 30 min pending (10:30-11:00): 10:00 + 240 + 30 = 14:30Z.
    expect(iso(resumed.ticket.dueAt)).toBe('2026-04-01T14:30:00.000Z');
    // The first-response clock does not pause.
    expect(iso(resumed.ticket.firstResponseDueAt)).toBe('2026-04-01T11:00:00.000Z');

    await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T12:00:00.000Z'), created.id, 'pending');
    const second = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T12:45:00.000Z'), created.id, 'in_progress');
    expect(second.ticket.slaPauses).toEqual([
      { from: '2026-04-01T10:30:00.000Z', to: '2026-04-01T11:00:00.000Z' },
      { from: '2026-04-01T12:00:00.000Z', to: '2026-04-01T12:45:00.000Z' },
    ]);
    // Pauses add up: 30 + 45 = 75 min -> 10:00 + 240 + 75 = 15:15Z.
    expect(iso(second.ticket.dueAt)).toBe('2026-04-01T15:15:00.000Z');
    expect(iso(second.ticket.firstResponseDueAt)).toBe('2026-04-01T11:00:00.000Z');
  });

  it('measures a pending pause in business time for a business-hours policy', async () => {
    const tenantId = newTenantId();
    await givenBusinessHoursPolicy(ctx.db, tenantId, 60, 480);
    // Created Friday 2026-03-13 09:00 EDT = 13:00Z: resolution due Fri 17:00 EDT (21:00Z),
    // first response due Fri 10:00 EDT (14:00Z).
    const created = await fileTicket(ctx.db, tenantId, '2026-03-13T13:00:00.000Z');
    expect(iso(created.dueAt)).toBe('2026-03-13T21:00:00.000Z');

    // Pending from Friday 16:00 EDT (20:00Z) to Monday 2026-03-16 10:00 EDT (14:00Z).
    const paused = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-03-13T20:00:00.000Z'), created.id, 'pending');
    expect(iso(paused.ticket.dueAt)).toBe('2026-03-13T21:00:00.000Z');
    const resumed = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-03-16T14:00:00.000Z'), created.id, 'in_progress');

    // The pause holds 2 business hours (Fri 16-17, Mon 9-10), so 480 + 120 = 600 business
    // minutes from Fri 09:00: Fri 09-17 (480), Mon 09:00-11:00 (120) -> Mon 11:00 EDT = 15:00Z.
    expect(iso(resumed.ticket.dueAt)).toBe('2026-03-16T15:00:00.000Z');
    expect(iso(resumed.ticket.firstResponseDueAt)).toBe('2026-03-13T14:00:00.000Z');
  });

  // -------------------------------------------------------------------------------------------
  // Priority and type changes re-match the policy

  it('re-matches the policy on a priority change and recomputes from the original start', async () => {
    const tenantId = newTenantId();
    const medium = await givenPolicy(ctx.db, tenantId, { priority: 'medium', firstResponse: 60, resolution: 480 });
    const urgent = await givenPolicy(ctx.db, tenantId, { priority: 'urgent', firstResponse: 20, resolution: 60 });
    // T = 2026-04-01 10:00Z: medium -> first response 11:00Z, resolution 18:00Z.
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');
    expect(created.slaPolicyId).toBe(medium.id);
    expect(iso(created.dueAt)).toBe('2026-04-01T18:00:00.000Z');

    // At T+30 min it becomes urgent.
    const { ticket } = await updateTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:30:00.000Z'), created.id, {
      priority: 'urgent',
    });
    expect(ticket.slaPolicyId).toBe(urgent.id);
    // From the original start T, not from the change: 10:00 + 60 = 11:00Z (not 11:30Z).
    expect(iso(ticket.dueAt)).toBe('2026-04-01T11:00:00.000Z');
    // 10:00 + 20 = 10:20Z.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-04-01T10:20:00.000Z');
  });

  it('puts the deadline in the past when the new target has already elapsed', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { priority: 'medium', firstResponse: 60, resolution: 480 });
    const urgent = await givenPolicy(ctx.db, tenantId, { priority: 'urgent', firstResponse: 20, resolution: 60 });
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');

    // Escalated at 12:00Z, two hours in: the urgent deadline 10:00 + 60 = 11:00Z is already past.
    const now = '2026-04-01T12:00:00.000Z';
    const { ticket } = await updateTicket(ctx.db, as(tenantId, AGENT, now), created.id, { priority: 'urgent' });
    expect(ticket.slaPolicyId).toBe(urgent.id);
    expect(iso(ticket.dueAt)).toBe('2026-04-01T11:00:00.000Z');
    expect(ticket.dueAt!.getTime()).toBeLessThan(new Date(now).getTime());
  });

  it('drops the SLA when the type changes to one without a policy', async () => {
    const tenantId = newTenantId();
    const policy = await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 240 });
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');
    expect(created.slaPolicyId).toBe(policy.id);

    const { ticket, changed } = await updateTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:30:00.000Z'), created.id, {
      type: 'change',
    });
    expect(changed).toBe(true);
    expect(ticket.slaPolicyId).toBeNull();
    expect(ticket.dueAt).toBeNull();
    expect(ticket.firstResponseDueAt).toBeNull();

    const events = await listTicketEvents(ctx.db, as(tenantId, AGENT, '2026-04-01T10:30:00.000Z'), created.id);
    const update = events.at(-1)!;
    expect(update.kind).toBe('updated');
    expect(update.changes.sla_policy).toEqual({ from: policy.id, to: null });
    expect(update.changes.due_at).toEqual({ from: '2026-04-01T14:00:00.000Z', to: null });
  });

  it('keeps the pauses across a re-match', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { priority: 'medium', firstResponse: 60, resolution: 480 });
    const urgent = await givenPolicy(ctx.db, tenantId, { priority: 'urgent', firstResponse: 20, resolution: 60 });
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');

    // Pending 10:10-10:40Z: 30 min. Medium deadline 10:00 + 480 + 30 = 18:30Z.
    await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T10:10:00.000Z'), created.id, 'pending');
    const resumed = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T10:40:00.000Z'), created.id, 'in_progress');
    expect(iso(resumed.ticket.dueAt)).toBe('2026-04-01T18:30:00.000Z');

    // Escalated at 10:50Z: urgent 60 + the 30 min pause from 10:00 -> 11:30Z.
    const { ticket } = await updateTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:50:00.000Z'), created.id, {
      priority: 'urgent',
    });
    expect(ticket.slaPolicyId).toBe(urgent.id);
    expect(ticket.slaPauses).toEqual([{ from: '2026-04-01T10:10:00.000Z', to: '2026-04-01T10:40:00.000Z' }]);
    expect(iso(ticket.dueAt)).toBe('2026-04-01T11:30:00.000Z');
    // The first-response clock is not paused: 10:00 + 20 = 10:20Z.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-04-01T10:20:00.000Z');
  });

  it('keeps an open pause across a re-match and settles it on resume', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { priority: 'medium', firstResponse: 60, resolution: 480 });
    const urgent = await givenPolicy(ctx.db, tenantId, { priority: 'urgent', firstResponse: 20, resolution: 60 });
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');

    await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T10:10:00.000Z'), created.id, 'pending');
    // Escalated at 10:20Z while pending: the open pause does not count yet -> 10:00 + 60 = 11:00Z.
    const escalated = await updateTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:20:00.000Z'), created.id, {
      priority: 'urgent',
    });
    expect(escalated.ticket.slaPolicyId).toBe(urgent.id);
    expect(escalated.ticket.status).toBe('pending');
    expect(escalated.ticket.slaPauses).toEqual([{ from: '2026-04-01T10:10:00.000Z', to: null }]);
    expect(iso(escalated.ticket.dueAt)).toBe('2026-04-01T11:00:00.000Z');

    // Resumed at 10:40Z: 30 min paused -> 10:00 + 60 + 30 = 11:30Z.
    const resumed = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T10:40:00.000Z'), created.id, 'in_progress');
    expect(iso(resumed.ticket.dueAt)).toBe('2026-04-01T11:30:00.000Z');
  });

  // -------------------------------------------------------------------------------------------
  // First response

  it('takes the first action of someone other than the submitter as the first response', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 240 });
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');
    expect(created.submittedById).toBe(SUBMITTER);
    expect(created.firstResponseAt).toBeNull();

    // The submitter's own actions do not count.
    const ownStatus = await changeTicketStatus(ctx.db, as(tenantId, SUBMITTER, '2026-04-01T10:02:00.000Z'), created.id, 'pending');
    expect(ownStatus.changed).toBe(true);
    expect(ownStatus.ticket.firstResponseAt).toBeNull();
    const ownReply = await recordResponse(ctx.db, as(tenantId, SUBMITTER, '2026-04-01T10:03:00.000Z'), created.id);
    expect(ownReply.changed).toBe(false);
    expect(ownReply.ticket.firstResponseAt).toBeNull();
    await changeTicketStatus(ctx.db, as(tenantId, SUBMITTER, '2026-04-01T10:04:00.000Z'), created.id, 'in_progress');

    // An agent's claim is the first response, stamped with the claim's time.
    const claimed = await claimTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:05:00.000Z'), created.id);
    expect(claimed.ticket.assignedToId).toBe(AGENT);
    expect(iso(claimed.ticket.firstResponseAt)).toBe('2026-04-01T10:05:00.000Z');

    // Later actions do not move it.
    const later = await changeTicketStatus(ctx.db, as(tenantId, OTHER_AGENT, '2026-04-01T10:20:00.000Z'), created.id, 'pending');
    expect(iso(later.ticket.firstResponseAt)).toBe('2026-04-01T10:05:00.000Z');
    const reply = await recordResponse(ctx.db, as(tenantId, OTHER_AGENT, '2026-04-01T10:25:00.000Z'), created.id);
    expect(reply.changed).toBe(false);
    expect(iso(reply.ticket.firstResponseAt)).toBe('2026-04-01T10:05:00.000Z');
  });

  it('records an explicit response by another person when none is set', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 240 });
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');

    const reply = await recordResponse(ctx.db, as(tenantId, AGENT, '2026-04-01T10:40:00.000Z'), created.id);
    expect(reply.changed).toBe(true);
    expect(iso(reply.ticket.firstResponseAt)).toBe('2026-04-01T10:40:00.000Z');
    // Responding is not a status change and does not touch the deadlines.
    expect(reply.ticket.status).toBe('open');
    expect(iso(reply.ticket.firstResponseDueAt)).toBe('2026-04-01T11:00:00.000Z');
    expect(iso(reply.ticket.dueAt)).toBe('2026-04-01T14:00:00.000Z');

    const events = await listTicketEvents(ctx.db, as(tenantId, AGENT, '2026-04-01T10:40:00.000Z'), created.id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'responded']);
    expect(events[1]!.actorId).toBe(AGENT);
  });

  // -------------------------------------------------------------------------------------------
  // Reopen

  it('starts a new resolution cycle on reopen and keeps the history', async () => {
    const tenantId = newTenantId();
    await givenPolicy(ctx.db, tenantId, { firstResponse: 60, resolution: 240 });
    // Created 2026-04-01 10:00Z: first response due 11:00Z, resolution due 14:00Z.
    const created = await fileTicket(ctx.db, tenantId, '2026-04-01T10:00:00.000Z');
    await claimTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T10:10:00.000Z'), created.id);
    await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T10:30:00.000Z'), created.id, 'pending');
    const resumed = await changeTicketStatus(ctx.db, as(tenantId, AGENT, '2026-04-01T11:00:00.000Z'), created.id, 'in_progress');
    // 30 min pending: 14:30Z.
    expect(iso(resumed.ticket.dueAt)).toBe('2026-04-01T14:30:00.000Z');
    const resolved = await resolveTicket(ctx.db, as(tenantId, AGENT, '2026-04-01T12:00:00.000Z'), created.id);
    expect(iso(resolved.ticket.resolvedAt)).toBe('2026-04-01T12:00:00.000Z');

    // The submitter reopens the next morning, 2026-04-02 09:00Z.
    const { ticket } = await reopenTicket(ctx.db, as(tenantId, SUBMITTER, '2026-04-02T09:00:00.000Z'), created.id);
    expect(ticket.slaCycle).toBe(2);
    expect(ticket.status).toBe('in_progress'); // still assigned to AGENT
    expect(ticket.resolvedAt).toBeNull();
    expect(ticket.slaPauses).toEqual([]);
    expect(iso(ticket.slaCycleStartedAt)).toBe('2026-04-02T09:00:00.000Z');
    // New cycle from the reopen, without the old pause: 09:00 + 240 = 13:00Z.
    expect(iso(ticket.dueAt)).toBe('2026-04-02T13:00:00.000Z');
    // First response belongs to the ticket, not the cycle: both unchanged.
    expect(iso(ticket.firstResponseDueAt)).toBe('2026-04-01T11:00:00.000Z');
    expect(iso(ticket.firstResponseAt)).toBe('2026-04-01T10:10:00.000Z');

    const events = await listTicketEvents(ctx.db, as(tenantId, AGENT, '2026-04-02T09:00:00.000Z'), created.id);
    expect(events.map((e) => [e.kind, e.slaCycle, e.at.toISOString()])).toEqual([
      ['created', 1, '2026-04-01T10:00:00.000Z'],
      ['claimed', 1, '2026-04-01T10:10:00.000Z'],
      ['status_changed', 1, '2026-04-01T10:30:00.000Z'],
      ['status_changed', 1, '2026-04-01T11:00:00.000Z'],
      ['resolved', 1, '2026-04-01T12:00:00.000Z'],
      ['reopened', 2, '2026-04-02T09:00:00.000Z'],
    ]);
    const reopened = events.at(-1)!;
    expect(reopened.changes.sla_cycle).toEqual({ from: 1, to: 2 });
    expect(reopened.changes.due_at).toEqual({ from: '2026-04-01T14:30:00.000Z', to: '2026-04-02T13:00:00.000Z' });
  });
});
