import { beforeAll, expect, it } from 'vitest';
import { atRiskInMyTeams, myQueue, myRequests, nextDeadline, recentHomeViewers, recordHomeOpened, unassignedInMyTeams } from '../../src/domain/home.js';
import { upsertSlackPerson, type Person } from '../../src/domain/people.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam, type Team } from '../../src/domain/teams.js';
import type { Ticket } from '../../src/domain/tickets/queries.js';
import { changeTicketStatus, claimTicket, createTicket } from '../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

const NOW = new Date('2026-05-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

describeEachDatabase('what a Home lists', (ctx) => {
  const tenant = newTenantId();
  let ann: Person;
  let agent: Person;
  let agent2: Person;
  let other: Person;
  let teamA: Team;
  let teamB: Team;
  const t: Record<string, Ticket> = {};

  const file = async (name: string, at: Date, input: Record<string, unknown>, by: Person = ann) => {
    t[name] = await createTicket(ctx.db, scopeFor(tenant, by.id, at), { type: 'incident', priority: 'high', team_id: teamA.id, title: name, ...input });
  };
  const numbers = (list: { items: { ticket: Ticket }[] }) => list.items.map((i) => i.ticket.title);

  beforeAll(async () => {
    const person = (slackUserId: string) => upsertSlackPerson(ctx.db, tenant, { slackUserId }, minutesAgo(600));
    [ann, agent, agent2, other] = [await person('UANN'), await person('UAGENT'), await person('UAGENT2'), await person('UOTHER')];
    const system = scopeFor(tenant, null, minutesAgo(600));
    teamA = await createTeam(ctx.db, system, { name: 'IT', agent_ids: [agent.id, agent2.id] });
    teamB = await createTeam(ctx.db, system, { name: 'Facilities', agent_ids: [other.id] });
    await createSlaPolicy(ctx.db, system, { name: 'High', applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 240 });

    await file('fresh', minutesAgo(10), {}); // first response due in 20 min, warning in 12.5
    await file('at risk', minutesAgo(25), {}); // warned 2.5 min ago, due in 5
    await file('breached', minutesAgo(60), {}); // first response 30 min late
    await file('mine late', minutesAgo(300), {}); // resolution due 60 min ago
    await claimTicket(ctx.db, scopeFor(tenant, agent.id, minutesAgo(290)), t['mine late']!.id);
    await file('other team', minutesAgo(120), { team_id: teamB.id });
    await file('resolved lately', minutesAgo(5000), { priority: 'low' });
    await changeTicketStatus(ctx.db, scopeFor(tenant, agent.id, minutesAgo(3 * 1440)), t['resolved lately']!.id, 'resolved');
    await file('closed long ago', minutesAgo(20000), { priority: 'low' });
    await changeTicketStatus(ctx.db, scopeFor(tenant, agent.id, minutesAgo(10 * 1440)), t['closed long ago']!.id, 'closed');
    await file('no target', minutesAgo(30), { priority: 'low' }, other);
    await claimTicket(ctx.db, scopeFor(tenant, agent.id, minutesAgo(20)), t['no target']!.id);
    // The same person id in another tenant: never on this tenant's Home.
    await createTicket(ctx.db, scopeFor(newTenantId(), ann.id, minutesAgo(1)), { title: 'elsewhere', type: 'incident', priority: 'high' });
  });

  it('lists my requests: open ones and those done in the last week, newest first, with the total', async () => {
    const all = await myRequests(ctx.db, tenant, ann.id, NOW, 20);
    expect(numbers(all)).toEqual(['fresh', 'at risk', 'breached', 'other team', 'mine late', 'resolved lately']);
    expect(all.total).toBe(6);
    const first = await myRequests(ctx.db, tenant, ann.id, NOW, 2);
    expect(numbers(first)).toEqual(['fresh', 'at risk']);
    expect(first.total).toBe(6);
    expect(all.items[0]!.next).toEqual({ clock: 'first_response', at: new Date(minutesAgo(10).getTime() + 30 * 60_000) });
    expect(all.items.find((i) => i.ticket.title === 'resolved lately')!.next).toBeNull();
    expect(await myRequests(ctx.db, tenant, other.id, NOW, 5)).toMatchObject({ total: 1 });
  });

  it('lists my queue by the most urgent deadline, tickets without one last', async () => {
    const queue = await myQueue(ctx.db, tenant, agent.id, 5);
    expect(numbers(queue)).toEqual(['mine late', 'no target']);
    expect(queue.total).toBe(2);
    // Claimed: the first response is met, the resolution clock is what is left.
    expect(queue.items[0]!.next?.clock).toBe('resolution');
    expect(queue.items[1]!.next).toBeNull();
    expect(await myQueue(ctx.db, tenant, agent2.id, 5)).toEqual({ items: [], total: 0 });
  });

  it('lists the unassigned tickets of my teams only, most urgent first', async () => {
    const list = await unassignedInMyTeams(ctx.db, tenant, agent2.id, 5);
    expect(numbers(list)).toEqual(['breached', 'at risk', 'fresh']);
    expect(list.total).toBe(3);
    expect(numbers(await unassignedInMyTeams(ctx.db, tenant, other.id, 5))).toEqual(['other team']);
    expect((await unassignedInMyTeams(ctx.db, tenant, ann.id, 5)).total).toBe(0);
  });

  it('lists the tickets of my teams past a warning or a deadline, with the clock and whether it breached', async () => {
    const list = await atRiskInMyTeams(ctx.db, tenant, agent.id, NOW, 5);
    expect(list.items.map((i) => [i.ticket.title, i.risk.clock, i.risk.breached])).toEqual([
      ['mine late', 'resolution', true],
      ['breached', 'first_response', true],
      ['at risk', 'first_response', false],
    ]);
    expect(list.total).toBe(3);
    const page = await atRiskInMyTeams(ctx.db, tenant, agent.id, NOW, 1);
    expect([page.items.length, page.total]).toEqual([1, 3]);
    // Fifteen minutes on, the fresh one is at risk too.
    expect((await atRiskInMyTeams(ctx.db, tenant, agent.id, new Date(NOW.getTime() + 15 * 60_000), 5)).total).toBe(4);
  });

  it('finds whose Home a change concerns among those who opened it in the last day', async () => {
    await recordHomeOpened(ctx.db, tenant, ann.id, minutesAgo(60));
    await recordHomeOpened(ctx.db, tenant, agent.id, minutesAgo(30 * 60));
    await recordHomeOpened(ctx.db, tenant, agent2.id, NOW);
    await recordHomeOpened(ctx.db, tenant, other.id, NOW);
    const viewers = await recentHomeViewers(ctx.db, tenant, { personIds: [ann.id, agent.id], teamIds: [teamA.id] }, NOW);
    expect(viewers.map((v) => v.slackUserId).sort()).toEqual(['UAGENT2', 'UANN']);
    expect(await recentHomeViewers(ctx.db, tenant, { personIds: [], teamIds: [] }, NOW)).toEqual([]);
    expect(await recentHomeViewers(ctx.db, newTenantId(), { personIds: [ann.id], teamIds: [teamA.id] }, NOW)).toEqual([]);
  });

  it('takes the earliest running clock as the next deadline', () => {
    const base = t['fresh']!;
    expect(nextDeadline({ ...base, status: 'pending' })?.clock).toBe('first_response');
    expect(nextDeadline({ ...base, status: 'pending', firstResponseAt: NOW })).toBeNull();
    expect(nextDeadline({ ...base, status: 'resolved' })).toBeNull();
  });
});
