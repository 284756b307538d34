import { z } from 'zod';
import { COMMENT_SOURCES, COMMENT_VISIBILITIES, SLA_POLICY_STATUSES, SOURCE_TYPES, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '../db/schema/index.js';
import { businessCalendarSchema } from '../domain/sla/calendar.js';
import { NEXT_RESPONSE_MINUTES_DOC, slaPolicyCreateSchema, slaPolicyListSchema, slaPolicyUpdateSchema } from '../domain/sla/policies.js';
import { teamCreateSchema, teamUpdateSchema } from '../domain/teams.js';
import { ACCESS_SCOPE, type Access } from '../domain/roles.js';
import { settingsUpdateSchema } from '../domain/tenants.js';
import { commentCreateSchema, commentListSchema, commentUpdateSchema } from '../domain/tickets/comments.js';
import { ticketCreateSchema, ticketListSchema, ticketUpdateSchema } from '../domain/tickets/schemas.js';
import { API_PREFIX, OPENAPI_PATH } from './paths.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

/**
 * The OpenAPI 3.1 description of the REST surface. Request bodies and list parameters are
 * generated from the zod schemas the server validates with; responses from the strict wire
 * schemas below, which the tests parse real responses with (so serializers cannot drift).
 */

export { OPENAPI_PATH };

const instant = z.iso.datetime();
const nullableInstant = instant.nullable();

const commonWireFields = {
  id: z.string(),
  tenant_id: z.string(),
  app_id: z.string().nullable(),
  created_at: instant,
  updated_at: instant,
  created_by: z.string().nullable(),
  updated_by: z.string().nullable(),
  source: z.string(),
  source_type: z.enum(SOURCE_TYPES),
  is_deleted: z.boolean(),
  deleted_at: nullableInstant,
  deleted_by: z.string().nullable(),
  schema_version: z.number().int(),
};

export const ticketWireSchema = z.strictObject({
  ...commonWireFields,
  number: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  type: z.enum(TICKET_TYPES),
  status: z.enum(TICKET_STATUSES),
  priority: z.enum(TICKET_PRIORITIES),
  category: z.string().nullable(),
  submitted_by_id: z.string().nullable(),
  assigned_to_id: z.string().nullable(),
  team_id: z.string().nullable(),
  sla_policy: z.string().nullable(),
  first_response_at: nullableInstant,
  first_response_due_at: nullableInstant,
  resolved_at: nullableInstant,
  closed_at: nullableInstant,
  due_at: nullableInstant,
  sla_cycle: z.number().int(),
  next_response_due_at: nullableInstant.meta({
    description:
      'Extension beyond the API reference: when the team\'s answer to the requester\'s latest unanswered public comment is due under the policy\'s next_response_minutes; null when nobody is waiting, the policy sets no such target, or the ticket is resolved or closed. Read-only.',
    readOnly: true,
    'x-helpdesk-extension': true,
  }),
  related_asset_id: z.string().nullable(),
  related_vulnerability_id: z.string().nullable(),
  tags: z.array(z.string()),
});

export const slaPolicyWireSchema = z.strictObject({
  ...commonWireFields,
  name: z.string(),
  description: z.string().nullable(),
  applies_to: z.array(z.enum(TICKET_TYPES)),
  priority: z.enum(TICKET_PRIORITIES),
  first_response_minutes: z.number().int(),
  first_response_mins: z.number().int().nullable(),
  resolution_minutes: z.number().int(),
  resolution_mins: z.number().int().nullable(),
  next_response_minutes: z.number().int().nullable().meta(NEXT_RESPONSE_MINUTES_DOC),
  business_hours_only: z.boolean(),
  status: z.enum(SLA_POLICY_STATUSES),
});

export const teamWireSchema = z.strictObject({
  id: z.string(),
  tenant_id: z.string(),
  name: z.string(),
  slack_channel_id: z.string().nullable(),
  agent_ids: z.array(z.string()),
  escalation_contact_ids: z.array(z.string()),
  agent_reply_default: z.enum(COMMENT_VISIBILITIES),
  request_channel_ids: z.array(z.string()),
  intake_type: z.enum(TICKET_TYPES),
  intake_priority: z.enum(TICKET_PRIORITIES),
  created_at: instant,
  updated_at: instant,
  created_by: z.string().nullable(),
  updated_by: z.string().nullable(),
});

export const settingsWireSchema = z.strictObject({
  business_calendar: businessCalendarSchema,
  default_team_id: z.string().nullable(),
  sla_warning_percent: z.number().int(),
  escalation_interval_minutes: z.number().int(),
  escalation_max: z.number().int(),
  admin_ids: z.array(z.string()),
  intake_emoji: z.string(),
  intake_skip_prefix: z.string(),
});

export const commentWireSchema = z.strictObject({
  id: z.string(),
  ticket_id: z.string(),
  author_id: z.string().nullable(),
  visibility: z.enum(COMMENT_VISIBILITIES),
  /** Markdown. */
  body: z.string(),
  source: z.enum(COMMENT_SOURCES),
  created_at: instant,
  updated_at: instant,
  edited_at: nullableInstant,
});

export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  code: z.string(),
  errors: z.array(z.strictObject({ path: z.string(), pointer: z.string(), message: z.string() })).optional(),
  conflicting_id: z.string().optional(),
  required_scope: z.string().optional(),
});

const page = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), next_cursor: z.string().nullable() });
export const ticketPageSchema = page(ticketWireSchema);
export const slaPolicyPageSchema = page(slaPolicyWireSchema);
export const teamPageSchema = page(teamWireSchema);
export const commentPageSchema = page(commentWireSchema);

const WIRE_SCHEMAS = {
  Ticket: ticketWireSchema,
  TicketPage: ticketPageSchema,
  SlaPolicy: slaPolicyWireSchema,
  SlaPolicyPage: slaPolicyPageSchema,
  Team: teamWireSchema,
  TeamPage: teamPageSchema,
  Settings: settingsWireSchema,
  Comment: commentWireSchema,
  CommentPage: commentPageSchema,
  Problem: problemSchema,
} as const;
type SchemaName = keyof typeof WIRE_SCHEMAS;

type Json = Record<string, unknown>;

function strip(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

const inputSchema = (schema: z.ZodType): Json =>
  strip(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json);

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(WIRE_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, strip(schema as Json)]));
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: SchemaName) => ({ 'application/json': { schema: ref(name) } });

const PROBLEM_TITLES: Record<number, string> = {
  400: 'Bad request: malformed JSON (malformed_json), JSON nested too deep (json_too_deep), a path that is not valid percent-encoding (malformed_path), or a cursor this server did not issue (invalid_cursor)',
  401: 'Missing or invalid bearer token',
  403: 'Not allowed: an integration token without the scope this call needs (insufficient_scope, naming it in required_scope), or a person whose role does not allow it (forbidden: configuration needs an admin, ticket changes the ticket’s agents, internal comments its agents, comment edits their author)',
  404: 'Not found',
  409: 'Conflict or invalid transition',
  412: 'If-Match names a stale version',
  413: 'Payload too large',
  415: 'Body is not application/json',
  422: 'Validation failed (field errors name each field: also text with NUL or unpaired surrogates, instants outside years 0001-9999)',
  500: 'Internal error',
  503: 'Database unavailable',
};

function problems(statuses: number[]): Record<string, Json> {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: PROBLEM_TITLES[status] ?? 'Problem', content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } } },
    ]),
  );
}

const idParam = { name: 'id', in: 'path', required: true, description: 'Record id (tickets also accept their number, e.g. TKT-0001)', schema: { type: 'string' } };
const commentIdParam = { name: 'comment_id', in: 'path', required: true, description: 'Comment id (cmt_…)', schema: { type: 'string' } };
const ifMatchParam = { name: 'If-Match', in: 'header', required: false, description: 'ETag of the version being changed, or * for any current version', schema: { type: 'string' } };
const idempotencyKeyParam = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'A retry with the same key gets the first answer instead of a second record',
  schema: { type: 'string' },
};
const etagHeader = { ETag: { description: 'Weak validator for If-Match', schema: { type: 'string' } } };
const BEARER = [{ bearerAuth: [] }];

interface Operation {
  summary: string;
  operationId: string;
  /** Path relative to the API prefix. */
  body?: z.ZodType;
  ok: { status: number; schema?: SchemaName; etag?: boolean; location?: boolean };
  ifMatch?: boolean;
  problems: number[];
  /** What kind of call it is: the integration scope it needs (ACCESS_SCOPE), and for `configure` an admin. */
  access: Access;
}

const WRITE = [400, 401, 409, 413, 415, 422, 500];
/** A record route: the path id may be malformed (400) or hold unstorable text (422). */
const BY_ID = [400, 401, 404, 422, 500];

function apiOperations(): Array<[method: string, path: string, op: Operation]> {
  return [
    ['get', '/tickets', { summary: 'List tickets', operationId: 'listTickets', ok: { status: 200, schema: 'TicketPage' }, problems: [400, 401, 422, 500] , access: 'read'}],
    ['post', '/tickets', { summary: 'Create a ticket', operationId: 'createTicket', body: ticketCreateSchema, ok: { status: 201, schema: 'Ticket', etag: true, location: true }, problems: WRITE , access: 'write'}],
    ['get', '/tickets/{id}', { summary: 'Get a ticket by id or number', operationId: 'getTicket', ok: { status: 200, schema: 'Ticket', etag: true }, problems: BY_ID , access: 'read'}],
    ['patch', '/tickets/{id}', { summary: 'Update a ticket', operationId: 'updateTicket', body: ticketUpdateSchema, ifMatch: true, ok: { status: 200, schema: 'Ticket', etag: true }, problems: [...WRITE, 404, 412] , access: 'write'}],
    ['delete', '/tickets/{id}', { summary: 'Soft-delete a ticket', operationId: 'deleteTicket', ifMatch: true, ok: { status: 204 }, problems: [...BY_ID, 409, 412] , access: 'write'}],
    ['post', '/tickets/{id}/close', { summary: 'Close a ticket', operationId: 'closeTicket', ifMatch: true, ok: { status: 200, schema: 'Ticket', etag: true }, problems: [...BY_ID, 409, 412] , access: 'write'}],
    ['get', '/tickets/{id}/comments', { summary: 'List a ticket’s comments, oldest first (internal ones only for its team’s agents and integrations)', operationId: 'listComments', ok: { status: 200, schema: 'CommentPage' }, problems: [...BY_ID] , access: 'read'}],
    ['post', '/tickets/{id}/comments', { summary: 'Comment on a ticket (posted into its Slack threads as the app, on behalf of the caller)', operationId: 'createComment', body: commentCreateSchema, ok: { status: 201, schema: 'Comment', location: true }, problems: [...WRITE, 403, 404] , access: 'write'}],
    ['get', '/tickets/{id}/comments/{comment_id}', { summary: 'Get a comment', operationId: 'getComment', ok: { status: 200, schema: 'Comment' }, problems: BY_ID , access: 'read'}],
    ['patch', '/tickets/{id}/comments/{comment_id}', { summary: 'Edit your comment', operationId: 'updateComment', body: commentUpdateSchema, ok: { status: 200, schema: 'Comment' }, problems: [...WRITE, 403, 404] , access: 'write'}],
    ['delete', '/tickets/{id}/comments/{comment_id}', { summary: 'Soft-delete your comment', operationId: 'deleteComment', ok: { status: 204 }, problems: [...BY_ID, 403, 409] , access: 'write'}],
    ['get', '/sla-policies', { summary: 'List SLA policies', operationId: 'listSlaPolicies', ok: { status: 200, schema: 'SlaPolicyPage' }, problems: [400, 401, 422, 500] , access: 'read'}],
    ['post', '/sla-policies', { summary: 'Create an SLA policy', operationId: 'createSlaPolicy', body: slaPolicyCreateSchema, ok: { status: 201, schema: 'SlaPolicy', etag: true, location: true }, problems: WRITE , access: 'configure'}],
    ['get', '/sla-policies/{id}', { summary: 'Get an SLA policy', operationId: 'getSlaPolicy', ok: { status: 200, schema: 'SlaPolicy', etag: true }, problems: BY_ID , access: 'read'}],
    ['patch', '/sla-policies/{id}', { summary: 'Update an SLA policy', operationId: 'updateSlaPolicy', body: slaPolicyUpdateSchema, ifMatch: true, ok: { status: 200, schema: 'SlaPolicy', etag: true }, problems: [...WRITE, 404, 412] , access: 'configure'}],
    ['get', '/teams', { summary: 'List teams', operationId: 'listTeams', ok: { status: 200, schema: 'TeamPage' }, problems: [401, 500] , access: 'read'}],
    ['post', '/teams', { summary: 'Create a team', operationId: 'createTeam', body: teamCreateSchema, ok: { status: 201, schema: 'Team', location: true }, problems: WRITE , access: 'configure'}],
    ['get', '/teams/{id}', { summary: 'Get a team', operationId: 'getTeam', ok: { status: 200, schema: 'Team' }, problems: BY_ID , access: 'read'}],
    ['patch', '/teams/{id}', { summary: 'Update a team', operationId: 'updateTeam', body: teamUpdateSchema, ok: { status: 200, schema: 'Team' }, problems: [...WRITE, 404] , access: 'configure'}],
    ['get', '/settings', { summary: 'Get tenant settings', operationId: 'getSettings', ok: { status: 200, schema: 'Settings' }, problems: [401, 500] , access: 'read'}],
    ['put', '/settings', { summary: 'Update tenant settings', operationId: 'updateSettings', body: settingsUpdateSchema, ok: { status: 200, schema: 'Settings' }, problems: WRITE , access: 'configure'}],
  ];
}

/** One query parameter per key of a list schema, each with its own (input) JSON schema. */
function listParameters(listSchema: typeof ticketListSchema | typeof slaPolicyListSchema | typeof commentListSchema): Json[] {
  const whole = inputSchema(listSchema) as { properties: Record<string, Json>; required?: string[] };
  return Object.keys(listSchema.shape).map((name) => ({
    name,
    in: 'query',
    required: whole.required?.includes(name) ?? false,
    schema: whole.properties[name] ?? {},
  }));
}

function operation(method: string, path: string, op: Operation): Json {
  const parameters: Json[] = [];
  if (path.includes('{id}')) parameters.push(idParam);
  if (path.includes('{comment_id}')) parameters.push(commentIdParam);
  if (op.ifMatch) parameters.push(ifMatchParam);
  // Every create (201) honours Idempotency-Key, nested ones included.
  if (method === 'post' && op.ok.status === 201) parameters.push(idempotencyKeyParam);
  if (op.operationId === 'listTickets') parameters.push(...listParameters(ticketListSchema));
  if (op.operationId === 'listSlaPolicies') parameters.push(...listParameters(slaPolicyListSchema));
  if (op.operationId === 'listComments') parameters.push(...listParameters(commentListSchema));

  const headers: Json = { ...(op.ok.etag ? etagHeader : {}) };
  if (op.ok.location) headers.Location = { description: 'URL of the new record', schema: { type: 'string' } };
  const success: Json = { description: op.ok.status === 204 ? 'No content' : 'OK' };
  if (op.ok.schema) success.content = json(op.ok.schema);
  if (Object.keys(headers).length > 0) success.headers = headers;

  return {
    operationId: op.operationId,
    summary: op.summary,
    // An http bearer scheme lists required "roles" (OpenAPI 3.1): here the integration scope.
    security: [{ bearerAuth: [ACCESS_SCOPE[op.access]] }],
    'x-required-scope': ACCESS_SCOPE[op.access],
    ...(op.access === 'configure' ? { 'x-required-role': 'admin (for human tokens)' } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: inputSchema(op.body) } } } } : {}),
    responses: { [String(op.ok.status)]: success, ...problems([...new Set([...op.problems, 403])].sort((a, b) => a - b)) },
  };
}

export function buildOpenApiDocument(): object {
  const paths: Record<string, Record<string, Json>> = {
    '/healthz': {
      get: {
        operationId: 'healthz',
        summary: 'Liveness',
        security: [],
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } },
      },
    },
    '/readyz': {
      get: {
        operationId: 'readyz',
        summary: 'Readiness (database reachable)',
        security: [],
        responses: {
          '200': { description: 'Ready', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ready' } } } } } },
          ...problems([503]),
        },
      },
    },
    [OPENAPI_PATH]: {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };
  for (const [method, path, op] of apiOperations()) {
    const full = API_PREFIX + path;
    (paths[full] ??= {})[method] = operation(method, path, op);
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: { title: 'Helpdesk API', version: '1.0.0' },
    security: BEARER,
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT with `sub` and `tenant_id`. A human token (no `app_id`) acts as the person `sub` names (a person id or a Slack user id), with that person’s roles. ' +
            'An integration token (`app_id`) carries OAuth-style scopes in `scope` (space-separated): helpdesk:read (every GET), helpdesk:write (ticket and comment writes), helpdesk:admin (team, SLA policy and settings writes); ' +
            'a call outside them is 403 insufficient_scope with `required_scope`.',
        },
      },
    },
  };
}
