import { fileURLToPath } from 'node:url';
import { desc, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import type { Db } from './client.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** drizzle-kit's own bookkeeping table, so `drizzle-kit migrate` and this runner agree. */
const drizzleSchema = pgSchema('drizzle');
const migrationsTable = drizzleSchema.table('__drizzle_migrations', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }),
});

/** Arbitrary constant shared by every replica: "helpdesk migrations". */
const MIGRATION_LOCK_KEY = 7_135_042_881;

export interface MigrationResult {
  applied: number;
}

/**
 * Applies the journaled migrations in one transaction that first takes a transaction
 * advisory lock. drizzle's own migrator takes no lock, and two replicas starting
 * together would race on `CREATE SCHEMA`/`CREATE TABLE`; here the second waits, then
 * sees the first one's bookkeeping and applies nothing.
 */
export async function migrate(db: Db, migrationsFolder = MIGRATIONS_FOLDER): Promise<MigrationResult> {
  const migrations = readMigrationFiles({ migrationsFolder });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(sql`
      create table if not exists drizzle.__drizzle_migrations (
        id serial primary key,
        hash text not null,
        created_at bigint
      )`);
    const [last] = await tx
      .select({ createdAt: migrationsTable.createdAt })
      .from(migrationsTable)
      .orderBy(desc(migrationsTable.createdAt))
      .limit(1);
    const lastApplied = last?.createdAt ?? -1;
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastApplied) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.insert(migrationsTable).values({ hash: migration.hash, createdAt: migration.folderMillis });
      applied += 1;
    }
    return { applied };
  });
}
