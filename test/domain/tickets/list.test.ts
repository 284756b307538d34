import { beforeAll, expect, it } from 'vitest';
import { InvalidCursorError, ValidationError } from '../../../src/domain/errors.js';
import { listTickets, type Ticket } from '../../../src/domain/tickets/queries.js';
import type { TicketListInput, TicketSort } from '../../../src/domain/tickets/schemas.js';
import { TICKET_SORTS } from '../../../src/domain/tickets/schemas.js';
import { assignTicket, createTicket, deleteTicket } from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const SEED = [
  { title: 'Printer jams on floor 4', description: 'Paper jam every morning', type: 'incident', priority: 'low', category: 'Hardware', tags: ['printer'] },
  { title: 'VPN disconnects', description: 'The tunnel drops every hour', type: 'incident', priority: 'urgent', category: 'Network', tags: ['vpn', 'remote'] },
  { title: 'New laptop for Ada', description: 'Onboarding next Monday', type: 'service_request', priority: 'medium', category: 'Hardware', tags: ['onboarding'] },
  { title: 'Upgrade the firewall', description: 'Planned change window on Saturday', type: 'change', priority: 'high', category: 'Network', tags: [] },
  { title: 'Recurring printer outages', description: 'Root cause for the printing incidents', type: 'problem', priority: 'high', category: 'Hardware', tags: ['printer'] },
  { title: 'Access to the finance share', description: 'Needs read access', type: 'service_request', priority: 'low', category: 'Access', tags: ['access'] },
] as const;

describeEachDatabase('ticket lists', (ctx) => {
  const tenant = newTenantId();
  const scope = scopeFor(tenant, 'per_reader', '2026-05-01T00:00:00Z');
  let seeded: Ticket[] = [];

  beforeAll(async () => {
    seeded = [];
    for (const [i, input] of SEED.entries()) {
      // Two tickets share a timestamp so the id has to break the tie in cursors.
      const at = new Date(Date.UTC(2026, 3, 1 + Math.min(i, 4), 9, 0, 0));
      seeded.push(await createTicket(ctx.db, scopeFor(tenant, i % 2 ? 'per_bob' : 'per_ann', at), { ...input, tags: [...input.tags] }));
    }
    await assignTicket(ctx.db, scopeFor(tenant, 'per_agent', '2026-04-20T00:00:00Z'), seeded[1]!.id, 'per_agent');
    await deleteTicket(ctx.db, scopeFor(tenant, 'per_admin', '2026-04-21T00:00:00Z'), seeded[5]!.id);
    // Noise in other tenants and apps that must never show up.
    await createTicket(ctx.db, scopeFor(newTenantId(), 'per_ann', '2026-04-01T09:00:00Z'), { title: 'Printer elsewhere' });
    await createTicket(ctx.db, scopeFor(tenant, 'per_ann', '2026-04-02T09:00:00Z', { appId: 'app_x' }), {
      title: 'Printer from an app',
    });
  });

  const numbers = async (input: TicketListInput, s = scope) =>
    (await listTickets(ctx.db, s, input)).items.map((t) => t.number).sort();

  it('excludes deleted tickets unless asked, and never shows another tenant', async () => {
    expect(await numbers({})).toEqual(['TKT-0001', 'TKT-0002', 'TKT-0003', 'TKT-0004', 'TKT-0005', 'TKT-0007']);
    expect(await numbers({ include_deleted: true })).toContain('TKT-0006');
    expect(await numbers({ include_deleted: 'true' })).toContain('TKT-0006');
  });

  it('filters by every enum and id field', async () => {
    expect(await numbers({ status: 'in_progress' })).toEqual(['TKT-0002']);
    expect(await numbers({ status: ['open', 'in_progress'], priority: 'low' })).toEqual(['TKT-0001']);
    expect(await numbers({ priority: 'high,urgent' })).toEqual(['TKT-0002', 'TKT-0004', 'TKT-0005']);
    expect(await numbers({ type: ['service_request'] })).toEqual(['TKT-0003']);
    expect(await numbers({ category: 'Network' })).toEqual(['TKT-0002', 'TKT-0004']);
    expect(await numbers({ tag: 'printer' })).toEqual(['TKT-0001', 'TKT-0005']);
    expect(await numbers({ assigned_to_id: 'per_agent' })).toEqual(['TKT-0002']);
    expect(await numbers({ assigned_to_id: 'none', type: 'incident' })).toEqual(['TKT-0001', 'TKT-0007']);
    expect(await numbers({ submitted_by_id: 'per_bob' })).toEqual(['TKT-0002', 'TKT-0004']);
    expect(await numbers({ team_id: 'none', priority: 'urgent' })).toEqual(['TKT-0002']);
  });

  it('filters by created and updated ranges (from inclusive, to exclusive)', async () => {
    expect(await numbers({ created_after: '2026-04-05T09:00:00Z' })).toEqual(['TKT-0005']);
    expect(await numbers({ created_before: '2026-04-02T09:00:00Z' })).toEqual(['TKT-0001']);
    expect(await numbers({ updated_after: '2026-04-19T00:00:00Z' })).toEqual(['TKT-0002']);
    expect(await numbers({ updated_after: '2026-04-19T00:00:00Z', include_deleted: true })).toEqual(['TKT-0002', 'TKT-0006']);
  });

  it('searches number, title and description with full-text search', async () => {
    // TKT-0007 came through an app; the tenant's human session sees it too.
    expect(await numbers({ q: 'printer' })).toEqual(['TKT-0001', 'TKT-0005', 'TKT-0007']);
    expect(await numbers({ q: 'incident' })).toEqual(['TKT-0005']); // stemmed: matches 'incidents'
    expect(await numbers({ q: 'drop' })).toEqual(['TKT-0002']); // stemmed: matches 'drops'
    expect(await numbers({ q: 'tunnel' })).toEqual(['TKT-0002']); // description only
    expect(await numbers({ q: 'firewall window' })).toEqual(['TKT-0004']);
    expect(await numbers({ q: 'printer -recurring' })).toEqual(['TKT-0001', 'TKT-0007']);
    expect(await numbers({ q: 'TKT-0003' })).toEqual(['TKT-0003']);
    expect(await numbers({ q: '3' })).toEqual(['TKT-0003']);
    expect(await numbers({ q: 'the' })).toEqual([]); // only a stop word: matches nothing, no error
    expect(await numbers({ q: 'printer' }, scopeFor(tenant, 'per_x', new Date(), { appId: 'app_x' }))).toEqual(['TKT-0007']);
  });

  it('pages with opaque cursors in every sort order without gaps or repeats', async () => {
    for (const sort of TICKET_SORTS) {
      const all = (await listTickets(ctx.db, scope, { sort, limit: 200 })).items.map((t) => t.id);
      const paged: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10; guard += 1) {
        const page = await listTickets(ctx.db, scope, { sort, limit: 2, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((t) => t.id));
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(paged, sort).toEqual(all);
      expect(all).toHaveLength(6);
    }
  });

  it('orders as asked', async () => {
    const order = async (sort: TicketSort) => (await listTickets(ctx.db, scope, { sort })).items.map((t) => t.number);
    expect(await order('number')).toEqual(['TKT-0001', 'TKT-0002', 'TKT-0003', 'TKT-0004', 'TKT-0005', 'TKT-0007']);
    expect((await order('-priority'))[0]).toBe('TKT-0002'); // urgent first
    expect((await order('priority')).slice(0, 3)).toEqual(['TKT-0001', 'TKT-0003', 'TKT-0007']); // low, then medium by id
    expect((await order('-updated_at'))[0]).toBe('TKT-0002');
  });

  it('rejects bad filters and tampered cursors as field errors', async () => {
    const bad = async (input: Record<string, unknown>) => {
      const error = await listTickets(ctx.db, scope, input as TicketListInput).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((i) => i.path.join('.'));
    };
    expect(await bad({ status: 'done' })).toEqual(['status.0']);
    expect(await bad({ limit: 500 })).toEqual(['limit']);
    expect(await bad({ limit: 'ten' })).toEqual(['limit']);
    expect(await bad({ created_after: 'yesterday' })).toEqual(['created_after']);
    expect(await bad({ sort: 'title' })).toEqual(['sort']);
    expect(await bad({ colour: 'red' })).toEqual(['colour']);
    // A cursor is not a field the client writes: one the server did not issue is a bad request.
    const badCursor = async (input: TicketListInput) => {
      const error = await listTickets(ctx.db, scope, input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidCursorError);
      return (error as InvalidCursorError).issues.map((i) => i.path.join('.'));
    };
    expect(await badCursor({ cursor: 'not-a-cursor' })).toEqual(['cursor']);
    expect(await badCursor({ cursor: '' })).toEqual(['cursor']);
    const page = await listTickets(ctx.db, scope, { sort: 'number', limit: 1 });
    expect(await badCursor({ sort: '-created_at', cursor: page.next_cursor! })).toEqual(['cursor']);
    // Re-encoded with padding: the same values, but not what the server wrote.
    expect(await badCursor({ sort: 'number', cursor: `${page.next_cursor!}=` })).toEqual(['cursor']);
  });
});
