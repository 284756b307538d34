import { expect, it } from 'vitest';
import { slaAlerts } from '../../../src/db/schema/index.js';
import { ConflictError, NotFoundError } from '../../../src/domain/errors.js';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { createTeam, updateTeam } from '../../../src/domain/teams.js';
import { ticketForAction } from '../../../src/domain/tickets/permissions.js';
import { getTicket } from '../../../src/domain/tickets/queries.js';
import {
  assignTicket,
  changeTicketStatus,
  claimTicket,
  createTicket,
  listTicketEvents,
  reopenTicket,
  updateTicket,
  type TicketChangeEvent,
} from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-03-02T10:00:00.000Z';
const T1 = '2026-03-02T10:05:00.000Z';
const T2 = '2026-03-02T10:10:00.000Z';

/**
 * `current`: a write decided on the ticket the caller just read, applied in one statement
 * only while the row's revision is unchanged; otherwise the locked path decides again.
 */
describeEachDatabase('ticket writes from a ticket just read', (ctx) => {
  it('writes the change, its event and the revision as the locked path does', async () => {
    const tenant = newTenantId();
    const created = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Printer jammed', priority: 'high' });
    const heard: TicketChangeEvent[] = [];
    const read = await getTicket(ctx.db, { tenantId: tenant }, created.id);

    const { ticket, changed } = await claimTicket(ctx.db, scopeFor(tenant, 'per_agent', T1), created.number, {
      current: read,
      onChange: (event) => heard.push(event),
    });

    expect(changed).toBe(true);
    expect(ticket).toMatchObject({ status: 'in_progress', assignedToId: 'per_agent', revision: read.revision + 1, updatedBy: 'per_agent' });
    expect(ticket.firstResponseAt?.toISOString()).toBe(T1);
    expect(ticket.updatedAt.toISOString()).toBe(T1);
    expect(await getTicket(ctx.db, { tenantId: tenant }, created.id)).toEqual(ticket);
    const events = await listTicketEvents(ctx.db, { tenantId: tenant }, created.id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'claimed']);
    expect(events[1]).toMatchObject({ actorId: 'per_agent', slaCycle: 1, sourceType: 'api' });
    expect(events[1]!.at.toISOString()).toBe(T1);
    expect(events[1]!.changes).toEqual({
      assigned_to_id: { from: null, to: 'per_agent' },
      status: { from: 'open', to: 'in_progress' },
      first_response_at: { from: null, to: T1 },
    });
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({ kind: 'claimed', previous: read, ticket });
  });

  it('decides again on the current row when the ticket moved after it was read', async () => {
    const tenant = newTenantId();
    const created = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'VPN down' });
    const stale = await getTicket(ctx.db, { tenantId: tenant }, created.id);
    await claimTicket(ctx.db, scopeFor(tenant, 'per_ada', T1), created.id);

    // Decided on the stale read, Bob's claim would win; under the lock it is Ada's ticket.
    const error = await claimTicket(ctx.db, scopeFor(tenant, 'per_bob', T2), created.id, { current: stale }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).conflictingId).toBe('per_ada');

    // A change that still applies is applied on the current row (revision 2 -> 3).
    const { ticket } = await changeTicketStatus(ctx.db, scopeFor(tenant, 'per_ada', T2), created.id, 'pending', { current: stale });
    expect(ticket).toMatchObject({ status: 'pending', assignedToId: 'per_ada', revision: 3 });
    expect((await listTicketEvents(ctx.db, { tenantId: tenant }, created.id)).map((e) => e.kind)).toEqual(['created', 'claimed', 'status_changed']);
  });

  it('lets exactly one of two claims decided on the same read win', async () => {
    const tenant = newTenantId();
    const created = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Badge reader' });
    const read = await getTicket(ctx.db, { tenantId: tenant }, created.id);

    const results = await Promise.allSettled([
      claimTicket(ctx.db, scopeFor(tenant, 'per_ada', T1), created.id, { current: read }),
      claimTicket(ctx.db, scopeFor(tenant, 'per_bob', T1), created.id, { current: read }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    const winner = (won[0] as PromiseFulfilledResult<{ ticket: { assignedToId: string | null } }>).value.ticket.assignedToId;
    expect((lost[0]!.reason as ConflictError).conflictingId).toBe(winner);
    const events = await listTicketEvents(ctx.db, { tenantId: tenant }, created.id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'claimed']);
    expect((await getTicket(ctx.db, { tenantId: tenant }, created.id)).revision).toBe(read.revision + 1);
  });

  it('ignores a read of another tenant or of another ticket: the write goes by the scope and the reference', async () => {
    const tenant = newTenantId();
    const other = newTenantId();
    const mine = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Mine' });
    const theirs = await createTicket(ctx.db, scopeFor(other, 'per_requester', T0), { title: 'Theirs' });

    // Another tenant's ticket as `current` cannot make a write cross the boundary.
    await expect(claimTicket(ctx.db, scopeFor(tenant, 'per_agent', T1), theirs.id, { current: theirs })).rejects.toBeInstanceOf(NotFoundError);
    expect(await getTicket(ctx.db, { tenantId: other }, theirs.id)).toEqual(theirs);

    // A read of another ticket is not used for this one.
    const { ticket } = await assignTicket(ctx.db, scopeFor(tenant, 'per_agent', T1), mine.id, 'per_agent', { current: theirs });
    expect(ticket).toMatchObject({ id: mine.id, tenantId: tenant, assignedToId: 'per_agent' });
    expect(await getTicket(ctx.db, { tenantId: other }, theirs.id)).toEqual(theirs);
  });

  it('writes every kind of column from a fresh read: JSON pauses, text arrays, enums, instants, nulls', async () => {
    const tenant = newTenantId();
    const created = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Disk full', tags: ['storage'], category: 'infra' });
    const agent = scopeFor(tenant, 'per_agent', T1);
    const claimed = (await claimTicket(ctx.db, agent, created.id, { current: created })).ticket;
    const pending = (await changeTicketStatus(ctx.db, scopeFor(tenant, 'per_agent', T2), created.id, 'pending', { current: claimed })).ticket;
    expect(pending.slaPauses).toEqual([{ from: T2, to: null }]);
    const updated = (
      await updateTicket(ctx.db, scopeFor(tenant, 'per_agent', '2026-03-02T10:20:00.000Z'), created.id, { tags: ['storage', 'urgent'], category: null, title: 'Disk full on db-1' }, { current: pending })
    ).ticket;
    expect(updated).toMatchObject({ tags: ['storage', 'urgent'], category: null, title: 'Disk full on db-1', status: 'pending', revision: pending.revision + 1 });
    const stored = await getTicket(ctx.db, { tenantId: tenant }, created.id);
    expect(stored).toEqual(updated);
    expect(stored.slaPauses).toEqual(pending.slaPauses);
    const events = await listTicketEvents(ctx.db, { tenantId: tenant }, created.id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'claimed', 'status_changed', 'updated']);
    expect(events[3]!.changes).toEqual({
      title: { from: 'Disk full', to: 'Disk full on db-1' },
      category: { from: 'infra', to: null },
      tags: { from: ['storage'], to: ['storage', 'urgent'] },
    });
  });
});

/**
 * `remembered`: a write decided on a ticket the caller remembers (and whose team's agents it
 * counted earlier), applied only while both still hold; otherwise nothing at all, and `stale`.
 */
describeEachDatabase('ticket writes from a remembered ticket', (ctx) => {
  async function desk() {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, 'per_admin', T0);
    const ada = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UADA' }, new Date(T0));
    const bob = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UBOB' }, new Date(T0));
    const team = await createTeam(ctx.db, admin, { name: 'Desk', agent_ids: [ada.id] });
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Printer jammed', team_id: team.id });
    return { tenant, admin, ada: ada.id, bob: bob.id, team, ticket };
  }
  const eventsOf = async (tenant: string, id: string) => (await listTicketEvents(ctx.db, { tenantId: tenant }, id)).map((e) => e.kind);

  it('writes the change when the ticket and its team are as remembered, with the breach record read beside it', async () => {
    const { tenant, ada, ticket } = await desk();
    await ctx.db.insert(slaAlerts).values({
      tenantId: tenant,
      id: 'sla_remembered_1',
      ticketId: ticket.id,
      clock: 'first_response',
      cycle: 1,
      kind: 'breach',
      status: 'delivered',
      deadlineAt: new Date(T0),
      nextAttemptAt: new Date(T0),
      createdAt: new Date(T0),
    });
    const heard: TicketChangeEvent[] = [];
    const result = await claimTicket(ctx.db, scopeFor(tenant, ada, T1), ticket.id, {
      current: ticket,
      remembered: { agents: { personId: ada, total: 1, mine: 1 } },
      onChange: (event) => heard.push(event),
    });
    expect(result.stale).toBeUndefined();
    expect(result.changed).toBe(true);
    expect(result.ticket).toMatchObject({ status: 'in_progress', assignedToId: ada, revision: ticket.revision + 1 });
    expect(await getTicket(ctx.db, { tenantId: tenant }, ticket.id)).toEqual(result.ticket);
    expect(await eventsOf(tenant, ticket.id)).toEqual(['created', 'claimed']);
    expect(heard).toHaveLength(1);
    expect(heard[0]!.breaches).toEqual({ firstResponse: true, resolutionCycle: null });
    expect(heard[0]!.breaches).toEqual((await ticketForAction(ctx.db, { tenantId: tenant }, ticket.id, ada)).breaches);
  });

  it('writes nothing, and says so, when the ticket moved since it was remembered', async () => {
    const { tenant, ada, bob, ticket } = await desk();
    await claimTicket(ctx.db, scopeFor(tenant, bob, T1), ticket.id);
    const before = await getTicket(ctx.db, { tenantId: tenant }, ticket.id);
    const heard: TicketChangeEvent[] = [];
    // Decided on the remembered (unassigned) ticket, Ada's claim would win; it must not apply.
    const result = await claimTicket(ctx.db, scopeFor(tenant, ada, T2), ticket.id, {
      current: ticket,
      remembered: { agents: { personId: ada, total: 1, mine: 1 } },
      onChange: (event) => heard.push(event),
    });
    expect(result).toMatchObject({ changed: false, stale: true });
    expect(await getTicket(ctx.db, { tenantId: tenant }, ticket.id)).toEqual(before);
    expect(await eventsOf(tenant, ticket.id)).toEqual(['created', 'claimed']);
    expect(heard).toEqual([]);
  });

  it("writes nothing when the team's agents changed since they were counted, whichever way", async () => {
    const { tenant, admin, ada, bob, team, ticket } = await desk();
    const remembered = { agents: { personId: ada, total: 1, mine: 1 } };
    // Ada is no agent of the team any more: the write she was allowed on what was counted must not apply.
    await updateTeam(ctx.db, admin, team.id, { agent_ids: [bob] });
    expect(await claimTicket(ctx.db, scopeFor(tenant, ada, T1), ticket.id, { current: ticket, remembered })).toMatchObject({ changed: false, stale: true });
    // Someone joined: the count differs too.
    await updateTeam(ctx.db, admin, team.id, { agent_ids: [ada, bob] });
    expect(await claimTicket(ctx.db, scopeFor(tenant, ada, T1), ticket.id, { current: ticket, remembered })).toMatchObject({ changed: false, stale: true });
    expect(await getTicket(ctx.db, { tenantId: tenant }, ticket.id)).toEqual(ticket);
    // Counted as they are now, it applies.
    const now = { agents: { personId: ada, total: 2, mine: 1 } };
    expect(await claimTicket(ctx.db, scopeFor(tenant, ada, T1), ticket.id, { current: ticket, remembered: now })).toMatchObject({ changed: true });
    // And Bob, counted as no agent while he is one, is stale as well (he may act: the caller reads afresh and sees it).
    const claimed = await getTicket(ctx.db, { tenantId: tenant }, ticket.id);
    const asStranger = { agents: { personId: bob, total: 2, mine: 0 } };
    expect(await changeTicketStatus(ctx.db, scopeFor(tenant, bob, T2), ticket.id, 'pending', { current: claimed, remembered: asStranger })).toMatchObject({ stale: true });
    expect(await eventsOf(tenant, ticket.id)).toEqual(['created', 'claimed']);
  });

  it('is stale rather than wrong when the change cannot be decided on the remembered ticket alone', async () => {
    const { tenant, ada, bob, ticket } = await desk();
    const agents = { personId: ada, total: 1, mine: 1 };
    const claimed = (await claimTicket(ctx.db, scopeFor(tenant, bob, T1), ticket.id)).ticket;
    // On the remembered ticket Ada's claim conflicts with Bob's: not reported from memory, re-read by the caller.
    expect(await claimTicket(ctx.db, scopeFor(tenant, ada, T2), ticket.id, { current: claimed, remembered: { agents } })).toMatchObject({ stale: true });
    // A change that changes nothing, and a transition the ticket does not allow, likewise.
    expect(await claimTicket(ctx.db, scopeFor(tenant, bob, T2), ticket.id, { current: claimed, remembered: { agents: { ...agents, personId: bob, mine: 0 } } })).toMatchObject({
      stale: true,
    });
    expect(await reopenTicket(ctx.db, scopeFor(tenant, ada, T2), ticket.id, { current: claimed, remembered: { agents } })).toMatchObject({ stale: true });
    expect(await eventsOf(tenant, ticket.id)).toEqual(['created', 'claimed']);
  });

  it("is stale for a remembered ticket of another tenant or another ticket, and needs the ticket it remembers", async () => {
    const { tenant, ada, ticket } = await desk();
    const other = await desk();
    const remembered = { agents: { personId: ada, total: 1, mine: 1 } };
    expect(await claimTicket(ctx.db, scopeFor(tenant, ada, T1), ticket.id, { current: other.ticket, remembered })).toMatchObject({ stale: true });
    expect(await getTicket(ctx.db, { tenantId: other.tenant }, other.ticket.id)).toEqual(other.ticket);
    expect(await getTicket(ctx.db, { tenantId: tenant }, ticket.id)).toEqual(ticket);
    await expect(claimTicket(ctx.db, scopeFor(tenant, ada, T1), ticket.id, { remembered })).rejects.toThrow(/remembered ticket/);
  });
});
