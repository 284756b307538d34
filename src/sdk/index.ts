import type { z } from 'zod';
import type { SlaPolicyCreateInput, SlaPolicyUpdateInput } from '../domain/sla/policies.js';
import type { teamCreateSchema, teamUpdateSchema } from '../domain/teams.js';
import type { TenantSettings } from '../domain/tenants.js';
import type { TicketCreateInput, TicketListInput, TicketUpdateInput } from '../domain/tickets/schemas.js';
import type { Problem } from '../http/problem.js';
import type { slaPolicyToWire, teamToWire, ticketToWire } from '../http/wire.js';
import { API_PREFIX } from '../http/paths.js';
import { errorFromResponse } from './errors.js';

export { HelpdeskApiError } from './errors.js';
export type { Problem, SlaPolicyCreateInput, SlaPolicyUpdateInput, TicketCreateInput, TicketListInput, TicketUpdateInput };

/** Wire records, derived from the server's own serializers so they cannot drift. */
export type Ticket = ReturnType<typeof ticketToWire>;
export type SlaPolicy = ReturnType<typeof slaPolicyToWire>;
export type Team = ReturnType<typeof teamToWire>;
export type TeamCreateInput = z.input<typeof teamCreateSchema>;
export type TeamUpdateInput = z.input<typeof teamUpdateSchema>;
export type Settings = TenantSettings;
export type SettingsUpdateInput = { [K in keyof TenantSettings]?: TenantSettings[K] };

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface WriteOptions {
  /** Sent as `If-Match`: the write fails with 412 when the record changed since. */
  ifMatch?: string;
}

export interface CreateOptions {
  /** Sent as `Idempotency-Key`. */
  idempotencyKey?: string;
}

export interface ClientOptions {
  /** Server origin, e.g. `https://helpdesk.example.com` (the `/api/v1/helpdesk` prefix is added). */
  baseUrl: string;
  token: string;
  fetch?: typeof globalThis.fetch;
}

export { API_PREFIX };

type Query = Record<string, unknown>;

interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Query | undefined;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

interface Answer<T> {
  data: T;
  etag: string | null;
}

const seg = (value: string) => encodeURIComponent(value);

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const text = Array.isArray(value)
      ? value.map((v) => (v instanceof Date ? v.toISOString() : String(v))).join(',')
      : value instanceof Date
        ? value.toISOString()
        : String(value);
    params.append(key, text);
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : '';
}

function writeHeaders(options: WriteOptions | undefined): Record<string, string | undefined> {
  return { 'if-match': options?.ifMatch };
}

export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? globalThis.fetch;
  const root = options.baseUrl.replace(/\/+$/, '') + API_PREFIX;

  async function request<T>(spec: RequestSpec): Promise<Answer<T>> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', authorization: `Bearer ${options.token}` };
    for (const [name, value] of Object.entries(spec.headers ?? {})) if (value !== undefined) headers[name] = value;
    const init: RequestInit = { method: spec.method, headers };
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    const response = await doFetch(root + spec.path + queryString(spec.query), init);
    if (!response.ok) throw await errorFromResponse(response);
    const text = response.status === 204 ? '' : await response.text();
    return { data: (text ? JSON.parse(text) : undefined) as T, etag: response.headers.get('etag') };
  }
  const data = async <T>(spec: RequestSpec): Promise<T> => (await request<T>(spec)).data;

  const tickets = {
    list: (query: TicketListInput = {}) => data<Page<Ticket>>({ method: 'GET', path: '/tickets', query }),
    /** Every ticket matching `query`, following `next_cursor` page by page. */
    async *listAll(query: TicketListInput = {}): AsyncGenerator<Ticket, void, undefined> {
      let cursor: string | undefined = query.cursor;
      do {
        const page: Page<Ticket> = await tickets.list({ ...query, ...(cursor ? { cursor } : {}) });
        yield* page.items;
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
    },
    /** By id or by number (`TKT-0001`). */
    get: (id: string) => data<Ticket>({ method: 'GET', path: `/tickets/${seg(id)}` }),
    async getWithEtag(id: string): Promise<{ ticket: Ticket; etag: string | null }> {
      const answer = await request<Ticket>({ method: 'GET', path: `/tickets/${seg(id)}` });
      return { ticket: answer.data, etag: answer.etag };
    },
    create: (input: TicketCreateInput, opts?: CreateOptions) =>
      data<Ticket>({ method: 'POST', path: '/tickets', body: input, headers: { 'idempotency-key': opts?.idempotencyKey } }),
    update: (id: string, patch: TicketUpdateInput, opts?: WriteOptions) =>
      data<Ticket>({ method: 'PATCH', path: `/tickets/${seg(id)}`, body: patch, headers: writeHeaders(opts) }),
    close: (id: string, opts?: WriteOptions) =>
      data<Ticket>({ method: 'POST', path: `/tickets/${seg(id)}/close`, headers: writeHeaders(opts) }),
    async delete(id: string, opts?: WriteOptions): Promise<void> {
      await request<void>({ method: 'DELETE', path: `/tickets/${seg(id)}`, headers: writeHeaders(opts) });
    },
  };

  const slaPolicies = {
    list: () => data<Page<SlaPolicy>>({ method: 'GET', path: '/sla-policies' }),
    get: (id: string) => data<SlaPolicy>({ method: 'GET', path: `/sla-policies/${seg(id)}` }),
    create: (input: SlaPolicyCreateInput, opts?: CreateOptions) =>
      data<SlaPolicy>({ method: 'POST', path: '/sla-policies', body: input, headers: { 'idempotency-key': opts?.idempotencyKey } }),
    update: (id: string, patch: SlaPolicyUpdateInput, opts?: WriteOptions) =>
      data<SlaPolicy>({ method: 'PATCH', path: `/sla-policies/${seg(id)}`, body: patch, headers: writeHeaders(opts) }),
  };

  const teams = {
    list: () => data<Page<Team>>({ method: 'GET', path: '/teams' }),
    get: (id: string) => data<Team>({ method: 'GET', path: `/teams/${seg(id)}` }),
    create: (input: TeamCreateInput, opts?: CreateOptions) =>
      data<Team>({ method: 'POST', path: '/teams', body: input, headers: { 'idempotency-key': opts?.idempotencyKey } }),
    update: (id: string, patch: TeamUpdateInput) => data<Team>({ method: 'PATCH', path: `/teams/${seg(id)}`, body: patch }),
  };

  const settings = {
    get: () => data<Settings>({ method: 'GET', path: '/settings' }),
    update: (patch: SettingsUpdateInput) => data<Settings>({ method: 'PUT', path: '/settings', body: patch }),
  };

  return { helpdesk: { tickets, slaPolicies, teams, settings } };
}

export type HelpdeskClient = ReturnType<typeof createClient>;
