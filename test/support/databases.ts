import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, type Database, type Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import { withDatabase } from './global-setup.js';

export type DatabaseKind = 'pglite' | 'postgres';
export const DATABASE_KINDS: DatabaseKind[] = ['pglite', 'postgres'];

/** A new database on the test PostgreSQL server: empty, or cloned from the migrated template. */
export async function createPostgresDatabase(options: {
  migrated: boolean;
  poolMax?: number;
}): Promise<Database & { url: string }> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `helpdesk_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const template = options.migrated ? ` template ${inject('postgresTemplate')}` : '';
    await admin.unsafe(`create database ${name}${template}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const database = await openDatabase({ databaseUrl: url, poolMax: options.poolMax ?? 10 });
  return {
    ...database,
    url,
    async close() {
      await database.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await cleanup.end();
    },
  };
}

/**
 * A PGlite data directory holding a copy of the run's migrated template, for tests that start
 * the product as a process: it opens the directory without initdb (and finds nothing to migrate).
 */
export function migratedDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  // PGlite's dump names its members from the root ('/base/...'): tar says it strips the '/', nothing more.
  execFileSync('tar', ['-xf', inject('pgliteTemplate'), '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  return dir;
}

/**
 * Migrated PGlite instances this worker has finished with, emptied: the next test file takes
 * one instead of loading the template again (a second of CPU each). Files run one at a time
 * per worker, and in-process files share their worker's modules (vitest.config.ts).
 */
const idlePglite: PGlite[] = [];

/** An in-memory PGlite: empty, or a copy of the run's migrated template (no initdb, no migrations). */
export async function createPgliteDatabase(options: { migrated: boolean }): Promise<Database> {
  if (!options.migrated) return openDatabase({ dataDir: 'memory://' });
  const client = idlePglite.pop() ?? (await loadPgliteTemplate());
  return {
    db: drizzle(client, { schema }) as unknown as Db,
    kind: 'pglite',
    location: 'in memory (PGlite, from the migrated template)',
    async close() {
      // Back as migrated and nothing else: every table emptied, every session setting reset.
      const { rows } = await client.query<{ name: string }>(`select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`);
      await client.exec(`truncate ${rows.map((r) => r.name).join(', ')} cascade; reset all;`);
      idlePglite.push(client);
    },
  };
}

const loadPgliteTemplate = async () => PGlite.create({ loadDataDir: new Blob([await readFile(inject('pgliteTemplate'))]) });

/**
 * A migrated database of the kind, already closed for good (never returned to a pool): what
 * the app has in hand while its database is unreachable.
 */
export async function closedTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'postgres') {
    const database = await createPostgresDatabase({ migrated: true });
    await database.close();
    return database;
  }
  const client = await loadPgliteTemplate();
  await client.close();
  return { db: drizzle(client, { schema }) as unknown as Db, kind: 'pglite', location: 'closed', close: async () => {} };
}

export function openTestDatabase(kind: DatabaseKind, options: { migrated: boolean } = { migrated: true }) {
  return kind === 'pglite' ? createPgliteDatabase(options) : createPostgresDatabase(options);
}

export interface DatabaseContext {
  readonly kind: DatabaseKind;
  readonly db: Db;
  readonly database: Database;
}

/**
 * One suite, two databases: runs `body` once against PGlite and once against the
 * real PostgreSQL server, each with a migrated database shared by the file.
 */
export function describeEachDatabase(name: string, body: (ctx: DatabaseContext) => void): void {
  for (const kind of DATABASE_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let database: Database | undefined;
      beforeAll(async () => {
        database = await openTestDatabase(kind);
      });
      afterAll(async () => {
        await database?.close();
      });
      body({
        kind,
        get database() {
          if (!database) throw new Error('database not open yet');
          return database;
        },
        get db() {
          if (!database) throw new Error('database not open yet');
          return database.db;
        },
      });
    });
  }
}

export function newTenantId(): string {
  return `T${randomBytes(5).toString('hex').toUpperCase()}`;
}
