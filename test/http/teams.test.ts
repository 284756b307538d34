import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

/** The teams resource's `agent_reply_default`: where an agent's plain reply in a card's thread goes. */
describeEachDatabase('REST teams: agent_reply_default', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl()}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };
  const admin = () => adminTokenFor(server.baseUrl(), newTenantId());

  it('is public unless set, is read back, and can be flipped and flipped back', async () => {
    const token = await admin();
    const desk = await call(token, 'POST', '/teams', { name: 'Desk' });
    expect(desk.status).toBe(201);
    expect(desk.body).toMatchObject({ agent_reply_default: 'public' });
    const security = await call(token, 'POST', '/teams', { name: 'Security', agent_reply_default: 'internal' });
    expect(security.body).toMatchObject({ agent_reply_default: 'internal' });
    expect((await call(token, 'GET', `/teams/${security.body!.id}`)).body).toMatchObject({ agent_reply_default: 'internal' });
    // A change of something else leaves it as it is.
    expect((await call(token, 'PATCH', `/teams/${security.body!.id}`, { name: 'SecOps' })).body).toMatchObject({ agent_reply_default: 'internal' });
    const flipped = await call(token, 'PATCH', `/teams/${security.body!.id}`, { agent_reply_default: 'public' });
    expect(flipped.status).toBe(200);
    expect(flipped.body).toMatchObject({ name: 'SecOps', agent_reply_default: 'public' });
    const list = await call(token, 'GET', '/teams');
    expect(list.body!.items.map((t: { name: string; agent_reply_default: string }) => [t.name, t.agent_reply_default])).toEqual([
      ['Desk', 'public'],
      ['SecOps', 'public'],
    ]);
  });

  it('refuses a value that is neither public nor internal, naming the field, and changes nothing', async () => {
    const token = await admin();
    const team = (await call(token, 'POST', '/teams', { name: 'Desk', agent_reply_default: 'internal' })).body!;
    for (const bad of ['private', '', null, true, ['internal']]) {
      const answer = await call(token, 'PATCH', `/teams/${team.id}`, { agent_reply_default: bad });
      expect(answer.status, JSON.stringify(bad)).toBe(422);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body!.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/agent_reply_default']);
    }
    const created = await call(token, 'POST', '/teams', { name: 'Other', agent_reply_default: 'PUBLIC' });
    expect(created.status).toBe(422);
    expect(created.body!.errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/agent_reply_default']);
    expect((await call(token, 'GET', `/teams/${team.id}`)).body).toMatchObject({ agent_reply_default: 'internal' });
    expect((await call(token, 'GET', '/teams')).body!.items).toHaveLength(1);
  });
});
