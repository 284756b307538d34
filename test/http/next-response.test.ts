import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { slaPolicyWireSchema, ticketWireSchema } from '../../src/http/openapi.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

// The next-response extension over REST: the policy's `next_response_minutes` and the
// ticket's read-only `next_response_due_at`.
describeEachDatabase('REST next-response SLA', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl()}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };

  const POLICY = { name: 'Incidents', applies_to: ['incident'], priority: 'high', first_response_minutes: 15, resolution_minutes: 240 };

  it('creates, reads, updates and clears a policy\'s next_response_minutes', async () => {
    const token = await adminTokenFor(server.baseUrl(), newTenantId());
    const created = await call(token, 'POST', '/sla-policies', { ...POLICY, next_response_minutes: 30 });
    expect(created.status).toBe(201);
    expect(slaPolicyWireSchema.parse(created.body).next_response_minutes).toBe(30);
    const id = created.body!.id as string;
    expect((await call(token, 'GET', `/sla-policies/${id}`)).body!.next_response_minutes).toBe(30);
    expect((await call(token, 'PATCH', `/sla-policies/${id}`, { next_response_minutes: 45 })).body!.next_response_minutes).toBe(45);
    expect((await call(token, 'PATCH', `/sla-policies/${id}`, { name: 'Renamed' })).body!.next_response_minutes).toBe(45);
    expect((await call(token, 'PATCH', `/sla-policies/${id}`, { next_response_minutes: null })).body!.next_response_minutes).toBeNull();
    // Optional: a policy without it has none.
    const plain = await call(token, 'POST', '/sla-policies', { ...POLICY, priority: 'low' });
    expect(plain.body!.next_response_minutes).toBeNull();
  });

  it('refuses a bad next_response_minutes with problem+json naming the field, and stores nothing', async () => {
    const token = await adminTokenFor(server.baseUrl(), newTenantId());
    for (const bad of [0, -5, 1.5, '30', true, 10 * 366 * 24 * 60 + 1]) {
      const res = await call(token, 'POST', '/sla-policies', { ...POLICY, next_response_minutes: bad });
      expect(res.status, String(bad)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body!.errors.map((e: { path: string }) => e.path)).toEqual(['next_response_minutes']);
    }
    expect((await call(token, 'GET', '/sla-policies')).body!.items).toEqual([]);
    const policy = (await call(token, 'POST', '/sla-policies', { ...POLICY, next_response_minutes: 30 })).body!;
    const patched = await call(token, 'PATCH', `/sla-policies/${policy.id}`, { next_response_minutes: 0 });
    expect(patched.status).toBe(422);
    expect(patched.body!.errors[0]).toMatchObject({ path: 'next_response_minutes', pointer: '/next_response_minutes' });
    expect((await call(token, 'GET', `/sla-policies/${policy.id}`)).body!.next_response_minutes).toBe(30);
  });

  it("shows the ticket's next_response_due_at: set by the requester's comment, cleared by an agent's, never writable", async () => {
    const tenantId = newTenantId();
    const admin = await adminTokenFor(server.baseUrl(), tenantId);
    const requester = await tokenFor({ sub: 'per_ada', tenant_id: tenantId });
    const agent = await tokenFor({ sub: 'per_grace', tenant_id: tenantId });
    await call(admin, 'POST', '/sla-policies', { ...POLICY, next_response_minutes: 30 });
    const ticket = (await call(requester, 'POST', '/tickets', { title: 'VPN down', type: 'incident', priority: 'high' })).body!;
    expect(ticketWireSchema.parse(ticket).next_response_due_at).toBeNull();

    await call(agent, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Which office?' });
    const question = (await call(requester, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Berlin' })).body!;
    const waiting = ticketWireSchema.parse((await call(requester, 'GET', `/tickets/${ticket.id}`)).body);
    expect(Date.parse(waiting.next_response_due_at!) - Date.parse(question.created_at)).toBe(30 * 60_000);

    // Read-only, like the other server fields: a client echoing it has it ignored.
    const echoed = await call(agent, 'PATCH', `/tickets/${ticket.id}`, { title: 'VPN down in Berlin', next_response_due_at: null });
    expect(echoed.status).toBe(200);
    expect(echoed.body!.next_response_due_at).toBe(waiting.next_response_due_at);

    await call(agent, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Restarting the Berlin gateway' });
    expect((await call(requester, 'GET', `/tickets/${ticket.id}`)).body!.next_response_due_at).toBeNull();
  });
});
