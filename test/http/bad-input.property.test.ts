import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { idempotencyKeys, people, slaAlerts, slaPolicies, teamAgents, teams, tenants, ticketComments, ticketEvents, tickets } from '../../src/db/schema/index.js';
import { API_PREFIX } from '../../src/http/app.js';
import { ACTION, BLOCK, CALLBACK, INPUT_ACTION, assignBlockId } from '../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { FAKE_SLACK_DEFAULTS } from '../support/fake-slack.js';
import { adminTokenFor, ALL_SCOPES, TEST_JWT_SECRET, tokenFor } from '../support/http-server.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

/**
 * Issue 14, as a property: whatever JSON, strings, query values, path ids and headers a
 * caller sends to any REST route, and whatever a person types into the Slack entry points,
 * the answer is never a 5xx, the server keeps serving, and another tenant's rows are
 * exactly as they were. Run counts are modest: this runs on both databases in every CI run.
 */

const RUNS = { rest: 200, slack: 80 };

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Values that broke something once, or sit on a boundary: mixed into every string. */
const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfff',
  '\u0000\ud800',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00',
  '+010000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-01:00',
  '2026-01-01T00:00:00Z',
  '2026-02-29',
  'TKT-0001',
  'TKT-999999999',
  'TKT-99999999999',
  'none',
  '',
  ' ',
  '%',
  '*',
  '1e308',
  '-1',
  'NaN',
  'x'.repeat(3000),
);
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), nasty, fc.string({ maxLength: 12 }));
const json = fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 });
const anyValue = fc.oneof(
  text,
  json,
  fc.integer({ min: -10, max: 6_000_000 }),
  fc.constantFrom(0, 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308, -0.5, true, false, null),
  fc.array(text, { maxLength: 4 }),
);

const FIELDS = [
  'title', 'description', 'type', 'priority', 'category', 'submitted_by_id', 'assigned_to_id', 'team_id', 'tags',
  'status', 'source', 'source_type', 'related_asset_id', 'sla_cycle', 'id', 'number', 'due_at', 'tenant_id',
  'name', 'applies_to', 'first_response_minutes', 'first_response_mins', 'resolution_minutes', 'resolution_mins',
  'business_hours_only', 'slack_channel_id', 'agent_ids', 'escalation_contact_ids', 'agent_reply_default', 'default_team_id',
  'sla_warning_percent', 'escalation_interval_minutes', 'escalation_max',
] as const;
const fieldName = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: text });

const time = fc.oneof(fc.constantFrom('00:00', '09:00', '09:01', '11:00', '17:00', '23:59', '24:00'), text);
const calendar = fc.record(
  {
    timezone: fc.oneof(fc.constantFrom('UTC', 'Europe/Paris', 'Pacific/Kiritimati', 'Antarctica/Troll'), text),
    hours: fc.dictionary(fc.oneof(fc.constantFrom('mon', 'tue', 'sat', 'sun'), text), fc.array(fc.tuple(time, time), { maxLength: 3 }), { maxKeys: 3 }),
    holidays: fc.array(fc.oneof(fc.constantFrom('0000-01-01', '2024-02-29', '2026-12-25', '9999-12-31'), text), { maxLength: 4 }),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 2, arbitrary: json.map((value) => JSON.stringify(value)) },
  { weight: 5, arbitrary: fc.dictionary(fieldName, anyValue, { maxKeys: 6 }).map((value) => JSON.stringify(value)) },
  { weight: 2, arbitrary: fc.record({ business_calendar: calendar }, { requiredKeys: [] }).map((value) => JSON.stringify(value)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('{"title": ', '['.repeat(100) + ']'.repeat(100), '{"title":"\\ud800"}', '{"title":"\\u0000"}', 'null', '"x"', '1e999'),
  },
);

/** Printable ASCII: what a header value can carry through fetch. */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });

/** Every byte percent-encoded but the unreserved ones: any string can travel in a URL. */
const pct = (value: string) =>
  [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const SORTS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'number', '-number', 'priority', '-priority', 'name', '-name'];
const forgedCursor = fc.tuple(fc.constantFrom(...SORTS), anyValue, text).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url'));
const QUERY_KEYS = [
  'status', 'priority', 'type', 'team_id', 'assigned_to_id', 'submitted_by_id', 'category', 'tag', 'created_after',
  'created_before', 'updated_after', 'updated_before', 'q', 'include_deleted', 'sort', 'limit', 'cursor',
];
const query = fc.array(
  fc.oneof(
    fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: text }), fc.oneof(text, fc.constantFrom(...SORTS))),
    fc.tuple(fc.constant('cursor'), forgedCursor),
  ),
  { maxLength: 4 },
);

type Route = { method: string; path: string; id?: 'ticket' | 'policy' | 'team' | 'comment'; body?: boolean };
const ROUTES: Route[] = [
  { method: 'GET', path: '/tickets' },
  { method: 'POST', path: '/tickets', body: true },
  { method: 'GET', path: '/tickets/:id', id: 'ticket' },
  { method: 'PATCH', path: '/tickets/:id', id: 'ticket', body: true },
  { method: 'DELETE', path: '/tickets/:id', id: 'ticket' },
  { method: 'POST', path: '/tickets/:id/close', id: 'ticket' },
  { method: 'GET', path: '/tickets/:id/comments', id: 'ticket' },
  { method: 'POST', path: '/tickets/:id/comments', id: 'ticket', body: true },
  // `:ticket` is the ticket of the same workspace as the comment id drawn (its own, or the victim's).
  { method: 'GET', path: '/tickets/:ticket/comments/:id', id: 'comment' },
  { method: 'PATCH', path: '/tickets/:ticket/comments/:id', id: 'comment', body: true },
  { method: 'DELETE', path: '/tickets/:ticket/comments/:id', id: 'comment' },
  { method: 'GET', path: '/sla-policies' },
  { method: 'POST', path: '/sla-policies', body: true },
  { method: 'GET', path: '/sla-policies/:id', id: 'policy' },
  { method: 'PATCH', path: '/sla-policies/:id', id: 'policy', body: true },
  { method: 'GET', path: '/teams' },
  { method: 'POST', path: '/teams', body: true },
  { method: 'GET', path: '/teams/:id', id: 'team' },
  { method: 'PATCH', path: '/teams/:id', id: 'team', body: true },
  { method: 'GET', path: '/settings' },
  { method: 'PUT', path: '/settings', body: true },
];

const restRequest = fc.record({
  route: fc.constantFrom(...ROUTES),
  /** A real id of the caller's, a real id of the other tenant's, any string, or a raw (maybe malformed) segment. */
  id: fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'own' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'victim' as const }) },
    { weight: 3, arbitrary: text.map((value) => ({ kind: 'text' as const, value })) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%zz', '%00', '%ED%A0%80', '..', '%2F').map((value) => ({ kind: 'raw' as const, value })) },
  ),
  query,
  body: fc.option(body, { freq: 4 }),
  ifMatch: fc.option(fc.oneof(fc.constant('*'), fc.constant('own'), headerText), { freq: 2 }),
  idempotencyKey: fc.option(headerText, { freq: 3 }),
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('application/json; charset=utf-8', 'application/json; charset=utf-16le', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/merge-patch+json'),
    },
  ),
  contentEncoding: fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress'), { freq: 8 }),
  /** Mostly the caller's good token; sometimes garbage, or a good signature over odd claims. */
  auth: fc.oneof(
    { weight: 8, arbitrary: fc.constant({ kind: 'good' as const }) },
    { weight: 1, arbitrary: headerText.map((value) => ({ kind: 'raw' as const, value })) },
    {
      weight: 2,
      arbitrary: fc
        .record({ sub: anyValue, tenant_id: fc.oneof(fc.constant('own'), text), app_id: fc.option(anyValue) })
        .map((claims) => ({ kind: 'claims' as const, claims })),
    },
  ),
});

/** What a person types: the boundary values more often, since a form's fields are few. */
const typed = fc.oneof({ weight: 2, arbitrary: nasty }, { weight: 3, arbitrary: text });
const slackRequest = fc.oneof(
  fc.record({ kind: fc.constant('command' as const), text: typed }),
  fc.record({
    kind: fc.constant('view' as const),
    title: fc.option(typed),
    description: fc.option(typed),
    category: fc.option(typed),
    type: fc.option(fc.oneof(fc.constantFrom('incident', 'change'), typed)),
    priority: fc.option(fc.oneof(fc.constantFrom('low', 'high', 'urgent'), typed)),
    team: fc.option(fc.oneof(fc.constant('own'), typed)),
  }),
  fc.record({
    kind: fc.constant('action' as const),
    actionId: fc.constantFrom(...Object.values(ACTION)),
    value: fc.oneof(fc.constant('own'), typed),
  }),
  fc.record({ kind: fc.constant('assign' as const), ticket: fc.oneof(fc.constant('own'), typed) }),
  fc.record({ kind: fc.constant('shortcut' as const), text: typed }),
);

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

/** Every row the tenant owns, in a stable order: equal snapshots mean nothing of it changed. */
async function snapshotTenant(db: Db, tenantId: string): Promise<string> {
  const tables = { tenants, people, teams, teamAgents, slaPolicies, tickets, ticketEvents, slaAlerts, idempotencyKeys, ticketComments };
  const snapshot: Record<string, string[]> = {};
  for (const [name, table] of Object.entries(tables)) {
    const rows = await db.select().from(table).where(eq(table.tenantId, tenantId));
    snapshot[name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return JSON.stringify(snapshot);
}

describeEachDatabase('bad input, property-based', (ctx) => {
  let h: SlackHarness;
  /** The attacker: the workspace the fake Slack installs the app in, also a REST tenant. */
  const own = FAKE_SLACK_DEFAULTS.teamId;
  const victim = newTenantId();
  const ids = { own: {} as Record<'ticket' | 'policy' | 'team' | 'comment', string>, victim: {} as Record<'ticket' | 'policy' | 'team' | 'comment', string> };
  let ownToken = '';
  let ownEtag = '';

  const rest = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${h.baseUrl}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status, `${method} ${path}`).toBeLessThan(300);
    return { body: (await response.json()) as Record<string, any>, etag: response.headers.get('etag') ?? '' };
  };

  /** A workspace with one of everything: a team with an agent, a business-hours policy, settings, a ticket. */
  async function populate(tenantId: string) {
    const token = await adminTokenFor(h.baseUrl, tenantId);
    const team = (await rest(token, 'POST', '/teams', { name: 'Desk', slack_channel_id: 'C0DESK', agent_ids: ['UAGENT001'] })).body;
    await rest(token, 'PUT', '/settings', { default_team_id: team.id });
    const policy = (await rest(token, 'POST', '/sla-policies', {
      name: 'Business hours', applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 480, business_hours_only: true,
    })).body;
    const ticket = await rest(token, 'POST', '/tickets', { title: 'Printer on fire', priority: 'high', tags: ['hw'] });
    const comment = (await rest(token, 'POST', `/tickets/${ticket.body.id}/comments`, { body: 'Smoke seen' })).body;
    return {
      token,
      etag: ticket.etag,
      ids: { ticket: ticket.body.id as string, policy: policy.id as string, team: team.id as string, comment: comment.id as string },
    };
  }

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
    const mine = await populate(own);
    ownToken = mine.token;
    ownEtag = mine.etag;
    ids.own = mine.ids;
    ids.victim = (await populate(victim)).ids;
    // The notifier posts the new cards in the background (and stamps them on the tickets).
    await h.slack.idle();
  });
  afterAll(async () => {
    await h?.close();
  });

  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(TEST_JWT_SECRET));

  it('no REST route answers a 5xx to arbitrary input, and another tenant’s rows do not change', async () => {
    const before = await snapshotTenant(ctx.db, victim);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(restRequest, async (r) => {
        let segment = '';
        if (r.route.id) {
          if (r.id.kind === 'own' || r.id.kind === 'victim') segment = ids[r.id.kind][r.route.id];
          else segment = r.id.kind === 'raw' ? r.id.value : pct(r.id.value);
        }
        const path = r.route.path.replace(':ticket', ids[r.id.kind === 'victim' ? 'victim' : 'own'].ticket).replace(':id', segment);
        const search = r.query.map(([key, value]) => `${pct(key)}=${pct(value)}`).join('&');
        let authorization = `Bearer ${ownToken}`;
        if (r.auth.kind === 'raw') authorization = r.auth.value;
        if (r.auth.kind === 'claims') {
          const { tenant_id, app_id, sub } = r.auth.claims;
          // A good signature over the victim's tenant id would be the victim: not an attack.
          const tenant = tenant_id === 'own' ? own : tenant_id === victim ? own : tenant_id;
          // Integration tokens carry every scope, so their calls reach the routes rather than stop at the scope check.
          authorization = `Bearer ${await sign({ sub, tenant_id: tenant, ...(app_id !== null ? { app_id, scope: ALL_SCOPES } : {}) })}`;
        }
        const headers: Record<string, string> = { authorization };
        if (r.body !== null && r.route.body) headers['content-type'] = r.contentType;
        if (r.contentEncoding !== null) headers['content-encoding'] = r.contentEncoding;
        if (r.ifMatch !== null) headers['if-match'] = r.ifMatch === 'own' ? ownEtag : r.ifMatch;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        const response = await fetch(`${h.baseUrl}${API_PREFIX}${path}${search ? `?${search}` : ''}`, {
          method: r.route.method,
          headers,
          ...(r.body !== null && r.route.body ? { body: r.body } : {}),
        });
        const answer = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${r.route.method} ${path}?${search}: ${answer.slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) expect(response.headers.get('content-type')).toContain('application/problem+json');
      }),
      { numRuns: RUNS.rest },
    );
    await h.slack.idle();
    // The inputs reached the domain, not just the authenticator: some were accepted, some refused as fields.
    const count = (from: number, to: number) => [...statuses].filter(([s]) => s >= from && s < to).reduce((sum, [, n]) => sum + n, 0);
    expect(count(200, 300), JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(statuses.get(422) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);
    expect(JSON.parse(await snapshotTenant(ctx.db, victim))).toEqual(JSON.parse(before));
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    // The caller's own workspace still works normally after all that.
    expect((await rest(ownToken, 'POST', '/tickets', { title: 'Still fine' })).body).toMatchObject({ status: expect.any(String) });
  });

  it('Slack: unstorable text in the modal comes back as a field error; a bad button value is "not found"', async () => {
    const input = (value: string) => ({ [INPUT_ACTION]: { type: 'plain_text_input', value } });
    for (const [block, value] of [[BLOCK.title, 'VPN\u0000'], [BLOCK.description, 'broken \ud800'], [BLOCK.category, '\u0000']] as const) {
      const values = { [BLOCK.title]: input('Fine title'), [block]: input(value) };
      const answer = await h.sender.viewSubmission({ userId: 'UFUZZ0002', teamId: own, view: { callback_id: CALLBACK.createTicketModal, state: { values } } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ response_action: 'errors', errors: { [block]: expect.stringMatching(/NUL|surrogate/) } });
    }
    const mark = h.fake.calls.length;
    const click = await h.sender.blockActions({ userId: 'UFUZZ0002', teamId: own, channelId: 'C0DESK', actions: [{ action_id: ACTION.claim, value: 'tkt_\u0000' }] });
    expect(click.status).toBe(200);
    await h.slack.idle();
    const told = h.fake.calls.slice(mark).filter((c) => c.method === 'response_url').map((c) => String(c.args.text));
    expect(told).toEqual([expect.stringMatching(/Could not claim this ticket: Ticket .* was not found/)]);
  });

  it('no Slack entry point fails on arbitrary form values, and another tenant’s rows do not change', async () => {
    const before = await snapshotTenant(ctx.db, victim);
    const mark = h.problems.length;
    let people = 0;
    await fc.assert(
      fc.asyncProperty(slackRequest, fc.option(typed), async (r, name) => {
        // A new person each time, so the display name Slack sends is stored, not remembered.
        const user = `UFZ${++people}`;
        const userName = name ?? undefined;
        let response;
        switch (r.kind) {
          case 'command':
            response = await h.sender.slashCommand({ command: '/ticket', text: r.text, userId: user, userName, teamId: own, channelId: 'C0DESK' });
            break;
          case 'view': {
            const input = (value: string | null) => ({ [INPUT_ACTION]: { type: 'plain_text_input', value } });
            const select = (value: string | null) => ({
              [INPUT_ACTION]: { type: 'static_select', selected_option: value === null ? null : { text: { type: 'plain_text', text: 'x' }, value } },
            });
            const values = {
              [BLOCK.title]: input(r.title),
              [BLOCK.description]: input(r.description),
              [BLOCK.category]: input(r.category),
              [BLOCK.type]: select(r.type),
              [BLOCK.priority]: select(r.priority),
              [BLOCK.team]: select(r.team === 'own' ? ids.own.team : r.team),
            };
            response = await h.sender.viewSubmission({ userId: user, userName, teamId: own, view: { callback_id: CALLBACK.createTicketModal, state: { values } } });
            break;
          }
          case 'action':
            response = await h.sender.blockActions({
              userId: user,
              userName,
              teamId: own,
              channelId: 'C0DESK',
              actions: [{ action_id: r.actionId, value: r.value === 'own' ? ids.own.ticket : r.value }],
            });
            break;
          case 'assign':
            response = await h.sender.blockActions({
              userId: user,
              userName,
              teamId: own,
              channelId: 'C0DESK',
              actions: [{ action_id: ACTION.assign, type: 'users_select', block_id: assignBlockId(r.ticket === 'own' ? ids.own.ticket : r.ticket), selected_user: 'UAGENT001' }],
            });
            break;
          case 'shortcut':
            response = await h.sender.messageShortcut({
              callbackId: CALLBACK.messageShortcut,
              userId: user,
              userName,
              teamId: own,
              channelId: 'C0DESK',
              message: { ts: '1700000000.000100', text: r.text, user: 'UREQ0001' },
            });
            break;
        }
        expect(response.status, JSON.stringify(r).slice(0, 300)).toBeLessThan(500);
      }),
      { numRuns: RUNS.slack },
    );
    await h.slack.idle();
    // What the app could not handle it logs as an error; bad input must not be among them.
    expect(h.problems.slice(mark).filter((line) => /error/i.test(line))).toEqual([]);
    expect(await snapshotTenant(ctx.db, victim)).toBe(before);
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });
});
