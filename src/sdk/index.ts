/**
 * A typed client for the Helpdesk REST API. Self-contained: it imports nothing outside this
 * directory and needs only a global `fetch` (Node >= 18, browsers, Deno, Bun).
 */

import { API_PREFIX } from './constants.js';
import { errorFromResponse } from './errors.js';
import type {
  Comment,
  CommentCreateInput,
  CommentListInput,
  CommentUpdateInput,
  FetchInit,
  FetchLike,
  Page,
  Settings,
  SettingsUpdateInput,
  SlaPolicy,
  SlaPolicyCreateInput,
  SlaPolicyListInput,
  SlaPolicyUpdateInput,
  Team,
  TeamCreateInput,
  TeamUpdateInput,
  Ticket,
  TicketCreateInput,
  TicketListInput,
  TicketUpdateInput,
} from './types.js';

export { API_PREFIX, SLA_POLICY_STATUSES, SOURCE_TYPES, TICKET_PRIORITIES, TICKET_SORTS, TICKET_STATUSES, TICKET_TYPES } from './constants.js';
export { HelpdeskApiError } from './errors.js';
export type {
  BusinessCalendar,
  Comment,
  CommentCreateInput,
  CommentListInput,
  CommentSource,
  CommentUpdateInput,
  CommentVisibility,
  FetchInit,
  FetchLike,
  FetchResponse,
  Instant,
  Page,
  Problem,
  ProblemFieldError,
  RecordFields,
  Settings,
  SettingsUpdateInput,
  SlaPolicy,
  SlaPolicyCreateInput,
  SlaPolicyListInput,
  SlaPolicySort,
  SlaPolicyStatus,
  SlaPolicyUpdateInput,
  SourceType,
  Team,
  TeamCreateInput,
  TeamUpdateInput,
  Ticket,
  TicketCreateInput,
  TicketListInput,
  TicketPriority,
  TicketSort,
  TicketStatus,
  TicketType,
  TicketUpdateInput,
  Weekday,
} from './types.js';

export interface ClientOptions {
  /** Server origin, e.g. `https://helpdesk.example.com` (the `/api/v1/helpdesk` prefix is added). */
  baseUrl: string;
  /** Bearer token (a JWT with `sub`, `tenant_id` and, for integrations, `app_id` and `scope`: `helpdesk:read`, `helpdesk:write`, `helpdesk:admin`). */
  token: string;
  /** Replaces the global `fetch`, e.g. to add logging or retries. */
  fetch?: FetchLike;
}

export interface WriteOptions {
  /** Sent as `If-Match`: the write fails with 412 when the record changed since that ETag. */
  ifMatch?: string;
}

export interface CreateOptions {
  /** Sent as `Idempotency-Key`: a retry with the same key gets the first answer, not a second record. */
  idempotencyKey?: string;
}

/** A ticket's conversation; `ticketId` is the ticket's id or number (`TKT-0001`). */
export interface TicketCommentsApi {
  /** One page, oldest first; internal comments only for the ticket's team agents and integrations. */
  list(ticketId: string, query?: CommentListInput): Promise<Page<Comment>>;
  /** Every comment the caller may see, following `next_cursor` page by page. */
  listAll(ticketId: string, query?: CommentListInput): AsyncGenerator<Comment, void, undefined>;
  get(ticketId: string, commentId: string): Promise<Comment>;
  create(ticketId: string, input: CommentCreateInput, options?: CreateOptions): Promise<Comment>;
  /** Only the comment's author may edit it. */
  update(ticketId: string, commentId: string, patch: CommentUpdateInput): Promise<Comment>;
  /** Soft delete; only the author. */
  delete(ticketId: string, commentId: string): Promise<void>;
}

export interface TicketsApi {
  comments: TicketCommentsApi;
  /** One page of tickets; pass `next_cursor` back as `cursor` for the next one. */
  list(query?: TicketListInput): Promise<Page<Ticket>>;
  /** Every ticket matching `query`, following `next_cursor` page by page. */
  listAll(query?: TicketListInput): AsyncGenerator<Ticket, void, undefined>;
  /** By id or by number (`TKT-0001`). */
  get(id: string): Promise<Ticket>;
  /** The ticket and its ETag (for `ifMatch`). */
  getWithEtag(id: string): Promise<{ ticket: Ticket; etag: string | null }>;
  create(input: TicketCreateInput, options?: CreateOptions): Promise<Ticket>;
  update(id: string, patch: TicketUpdateInput, options?: WriteOptions): Promise<Ticket>;
  close(id: string, options?: WriteOptions): Promise<Ticket>;
  /** Soft delete. */
  delete(id: string, options?: WriteOptions): Promise<void>;
}

export interface SlaPoliciesApi {
  list(query?: SlaPolicyListInput): Promise<Page<SlaPolicy>>;
  /** Every matching policy, following `next_cursor` page by page. */
  listAll(query?: SlaPolicyListInput): AsyncGenerator<SlaPolicy, void, undefined>;
  get(id: string): Promise<SlaPolicy>;
  /** The policy and its ETag (for `ifMatch`). */
  getWithEtag(id: string): Promise<{ policy: SlaPolicy; etag: string | null }>;
  create(input: SlaPolicyCreateInput, options?: CreateOptions): Promise<SlaPolicy>;
  update(id: string, patch: SlaPolicyUpdateInput, options?: WriteOptions): Promise<SlaPolicy>;
}

export interface TeamsApi {
  list(): Promise<Page<Team>>;
  /** Every team, following `next_cursor` page by page. */
  listAll(): AsyncGenerator<Team, void, undefined>;
  get(id: string): Promise<Team>;
  create(input: TeamCreateInput, options?: CreateOptions): Promise<Team>;
  update(id: string, patch: TeamUpdateInput): Promise<Team>;
}

export interface SettingsApi {
  get(): Promise<Settings>;
  update(patch: SettingsUpdateInput): Promise<Settings>;
}

export interface HelpdeskClient {
  helpdesk: {
    tickets: TicketsApi;
    slaPolicies: SlaPoliciesApi;
    teams: TeamsApi;
    settings: SettingsApi;
  };
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: object | undefined;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

interface Answer<T> {
  data: T;
  etag: string | null;
}

const seg = (value: string) => encodeURIComponent(value);

const text = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));

/** Lists become comma-separated values and dates ISO 8601 instants, as the server reads them. */
function queryString(query: object | undefined): string {
  if (!query) return '';
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const encoded = Array.isArray(value) ? value.map(text).join(',') : text(value);
    pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(encoded)}`);
  }
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

const writeHeaders = (options: WriteOptions | undefined) => ({ 'if-match': options?.ifMatch });
const createHeaders = (options: CreateOptions | undefined) => ({ 'idempotency-key': options?.idempotencyKey });

/** Yields the items of the page at `cursor` and of every page its `next_cursor` leads to. */
async function* follow<T>(
  page: (cursor: string | undefined) => Promise<Page<T>>,
  cursor?: string,
): AsyncGenerator<T, void, undefined> {
  do {
    const current = await page(cursor);
    yield* current.items;
    cursor = current.next_cursor ?? undefined;
  } while (cursor);
}

export function createClient(options: ClientOptions): HelpdeskClient {
  const doFetch: FetchLike | undefined = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (!doFetch) throw new TypeError('No fetch available: pass `fetch` in the client options (Node >= 18 has one)');
  const root = options.baseUrl.replace(/\/+$/, '') + API_PREFIX;

  async function request<T>(spec: RequestSpec): Promise<Answer<T>> {
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${options.token}`,
    };
    for (const [name, value] of Object.entries(spec.headers ?? {})) if (value !== undefined) headers[name] = value;
    const init: FetchInit = { method: spec.method, headers };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    const response = await doFetch!(root + spec.path + queryString(spec.query), init);
    if (!response.ok) throw await errorFromResponse(response);
    const body = response.status === 204 ? '' : await response.text();
    return { data: (body ? JSON.parse(body) : undefined) as T, etag: response.headers.get('etag') };
  }
  const data = async <T>(spec: RequestSpec): Promise<T> => (await request<T>(spec)).data;

  const commentsPath = (ticketId: string, commentId?: string) =>
    `/tickets/${seg(ticketId)}/comments${commentId !== undefined ? `/${seg(commentId)}` : ''}`;
  const comments: TicketCommentsApi = {
    list: (ticketId, query = {}) => data<Page<Comment>>({ method: 'GET', path: commentsPath(ticketId), query: { ...query } }),
    listAll: (ticketId, query = {}) =>
      follow((cursor) => comments.list(ticketId, { ...query, ...(cursor ? { cursor } : {}) }), query.cursor),
    get: (ticketId, commentId) => data<Comment>({ method: 'GET', path: commentsPath(ticketId, commentId) }),
    create: (ticketId, input, opts) =>
      data<Comment>({ method: 'POST', path: commentsPath(ticketId), body: input, headers: createHeaders(opts) }),
    update: (ticketId, commentId, patch) => data<Comment>({ method: 'PATCH', path: commentsPath(ticketId, commentId), body: patch }),
    async delete(ticketId, commentId) {
      await request<void>({ method: 'DELETE', path: commentsPath(ticketId, commentId) });
    },
  };

  const tickets: TicketsApi = {
    comments,
    list: (query = {}) => data<Page<Ticket>>({ method: 'GET', path: '/tickets', query }),
    listAll: (query = {}) => follow((cursor) => tickets.list({ ...query, ...(cursor ? { cursor } : {}) }), query.cursor),
    get: (id) => data<Ticket>({ method: 'GET', path: `/tickets/${seg(id)}` }),
    async getWithEtag(id) {
      const answer = await request<Ticket>({ method: 'GET', path: `/tickets/${seg(id)}` });
      return { ticket: answer.data, etag: answer.etag };
    },
    create: (input, opts) => data<Ticket>({ method: 'POST', path: '/tickets', body: input, headers: createHeaders(opts) }),
    update: (id, patch, opts) =>
      data<Ticket>({ method: 'PATCH', path: `/tickets/${seg(id)}`, body: patch, headers: writeHeaders(opts) }),
    close: (id, opts) => data<Ticket>({ method: 'POST', path: `/tickets/${seg(id)}/close`, headers: writeHeaders(opts) }),
    async delete(id, opts) {
      await request<void>({ method: 'DELETE', path: `/tickets/${seg(id)}`, headers: writeHeaders(opts) });
    },
  };

  const slaPolicies: SlaPoliciesApi = {
    list: (query = {}) => data<Page<SlaPolicy>>({ method: 'GET', path: '/sla-policies', query: { ...query } }),
    listAll: (query = {}) => follow((cursor) => slaPolicies.list({ ...query, ...(cursor ? { cursor } : {}) }), query.cursor),
    get: (id) => data<SlaPolicy>({ method: 'GET', path: `/sla-policies/${seg(id)}` }),
    async getWithEtag(id) {
      const answer = await request<SlaPolicy>({ method: 'GET', path: `/sla-policies/${seg(id)}` });
      return { policy: answer.data, etag: answer.etag };
    },
    create: (input, opts) => data<SlaPolicy>({ method: 'POST', path: '/sla-policies', body: input, headers: createHeaders(opts) }),
    update: (id, patch, opts) =>
      data<SlaPolicy>({ method: 'PATCH', path: `/sla-policies/${seg(id)}`, body: patch, headers: writeHeaders(opts) }),
  };

  const teams: TeamsApi = {
    list: () => data<Page<Team>>({ method: 'GET', path: '/teams' }),
    listAll: () => follow((cursor) => data<Page<Team>>({ method: 'GET', path: '/teams', query: { cursor } })),
    get: (id) => data<Team>({ method: 'GET', path: `/teams/${seg(id)}` }),
    create: (input, opts) => data<Team>({ method: 'POST', path: '/teams', body: input, headers: createHeaders(opts) }),
    update: (id, patch) => data<Team>({ method: 'PATCH', path: `/teams/${seg(id)}`, body: patch }),
  };

  const settings: SettingsApi = {
    get: () => data<Settings>({ method: 'GET', path: '/settings' }),
    update: (patch) => data<Settings>({ method: 'PUT', path: '/settings', body: patch }),
  };

  return { helpdesk: { tickets, slaPolicies, teams, settings } };
}
