import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rowReader, selectRows } from '../../src/db/rows.js';
import { tickets } from '../../src/db/schema/index.js';
import { ticketColumns, type Ticket } from '../../src/domain/tickets/queries.js';
import { changeTicketStatus, claimTicket, createTicket } from '../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

const readTicket = rowReader<Ticket>(ticketColumns);

describeEachDatabase('selectRows', (ctx) => {
  it('reads tickets exactly as drizzle does: dates, arrays, JSON, nulls, in column order', async () => {
    const tenant = newTenantId();
    const scope = (at: string) => scopeFor(tenant, 'per_agent', at);
    const first = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', '2026-03-02T10:00:00.000Z'), {
      title: 'VPN drops every hour',
      description: 'Since the upgrade',
      type: 'incident',
      priority: 'high',
      category: 'network',
      tags: ['vpn', 'remote'],
    });
    await createTicket(ctx.db, scopeFor(tenant, 'per_requester', '2026-03-02T10:01:00.000Z'), { title: 'Bare ticket', type: 'service_request' });
    // A pause in sla_pauses (JSON), first_response_at and an assignee set.
    await claimTicket(ctx.db, scope('2026-03-02T10:05:00.000Z'), first.id);
    await changeTicketStatus(ctx.db, scope('2026-03-02T10:10:00.000Z'), first.id, 'pending');

    const statement = () => ctx.db.select(ticketColumns).from(tickets).where(eq(tickets.tenantId, tenant)).orderBy(tickets.numberSeq);
    const viaDrizzle = await statement();
    const fast = await selectRows(ctx.db, statement(), readTicket);
    const prepared = await selectRows(ctx.db, statement(), readTicket, { prepareAs: 'rows_test' });

    expect(viaDrizzle).toHaveLength(2);
    expect(fast).toEqual(viaDrizzle);
    expect(prepared).toEqual(viaDrizzle);
    const [ticket, bare] = fast as [Ticket, Ticket];
    expect(Object.keys(ticket)).toEqual(Object.keys(viaDrizzle[0]!));
    expect(ticket.createdAt).toBeInstanceOf(Date);
    expect(ticket.createdAt.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(ticket.firstResponseAt?.toISOString()).toBe('2026-03-02T10:05:00.000Z');
    expect(ticket.tags).toEqual(['vpn', 'remote']);
    expect(ticket.slaPauses).toHaveLength(1);
    expect(ticket.status).toBe('pending');
    expect(ticket.numberSeq).toBe(1);
    expect(bare.category).toBeNull();
    expect(bare.tags).toEqual([]);
    expect(bare.firstResponseAt).toBeNull();
  });

  it('inside a transaction, falls back to drizzle with the same result', async () => {
    const tenant = newTenantId();
    const created = await createTicket(ctx.db, scopeFor(tenant, 'per_agent', '2026-03-02T10:00:00.000Z'), { title: 'In a transaction' });
    const rows = await ctx.db.transaction((tx) =>
      selectRows(tx, tx.select(ticketColumns).from(tickets).where(and(eq(tickets.tenantId, tenant), eq(tickets.id, created.id))), readTicket),
    );
    expect(rows).toEqual([created]);
  });
});
