import { SignJWT } from 'jose';
import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, serveApiDuringSuite, TEST_JWT_SECRET, tokenFor } from '../support/http-server.js';

/**
 * Issue 14: input a client can send must never reach the database or a recursive walk
 * unchecked. Each case answered 500 before; now a 4xx problem naming the field.
 */
describeEachDatabase('REST bad input', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const send = async (token: string | null, method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl()}${API_PREFIX}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      etag: response.headers.get('etag'),
      body: text ? (JSON.parse(text) as Record<string, any>) : null,
    };
  };
  const call = (token: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    send(token, method, path, body === undefined ? undefined : JSON.stringify(body), headers);

  /** A 4xx problem+json whose `errors` name exactly these pointers. */
  const expectProblem = (answer: Awaited<ReturnType<typeof send>>, status: number, pointers?: string[]) => {
    expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(status);
    expect(answer.type).toContain('application/problem+json');
    if (pointers) expect(answer.body!.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([...pointers].sort());
  };

  /** An admin of a new workspace: every route, configuration included, is open to them. */
  const person = async (tenantId = newTenantId()) => adminTokenFor(server.baseUrl(), tenantId, 'per_ada');
  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('refuses NUL and lone surrogates in bodies, naming the field', async () => {
    const token = await person();
    expectProblem(await call(token, 'POST', '/tickets', { title: 'a\u0000b' }), 422, ['/title']);
    expectProblem(await call(token, 'POST', '/tickets', { title: 'ok', tags: ['fine', 'bad\u0000'] }), 422, ['/tags/1']);
    // JSON.stringify would escape a lone surrogate into a pair-less `\ud800` as well; sent raw to be sure.
    expectProblem(await send(token, 'POST', '/tickets', '{"title":"\\ud800"}'), 422, ['/title']);
    expectProblem(await send(token, 'POST', '/tickets', '{"title":"x","description":"tail \\udfff"}'), 422, ['/description']);
    expectProblem(await call(token, 'POST', '/teams', { name: 'Desk\u0000' }), 422, ['/name']);
    expectProblem(await call(token, 'POST', '/sla-policies', { name: 'P\u0000', applies_to: ['incident'], priority: 'low', first_response_minutes: 5, resolution_minutes: 50 }), 422, ['/name']);
    expectProblem(await call(token, 'PUT', '/settings', { default_team_id: 'grp_\u0000' }), 422, ['/default_team_id']);
    expectProblem(await call(token, 'POST', '/tickets', { 'ti\u0000tle': 'x' }), 422);
    // A key can be malformed too; the problem still names where.
    const ticket = await call(token, 'POST', '/tickets', { title: 'Fine' });
    expect(ticket.status).toBe(201);
    expectProblem(await call(token, 'PATCH', `/tickets/${ticket.body!.id}`, { category: '\u0000' }), 422, ['/category']);
    expect((await call(token, 'GET', `/tickets/${ticket.body!.id}`)).body).toMatchObject({ category: null });
  });

  it('refuses NUL in filters, path ids and cursors', async () => {
    const token = await person();
    expectProblem(await call(token, 'GET', '/tickets?category=a%00b'), 422, ['/category']);
    expectProblem(await call(token, 'GET', '/tickets?q=%00'), 422, ['/q']);
    expectProblem(await call(token, 'GET', '/tickets?tag=x%00'), 422, ['/tag']);
    expectProblem(await call(token, 'GET', '/tickets/tkt_%00'), 422, ['/id']);
    expectProblem(await call(token, 'PATCH', '/tickets/tkt_%00', { title: 'x' }), 422, ['/id']);
    expectProblem(await call(token, 'GET', '/teams/grp%00'), 422, ['/id']);
    expectProblem(await call(token, 'GET', '/sla-policies/sla%00'), 422, ['/id']);
    expectProblem(await call(token, 'GET', '/tickets?cursor=%00'), 422, ['/cursor']);
    expectProblem(await call(token, 'GET', `/tickets?cursor=${cursorOf(['-created_at', '2026-01-01T00:00:00.000Z', 'tkt_\u0000'])}`), 400, ['/cursor']);
  });

  it('refuses JSON nested deeper than the limit before anything walks it', async () => {
    const token = await person();
    const deepArray = '['.repeat(20_000) + ']'.repeat(20_000);
    const deepObject = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    for (const body of [deepArray, deepObject, `{"title":"x","tags":${deepArray}}`]) {
      const answer = await send(token, 'POST', '/tickets', body, { 'idempotency-key': `deep-${body.length}` });
      expectProblem(answer, 400, ['']);
      expect(answer.body!.code).toBe('json_too_deep');
      expect(answer.body!.errors[0].message).toMatch(/deeper than 32 levels \(at byte \d+\)/);
    }
    // Brackets inside strings are text, not nesting.
    expect((await call(token, 'POST', '/tickets', { title: '[[[[{{{{'.repeat(20) })).status).toBe(201);
    // A body as deep as the limit allows is parsed and judged on its fields.
    const nested = '['.repeat(31) + ']'.repeat(31);
    expectProblem(await send(token, 'POST', '/tickets', `{"title":"x","tags":${nested}}`), 422);
  });

  it('takes the intake emoji as a Slack emoji name (colons dropped) and refuses anything else under its field', async () => {
    const token = await person();
    for (const bad of ['', 'two words', '<!channel>', 'Ticket', ':ticket', 'x'.repeat(101), 42]) {
      expectProblem(await call(token, 'PUT', '/settings', { intake_emoji: bad }), 422, ['/intake_emoji']);
    }
    expect((await call(token, 'GET', '/settings')).body).toMatchObject({ intake_emoji: 'ticket' });
    const saved = await call(token, 'PUT', '/settings', { intake_emoji: ':raising_hand:' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ intake_emoji: 'raising_hand' });
    expect((await call(token, 'PUT', '/settings', { intake_emoji: '+1' })).body).toMatchObject({ intake_emoji: '+1' });
  });

  it('refuses dates Postgres cannot store, in filters and in settings', async () => {
    const token = await person();
    for (const query of [
      'created_after=0000-01-01T00:00:00Z',
      'created_before=0001-01-01T00:00:00%2B01:00',
      'updated_after=%2B010000-01-01T00:00:00Z',
      'updated_before=9999-12-31T23:59:59-01:00',
    ]) {
      const field = query.split('=')[0]!;
      expectProblem(await call(token, 'GET', `/tickets?${query}`), 422, [`/${field}`]);
    }
    expect((await call(token, 'GET', '/tickets?created_after=0001-01-01T00:00:00Z&created_before=9999-12-31T23:59:59Z')).status).toBe(200);
    const calendar = { timezone: 'UTC', hours: { mon: [['09:00', '17:00']] }, holidays: ['0000-01-01'] };
    expectProblem(await call(token, 'PUT', '/settings', { business_calendar: calendar }), 422, ['/business_calendar/holidays/0']);
  });

  it('answers 400 to a cursor the server did not issue', async () => {
    const token = await person();
    for (const title of ['one', 'two', 'three']) expect((await call(token, 'POST', '/tickets', { title })).status).toBe(201);
    const page = await call(token, 'GET', '/tickets?limit=1&sort=number');
    expect((await call(token, 'GET', `/tickets?limit=1&sort=number&cursor=${page.body!.next_cursor}`)).status).toBe(200);
    const forged = [
      ['-created_at', '0000-01-01T00:00:00.000Z', 'tkt_01J0000000000000000000000'],
      ['-created_at', '+275760-09-13T00:00:00.000Z', 'tkt_01J0000000000000000000000'],
      ['-created_at', '2026-01-01', 'tkt_01J0000000000000000000000'],
      ['number', 1e300, 'tkt_01J0000000000000000000000'],
      ['number', 2 ** 31, 'tkt_01J0000000000000000000000'],
      ['number', -1, 'tkt_01J0000000000000000000000'],
      ['number', 1, 'x'.repeat(5000)],
      ['priority', 'high', 'tkt_01J0000000000000000000000', 'extra'],
    ];
    for (const cursor of forged) {
      const sort = String(cursor[0]);
      const answer = await call(token, 'GET', `/tickets?sort=${sort}&cursor=${cursorOf(cursor)}`);
      expectProblem(answer, 400, ['/cursor']);
      expect(answer.body!.code).toBe('invalid_cursor');
    }
    const policies = await call(token, 'GET', `/sla-policies?sort=created_at&cursor=${cursorOf(['created_at', '-000001-01-01T00:00:00.000Z', 'sla_x'])}`);
    expectProblem(policies, 400, ['/cursor']);
    expectProblem(await call(token, 'GET', `/sla-policies?sort=name&cursor=${cursorOf(['name', 'n\u0000', 'sla_x'])}`), 400, ['/cursor']);
  });

  it('answers 4xx to bodies that cannot be read: other charsets, broken compression', async () => {
    const token = await person();
    const utf16 = await fetch(`${server.baseUrl()}${API_PREFIX}/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-16le' },
      body: Buffer.from('{"title":"x"}', 'utf16le'),
    });
    expect(utf16.status).toBe(415);
    for (const encoding of ['gzip', 'deflate', 'br', 'compress']) {
      const broken = await fetch(`${server.baseUrl()}${API_PREFIX}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': encoding },
        body: 'not compressed at all',
      });
      expect(broken.status, encoding).toBeGreaterThanOrEqual(400);
      expect(broken.status, encoding).toBeLessThan(500);
      expect(broken.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('answers 400 to malformed percent-encoding in the path', async () => {
    const token = await person();
    for (const path of ['/tickets/%', '/tickets/%E0%A4%A', '/tickets/%zz/close', '/sla-policies/%', '/teams/%']) {
      const answer = await call(token, 'GET', path);
      expectProblem(answer, 400, ['/id']);
      expect(answer.body!.code).toBe('malformed_path');
    }
  });

  it('refuses over-long or empty identity claims with 401', async () => {
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(TEST_JWT_SECRET));
    for (const claims of [
      { sub: 'per_ada', tenant_id: 'T'.repeat(5000) },
      { sub: 'p'.repeat(5000), tenant_id: newTenantId() },
      { sub: 'per_ada', tenant_id: newTenantId(), app_id: 'a'.repeat(5000) },
      { sub: 'per_ada', tenant_id: newTenantId(), app_id: '' },
      { sub: 'per_ada', tenant_id: 'T\u0000' },
      { sub: 'per\u0000', tenant_id: newTenantId() },
      { sub: 'per_ada', tenant_id: '\ud800' },
    ]) {
      const answer = await call(await sign(claims), 'POST', '/tickets', { title: 'x' });
      expectProblem(answer, 401);
    }
  });

  it('refuses calendars and policies that could not compute a deadline, where they are configured', async () => {
    const token = await person();
    const hours = (mon: Array<[string, string]>) => ({ timezone: 'UTC', hours: { mon }, holidays: [] });
    // A minute a week: no SLA clock could be meaningfully counted in it.
    const sliver = await call(token, 'PUT', '/settings', { business_calendar: hours([['09:00', '09:01']]) });
    expectProblem(sliver, 422, ['/business_calendar/hours']);
    expect(sliver.body!.errors[0].message).toMatch(/at least/i);
    const holidays = Array.from({ length: 10_000 }, (_, i) => new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10));
    expectProblem(await call(token, 'PUT', '/settings', { business_calendar: { ...hours([['09:00', '17:00']]), holidays } }), 422, ['/business_calendar/holidays']);

    // Policy first, then a calendar too thin for it: the calendar is refused, naming the policy.
    const policy = await call(token, 'POST', '/sla-policies', {
      name: 'Slow burn', applies_to: ['incident'], priority: 'low', first_response_minutes: 60, resolution_minutes: 2_000_000, business_hours_only: true,
    });
    expect(policy.status).toBe(201);
    const thin = await call(token, 'PUT', '/settings', { business_calendar: hours([['09:00', '11:00']]) });
    expectProblem(thin, 422, ['/business_calendar']);
    expect(thin.body!.errors[0].message).toContain('Slow burn');
    // Calendar first, then a policy it cannot reach: the policy is refused, naming the target.
    expect((await call(token, 'PATCH', `/sla-policies/${policy.body!.id}`, { resolution_minutes: 600 })).status).toBe(200);
    expect((await call(token, 'PUT', '/settings', { business_calendar: hours([['09:00', '11:00']]) })).status).toBe(200);
    const unreachable = { name: 'Too far', applies_to: ['incident'], priority: 'high', first_response_minutes: 60, resolution_minutes: 2_000_000, business_hours_only: true };
    const refused = await call(token, 'POST', '/sla-policies', unreachable);
    expectProblem(refused, 422, ['/resolution_minutes']);
    expect(refused.body!.errors[0].message).toMatch(/calendar/);
    expect((await call(token, 'POST', '/sla-policies', { ...unreachable, business_hours_only: false })).status).toBe(201);
    const turned = await call(token, 'PATCH', `/sla-policies/${policy.body!.id}`, { resolution_minutes: 2_000_000 });
    expectProblem(turned, 422, ['/resolution_minutes']);
    // And so creating tickets works under whatever settings were accepted.
    for (const priority of ['low', 'high']) {
      expect((await call(token, 'POST', '/tickets', { title: 'Works', priority })).status).toBe(201);
    }
  });

  it('ignores server fields echoed back in a PATCH, and If-Match: * matches any version', async () => {
    const token = await person();
    const created = await call(token, 'POST', '/tickets', { title: 'Echo me', tags: ['a'] });
    const fetched = await call(token, 'GET', `/tickets/${created.body!.id}`);
    const echoed = await call(token, 'PATCH', `/tickets/${created.body!.id}`, { ...fetched.body, title: 'Echoed', sla_cycle: 99, number: 'TKT-9999', due_at: '0000-01-01T00:00:00Z' });
    expect(echoed.status, JSON.stringify(echoed.body)).toBe(200);
    expect(echoed.body).toMatchObject({ title: 'Echoed', sla_cycle: 1, number: created.body!.number });
    expect((await call(token, 'POST', '/tickets', { ...fetched.body, sla_cycle: 7 })).status).toBe(201);

    const team = await call(token, 'POST', '/teams', { name: 'Echo desk', slack_channel_id: 'C0ECHO' });
    expect(team.status).toBe(201);
    const teamEcho = await call(token, 'PATCH', `/teams/${team.body!.id}`, { ...team.body, name: 'Echo desk 2' });
    expect(teamEcho.status, JSON.stringify(teamEcho.body)).toBe(200);
    expect(teamEcho.body).toMatchObject({ id: team.body!.id, name: 'Echo desk 2', created_at: team.body!.created_at });
    expect((await call(token, 'POST', '/teams', { ...team.body, name: 'Echo desk 3' })).status).toBe(201);

    const policy = await call(token, 'POST', '/sla-policies', { name: 'Echo', applies_to: ['change'], priority: 'low', first_response_mins: 10, resolution_mins: 100 });
    const policyEcho = await call(token, 'PATCH', `/sla-policies/${policy.body!.id}`, { ...policy.body, name: 'Echo 2' }, { 'if-match': policy.etag! });
    expect(policyEcho.status, JSON.stringify(policyEcho.body)).toBe(200);
    expect(policyEcho.body).toMatchObject({ name: 'Echo 2', resolution_minutes: 100, id: policy.body!.id });

    const any = await call(token, 'PATCH', `/tickets/${created.body!.id}`, { title: 'Any version' }, { 'if-match': '*' });
    expect(any.status).toBe(200);
    expect((await call(token, 'POST', `/tickets/${created.body!.id}/close`, undefined, { 'if-match': '*' })).status).toBe(200);
    expectProblem(await call(token, 'PATCH', '/tickets/tkt_01J0000000000000000000000', { title: 'x' }, { 'if-match': '*' }), 404);
  });
});
