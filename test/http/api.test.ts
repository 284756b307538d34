import { SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

describeEachDatabase('REST API', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const call = async (token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };

  it('serves health and readiness without a token', async () => {
    expect((await call(null, 'GET', '/healthz')).status).toBe(200);
    expect(await call(null, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('creates, reads by id and number, patches with If-Match, closes and deletes a ticket', async () => {
    const token = await tokenFor({ sub: 'per_ada', tenant_id: newTenantId() });
    const created = await call(token, 'POST', `${API_PREFIX}/tickets`, { title: 'Broken VPN', priority: 'high', id: 'tkt_FORGED' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: 'TKT-0001', title: 'Broken VPN', status: 'open', created_by: 'per_ada', source_type: 'api' });
    expect(created.body!.id).not.toBe('tkt_FORGED');
    const etag = created.headers.get('etag')!;
    expect((await call(token, 'GET', `${API_PREFIX}/tickets/TKT-0001`)).body!.id).toBe(created.body!.id);

    const patched = await call(token, 'PATCH', `${API_PREFIX}/tickets/${created.body!.id}`, { title: 'VPN down' }, { 'if-match': etag });
    expect(patched).toMatchObject({ status: 200, body: { title: 'VPN down', updated_by: 'per_ada' } });
    const stale = await call(token, 'PATCH', `${API_PREFIX}/tickets/${created.body!.id}`, { title: 'Lost update' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');

    const closed = await call(token, 'POST', `${API_PREFIX}/tickets/TKT-0001/close`);
    expect(closed.body).toMatchObject({ status: 'closed' });
    expect((await call(token, 'DELETE', `${API_PREFIX}/tickets/TKT-0001`)).status).toBe(204);
    expect((await call(token, 'GET', `${API_PREFIX}/tickets/TKT-0001`)).status).toBe(404);
    const list = await call(token, 'GET', `${API_PREFIX}/tickets?include_deleted=true`);
    expect(list.body!.items).toHaveLength(1);
  });

  it('answers bad input with problem+json and field pointers, never a 500', async () => {
    const token = await tokenFor({ sub: 'per_ada', tenant_id: newTenantId() });
    const invalid = await call(token, 'POST', `${API_PREFIX}/tickets`, { title: '', priority: 'critical', colour: 'red' });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-type')).toContain('application/problem+json');
    expect(invalid.body!.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/colour', '/priority', '/title']);
    expect((await call(token, 'POST', `${API_PREFIX}/tickets`, '{"title": ')).status).toBe(400);
    expect((await call(token, 'POST', `${API_PREFIX}/tickets`, { title: 'x'.repeat(300_000) })).status).toBe(413);
    const form = await fetch(`${server.baseUrl()}${API_PREFIX}/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'title=hi',
    });
    expect(form.status).toBe(415);
    expect((await call(token, 'GET', `${API_PREFIX}/tickets?limit=9999`)).status).toBe(422);
    expect((await call(token, 'GET', `${API_PREFIX}/nowhere`)).status).toBe(404);
  });

  it('refuses missing and bad tokens with 401 and WWW-Authenticate', async () => {
    const missing = await call(null, 'GET', `${API_PREFIX}/tickets`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="helpdesk"');
    const forged = await new SignJWT({ sub: 'per_x', tenant_id: 'T1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-entirely-long-enough'));
    const bad = await call(forged, 'GET', `${API_PREFIX}/tickets`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('hides another tenant’s records behind 404 for every verb', async () => {
    // Admins of their own workspaces: the tenant, not a role, keeps them apart.
    const owner = await adminTokenFor(server.baseUrl(), newTenantId(), 'per_owner');
    const stranger = await adminTokenFor(server.baseUrl(), newTenantId(), 'per_x');
    const ticket = (await call(owner, 'POST', `${API_PREFIX}/tickets`, { title: 'Private' })).body!;
    const policy = (await call(owner, 'POST', `${API_PREFIX}/sla-policies`, { name: 'P1', applies_to: ['incident'], priority: 'urgent', first_response_minutes: 15, resolution_minutes: 120 })).body!;
    for (const ref of [ticket.id, ticket.number]) {
      expect((await call(stranger, 'GET', `${API_PREFIX}/tickets/${ref}`)).status).toBe(404);
      expect((await call(stranger, 'PATCH', `${API_PREFIX}/tickets/${ref}`, { title: 'Mine' })).status).toBe(404);
      expect((await call(stranger, 'POST', `${API_PREFIX}/tickets/${ref}/close`)).status).toBe(404);
      expect((await call(stranger, 'DELETE', `${API_PREFIX}/tickets/${ref}`)).status).toBe(404);
    }
    expect((await call(stranger, 'GET', `${API_PREFIX}/sla-policies/${policy.id}`)).status).toBe(404);
    expect((await call(stranger, 'PATCH', `${API_PREFIX}/sla-policies/${policy.id}`, { name: 'Mine' })).status).toBe(404);
    expect((await call(stranger, 'GET', `${API_PREFIX}/tickets`)).body!.items).toEqual([]);
    expect((await call(stranger, 'GET', `${API_PREFIX}/sla-policies`)).body!.items).toEqual([]);
    expect(await call(owner, 'GET', `${API_PREFIX}/tickets/${ticket.id}`)).toMatchObject({ status: 200, body: { title: 'Private', status: 'open', is_deleted: false } });
    expect((await call(owner, 'GET', `${API_PREFIX}/sla-policies/${policy.id}`)).body).toMatchObject({ name: 'P1' });
  });

  it('answers 409 naming the policy already active for a (type, priority)', async () => {
    const token = await adminTokenFor(server.baseUrl(), newTenantId());
    const body = { applies_to: ['incident'], priority: 'high', first_response_mins: 30, resolution_mins: 240 };
    const first = await call(token, 'POST', `${API_PREFIX}/sla-policies`, { name: 'High incidents', ...body });
    expect(first.body).toMatchObject({ first_response_minutes: 30, first_response_mins: 30, resolution_minutes: 240 });
    const second = await call(token, 'POST', `${API_PREFIX}/sla-policies`, { name: 'Duplicate', ...body });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ conflicting_id: first.body!.id });
    expect(second.body!.detail).toContain('High incidents');
  });

  it('filters, sorts and pages SLA policies from the query string', async () => {
    const token = await adminTokenFor(server.baseUrl(), newTenantId());
    const targets = { first_response_minutes: 30, resolution_minutes: 240 };
    for (const [name, priority, status] of [['b', 'high', 'active'], ['a', 'low', 'active'], ['c', 'high', 'inactive']] as const) {
      const res = await call(token, 'POST', `${API_PREFIX}/sla-policies`, { name, priority, status, applies_to: ['incident'], ...targets });
      expect(res.status).toBe(201);
    }
    const names = async (query: string) =>
      ((await call(token, 'GET', `${API_PREFIX}/sla-policies?${query}`)).body!.items as Array<{ name: string }>).map((p) => p.name);
    expect(await names('sort=-name')).toEqual(['c', 'b', 'a']);
    expect(await names('sort=name&priority=high')).toEqual(['b', 'c']);
    expect(await names('status=active&sort=name')).toEqual(['a', 'b']);
    expect(await names('type=change')).toEqual([]);
    const page = await call(token, 'GET', `${API_PREFIX}/sla-policies?sort=name&limit=2`);
    expect(page.body!.items.map((p: { name: string }) => p.name)).toEqual(['a', 'b']);
    const rest = await call(token, 'GET', `${API_PREFIX}/sla-policies?sort=name&limit=2&cursor=${page.body!.next_cursor}`);
    expect(rest.body).toMatchObject({ items: [{ name: 'c' }], next_cursor: null });
    const bad = await call(token, 'GET', `${API_PREFIX}/sla-policies?sort=colour&priority=extreme`);
    expect(bad.status).toBe(422);
    expect(bad.body!.errors.map((e: { path: string }) => e.path).sort()).toEqual(['priority', 'sort']);
  });

  it('returns the first answer to a retried create with the same Idempotency-Key', async () => {
    const token = await tokenFor({ sub: 'per_ada', tenant_id: newTenantId() });
    const body = { title: 'Retried over a flaky network' };
    const headers = { 'idempotency-key': 'req-123' };
    const first = await call(token, 'POST', `${API_PREFIX}/tickets`, body, headers);
    const retries = await Promise.all([1, 2, 3].map(() => call(token, 'POST', `${API_PREFIX}/tickets`, body, headers)));
    expect(first.status).toBe(201);
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    }
    expect((await call(token, 'GET', `${API_PREFIX}/tickets`)).body!.items).toHaveLength(1);

    const reused = await call(token, 'POST', `${API_PREFIX}/tickets`, { title: 'Something else' }, headers);
    expect(reused.status).toBe(422);
    // Another caller has a key space of its own.
    const other = await tokenFor({ sub: 'per_bob', tenant_id: newTenantId() });
    expect((await call(other, 'POST', `${API_PREFIX}/tickets`, body, headers)).body!.number).toBe('TKT-0001');
    // A failed first attempt releases the key for the corrected retry.
    const failed = await call(token, 'POST', `${API_PREFIX}/tickets`, { title: '' }, { 'idempotency-key': 'req-456' });
    expect(failed.status).toBe(422);
    const fixed = await call(token, 'POST', `${API_PREFIX}/tickets`, { title: 'Fixed' }, { 'idempotency-key': 'req-456' });
    expect(fixed).toMatchObject({ status: 201, body: { number: 'TKT-0002' } });
  });
});
