import { describe, expect, it } from 'vitest';
import { createClient, HelpdeskApiError, type Ticket, type TicketCreateInput } from '../../src/sdk/index.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

async function apiError(promise: Promise<unknown>): Promise<HelpdeskApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HelpdeskApiError);
  return error as HelpdeskApiError;
}

describeEachDatabase('SDK client', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  /** A client for an admin of the workspace (the SDK covers configuration too). */
  const clientFor = async (tenantId = newTenantId(), sub = 'per_ada') =>
    createClient({ baseUrl: server.baseUrl(), token: await adminTokenFor(server.baseUrl(), tenantId, sub) }).helpdesk;

  it('creates, gets, lists, updates, closes and deletes a ticket', async () => {
    const { tickets } = await clientFor();
    const created = await tickets.create({ title: 'Broken VPN', priority: 'high' }, { idempotencyKey: 'key-1' });
    expect(created).toMatchObject({ number: 'TKT-0001', title: 'Broken VPN', status: 'open', priority: 'high' });
    expect((await tickets.get(created.id)).id).toBe(created.id);
    expect((await tickets.get('TKT-0001')).id).toBe(created.id);

    const page = await tickets.list({ status: ['open', 'in_progress'] });
    expect(page.items.map((t) => t.id)).toEqual([created.id]);
    expect(page.next_cursor).toBeNull();

    const { ticket, etag } = await tickets.getWithEtag(created.id);
    expect(ticket.id).toBe(created.id);
    expect(etag).toBeTruthy();
    const updated = await tickets.update(created.id, { title: 'VPN down' }, { ifMatch: etag! });
    expect(updated).toMatchObject({ title: 'VPN down', updated_by: 'per_ada' });

    expect(await tickets.close(created.id)).toMatchObject({ status: 'closed' });
    await expect(tickets.delete(created.id)).resolves.toBeUndefined();
    expect((await apiError(tickets.get(created.id))).status).toBe(404);
    expect((await tickets.list({ include_deleted: true })).items).toHaveLength(1);
  });

  it('comments on a ticket: create (idempotently), list, listAll, get, update, delete', async () => {
    const tenant = newTenantId();
    const requester = await clientFor(tenant, 'per_requester');
    const agent = await clientFor(tenant, 'per_agent');
    const ticket = await requester.tickets.create({ title: 'Printer on fire' });

    const first = await agent.tickets.comments.create(ticket.number, { body: 'On my way' }, { idempotencyKey: 'c-1' });
    expect(first).toMatchObject({ ticket_id: ticket.id, author_id: 'per_agent', visibility: 'public', body: 'On my way', edited_at: null });
    expect(await agent.tickets.comments.create(ticket.number, { body: 'On my way' }, { idempotencyKey: 'c-1' })).toEqual(first);
    expect((await agent.tickets.get(ticket.id)).first_response_at).toBe(first.created_at);

    for (let i = 1; i <= 4; i++) await requester.tickets.comments.create(ticket.id, { body: `Update ${i}` });
    const page = await requester.tickets.comments.list(ticket.id, { limit: 2 });
    expect(page.items.map((c) => c.body)).toEqual(['On my way', 'Update 1']);
    expect(page.next_cursor).toBeTruthy();
    const all: string[] = [];
    for await (const comment of requester.tickets.comments.listAll(ticket.id, { limit: 2 })) all.push(comment.body);
    expect(all).toEqual(['On my way', 'Update 1', 'Update 2', 'Update 3', 'Update 4']);

    expect(await agent.tickets.comments.get(ticket.id, first.id)).toEqual(first);
    expect(await agent.tickets.comments.update(ticket.id, first.id, { body: 'Here now' })).toMatchObject({ body: 'Here now', edited_at: expect.any(String) });
    const forbidden = await apiError(requester.tickets.comments.update(ticket.id, first.id, { body: 'Mine' }));
    expect(forbidden).toMatchObject({ status: 403, problem: { code: 'forbidden' } });
    await expect(agent.tickets.comments.delete(ticket.id, first.id)).resolves.toBeUndefined();
    expect((await apiError(agent.tickets.comments.get(ticket.id, first.id))).status).toBe(404);

    const invalid = await apiError(agent.tickets.comments.create(ticket.id, { body: '' }));
    expect(invalid.status).toBe(422);
    expect(invalid.problem.errors?.map((e) => e.pointer)).toEqual(['/body']);
  });

  it('listAll follows next_cursor across pages in order', async () => {
    const { tickets } = await clientFor();
    const created: Ticket[] = [];
    for (let i = 1; i <= 5; i++) created.push(await tickets.create({ title: `Ticket ${i}` }));
    const first = await tickets.list({ limit: 2, sort: 'number' });
    expect(first.items).toHaveLength(2);
    expect(first.next_cursor).toBeTruthy();

    const urls: string[] = [];
    const counting = ((input: string, init?: RequestInit) => {
      urls.push(input);
      return fetch(input, init);
    }) as typeof fetch;
    const token = await tokenFor({ sub: 'per_ada', tenant_id: created[0]!.tenant_id });
    const paging = createClient({ baseUrl: server.baseUrl(), token, fetch: counting }).helpdesk.tickets;
    const seen: string[] = [];
    for await (const ticket of paging.listAll({ limit: 2, sort: 'number' })) seen.push(ticket.number);
    expect(urls).toHaveLength(3);
    expect(urls[0]).not.toContain('cursor=');
    expect(urls[2]).toContain('cursor=');
    expect(seen).toEqual(created.map((t) => t.number));
    expect(seen).toEqual(['TKT-0001', 'TKT-0002', 'TKT-0003', 'TKT-0004', 'TKT-0005']);
  });

  it('throws 412 for a stale If-Match', async () => {
    const { tickets } = await clientFor();
    const created = await tickets.create({ title: 'Race' });
    const { etag } = await tickets.getWithEtag(created.id);
    await tickets.update(created.id, { title: 'First' }, { ifMatch: etag! });
    const error = await apiError(tickets.update(created.id, { title: 'Lost update' }, { ifMatch: etag! }));
    expect(error.status).toBe(412);
    expect(error.problem).toMatchObject({ status: 412, title: 'Precondition failed' });
    expect((await tickets.get(created.id)).title).toBe('First');
  });

  it('throws 422 with field pointers for invalid input', async () => {
    const { tickets } = await clientFor();
    const invalid = { title: '', priority: 'critical' } as unknown as TicketCreateInput;
    const error = await apiError(tickets.create(invalid));
    expect(error.status).toBe(422);
    expect(error.problem.code).toBeTruthy();
    expect(error.problem.errors?.map((e) => e.pointer).sort()).toEqual(['/priority', '/title']);
  });

  it('creates SLA policies and surfaces 409 with conflicting_id', async () => {
    const { slaPolicies } = await clientFor();
    const body = { applies_to: ['incident' as const], priority: 'high' as const, first_response_minutes: 30, resolution_minutes: 240 };
    const first = await slaPolicies.create({ name: 'High incidents', ...body });
    expect(first).toMatchObject({ name: 'High incidents', first_response_minutes: 30, resolution_minutes: 240 });
    expect((await slaPolicies.get(first.id)).id).toBe(first.id);
    const { policy, etag } = await slaPolicies.getWithEtag(first.id);
    expect(policy.id).toBe(first.id);
    expect(await slaPolicies.update(first.id, { resolution_minutes: 300 }, { ifMatch: etag! })).toMatchObject({ resolution_minutes: 300 });
    const stale = await apiError(slaPolicies.update(first.id, { resolution_minutes: 360 }, { ifMatch: etag! }));
    expect(stale.status).toBe(412);
    expect((await slaPolicies.list()).items.map((p) => p.id)).toEqual([first.id]);
    const error = await apiError(slaPolicies.create({ name: 'Duplicate', ...body }));
    expect(error.status).toBe(409);
    expect(error.problem.conflicting_id).toBe(first.id);
  });

  it('creates, lists and updates teams', async () => {
    const { teams } = await clientFor();
    const team = await teams.create({ name: 'Network', slack_channel_id: 'C0123ABCD' });
    expect(team).toMatchObject({ name: 'Network', slack_channel_id: 'C0123ABCD', agent_ids: [], escalation_contact_ids: [] });
    const oncall = await teams.create({ name: 'On call', escalation_contact_ids: ['U0ONCALL1'] });
    expect(oncall.escalation_contact_ids).toEqual([expect.stringMatching(/^per_/)]);
    await teams.update(oncall.id, { escalation_contact_ids: [] });
    expect((await teams.list()).items.map((t) => t.id).sort()).toEqual([team.id, oncall.id].sort());
    const all = [];
    for await (const t of teams.listAll()) all.push(t.id);
    expect(all.sort()).toEqual([team.id, oncall.id].sort());
    expect(await teams.update(team.id, { name: 'Networking' })).toMatchObject({ name: 'Networking' });
    expect((await teams.get(team.id)).name).toBe('Networking');
  });

  it('reads and updates settings with a business calendar', async () => {
    const { settings } = await clientFor();
    expect((await settings.get()).business_calendar.timezone).toBe('UTC');
    const calendar = { timezone: 'Europe/Paris', hours: { mon: [['08:00', '12:00'] as [string, string]] }, holidays: ['2026-12-25'] };
    const updated = await settings.update({ business_calendar: calendar });
    expect(updated.business_calendar).toMatchObject(calendar);
    expect((await settings.get()).business_calendar).toMatchObject(calendar);
    expect(await settings.get()).toMatchObject({ sla_warning_percent: 75, escalation_interval_minutes: 60, escalation_max: 3 });
    const sla = await settings.update({ sla_warning_percent: 80, escalation_interval_minutes: 30, escalation_max: 2 });
    expect(sla).toMatchObject({ sla_warning_percent: 80, escalation_interval_minutes: 30, escalation_max: 2 });
  });

  it('hides another tenant’s ticket behind a 404', async () => {
    const owner = await clientFor();
    const stranger = await clientFor(newTenantId(), 'per_x');
    const ticket = await owner.tickets.create({ title: 'Private' });
    const error = await apiError(stranger.tickets.get(ticket.id));
    expect(error.status).toBe(404);
    expect(error.problem.status).toBe(404);
  });

  it('synthesizes an http_error problem when the body is not JSON', async () => {
    const fake = (async () => new Response('upstream exploded', { status: 502, statusText: 'Bad Gateway' })) as typeof fetch;
    const client = createClient({ baseUrl: server.baseUrl(), token: 'x', fetch: fake });
    const error = await apiError(client.helpdesk.tickets.get('TKT-0001'));
    expect(error.status).toBe(502);
    expect(error.problem).toMatchObject({ code: 'http_error', status: 502 });
  });
});

describe('SDK client requests', () => {
  it('puts lists comma-separated and dates as ISO instants on the query string, under the API prefix', async () => {
    const calls: Array<{ url: string; init: { method: string; headers: Record<string, string> } }> = [];
    const fake = (async (url: string, init: { method: string; headers: Record<string, string> }) => {
      calls.push({ url, init });
      return new Response(JSON.stringify({ items: [], next_cursor: null }), { status: 200 });
    }) as unknown as typeof fetch;
    const { tickets } = createClient({ baseUrl: 'http://helpdesk.test/', token: 'tok', fetch: fake }).helpdesk;
    await tickets.list({
      status: ['open', 'in_progress'],
      created_after: new Date('2026-01-31T09:00:00Z'),
      include_deleted: true,
      q: 'a&b',
      cursor: undefined,
    });
    expect(calls).toHaveLength(1);
    const url = new URL(calls[0]!.url);
    expect(url.origin + url.pathname).toBe('http://helpdesk.test/api/v1/helpdesk/tickets');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      status: 'open,in_progress',
      created_after: '2026-01-31T09:00:00.000Z',
      include_deleted: 'true',
      q: 'a&b',
    });
    expect(calls[0]!.init).toMatchObject({ method: 'GET', headers: { authorization: 'Bearer tok' } });
  });
});
