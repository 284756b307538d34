import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { MIGRATIONS_FOLDER, migrate } from '../../src/db/migrate.js';
import { createPostgresDatabase, DATABASE_KINDS, openTestDatabase } from '../support/databases.js';

describe('migrations folder', () => {
  it('journal and SQL files agree one to one', () => {
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
      entries: Array<{ tag: string; idx: number }>;
    };
    const tags = journal.entries.map((e) => e.tag).sort();
    const files = readdirSync(MIGRATIONS_FOLDER)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    expect(files).toEqual(tags);
    expect(journal.entries.map((e) => e.idx)).toEqual(journal.entries.map((_, i) => i));
  });
});

describe.each(DATABASE_KINDS)('migrate [%s]', (kind) => {
  it('applies every migration on a fresh database, then is a no-op', async () => {
    const database = await openTestDatabase(kind, { migrated: false });
    try {
      const first = await migrate(database.db);
      const journalEntries = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).length;
      expect(first.applied).toBe(journalEntries);
      const tablesAfterFirst = await listTables(database.db);
      expect(tablesAfterFirst).toEqual(
        expect.arrayContaining(['tenants', 'tickets', 'sla_policies', 'teams', 'people', 'ticket_events', 'sla_alerts', 'ticket_comments', 'ticket_threads', 'comment_messages']),
      );

      const second = await migrate(database.db);
      expect(second.applied).toBe(0);
      expect(await listTables(database.db)).toEqual(tablesAfterFirst);
      const rows = (await database.db
        .execute(sql`select count(*)::int as count from drizzle.__drizzle_migrations`)
        .then(rowsOf)) as Array<{ count: number }>;
      expect(rows[0]?.count).toBe(journalEntries);
    } finally {
      await database.close();
    }
  });
});

describe('migrate on real PostgreSQL', () => {
  it('two replicas migrating at once both succeed and apply each migration once', async () => {
    const a = await createPostgresDatabase({ migrated: false, poolMax: 2 });
    // A second, independent connection pool on the same database, like a second replica.
    const b = await openDatabase({ databaseUrl: a.url, poolMax: 2 });
    try {
      const [ra, rb] = await Promise.all([migrate(a.db), migrate(b.db)]);
      const total = readdirSync(MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')).length;
      expect([ra.applied, rb.applied].sort()).toEqual([0, total]);
      const rows = (await a.db.execute(sql`select hash from drizzle.__drizzle_migrations`).then(rowsOf)) as unknown[];
      expect(rows).toHaveLength(total);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

async function listTables(db: Parameters<typeof migrate>[0]): Promise<string[]> {
  const rows = (await db
    .execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`)
    .then(rowsOf)) as Array<{ table_name: string }>;
  return rows.map((r) => r.table_name);
}

/** postgres.js returns an array of rows, PGlite an object with `rows`. */
function rowsOf(result: unknown): unknown[] {
  return Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []);
}
