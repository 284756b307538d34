import { expect, it } from 'vitest';
import { API_PREFIX } from '../../src/http/app.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, ALL_SCOPES, serveApiDuringSuite, tokenFor } from '../support/http-server.js';

type Json = Record<string, any>;

/**
 * Who may call what, over HTTP: integration tokens by their scopes (every documented
 * route, every kind of token), people by their roles (admin, agent, requester).
 */
describeEachDatabase('REST roles and token scopes', (ctx) => {
  const server = serveApiDuringSuite(() => ctx.db);

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl()}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : null };
  };

  const APP = 'app_roles';
  const SUB = 'per_integration';

  /** A workspace of its own with one of everything, made by the integration with every scope. */
  async function fixture() {
    const tenant = newTenantId();
    const full = await tokenFor({ sub: SUB, tenant_id: tenant, app_id: APP, scope: ALL_SCOPES });
    const made = async (method: string, path: string, body: unknown) => {
      const answer = await call(full, method, path, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(201);
      return answer.body!;
    };
    const ticket = await made('POST', '/tickets', { title: 'Printer on fire' });
    const comment = await made('POST', `/tickets/${ticket.id}/comments`, { body: 'Toner everywhere' });
    const policy = await made('POST', '/sla-policies', { name: 'Urgent', applies_to: ['incident'], priority: 'urgent', first_response_minutes: 15, resolution_minutes: 120 });
    const team = await made('POST', '/teams', { name: 'Desk' });
    /** Everything the workspace holds, as its integration reads it. */
    const snapshot = async () =>
      Promise.all(
        [`/tickets/${ticket.id}`, `/tickets/${ticket.id}/comments`, `/sla-policies/${policy.id}`, `/teams`, '/settings', '/tickets'].map(
          async (path) => (await call(full, 'GET', path)).body,
        ),
      );
    return { tenant, ticket, comment, policy, team, snapshot };
  }

  /** A body each documented write succeeds with, on a fresh fixture. */
  const BODIES: Record<string, Json> = {
    'post /tickets': { title: 'Another' },
    'patch /tickets/{id}': { title: 'Printer still on fire' },
    'post /tickets/{id}/comments': { body: 'Still burning' },
    'patch /tickets/{id}/comments/{comment_id}': { body: 'Toner everywhere, really' },
    'post /sla-policies': { name: 'Low', applies_to: ['incident'], priority: 'low', first_response_minutes: 60, resolution_minutes: 600 },
    'patch /sla-policies/{id}': { name: 'Very urgent' },
    'post /teams': { name: 'Second desk' },
    'patch /teams/{id}': { name: 'Front desk' },
    'put /settings': { sla_warning_percent: 80 },
  };

  const operations = () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, Json>> };
    return Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op['x-required-scope'] !== undefined)
        .map(([method, op]) => ({ method, path: path.slice(API_PREFIX.length), scope: op['x-required-scope'] as string })),
    );
  };

  const TOKEN_SCOPES: Array<[string, string | null]> = [
    ['no scope claim', null],
    ['helpdesk:read', 'helpdesk:read'],
    ['helpdesk:write', 'helpdesk:write'],
    ['helpdesk:admin', 'helpdesk:admin'],
    ['read and write', 'helpdesk:read helpdesk:write'],
    ['every scope', ALL_SCOPES],
  ];

  it('documents a scope for every route of the API', () => {
    const ops = operations();
    // Every route (the OpenAPI test checks the document against the app's routes), each with one of the three scopes.
    expect(ops).toHaveLength(21);
    expect(new Set(ops.map((op) => op.scope))).toEqual(new Set(['helpdesk:read', 'helpdesk:write', 'helpdesk:admin']));
  });

  for (const op of operations()) {
    it(`${op.method.toUpperCase()} ${op.path}: an integration token needs ${op.scope}; without it, 403 naming it and nothing changed`, async () => {
      const target = (f: Awaited<ReturnType<typeof fixture>>) => {
        const id = op.path.startsWith('/tickets') ? f.ticket.id : op.path.startsWith('/teams') ? f.team.id : f.policy.id;
        return op.path.replace('{id}', id).replace('{comment_id}', f.comment.id);
      };
      const body = BODIES[`${op.method} ${op.path}`];
      const granted = TOKEN_SCOPES.filter(([, claim]) => (claim ?? '').split(' ').includes(op.scope));
      const refused = TOKEN_SCOPES.filter((variant) => !granted.includes(variant));
      expect(granted.length).toBeGreaterThan(0);
      expect(refused.length).toBeGreaterThan(0);

      const f = await fixture();
      const before = await f.snapshot();
      for (const [kind, claim] of refused) {
        const token = await tokenFor({ sub: SUB, tenant_id: f.tenant, app_id: APP, scope: claim });
        const where = `${kind}: ${op.method.toUpperCase()} ${target(f)}`;
        const answer = await call(token, op.method.toUpperCase(), target(f), body);
        expect(answer.status, where).toBe(403);
        expect(answer.headers.get('content-type'), where).toContain('application/problem+json');
        expect(answer.body, where).toMatchObject({ status: 403, code: 'insufficient_scope', required_scope: op.scope });
        expect(answer.body!.detail, where).toContain(op.scope);
        expect(answer.headers.get('www-authenticate'), where).toBe(`Bearer realm="helpdesk", error="insufficient_scope", scope="${op.scope}"`);
      }
      expect(await f.snapshot(), 'the refused calls changed nothing').toEqual(before);

      for (const [i, [kind, claim]] of granted.entries()) {
        // A granted call may close or delete what the next one needs: each after the first gets a fresh workspace.
        const g = i === 0 ? f : await fixture();
        const token = await tokenFor({ sub: SUB, tenant_id: g.tenant, app_id: APP, scope: claim });
        const answer = await call(token, op.method.toUpperCase(), target(g), body);
        const where = `${kind}: ${op.method.toUpperCase()} ${target(g)}: ${JSON.stringify(answer.body)}`;
        expect(answer.status, where).toBeGreaterThanOrEqual(200);
        expect(answer.status, where).toBeLessThan(300);
      }
    });
  }

  /**
   * A workspace with an admin (per_admin, in admin_ids), a team whose agent is the Slack user
   * UAGENT01, a ticket of that team raised by per_requester, and an internal note on it.
   */
  async function desk() {
    const tenant = newTenantId();
    const admin = await adminTokenFor(server.baseUrl(), tenant, 'per_admin');
    const team = await call(admin, 'POST', '/teams', { name: 'Desk', agent_ids: ['UAGENT01'] });
    expect(team.status).toBe(201);
    const agent = await tokenFor({ sub: 'UAGENT01', tenant_id: tenant });
    const requester = await tokenFor({ sub: 'per_requester', tenant_id: tenant });
    const stranger = await tokenFor({ sub: 'per_stranger', tenant_id: tenant });
    const ticket = (await call(requester, 'POST', '/tickets', { title: 'Printer on fire', team_id: team.body!.id })).body!;
    const note = await call(agent, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Toner supplier again', visibility: 'internal' });
    expect(note.status).toBe(201);
    return { tenant, team: team.body!, ticket, note: note.body!, tokens: { admin, agent, requester, stranger } };
  }

  it('lets only admins change teams, SLA policies and settings; everyone reads them', async () => {
    const { team, tokens } = await desk();
    const policy = (await call(tokens.admin, 'POST', '/sla-policies', BODIES['post /sla-policies'])).body!;
    expect(policy.id).toMatch(/^sla_/);
    const configure: Array<[string, string, Json]> = [
      ['POST', '/teams', { name: 'Second desk' }],
      ['PATCH', `/teams/${team.id}`, { name: 'Taken over' }],
      ['POST', '/sla-policies', { ...BODIES['post /sla-policies'], priority: 'medium', name: 'Medium' }],
      ['PATCH', `/sla-policies/${policy.id}`, { status: 'inactive' }],
      ['PUT', '/settings', { admin_ids: ['per_requester'] }],
    ];
    const read = async () => Promise.all(['/teams', `/sla-policies/${policy.id}`, '/settings'].map(async (p) => (await call(tokens.admin, 'GET', p)).body));
    const before = await read();
    for (const who of ['agent', 'requester', 'stranger'] as const) {
      for (const [method, path, body] of configure) {
        const answer = await call(tokens[who], method, path, body);
        expect(answer.status, `${who}: ${method} ${path}`).toBe(403);
        expect(answer.body, `${who}: ${method} ${path}`).toMatchObject({ code: 'forbidden' });
        expect(answer.body!.detail).toContain('Only helpdesk admins');
      }
      for (const path of ['/teams', `/teams/${team.id}`, '/sla-policies', `/sla-policies/${policy.id}`, '/settings']) {
        expect((await call(tokens[who], 'GET', path)).status, `${who}: GET ${path}`).toBe(200);
      }
    }
    expect(await read()).toEqual(before);
    for (const [method, path, body] of configure) {
      expect((await call(tokens.admin, method, path, body)).status, `admin: ${method} ${path}`).toBeLessThan(300);
    }
    // The admin made the requester an admin (and, replacing the list, stopped being one).
    expect((await call(tokens.requester, 'PATCH', `/teams/${team.id}`, { name: 'Requested' })).status).toBe(200);
    expect((await call(tokens.admin, 'PATCH', `/teams/${team.id}`, { name: 'Mine again' })).status).toBe(403);
  });

  it('lets the ticket’s agents change it, its requester close it, and nobody else', async () => {
    const { ticket, tokens } = await desk();
    const get = async () => (await call(tokens.agent, 'GET', `/tickets/${ticket.id}`)).body!;
    const before = await get();
    // Admins configure; working tickets is for the team's agents.
    for (const who of ['requester', 'stranger', 'admin'] as const) {
      const patch = await call(tokens[who], 'PATCH', `/tickets/${ticket.id}`, { priority: 'urgent' });
      expect(patch.status, who).toBe(403);
      expect(patch.body).toMatchObject({ code: 'forbidden', detail: `Only the agents of Desk can edit ${ticket.number}.` });
      const del = await call(tokens[who], 'DELETE', `/tickets/${ticket.id}`);
      expect(del.body, who).toMatchObject({ status: 403, detail: `Only the agents of Desk can delete ${ticket.number}.` });
    }
    const close = await call(tokens.stranger, 'POST', `/tickets/${ticket.id}/close`);
    expect(close.body).toMatchObject({ status: 403, detail: `Only the agents of Desk or the requester can close ${ticket.number}.` });
    expect(await get()).toEqual(before);

    expect(await call(tokens.agent, 'PATCH', `/tickets/${ticket.id}`, { priority: 'urgent' })).toMatchObject({ status: 200, body: { priority: 'urgent' } });
    expect(await call(tokens.requester, 'POST', `/tickets/${ticket.id}/close`)).toMatchObject({ status: 200, body: { status: 'closed' } });
    const other = (await call(tokens.requester, 'POST', '/tickets', { title: 'Duplicate', team_id: ticket.team_id })).body!;
    expect((await call(tokens.agent, 'DELETE', `/tickets/${other.id}`)).status).toBe(204);
  });

  it('shows and takes internal comments from the ticket’s agents only', async () => {
    const { ticket, note, tokens } = await desk();
    const bodies = async (who: keyof typeof tokens) =>
      ((await call(tokens[who], 'GET', `/tickets/${ticket.id}/comments`)).body!.items as Json[]).map((c) => c.body);
    expect(await bodies('agent')).toEqual(['Toner supplier again']);
    for (const who of ['requester', 'stranger', 'admin'] as const) {
      expect(await bodies(who), who).toEqual([]);
      expect((await call(tokens[who], 'GET', `/tickets/${ticket.id}/comments/${note.id}`)).status, who).toBe(404);
      const write = await call(tokens[who], 'POST', `/tickets/${ticket.id}/comments`, { body: 'psst', visibility: 'internal' });
      expect(write.body, who).toMatchObject({ status: 403, code: 'forbidden' });
    }
    expect(await bodies('agent')).toEqual(['Toner supplier again']);
    // Public comments are anyone's to write on a ticket they can see.
    expect((await call(tokens.requester, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Any news?' })).status).toBe(201);
  });

  it('acts as the Slack user a human token names, with that person’s roles', async () => {
    const { tenant, team, ticket } = await desk();
    const agentId = team.agent_ids[0] as string;
    const bySlackId = await tokenFor({ sub: 'UAGENT01', tenant_id: tenant });
    const byPersonId = await tokenFor({ sub: agentId, tenant_id: tenant });
    const a = await call(bySlackId, 'POST', `/tickets/${ticket.id}/comments`, { body: 'On it' });
    const b = await call(byPersonId, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Still on it' });
    expect([a.body!.author_id, b.body!.author_id]).toEqual([agentId, agentId]);
    // A Slack user never seen before becomes a person, and is a requester: no agent, no admin.
    const newcomer = await tokenFor({ sub: 'UNEWBIE01', tenant_id: tenant });
    const mine = await call(newcomer, 'POST', '/tickets', { title: 'Mine' });
    expect(mine.body!.submitted_by_id).toMatch(/^per_/);
    expect((await call(newcomer, 'PATCH', `/tickets/${ticket.id}`, { title: 'x' })).status).toBe(403);
    expect((await call(newcomer, 'PUT', '/settings', { sla_warning_percent: 90 })).status).toBe(403);
  });
});
