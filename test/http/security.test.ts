import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

/**
 * Tenancy and app scope as a security boundary: every record endpoint is tried by
 * callers who must not reach the record; each gets exactly what a missing record gets,
 * and the record does not change.
 */
describeEachDatabase('REST tenancy and app scope', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl()}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };

  it('keeps an integration’s records from other apps and other tenants, for every verb', async () => {
    const tenant = newTenantId();
    const owner = await tokenFor({ sub: 'per_bot', tenant_id: tenant, app_id: 'app_x' });
    const ticket = (await call(owner, 'POST', '/tickets', { title: 'Owned by app x', tags: ['secret'] })).body!;
    const policy = (await call(owner, 'POST', '/sla-policies', {
      name: 'App x policy', applies_to: ['change'], priority: 'low', first_response_minutes: 60, resolution_minutes: 600,
    })).body!;
    expect(ticket.app_id).toBe('app_x');
    const missing = await call(owner, 'GET', '/tickets/tkt_01J0000000000000000000000');
    expect(missing.status).toBe(404);

    const intruders = {
      'other app, same tenant': await tokenFor({ sub: 'per_bot', tenant_id: tenant, app_id: 'app_y' }),
      'same app id, other tenant': await tokenFor({ sub: 'per_bot', tenant_id: newTenantId(), app_id: 'app_x' }),
      'admin of another tenant': await adminTokenFor(server.baseUrl(), newTenantId(), 'per_bot'),
    };
    for (const [who, token] of Object.entries(intruders)) {
      for (const ref of [ticket.id, ticket.number]) {
        for (const [method, path, body] of [
          ['GET', `/tickets/${ref}`],
          ['PATCH', `/tickets/${ref}`, { title: 'Taken over' }],
          ['POST', `/tickets/${ref}/close`],
          ['DELETE', `/tickets/${ref}`],
        ] as Array<[string, string, unknown?]>) {
          const answer = await call(token, method, path, body);
          expect(answer.status, `${who}: ${method} ${path}`).toBe(404);
          expect(answer.body!.code, `${who}: ${method} ${path}`).toBe(missing.body!.code);
        }
      }
      for (const [method, path, body] of [
        ['GET', `/sla-policies/${policy.id}`],
        ['PATCH', `/sla-policies/${policy.id}`, { status: 'inactive' }],
      ] as Array<[string, string, unknown?]>) {
        expect((await call(token, method, path, body)).status, `${who}: ${method} ${path}`).toBe(404);
      }
      for (const query of ['', '?q=owned', '?tag=secret', '?include_deleted=true', `?q=${ticket.number}`]) {
        expect((await call(token, 'GET', `/tickets${query}`)).body!.items, `${who}: list ${query}`).toEqual([]);
      }
      expect((await call(token, 'GET', '/sla-policies')).body!.items, who).toEqual([]);
    }

    // Nothing changed, and the workspace's own people (no app id) still see the integration's records.
    const after = await call(owner, 'GET', `/tickets/${ticket.id}`);
    expect(after.body).toMatchObject({ title: 'Owned by app x', status: 'open', is_deleted: false, updated_at: ticket.updated_at });
    expect((await call(owner, 'GET', `/sla-policies/${policy.id}`)).body).toMatchObject({ status: 'active', name: 'App x policy' });
    const human = await tokenFor({ sub: 'per_ada', tenant_id: tenant });
    expect((await call(human, 'GET', `/tickets/${ticket.number}`)).status).toBe(200);
  });

  it('keeps teams and settings inside the tenant', async () => {
    // Both are admins, each of their own workspace: the tenant, not the role, keeps them apart.
    const owner = await adminTokenFor(server.baseUrl(), newTenantId());
    const stranger = await adminTokenFor(server.baseUrl(), newTenantId());
    const team = (await call(owner, 'POST', '/teams', { name: 'Desk', slack_channel_id: 'C0DESK' })).body!;
    await call(owner, 'PUT', '/settings', { default_team_id: team.id });
    expect((await call(stranger, 'GET', `/teams/${team.id}`)).status).toBe(404);
    expect((await call(stranger, 'PATCH', `/teams/${team.id}`, { name: 'Mine' })).status).toBe(404);
    expect((await call(stranger, 'GET', '/teams')).body!.items).toEqual([]);
    expect((await call(stranger, 'PUT', '/settings', { default_team_id: team.id })).status).toBe(422);
    expect((await call(stranger, 'POST', '/tickets', { title: 'Into their queue', team_id: team.id })).status).toBe(422);
    expect((await call(stranger, 'GET', '/settings')).body!.default_team_id).toBeNull();
    expect((await call(owner, 'GET', `/teams/${team.id}`)).body).toMatchObject({ name: 'Desk' });
    expect((await call(owner, 'GET', '/settings')).body!.default_team_id).toBe(team.id);
  });
});
