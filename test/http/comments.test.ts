import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { commentPageSchema, commentWireSchema } from '../../src/http/openapi.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

describeEachDatabase('REST ticket comments', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const call = async (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl()}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };

  /**
   * A tenant with a team whose one agent is the Slack user UAGENT01 (a human token whose `sub`
   * names that user acts as its person), and a ticket of that team raised by per_requester.
   */
  async function desk() {
    const tenant = newTenantId();
    const admin = await adminTokenFor(server.baseUrl(), tenant);
    const team = await call(admin, 'POST', '/teams', { name: 'Desk', agent_ids: ['UAGENT01'] });
    expect(team.status).toBe(201);
    const requester = await tokenFor({ sub: 'per_requester', tenant_id: tenant });
    const ticket = (await call(requester, 'POST', '/tickets', { title: 'Printer on fire', team_id: team.body!.id })).body!;
    const agentId = team.body!.agent_ids[0] as string;
    return { tenant, ticket, requester, agentId, agent: await tokenFor({ sub: 'UAGENT01', tenant_id: tenant }) };
  }

  it('creates (201 + Location, idempotently), lists, edits and deletes comments', async () => {
    const { ticket, requester, agent, agentId } = await desk();
    const created = await call(agent, 'POST', `/tickets/${ticket.number}/comments`, { body: 'On it', author_id: 'per_forged' }, { 'idempotency-key': 'k1' });
    expect(created.status).toBe(201);
    const comment = commentWireSchema.parse(created.body);
    expect(comment).toMatchObject({ ticket_id: ticket.id, author_id: agentId, visibility: 'public', body: 'On it', source: 'api', edited_at: null });
    expect(created.headers.get('location')).toBe(`${API_PREFIX}/tickets/${ticket.id}/comments/${comment.id}`);
    expect((await call(agent, 'GET', created.headers.get('location')!.slice(API_PREFIX.length))).body).toEqual(created.body);

    const replay = await call(agent, 'POST', `/tickets/${ticket.number}/comments`, { body: 'On it', author_id: 'per_forged' }, { 'idempotency-key': 'k1' });
    expect(replay).toMatchObject({ status: 201, body: created.body });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // The agent's public comment was the first response.
    expect((await call(agent, 'GET', `/tickets/${ticket.id}`)).body!.first_response_at).toBe(comment.created_at);

    await call(agent, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Toner, probably', visibility: 'internal' });
    await call(requester, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Thanks' });
    const agentView = commentPageSchema.parse((await call(agent, 'GET', `/tickets/${ticket.id}/comments`)).body);
    expect(agentView.items.map((c) => c.body)).toEqual(['On it', 'Toner, probably', 'Thanks']);
    const requesterView = (await call(requester, 'GET', `/tickets/${ticket.id}/comments`)).body!;
    expect(requesterView.items.map((c: { body: string }) => c.body)).toEqual(['On it', 'Thanks']);
    const internalId = agentView.items[1]!.id;
    expect((await call(requester, 'GET', `/tickets/${ticket.id}/comments/${internalId}`)).status).toBe(404);

    const page = (await call(agent, 'GET', `/tickets/${ticket.id}/comments?limit=2`)).body!;
    expect(page.items).toHaveLength(2);
    const rest = (await call(agent, 'GET', `/tickets/${ticket.id}/comments?limit=2&cursor=${page.next_cursor}`)).body!;
    expect(rest).toMatchObject({ items: [{ body: 'Thanks' }], next_cursor: null });

    const edited = await call(agent, 'PATCH', `/tickets/${ticket.id}/comments/${comment.id}`, { body: 'On it now' });
    expect(edited).toMatchObject({ status: 200, body: { body: 'On it now', edited_at: expect.any(String) } });
    expect((await call(requester, 'PATCH', `/tickets/${ticket.id}/comments/${comment.id}`, { body: 'Mine' })).status).toBe(403);
    expect((await call(requester, 'DELETE', `/tickets/${ticket.id}/comments/${comment.id}`)).status).toBe(403);
    expect((await call(agent, 'DELETE', `/tickets/${ticket.id}/comments/${comment.id}`)).status).toBe(204);
    expect((await call(agent, 'GET', `/tickets/${ticket.id}/comments/${comment.id}`)).status).toBe(404);
    expect((await call(agent, 'GET', `/tickets/${ticket.id}/comments`)).body!.items.map((c: { id: string }) => c.id)).not.toContain(comment.id);
  });

  it('answers bad input with problem+json naming the field', async () => {
    const { ticket, requester, agent } = await desk();
    const path = `/tickets/${ticket.id}/comments`;
    const invalid = await call(agent, 'POST', path, { body: '', visibility: 'secret', colour: 'red' });
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get('content-type')).toContain('application/problem+json');
    expect(invalid.body!.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body', '/colour', '/visibility']);
    const nul = await call(agent, 'POST', path, '{"body":"a\\u0000b"}');
    expect(nul.status).toBe(422);
    expect(nul.body!.errors[0].pointer).toBe('/body');
    expect((await call(agent, 'GET', `${path}?cursor=forged`)).body).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect((await call(agent, 'GET', `${path}?limit=201`)).status).toBe(422);
    expect((await call(requester, 'POST', path, { body: 'psst', visibility: 'internal' })).body).toMatchObject({ status: 403, code: 'forbidden' });
    expect((await call(agent, 'POST', `/tickets/tkt_01J0000000000000000000000/comments`, { body: 'x' })).status).toBe(404);

    await call(agent, 'POST', `/tickets/${ticket.id}/close`);
    const closed = await call(agent, 'POST', path, { body: 'Too late' });
    expect(closed.status).toBe(409);
    expect(closed.body!.detail).toContain('closed');
  });

  it('keeps comments inside the tenant and the integration’s app, for every verb', async () => {
    const tenant = newTenantId();
    const owner = await tokenFor({ sub: 'per_bot', tenant_id: tenant, app_id: 'app_x' });
    const ticket = (await call(owner, 'POST', '/tickets', { title: 'From monitoring' })).body!;
    const comment = (await call(owner, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Disk at 99%', visibility: 'internal' })).body!;
    expect(comment.visibility).toBe('internal');
    const missing = await call(owner, 'GET', `/tickets/tkt_01J0000000000000000000000/comments`);
    expect(missing.status).toBe(404);

    const intruders = {
      'other app, same tenant': await tokenFor({ sub: 'per_bot', tenant_id: tenant, app_id: 'app_y' }),
      'same app id, other tenant': await tokenFor({ sub: 'per_bot', tenant_id: newTenantId(), app_id: 'app_x' }),
      'admin of another tenant': await adminTokenFor(server.baseUrl(), newTenantId(), 'per_bot'),
    };
    for (const [who, token] of Object.entries(intruders)) {
      for (const ref of [ticket.id, ticket.number]) {
        for (const [method, path, body] of [
          ['GET', `/tickets/${ref}/comments`],
          ['POST', `/tickets/${ref}/comments`, { body: 'Taken over' }],
          ['GET', `/tickets/${ref}/comments/${comment.id}`],
          ['PATCH', `/tickets/${ref}/comments/${comment.id}`, { body: 'Taken over' }],
          ['DELETE', `/tickets/${ref}/comments/${comment.id}`],
        ] as Array<[string, string, unknown?]>) {
          const answer = await call(token, method, path, body);
          expect(answer.status, `${who}: ${method} ${path}`).toBe(404);
          expect(answer.body!.code, `${who}: ${method} ${path}`).toBe(missing.body!.code);
        }
      }
    }
    // A comment id is only found under its own ticket.
    const other = (await call(owner, 'POST', '/tickets', { title: 'Another' })).body!;
    expect((await call(owner, 'GET', `/tickets/${other.id}/comments/${comment.id}`)).status).toBe(404);

    // Nothing changed or was added.
    const after = (await call(owner, 'GET', `/tickets/${ticket.id}/comments`)).body!;
    expect(after.items).toEqual([comment]);
  });
});
