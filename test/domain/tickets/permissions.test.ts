import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { slaAlerts } from '../../../src/db/schema/index.js';
import { ForbiddenError, NotFoundError } from '../../../src/domain/errors.js';
import { acknowledgeSlaAlert, ticketBreaches } from '../../../src/domain/sla/alerts.js';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { createTeam, updateTeam } from '../../../src/domain/teams.js';
import { mayActOnTicket } from '../../../src/domain/tickets/permissions.js';
import { getTicket, listMyOpenTickets } from '../../../src/domain/tickets/queries.js';
import { changeTicketStatus, claimTicket, createTicket, reopenTicket } from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const NOW = '2026-06-01T12:00:00.000Z';
const person = (actorId: string) => ({ actorId, appId: null });

describeEachDatabase('who may act on a ticket', (ctx) => {
  async function desk() {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, 'per_admin', NOW);
    const ada = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UADA' }, new Date(NOW));
    const bob = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UBOB' }, new Date(NOW));
    const team = await createTeam(ctx.db, admin, { name: 'Desk', agent_ids: [ada.id] });
    const open = await createTeam(ctx.db, admin, { name: 'Anyone' });
    const staffed = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Staffed', team_id: team.id });
    const unstaffed = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Unstaffed', team_id: open.id });
    return { tenant, admin, ada, bob, team, staffed, unstaffed };
  }

  it("lets the team's agents act, anyone on a team without agents, and the requester close or reopen", async () => {
    const { ada, bob, staffed, unstaffed } = await desk();
    expect(await mayActOnTicket(ctx.db, staffed, person(ada.id), 'claim')).toEqual({ allowed: true });
    expect(await mayActOnTicket(ctx.db, staffed, person(bob.id), 'claim')).toEqual({ allowed: false, reason: `Only the agents of Desk can claim ${staffed.number}.` });
    expect(await mayActOnTicket(ctx.db, unstaffed, person(bob.id), 'claim')).toEqual({ allowed: true });
    expect(await mayActOnTicket(ctx.db, staffed, person('per_requester'), 'close')).toEqual({ allowed: true });
    expect(await mayActOnTicket(ctx.db, staffed, person('per_requester'), 'claim')).toMatchObject({ allowed: false });
    expect(await mayActOnTicket(ctx.db, staffed, person(bob.id), 'reopen')).toEqual({
      allowed: false,
      reason: `Only the agents of Desk or the requester can reopen ${staffed.number}.`,
    });
  });

  it('decides the permission inside the write, on the ticket as it is under the lock', async () => {
    const { tenant, admin, ada, bob, team, staffed } = await desk();
    const asBob = scopeFor(tenant, bob.id, NOW);
    await expect(claimTicket(ctx.db, asBob, staffed.id, { permission: 'claim' })).rejects.toThrow(ForbiddenError);
    expect(await getTicket(ctx.db, admin, staffed.id)).toMatchObject({ assignedToId: null, revision: staffed.revision });
    // Without the option (the REST API, whose tokens carry scopes instead), the write goes through.
    const other = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Other', team_id: team.id });
    await expect(claimTicket(ctx.db, asBob, other.id)).resolves.toMatchObject({ changed: true });
    // Bob joins the team: the very next write sees it.
    await updateTeam(ctx.db, admin, team.id, { agent_ids: [ada.id, bob.id] });
    await expect(claimTicket(ctx.db, asBob, staffed.id, { permission: 'claim' })).resolves.toMatchObject({ changed: true });
    // The requester closes and reopens their own resolved ticket; a stranger may not.
    await changeTicketStatus(ctx.db, asBob, staffed.id, 'resolved', { permission: 'resolve' });
    const asRequester = scopeFor(tenant, 'per_requester', NOW);
    await expect(reopenTicket(ctx.db, asRequester, staffed.id, { permission: 'reopen' })).resolves.toMatchObject({ changed: true });
    await expect(reopenTicket(ctx.db, scopeFor(tenant, 'per_stranger', NOW), staffed.id, { permission: 'reopen' })).rejects.toThrow();
  });

  it('acknowledges an alert only for who may act on its ticket', async () => {
    const { tenant, ada, bob, staffed } = await desk();
    const [alert] = await ctx.db
      .insert(slaAlerts)
      .values({
        tenantId: tenant,
        id: `sla_${newTenantId()}`,
        ticketId: staffed.id,
        clock: 'first_response',
        cycle: 1,
        kind: 'breach',
        status: 'delivered',
        deadlineAt: new Date(NOW),
        nextAttemptAt: new Date(NOW),
        createdAt: new Date(NOW),
      })
      .returning();
    await expect(acknowledgeSlaAlert(ctx.db, scopeFor(tenant, bob.id, NOW), alert!.id, { checkPermission: true })).rejects.toThrow(ForbiddenError);
    const stored = await ctx.db.select().from(slaAlerts).where(and(eq(slaAlerts.tenantId, tenant), eq(slaAlerts.id, alert!.id)));
    expect(stored[0]!.acknowledgedAt).toBeNull();
    const done = await acknowledgeSlaAlert(ctx.db, scopeFor(tenant, ada.id, NOW), alert!.id, { checkPermission: true });
    expect(done).toMatchObject({ acknowledged: true, acknowledgedBy: ada.id });
    // An id no alert can have is not found (never a database error).
    await expect(acknowledgeSlaAlert(ctx.db, scopeFor(tenant, ada.id, NOW), 'sla_\u0000', { checkPermission: true })).rejects.toThrow(NotFoundError);
    // Another tenant cannot even find it.
    await expect(acknowledgeSlaAlert(ctx.db, scopeFor(newTenantId(), ada.id, NOW), alert!.id, { checkPermission: true })).rejects.toThrow(NotFoundError);
    expect(await ticketBreaches(ctx.db, staffed)).toEqual({ firstResponse: true, resolution: false, nextResponse: false });
  });

  it("lists a requester's open tickets, their own only", async () => {
    const { tenant, staffed, unstaffed } = await desk();
    const mine = await listMyOpenTickets(ctx.db, scopeFor(tenant, 'per_requester', NOW));
    expect(mine.items.map((t) => t.id).sort()).toEqual([staffed.id, unstaffed.id].sort());
    await changeTicketStatus(ctx.db, scopeFor(tenant, 'per_admin', NOW), staffed.id, 'closed');
    expect((await listMyOpenTickets(ctx.db, scopeFor(tenant, 'per_requester', NOW))).items.map((t) => t.id)).toEqual([unstaffed.id]);
    expect((await listMyOpenTickets(ctx.db, scopeFor(tenant, 'per_someone_else', NOW))).items).toEqual([]);
  });
});
