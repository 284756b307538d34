import { expect, it } from 'vitest';
import { NotFoundError } from '../../../src/domain/errors.js';
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

  it('finds nothing of another tenant, and nothing deleted', async () => {
    const tenant = newTenantId();
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', NOW), { title: 'Mine' });
    await expect(ticketForAction(ctx.db, { tenantId: newTenantId() }, ticket.id, 'per_x')).rejects.toBeInstanceOf(NotFoundError);
    await expect(ticketForAction(ctx.db, { tenantId: newTenantId() }, ticket.number, 'per_x')).rejects.toBeInstanceOf(NotFoundError);
    await deleteTicket(ctx.db, scopeFor(tenant, 'per_admin', NOW), ticket.id);
    await expect(ticketForAction(ctx.db, { tenantId: tenant }, ticket.id, 'per_x')).rejects.toBeInstanceOf(NotFoundError);
  });
});
