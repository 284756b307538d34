import { expect, it } from 'vitest';
import {
  ConflictError,
  InvalidTransitionError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../../src/domain/errors.js';
import { createTeam } from '../../../src/domain/teams.js';
import { updateTenantSettings } from '../../../src/domain/tenants.js';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { getTicket } from '../../../src/domain/tickets/queries.js';
import {
  assignTicket,
  changeTicketStatus,
  claimTicket,
  closeTicket,
  createTicket,
  deleteTicket,
  listTicketEvents,
  reopenTicket,
  resolveTicket,
  updateTicket,
} from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-03-02T10:00:00.000Z';
const T1 = '2026-03-02T10:05:00.000Z';
const T2 = '2026-03-02T10:10:00.000Z';

async function expectError<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describeEachDatabase('tickets', (ctx) => {
  it('creates a ticket with server stamps, defaults and a created event', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_requester', T0);
    const ticket = await createTicket(ctx.db, scope, {
      title: '  Laptop will not boot  ',
      description: 'Black screen after the **update**',
      category: 'Hardware',
      tags: ['laptop', 'laptop', 'urgent-ish'],
    });

    expect(ticket.id).toMatch(/^tkt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ticket.number).toBe('TKT-0001');
    expect(ticket.tenantId).toBe(tenant);
    expect(ticket.appId).toBeNull();
    expect(ticket.title).toBe('Laptop will not boot');
    expect(ticket.type).toBe('incident');
    expect(ticket.priority).toBe('medium');
    expect(ticket.status).toBe('open');
    expect(ticket.tags).toEqual(['laptop', 'urgent-ish']);
    expect(ticket.source).toBe('edm');
    expect(ticket.sourceType).toBe('api');
    expect(ticket.schemaVersion).toBe(1);
    expect(ticket.isDeleted).toBe(false);
    expect(ticket.createdAt.toISOString()).toBe(T0);
    expect(ticket.updatedAt.toISOString()).toBe(T0);
    expect(ticket.createdBy).toBe('per_requester');
    expect(ticket.submittedById).toBe('per_requester');
    expect(ticket.dueAt).toBeNull();

    const events = await listTicketEvents(ctx.db, scope, ticket.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'created', actorId: 'per_requester', slaCycle: 1 });
    expect(events[0]!.changes.title).toEqual({ from: null, to: 'Laptop will not boot' });
    expect(events[0]!.changes.status).toEqual({ from: null, to: 'open' });
  });

  it('stamps the app id and source type of the caller', async () => {
    const scope = scopeFor(newTenantId(), 'per_bot', T0, { appId: 'app_jira', sourceType: 'server' });
    const ticket = await createTicket(ctx.db, scope, { title: 'From an integration', source: 'jira-sync' });
    expect(ticket.appId).toBe('app_jira');
    expect(ticket.sourceType).toBe('server');
    expect(ticket.source).toBe('jira-sync');
  });

  it('ignores server-stamped fields sent by a client', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', T0);
    const ticket = await createTicket(ctx.db, scope, {
      title: 'Sneaky',
      id: 'tkt_FORGED',
      tenant_id: 'T_OTHER',
      number: 'TKT-9999',
      created_at: '2020-01-01T00:00:00Z',
      due_at: '2020-01-01T00:00:00Z',
      is_deleted: true,
      created_by: 'per_someone_else',
      schema_version: 42,
    });
    expect(ticket.id).not.toBe('tkt_FORGED');
    expect(ticket.tenantId).toBe(tenant);
    expect(ticket.number).toBe('TKT-0001');
    expect(ticket.createdAt.toISOString()).toBe(T0);
    expect(ticket.dueAt).toBeNull();
    expect(ticket.isDeleted).toBe(false);
    expect(ticket.createdBy).toBe('per_a');
    expect(ticket.schemaVersion).toBe(1);
  });

  it('rejects bad input with field paths and stores nothing', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', T0);
    const error = await expectError(
      createTicket(ctx.db, scope, { title: '   ', priority: 'critical', colour: 'red', tags: ['ok', ''] }),
      ValidationError,
    );
    const paths = error.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['title', 'priority', 'tags.1', 'colour']));

    await expectError(createTicket(ctx.db, scope, null), ValidationError);
    await expectError(createTicket(ctx.db, scope, { title: 'x'.repeat(201) }), ValidationError);
    await expectError(createTicket(ctx.db, scope, { title: 'Closed at birth', status: 'closed' }), ValidationError);

    const first = await createTicket(ctx.db, scope, { title: 'The first good one' });
    expect(first.number).toBe('TKT-0001');
  });

  it('routes to the default team, and refuses a team that is not the tenant’s', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', T0);
    const team = await createTeam(ctx.db, scope, { name: 'IT', slack_channel_id: 'C0IT' });
    await updateTenantSettings(ctx.db, scope, { default_team_id: team.id });
    expect((await createTicket(ctx.db, scope, { title: 'Default routed' })).teamId).toBe(team.id);
    expect((await createTicket(ctx.db, scope, { title: 'Explicitly none', team_id: null })).teamId).toBeNull();

    const otherScope = scopeFor(newTenantId(), 'per_z', T0);
    const foreignTeam = await createTeam(ctx.db, otherScope, { name: 'Foreign' });
    const error = await expectError(createTicket(ctx.db, scope, { title: 'Cross', team_id: foreignTeam.id }), ValidationError);
    expect(error.issues[0]!.path).toEqual(['team_id']);
    const update = await expectError(updateTicket(ctx.db, scope, 'TKT-0001', { team_id: foreignTeam.id }), ValidationError);
    expect(update.issues[0]!.path).toEqual(['team_id']);
  });

  it('finds a ticket by id and by number, never across tenants or apps', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', T0);
    const ticket = await createTicket(ctx.db, scope, { title: 'Find me' });
    expect((await getTicket(ctx.db, scope, ticket.id)).id).toBe(ticket.id);
    expect((await getTicket(ctx.db, scope, 'TKT-0001')).id).toBe(ticket.id);
    expect((await getTicket(ctx.db, scope, 'tkt-1')).id).toBe(ticket.id);
    await expectError(getTicket(ctx.db, scope, 'TKT-0002'), NotFoundError);

    const stranger = scopeFor(newTenantId(), 'per_a', T0);
    await expectError(getTicket(ctx.db, stranger, ticket.id), NotFoundError);
    await expectError(getTicket(ctx.db, stranger, 'TKT-0001'), NotFoundError);
    const otherApp = scopeFor(tenant, 'per_a', T0, { appId: 'app_other' });
    await expectError(getTicket(ctx.db, otherApp, ticket.id), NotFoundError);
  });

  it('updates with stamps, a revision and an event of old -> new values', async () => {
    const tenant = newTenantId();
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_a', T0), { title: 'Before', category: 'Software' });
    const agent = scopeFor(tenant, 'per_agent', T1);
    const { ticket: updated, changed } = await updateTicket(ctx.db, agent, ticket.id, {
      title: 'After',
      category: null,
      tags: ['vpn'],
    });
    expect(changed).toBe(true);
    expect(updated).toMatchObject({ title: 'After', category: null, tags: ['vpn'], updatedBy: 'per_agent', revision: 2 });
    expect(updated.updatedAt.toISOString()).toBe(T1);
    expect(updated.createdAt.toISOString()).toBe(T0);
    // Editing the title is not a response: only claim, assignment, status change or a reply are.
    expect(updated.firstResponseAt).toBeNull();

    const events = await listTicketEvents(ctx.db, agent, ticket.id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'updated']);
    expect(events[1]!.changes).toEqual({
      title: { from: 'Before', to: 'After' },
      category: { from: 'Software', to: null },
      tags: { from: [], to: ['vpn'] },
    });

    const noop = await updateTicket(ctx.db, scopeFor(tenant, 'per_agent', T2), ticket.id, { title: 'After' });
    expect(noop.changed).toBe(false);
    expect(noop.ticket.revision).toBe(2);
    expect(noop.ticket.updatedAt.toISOString()).toBe(T1);
    expect(await listTicketEvents(ctx.db, agent, ticket.id)).toHaveLength(2);
  });

  it('refuses a write based on a stale revision', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', T0);
    const ticket = await createTicket(ctx.db, scope, { title: 'Contended' });
    await updateTicket(ctx.db, scope, ticket.id, { title: 'First writer' }, { expectedRevision: 1 });
    await expectError(
      updateTicket(ctx.db, scope, ticket.id, { title: 'Second writer' }, { expectedRevision: 1 }),
      PreconditionFailedError,
    );
    expect((await getTicket(ctx.db, scope, ticket.id)).title).toBe('First writer');
  });

  it('walks the whole lifecycle and enforces the status machine', async () => {
    const tenant = newTenantId();
    const requester = scopeFor(tenant, 'per_req', T0);
    const ticket = await createTicket(ctx.db, requester, { title: 'VPN drops' });
    const agent = (at: string) => scopeFor(tenant, 'per_agent', at);

    await expectError(reopenTicket(ctx.db, agent(T1), ticket.id), InvalidTransitionError);
    const claimed = await claimTicket(ctx.db, agent(T1), ticket.id);
    expect(claimed.ticket).toMatchObject({ status: 'in_progress', assignedToId: 'per_agent' });
    const pending = await changeTicketStatus(ctx.db, agent(T2), ticket.id, 'pending');
    expect(pending.ticket.status).toBe('pending');
    await changeTicketStatus(ctx.db, agent('2026-03-02T11:00:00Z'), ticket.id, 'in_progress');
    const resolved = await resolveTicket(ctx.db, agent('2026-03-02T12:00:00Z'), ticket.id);
    expect(resolved.ticket.status).toBe('resolved');
    expect(resolved.ticket.resolvedAt?.toISOString()).toBe('2026-03-02T12:00:00.000Z');

    const illegal = await expectError(changeTicketStatus(ctx.db, agent(T2), ticket.id, 'pending'), InvalidTransitionError);
    expect(illegal.message).toMatch(/reopened/);
    await expectError(updateTicket(ctx.db, agent(T2), ticket.id, { status: 'open' }), InvalidTransitionError);
    await expectError(claimTicket(ctx.db, agent(T2), ticket.id), InvalidTransitionError);

    const reopened = await reopenTicket(ctx.db, scopeFor(tenant, 'per_req', '2026-03-02T12:30:00Z'), ticket.id);
    expect(reopened.ticket).toMatchObject({ status: 'in_progress', resolvedAt: null, slaCycle: 2 });
    await resolveTicket(ctx.db, agent('2026-03-02T13:00:00Z'), ticket.id);
    const closed = await closeTicket(ctx.db, scopeFor(tenant, 'per_req', '2026-03-02T14:00:00Z'), ticket.id);
    expect(closed.ticket.status).toBe('closed');
    expect(closed.ticket.closedAt).not.toBeNull();

    // Closed is final: no status, no edit, no reopen; closing again changes nothing.
    await expectError(changeTicketStatus(ctx.db, agent(T2), ticket.id, 'open'), InvalidTransitionError);
    await expectError(assignTicket(ctx.db, agent(T2), ticket.id, 'per_other'), InvalidTransitionError);
    await expectError(reopenTicket(ctx.db, requester, ticket.id), InvalidTransitionError);
    await expectError(updateTicket(ctx.db, agent(T2), ticket.id, { title: 'Edited after close' }), InvalidTransitionError);
    expect((await closeTicket(ctx.db, requester, ticket.id)).changed).toBe(false);

    const kinds = (await listTicketEvents(ctx.db, requester, ticket.id)).map((e) => e.kind);
    expect(kinds).toEqual(['created', 'claimed', 'status_changed', 'status_changed', 'resolved', 'reopened', 'resolved', 'closed']);
  });

  it('rejects a status that does not exist, and moves that skip the machine', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_agent', T0);
    const ticket = await createTicket(ctx.db, scope, { title: 'Machine' });
    const bad = await expectError(updateTicket(ctx.db, scope, ticket.id, { status: 'done' }), ValidationError);
    expect(bad.issues[0]!.path).toEqual(['status']);
    const direct = await expectError(changeTicketStatus(ctx.db, scope, ticket.id, 'done' as never), ValidationError);
    expect(direct.issues[0]!.path).toEqual(['status']);
    const assignee = await expectError(assignTicket(ctx.db, scope, ticket.id, 'has spaces'), ValidationError);
    expect(assignee.issues[0]!.path).toEqual(['assigned_to_id']);
    await changeTicketStatus(ctx.db, scope, ticket.id, 'pending');
    await expectError(changeTicketStatus(ctx.db, scope, ticket.id, 'open'), InvalidTransitionError);
    expect((await getTicket(ctx.db, scope, ticket.id)).status).toBe('pending');
  });

  it('lets one of two agents claim, and tells the other who has it', async () => {
    const tenant = newTenantId();
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_req', T0), { title: 'Race me' });
    const results = await Promise.allSettled([
      claimTicket(ctx.db, scopeFor(tenant, 'per_alice', T1), ticket.id),
      claimTicket(ctx.db, scopeFor(tenant, 'per_bob', T1), ticket.id),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (await getTicket(ctx.db, scopeFor(tenant, null, T1), ticket.id)).assignedToId;
    expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
    expect((lost[0]!.reason as ConflictError).conflictingId).toBe(winner);
    expect(String((lost[0]!.reason as Error).message)).toContain(winner!);
    // Claiming again by the winner is a no-op, not an error.
    expect((await claimTicket(ctx.db, scopeFor(tenant, winner, T2), ticket.id)).changed).toBe(false);
  });

  it('assigns and unassigns, moving between open and in progress', async () => {
    const tenant = newTenantId();
    const lead = scopeFor(tenant, 'per_lead', T1);
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_req', T0), { title: 'Assign me' });
    const assigned = await assignTicket(ctx.db, lead, ticket.id, 'per_dev');
    expect(assigned.ticket).toMatchObject({ assignedToId: 'per_dev', status: 'in_progress' });
    expect(assigned.ticket.firstResponseAt?.toISOString()).toBe(T1);
    const unassigned = await assignTicket(ctx.db, scopeFor(tenant, 'per_lead', T2), ticket.id, null);
    expect(unassigned.ticket).toMatchObject({ assignedToId: null, status: 'open' });
    // An explicit status in the same patch wins over the one the assignment implies.
    const patched = await updateTicket(ctx.db, lead, ticket.id, { assigned_to_id: 'per_dev', status: 'pending' });
    expect(patched.ticket).toMatchObject({ assignedToId: 'per_dev', status: 'pending' });
  });

  it('soft-deletes: the row stays, out of reach of reads and writes', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', T1);
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_req', T0), { title: 'Spam' });
    const { ticket: deleted } = await deleteTicket(ctx.db, scope, ticket.id);
    expect(deleted.isDeleted).toBe(true);
    expect(deleted.deletedAt?.toISOString()).toBe(T1);
    expect(deleted.deletedBy).toBe('per_admin');
    await expectError(getTicket(ctx.db, scope, ticket.id), NotFoundError);
    expect((await getTicket(ctx.db, scope, ticket.id, { includeDeleted: true })).title).toBe('Spam');
    await expectError(updateTicket(ctx.db, scope, ticket.id, { title: 'Revived' }), NotFoundError);
    await expectError(deleteTicket(ctx.db, scope, ticket.id), NotFoundError);
    const events = await listTicketEvents(ctx.db, scope, ticket.id);
    expect(events.at(-1)).toMatchObject({ kind: 'deleted', actorId: 'per_admin' });
  });

  it('keeps every write inside its tenant and app', async () => {
    const tenant = newTenantId();
    const owner = scopeFor(tenant, 'per_owner', T0, { appId: 'app_a' });
    const ticket = await createTicket(ctx.db, owner, { title: 'Mine' });
    const strangers = [
      scopeFor(newTenantId(), 'per_x', T1),
      scopeFor(newTenantId(), 'per_x', T1, { appId: 'app_a' }),
      scopeFor(tenant, 'per_x', T1, { appId: 'app_b' }),
    ];
    for (const stranger of strangers) {
      for (const ref of [ticket.id, ticket.number]) {
        await expectError(updateTicket(ctx.db, stranger, ref, { title: 'Hijacked' }), NotFoundError);
        await expectError(claimTicket(ctx.db, stranger, ref), NotFoundError);
        await expectError(assignTicket(ctx.db, stranger, ref, 'per_x'), NotFoundError);
        await expectError(changeTicketStatus(ctx.db, stranger, ref, 'pending'), NotFoundError);
        await expectError(resolveTicket(ctx.db, stranger, ref), NotFoundError);
        await expectError(closeTicket(ctx.db, stranger, ref), NotFoundError);
        await expectError(reopenTicket(ctx.db, stranger, ref), NotFoundError);
        await expectError(deleteTicket(ctx.db, stranger, ref), NotFoundError);
      }
    }
    const after = await getTicket(ctx.db, owner, ticket.id);
    expect(after).toMatchObject({ title: 'Mine', status: 'open', assignedToId: null, isDeleted: false, revision: 1 });
    // The human session of the same tenant (no app id) sees the app's ticket.
    expect((await getTicket(ctx.db, scopeFor(tenant, 'per_owner', T1), ticket.id)).id).toBe(ticket.id);
  });

  it('links a Slack person once per workspace user', async () => {
    const tenant = newTenantId();
    const first = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U123', displayName: 'Ada' }, new Date(T0));
    const again = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U123', displayName: 'Ada L.' }, new Date(T1));
    expect(first.id).toMatch(/^per_/);
    expect(again.id).toBe(first.id);
    expect(again.displayName).toBe('Ada L.');
    const elsewhere = await upsertSlackPerson(ctx.db, newTenantId(), { slackUserId: 'U123' }, new Date(T0));
    expect(elsewhere.id).not.toBe(first.id);
  });
});
