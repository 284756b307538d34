import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { claimSlaAlerts } from '../../src/domain/sla/delivery.js';
import { dueAlertsQuery } from '../../src/domain/sla/sweep.js';
import { createPostgresDatabase } from '../support/databases.js';

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Tenancy as a schema property: checked on the real catalog, not on the TypeScript. */
describe('schema [postgres]', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createPostgresDatabase({ migrated: true });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('gives every table a non-null tenant_id', async () => {
    const rows = rowsOf<{ table_name: string; is_nullable: string | null }>(
      await database.db.execute(sql`
        select t.table_name, c.is_nullable
        from information_schema.tables t
        left join information_schema.columns c
          on c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'tenant_id'
        where t.table_schema = 'public' and t.table_type = 'BASE TABLE'`),
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) expect(row, row.table_name).toMatchObject({ is_nullable: 'NO' });
  });

  it('leads every index with tenant_id', async () => {
    const rows = rowsOf<{ index_name: string; first_column: string }>(
      await database.db.execute(sql`
        select i.relname as index_name, a.attname as first_column
        from pg_index x
        join pg_class i on i.oid = x.indexrelid
        join pg_class t on t.oid = x.indrelid
        join pg_namespace n on n.oid = t.relnamespace
        join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]
        where n.nspname = 'public'`),
    );
    expect(rows.length).toBeGreaterThan(20);
    // The GIN indexes are the documented exception (see src/db/schema/tickets.ts).
    const ginExceptions = new Set(['tickets_search_idx', 'tickets_tags_idx']);
    for (const row of rows.filter((r) => !ginExceptions.has(r.index_name))) {
      expect(row.first_column, row.index_name).toBe('tenant_id');
    }
  });

  it('uses the partial indexes for the SLA sweep and the GIN index for search', async () => {
    // Realistic statistics: one big tenant with 20,000 tickets, most of them closed.
    await database.db.execute(sql`insert into tenants (tenant_id, business_calendar, created_at, updated_at)
      select 'T' || g, '{}'::jsonb, now(), now() from generate_series(1, 20) g`);
    await database.db.execute(sql`insert into tickets (tenant_id, id, created_at, updated_at, number_seq, title,
        description, type, status, priority, sla_cycle_started_at, due_at, first_response_due_at, first_response_at)
      select 'T1', 'tkt_' || g, now(), now(), g, 'Ticket ' || g || (case when g % 500 = 0 then ' printer' else '' end),
        'words ' || md5(g::text), 'incident', (case when g % 50 = 0 then 'open' else 'closed' end)::ticket_status, 'medium',
        now(), now() + (g || ' minutes')::interval, now(), (case when g % 100 = 0 then null else now() end)
      from generate_series(1, 20000) g`);
    await database.db.execute(sql`vacuum analyze tickets`); // flushes the GIN pending list, as autovacuum would
    // The question is which index serves each query, not whether a 20,000-row table is worth one.
    await database.db.execute(sql`set enable_seqscan = off`);
    const plan = async (query: ReturnType<typeof sql>) =>
      rowsOf<Record<string, string>>(await database.db.execute(sql`explain ${query}`))
        .map((r) => Object.values(r)[0])
        .join('\n');
    expect(
      await plan(sql`select id from tickets where tenant_id = 'T1' and status in ('open', 'in_progress')
        and not is_deleted and due_at is not null and due_at < now()`),
    ).toContain('tickets_resolution_due_idx');
    expect(
      await plan(sql`select id from tickets where tenant_id = 'T1' and first_response_at is null
        and status in ('open', 'in_progress', 'pending') and not is_deleted
        and first_response_due_at is not null and first_response_due_at < now()`),
    ).toContain('tickets_first_response_due_idx');
    expect(
      await plan(sql`select id from tickets where tenant_id = 'T1' and search_vector @@ websearch_to_tsquery('english', 'printer')`),
    ).toContain('tickets_search_idx');
    expect(await plan(sql`select id from tickets where tenant_id = 'T1' and number_seq = 42`)).toContain('tickets_number_uq');

    // The SLA sweep: one range scan per running clock's partial index, a probe of the ledger's key per candidate.
    const sweep = await plan(dueAlertsQuery({ tenantId: 'T1', defaultTeamId: null, from: new Date(Date.now() - 60_000), now: new Date() }));
    // (With no warning instants in this data, the planner may serve a warning branch from the due index of the same clock.)
    const branches = sweep.match(/Index Scan using tickets_(first_response|resolution|next_response)_(due|warn)_idx on tickets/g) ?? [];
    expect(branches).toHaveLength(6);
    expect(sweep).toContain('tickets_next_response_due_idx');
    expect(sweep).toMatch(/Scan using sla_alerts_once_uq on sla_alerts/);
    expect(sweep).not.toMatch(/Seq Scan on (tickets|sla_alerts)/);
    await database.db.execute(sql`set enable_seqscan = on`);
    await claimSlaAlerts(database.db, 'T1', 'r1', new Date(), 60_000, 10);
  });
});
