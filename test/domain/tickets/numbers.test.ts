import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { tenants } from '../../../src/db/schema/index.js';
import { ValidationError } from '../../../src/domain/errors.js';
import { listTickets } from '../../../src/domain/tickets/queries.js';
import { createTicket, deleteTicket } from '../../../src/domain/tickets/tickets.js';
import { createPostgresDatabase, describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const NOW = '2026-04-01T09:00:00Z';

describe('ticket numbers under concurrency [postgres]', () => {
  let database: Database;
  beforeAll(async () => {
    // A pool wide enough that the creates really run side by side on the server.
    database = await createPostgresDatabase({ migrated: true, poolMax: 40 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('200 concurrent creates get TKT-0001..TKT-0200 exactly', async () => {
    const tenant = newTenantId();
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        createTicket(database.db, scopeFor(tenant, `per_${i}`, NOW), { title: `Concurrent ${i}` }),
      ),
    );
    const numbers = created.map((t) => t.number).sort();
    const expected = Array.from({ length: 200 }, (_, i) => `TKT-${String(i + 1).padStart(4, '0')}`);
    expect(numbers).toEqual(expected);
    expect(new Set(created.map((t) => t.id)).size).toBe(200);

    // Another tenant counts from 1 on its own, even while the first one is busy.
    const [other, more] = await Promise.all([
      createTicket(database.db, scopeFor(newTenantId(), 'per_x', NOW), { title: 'Elsewhere' }),
      createTicket(database.db, scopeFor(tenant, 'per_x', NOW), { title: 'One more' }),
    ]);
    expect(other.number).toBe('TKT-0001');
    expect(more.number).toBe('TKT-0201');
  });
});

describeEachDatabase('ticket numbers', (ctx) => {
  it('are never reused: a failed create takes no number, a deleted ticket keeps its own', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', NOW);
    await createTicket(ctx.db, scope, { title: 'One' });
    // Fails after the counter was bumped (unknown team): the whole transaction rolls back.
    await expect(createTicket(ctx.db, scope, { title: 'Bad team', team_id: 'grp_NOPE' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const two = await createTicket(ctx.db, scope, { title: 'Two' });
    expect(two.number).toBe('TKT-0002');
    await deleteTicket(ctx.db, scope, two.id);
    expect((await createTicket(ctx.db, scope, { title: 'Three' })).number).toBe('TKT-0003');
  });

  it('grow past TKT-9999 and still sort in numeric order', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_a', NOW);
    await createTicket(ctx.db, scope, { title: 'First' });
    await ctx.db.update(tenants).set({ ticketSeq: 9998 }).where(eq(tenants.tenantId, tenant));
    const a = await createTicket(ctx.db, scope, { title: 'Nine nine nine nine' });
    const b = await createTicket(ctx.db, scope, { title: 'Ten thousand' });
    expect([a.number, b.number]).toEqual(['TKT-9999', 'TKT-10000']);
    const page = await listTickets(ctx.db, scope, { sort: 'number' });
    expect(page.items.map((t) => t.number)).toEqual(['TKT-0001', 'TKT-9999', 'TKT-10000']);
    const byNumber = await listTickets(ctx.db, scope, { q: 'TKT-10000' });
    expect(byNumber.items.map((t) => t.number)).toEqual(['TKT-10000']);
  });
});
