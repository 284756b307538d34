import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite } from '../support/http-server.js';

/** The teams resource's intake fields (request channels, intake type and priority) and the settings' skip prefix. */
describeEachDatabase('REST teams: request channels and intake defaults', (ctx) => {
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
  const pointers = (answer: { body: Record<string, any> | null }) => answer.body!.errors.map((e: { pointer: string }) => e.pointer);

  it('defaults to no request channel, incident and medium; sets, reads back and clears them', async () => {
    const token = await admin();
    const desk = await call(token, 'POST', '/teams', { name: 'Desk' });
    expect(desk.status).toBe(201);
    expect(desk.body).toMatchObject({ request_channel_ids: [], intake_type: 'incident', intake_priority: 'medium' });
    const hr = await call(token, 'POST', '/teams', { name: 'HR', request_channel_ids: ['C0ASKHR1', 'G0PRIVHR'], intake_type: 'service_request', intake_priority: 'low' });
    expect(hr.status).toBe(201);
    expect(hr.body).toMatchObject({ request_channel_ids: ['C0ASKHR1', 'G0PRIVHR'], intake_type: 'service_request', intake_priority: 'low' });
    expect((await call(token, 'GET', `/teams/${hr.body!.id}`)).body).toMatchObject({ request_channel_ids: ['C0ASKHR1', 'G0PRIVHR'], intake_type: 'service_request' });
    // Another field's change leaves them; an empty list clears the channels.
    expect((await call(token, 'PATCH', `/teams/${hr.body!.id}`, { name: 'People' })).body).toMatchObject({ request_channel_ids: ['C0ASKHR1', 'G0PRIVHR'], intake_priority: 'low' });
    const cleared = await call(token, 'PATCH', `/teams/${hr.body!.id}`, { request_channel_ids: [], intake_priority: 'urgent' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ request_channel_ids: [], intake_type: 'service_request', intake_priority: 'urgent' });
  });

  it('refuses bad values with problem+json naming the field, and changes nothing', async () => {
    const token = await admin();
    const team = (await call(token, 'POST', '/teams', { name: 'Desk', request_channel_ids: ['C0ASK001'] })).body!;
    const cases: Array<[unknown, string[]]> = [
      [{ request_channel_ids: ['not a channel'] }, ['/request_channel_ids/0']],
      [{ request_channel_ids: ['C0ASK001', 'D0DIRECT1'] }, ['/request_channel_ids/1']],
      [{ request_channel_ids: 'C0ASK001' }, ['/request_channel_ids']],
      [{ request_channel_ids: ['C0ASK001', 'C0ASK001'] }, ['/request_channel_ids']],
      [{ request_channel_ids: Array.from({ length: 21 }, (_, i) => `C0MANY${i}`) }, ['/request_channel_ids']],
      [{ intake_type: 'question' }, ['/intake_type']],
      [{ intake_priority: 'critical', intake_type: null }, ['/intake_type', '/intake_priority']],
    ];
    for (const [body, expected] of cases) {
      const answer = await call(token, 'PATCH', `/teams/${team.id}`, body);
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(answer.type).toContain('application/problem+json');
      expect([...pointers(answer)].sort(), JSON.stringify(body)).toEqual([...expected].sort());
    }
    expect((await call(token, 'GET', `/teams/${team.id}`)).body).toMatchObject({ request_channel_ids: ['C0ASK001'], intake_type: 'incident', intake_priority: 'medium' });
  });

  it('lets a channel be the request channel of one team only, in one workspace', async () => {
    const token = await admin();
    const desk = (await call(token, 'POST', '/teams', { name: 'Desk', request_channel_ids: ['C0ASK001', 'C0ASK002'] })).body!;
    const taken = await call(token, 'POST', '/teams', { name: 'HR', request_channel_ids: ['C0ASKHR1', 'C0ASK002'] });
    expect(taken.status).toBe(422);
    expect(taken.type).toContain('application/problem+json');
    expect(pointers(taken)).toEqual(['/request_channel_ids/1']);
    expect(JSON.stringify(taken.body)).toContain('Desk');
    expect((await call(token, 'GET', '/teams')).body!.items).toHaveLength(1);
    const hr = (await call(token, 'POST', '/teams', { name: 'HR', request_channel_ids: ['C0ASKHR1'] })).body!;
    expect(pointers(await call(token, 'PATCH', `/teams/${hr.id}`, { request_channel_ids: ['C0ASK001'] }))).toEqual(['/request_channel_ids/0']);
    // A team may keep its own channels; once released, another team may take one.
    expect((await call(token, 'PATCH', `/teams/${desk.id}`, { request_channel_ids: ['C0ASK002', 'C0ASK001'] })).status).toBe(200);
    expect((await call(token, 'PATCH', `/teams/${desk.id}`, { request_channel_ids: ['C0ASK002'] })).status).toBe(200);
    expect((await call(token, 'PATCH', `/teams/${hr.id}`, { request_channel_ids: ['C0ASKHR1', 'C0ASK001'] })).body).toMatchObject({ request_channel_ids: ['C0ASKHR1', 'C0ASK001'] });
    // Another workspace's teams are no obstacle.
    const other = await admin();
    expect((await call(other, 'POST', '/teams', { name: 'Desk', request_channel_ids: ['C0ASK002'] })).status).toBe(201);
  });

  it('keeps the skip prefix in the settings: [no-ticket] by default, any short text, empty for none', async () => {
    const token = await admin();
    expect((await call(token, 'GET', '/settings')).body).toMatchObject({ intake_skip_prefix: '[no-ticket]' });
    expect((await call(token, 'PUT', '/settings', { intake_skip_prefix: ' ! ' })).body).toMatchObject({ intake_skip_prefix: '!' });
    expect((await call(token, 'PUT', '/settings', { intake_skip_prefix: '' })).body).toMatchObject({ intake_skip_prefix: '' });
    for (const bad of ['x'.repeat(31), 7, null]) {
      const answer = await call(token, 'PUT', '/settings', { intake_skip_prefix: bad });
      expect(answer.status, JSON.stringify(bad)).toBe(422);
      expect(pointers(answer)).toEqual(['/intake_skip_prefix']);
    }
    expect((await call(token, 'GET', '/settings')).body).toMatchObject({ intake_skip_prefix: '' });
  });
});
