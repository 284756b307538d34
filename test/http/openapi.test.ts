import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { ticketCreateSchema } from '../../src/domain/tickets/schemas.js';
import { API_PREFIX, createHttpApp } from '../../src/http/app.js';
import { createAuthenticator } from '../../src/http/auth.js';
import {
  buildOpenApiDocument,
  commentPageSchema,
  commentWireSchema,
  problemSchema,
  settingsWireSchema,
  slaPolicyPageSchema,
  slaPolicyWireSchema,
  teamPageSchema,
  teamWireSchema,
  ticketPageSchema,
  ticketWireSchema,
} from '../../src/http/openapi.js';
import { createPgliteDatabase, newTenantId } from '../support/databases.js';
import { adminTokenFor, TEST_JWT_SECRET } from '../support/http-server.js';

const SECRET = TEST_JWT_SECRET;

/** The routes `createHttpApp` registers, kept by hand: the document must describe each one. */
const APP_ROUTES: Array<[string, string]> = [
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/api/v1/openapi.json'],
  ['get', `${API_PREFIX}/tickets`],
  ['post', `${API_PREFIX}/tickets`],
  ['get', `${API_PREFIX}/tickets/{id}`],
  ['patch', `${API_PREFIX}/tickets/{id}`],
  ['delete', `${API_PREFIX}/tickets/{id}`],
  ['post', `${API_PREFIX}/tickets/{id}/close`],
  ['get', `${API_PREFIX}/tickets/{id}/comments`],
  ['post', `${API_PREFIX}/tickets/{id}/comments`],
  ['get', `${API_PREFIX}/tickets/{id}/comments/{comment_id}`],
  ['patch', `${API_PREFIX}/tickets/{id}/comments/{comment_id}`],
  ['delete', `${API_PREFIX}/tickets/{id}/comments/{comment_id}`],
  ['get', `${API_PREFIX}/sla-policies`],
  ['post', `${API_PREFIX}/sla-policies`],
  ['get', `${API_PREFIX}/sla-policies/{id}`],
  ['patch', `${API_PREFIX}/sla-policies/{id}`],
  ['get', `${API_PREFIX}/teams`],
  ['post', `${API_PREFIX}/teams`],
  ['get', `${API_PREFIX}/teams/{id}`],
  ['patch', `${API_PREFIX}/teams/{id}`],
  ['get', `${API_PREFIX}/settings`],
  ['put', `${API_PREFIX}/settings`],
];
const UNAUTHENTICATED = new Set(['/healthz', '/readyz', '/api/v1/openapi.json']);
const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, any>; securitySchemes: Record<string, any> };
};

describe('OpenAPI document', () => {
  let database: Database;
  let server: Server;
  let base: string;
  let token: string;
  let doc: Doc;

  beforeAll(async () => {
    database = await createPgliteDatabase({ migrated: true });
    const app = createHttpApp({ db: database.db, authenticate: createAuthenticator({ jwtSecret: SECRET }) });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // An admin, so every documented operation is allowed to the caller.
    token = await adminTokenFor(base, newTenantId(), 'per_ada');
    const response = await fetch(`${base}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    doc = (await response.json()) as Doc;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await database?.close();
  });

  const call = async (method: string, path: string, body?: unknown, auth = true) => {
    const response = await fetch(`${base}${path}`, {
      method: method.toUpperCase(),
      headers: {
        ...(auth ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as any) : null };
  };

  const documented = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.has(method))
        .map(([method, op]) => ({ method, path, op })),
    );

  it('is served without a token as OpenAPI 3.1.0 and equals the built document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.components.securitySchemes.bearerAuth.description).toContain('helpdesk:admin');
  });

  it('marks the next-response fields as extensions beyond the API reference', () => {
    const ticketField = doc.components.schemas.Ticket.properties.next_response_due_at;
    expect(ticketField).toMatchObject({ 'x-helpdesk-extension': true, readOnly: true });
    expect(ticketField.description).toContain('Extension beyond the API reference');
    expect(doc.components.schemas.SlaPolicy.properties.next_response_minutes).toMatchObject({ 'x-helpdesk-extension': true });
    for (const operationId of ['createSlaPolicy', 'updateSlaPolicy']) {
      const op = documented().find((o) => o.op.operationId === operationId)!.op;
      const field = op.requestBody.content['application/json'].schema.properties.next_response_minutes;
      expect(field, operationId).toMatchObject({ 'x-helpdesk-extension': true });
      expect(field.description, operationId).toContain('Extension beyond the API reference');
    }
    // The fields of the reference carry no such mark.
    expect(doc.components.schemas.Ticket.properties.due_at['x-helpdesk-extension']).toBeUndefined();
  });

  it('documents every route of the app, and nothing else', () => {
    const ops = documented().map(({ method, path }) => `${method} ${path}`);
    expect(ops.sort()).toEqual(APP_ROUTES.map(([m, p]) => `${m} ${p}`).sort());
  });

  it('gives each operation security, path params and 2xx + problem+json 4xx responses', () => {
    for (const { method, path, op } of documented()) {
      const where = `${method} ${path}`;
      expect(op.security, where).toEqual(UNAUTHENTICATED.has(path) ? [] : [{ bearerAuth: [op['x-required-scope']] }]);
      if (!UNAUTHENTICATED.has(path)) expect(['helpdesk:read', 'helpdesk:write', 'helpdesk:admin'], where).toContain(op['x-required-scope']);
      const pathParams = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(pathParams, where).toEqual([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => s.startsWith('2')), where).toBe(true);
      if (!UNAUTHENTICATED.has(path)) expect(statuses, where).toEqual(expect.arrayContaining(['401', '403']));
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect(op.responses[status].content, `${where} ${status}`).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
      for (const [, response] of Object.entries<any>(op.responses)) {
        const schema = response.content?.['application/json']?.schema;
        if (schema?.$ref) expect(doc.components.schemas[schema.$ref.split('/').pop()], `${where} ${schema.$ref}`).toBeDefined();
      }
    }
  });

  it('has a live route behind every documented operation', async () => {
    const unknown = await call('get', `${API_PREFIX}/no-such-thing`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toMatch(/^No route for/);

    for (const { method, path } of documented()) {
      const url = path.replace('{id}', 'does_not_exist');
      const body = ['post', 'patch', 'put'].includes(method) && !url.endsWith('/close') ? {} : undefined;
      const response = await call(method, url, body);
      const where = `${method} ${url} -> ${response.status}`;
      expect(response.status, where).not.toBe(405);
      if (response.status === 404) {
        expect(response.headers.get('content-type'), where).toContain('application/problem+json');
        expect(response.body.code, where).toBe('not_found');
        expect(response.body.detail, where).not.toMatch(/^No route for/);
      }
      if (response.status >= 400) expect(() => problemSchema.parse(response.body), where).not.toThrow();
    }
  });

  it('describes the real responses exactly (strict wire schemas)', async () => {
    const ticket = await call('post', `${API_PREFIX}/tickets`, { title: 'Printer on fire', priority: 'high', tags: ['hw'] });
    expect(ticket.status).toBe(201);
    ticketWireSchema.parse(ticket.body);
    ticketPageSchema.parse((await call('get', `${API_PREFIX}/tickets`)).body);
    ticketWireSchema.parse((await call('post', `${API_PREFIX}/tickets/${ticket.body.id}/close`)).body);

    const policy = await call('post', `${API_PREFIX}/sla-policies`, {
      name: 'Urgent incidents',
      applies_to: ['incident'],
      priority: 'urgent',
      first_response_minutes: 15,
      resolution_minutes: 240,
    });
    expect(policy.status).toBe(201);
    slaPolicyWireSchema.parse(policy.body);
    slaPolicyPageSchema.parse((await call('get', `${API_PREFIX}/sla-policies`)).body);

    const team = await call('post', `${API_PREFIX}/teams`, { name: 'IT', slack_channel_id: 'C0123ABCD' });
    expect(team.status).toBe(201);
    teamWireSchema.parse(team.body);
    teamPageSchema.parse((await call('get', `${API_PREFIX}/teams`)).body);

    settingsWireSchema.parse((await call('get', `${API_PREFIX}/settings`)).body);

    const open = (await call('post', `${API_PREFIX}/tickets`, { title: 'Conversation' })).body;
    const comment = await call('post', `${API_PREFIX}/tickets/${open.id}/comments`, { body: 'Hello', visibility: 'public' });
    expect(comment.status).toBe(201);
    commentWireSchema.parse(comment.body);
    commentPageSchema.parse((await call('get', `${API_PREFIX}/tickets/${open.id}/comments`)).body);
    commentWireSchema.parse((await call('patch', `${API_PREFIX}/tickets/${open.id}/comments/${comment.body.id}`, { body: 'Hi' })).body);

    const invalid = await call('post', `${API_PREFIX}/tickets`, { title: '' });
    expect(invalid.status).toBe(422);
    problemSchema.parse(invalid.body);
  });

  it('a strict wire schema rejects an extra or missing field', async () => {
    const ticket = (await call('post', `${API_PREFIX}/tickets`, { title: 'Extra' })).body;
    expect(() => ticketWireSchema.parse({ ...ticket, surprise: 1 })).toThrow();
    const { tags: _tags, ...missing } = ticket;
    expect(() => ticketWireSchema.parse(missing)).toThrow();
  });

  it('generates request bodies and list parameters from the validation schemas', () => {
    const create = doc.paths[`${API_PREFIX}/tickets`]!.post.requestBody.content['application/json'].schema;
    expect(Object.keys(create.properties).sort()).toEqual(Object.keys(ticketCreateSchema.shape).sort());
    expect(create.required).toEqual(['title']);
    expect(create.additionalProperties).toBe(false);

    const list = doc.paths[`${API_PREFIX}/tickets`]!.get.parameters.filter((p: any) => p.in === 'query');
    expect(list.map((p: any) => p.name)).toContain('include_deleted');
    expect(list.find((p: any) => p.name === 'sort').schema.enum).toContain('-created_at');

    const comment = doc.paths[`${API_PREFIX}/tickets/{id}/comments`]!;
    expect(Object.keys(comment.post.requestBody.content['application/json'].schema.properties).sort()).toEqual(['body', 'visibility']);
    expect(comment.post.parameters.map((p: any) => p.name)).toEqual(['id', 'Idempotency-Key']);
    expect(comment.get.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual(['limit', 'cursor']);

    expect(doc.components.schemas.Ticket.additionalProperties).toBe(false);
    expect(doc.components.schemas.TicketPage.properties.items.items).toEqual({ $ref: '#/components/schemas/Ticket' });
  });
});
