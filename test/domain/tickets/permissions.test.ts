import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { slaAlerts } from '../../../src/db/schema/index.js';
import { NotFoundError } from '../../../src/domain/errors.js';
import { breachFlagsOf, ticketBreaches } from '../../../src/domain/sla/alerts.js';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { createTeam } from '../../../src/domain/teams.js';
import { mayActOnTicket, ticketForAction } from '../../../src/domain/tickets/permissions.js';
import { getTicket } from '../../../src/domain/tickets/queries.js';
import { createTicket, deleteTicket } from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const NOW = '2026-06-01T12:00:00.000Z';

describeEachDatabase('who may act on a ticket', (ctx) => {
  it('reads a ticket with its team agent check in one go, and decides from it as from its own read', async () => {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, 'per_admin', NOW);
    const ada = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UADA' }, new Date(NOW));
    const bob = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UBOB' }, new Date(NOW));
    const desk = await createTeam(ctx.db, admin, { name: 'Desk', agent_ids: [ada.id] });
    const open = await createTeam(ctx.db, admin, { name: 'Anyone' });
    const staffed = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Staffed', team_id: desk.id });
    const unstaffed = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Unstaffed', team_id: open.id });

    const forAda = await ticketForAction(ctx.db, admin, staffed.id, ada.id);
    expect(forAda.ticket).toEqual(await getTicket(ctx.db, admin, staffed.id));
    expect(forAda.agents).toEqual({ total: 1, mine: 1 });
    const forBob = await ticketForAction(ctx.db, admin, staffed.number, bob.id);
    expect(forBob.ticket.id).toBe(staffed.id);
    expect(forBob.agents).toEqual({ total: 1, mine: 0 });
    expect((await ticketForAction(ctx.db, admin, unstaffed.id, bob.id)).agents).toEqual({ total: 0, mine: 0 });

    for (const [ticket, person, agents] of [
      [forAda.ticket, ada.id, forAda.agents],
      [forBob.ticket, bob.id, forBob.agents],
    ] as const) {
      expect(await mayActOnTicket(ctx.db, ticket, person, 'claim', agents)).toEqual(await mayActOnTicket(ctx.db, ticket, person, 'claim'));
    }
    expect(await mayActOnTicket(ctx.db, forBob.ticket, bob.id, 'claim', forBob.agents)).toEqual({
      allowed: false,
      reason: `Only the agents of Desk can claim ${staffed.number}.`,
    });
    // The requester may close their own ticket whatever the team says.
    expect(await mayActOnTicket(ctx.db, forBob.ticket, 'per_requester', 'close', { total: 1, mine: 0 })).toEqual({ allowed: true });
  });

  it('reads the delivered breach alerts beside the ticket, as the card shows them', async () => {
    const tenant = newTenantId();
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Late' });
    const other = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Elsewhere' });
    const read = async () => (await ticketForAction(ctx.db, { tenantId: tenant }, ticket.id, 'per_x')).breaches;
    const asCardShows = async () => ticketBreaches(ctx.db, await getTicket(ctx.db, { tenantId: tenant }, ticket.id));
    expect(await read()).toEqual({ firstResponse: false, resolutionCycle: null });

    let seq = 0;
    const alert = (ticketId: string, clock: 'first_response' | 'resolution', cycle: number, kind: 'warning' | 'breach', status: 'pending' | 'delivered') =>
      ctx.db.insert(slaAlerts).values({
        tenantId: tenant,
        id: `sla_${++seq}`,
        ticketId,
        clock,
        cycle,
        kind,
        status,
        deadlineAt: new Date(NOW),
        nextAttemptAt: new Date(NOW),
        createdAt: new Date(NOW),
      });
    // Warnings, undelivered breaches and other tickets' breaches do not count.
    await alert(ticket.id, 'first_response', 1, 'warning', 'delivered');
    await alert(ticket.id, 'resolution', 1, 'breach', 'pending');
    await alert(other.id, 'first_response', 1, 'breach', 'delivered');
    expect(await read()).toEqual({ firstResponse: false, resolutionCycle: null });
    await alert(ticket.id, 'first_response', 1, 'breach', 'delivered');
    await alert(ticket.id, 'resolution', 0, 'breach', 'delivered'); // an earlier cycle's
    const current = await getTicket(ctx.db, { tenantId: tenant }, ticket.id);
    expect(await read()).toEqual({ firstResponse: true, resolutionCycle: 0 });
    expect(breachFlagsOf(await read(), current)).toEqual({ firstResponse: true, resolution: false });
    expect(breachFlagsOf(await read(), current)).toEqual(await asCardShows());
    // The pending breach of this cycle goes out.
    await ctx.db
      .update(slaAlerts)
      .set({ status: 'delivered' })
      .where(and(eq(slaAlerts.tenantId, tenant), eq(slaAlerts.ticketId, ticket.id), eq(slaAlerts.clock, 'resolution'), eq(slaAlerts.cycle, current.slaCycle)));
    const record = await read();
    expect(record).toEqual({ firstResponse: true, resolutionCycle: current.slaCycle });
    expect(breachFlagsOf(record, current)).toEqual({ firstResponse: true, resolution: true });
    expect(breachFlagsOf(record, current)).toEqual(await asCardShows());
    // A reopened ticket's new cycle starts without a resolution breach.
    expect(breachFlagsOf(record, { slaCycle: current.slaCycle + 1 })).toEqual({ firstResponse: true, resolution: false });
    // The other ticket's breach is its own.
    expect((await ticketForAction(ctx.db, { tenantId: tenant }, other.id, 'per_x')).breaches).toEqual({ firstResponse: true, resolutionCycle: null });
  });

  it('finds nothing of another tenant, and nothing deleted', async () => {
    const tenant = newTenantId();
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Mine' });
    await expect(ticketForAction(ctx.db, { tenantId: newTenantId() }, ticket.id, 'per_x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ticketForAction(ctx.db, { tenantId: newTenantId() }, ticket.number, 'per_x')).rejects.toBeInstanceOf(NotFoundError);
    await deleteTicket(ctx.db, scopeFor(tenant, 'per_admin', NOW), ticket.id);
    await expect(ticketForAction(ctx.db, { tenantId: tenant }, ticket.id, 'per_x')).rejects.toBeInstanceOf(NotFoundError);
  });
});
