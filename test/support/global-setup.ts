import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import type { Db } from '../../src/db/client.js';
import * as schema from '../../src/db/schema/index.js';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { startTempPostgres, type TempPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test server; test files create their own databases there. */
    postgresAdminUrl: string;
    /** Name of a migrated template database that test databases are cloned from. */
    postgresTemplate: string;
    /** The admin URL through the server's Unix-domain socket, when the run started its own server ('' otherwise). */
    postgresSocketUrl: string;
    /** A migrated PGlite data directory (a tar file): test files start from a copy instead of initdb and migrations. */
    pgliteTemplate: string;
  }
}

export const TEMPLATE_DB = 'helpdesk_test_template';

interface Prepared {
  values: { postgresAdminUrl: string; postgresTemplate: string; postgresSocketUrl: string; pgliteTemplate: string };
  stop(): Promise<void>;
}

/** Shared by the run's projects (each runs this setup): one server and one PGlite template for all. */
const shared = globalThis as typeof globalThis & { helpdeskTestSetup?: { prepared: Promise<Prepared>; users: number } };

/**
 * Starts one PostgreSQL server for the whole run (or uses TEST_DATABASE_URL) and
 * prepares a migrated template database; each test file clones it. Likewise a migrated
 * PGlite data directory, as a tar file.
 */
export default async function setup(project: TestProject) {
  shared.helpdeskTestSetup ??= { prepared: prepare(), users: 0 };
  const state = shared.helpdeskTestSetup;
  state.users += 1;
  const { values } = await state.prepared;
  for (const [key, value] of Object.entries(values)) project.provide(key as keyof typeof values, value);
  return async () => {
    state.users -= 1;
    if (state.users > 0) return;
    shared.helpdeskTestSetup = undefined;
    await (await state.prepared).stop();
  };
}

async function prepare(): Promise<Prepared> {
  // The two templates have nothing in common: the server's initdb (a child process) and
  // PGlite's migrations (this process) run side by side, each on a CPU, before any test can start.
  const [postgresPart, pglitePart] = await Promise.allSettled([preparePostgres(), preparePglite()]);
  if (postgresPart.status === 'rejected' || pglitePart.status === 'rejected') {
    if (postgresPart.status === 'fulfilled') await postgresPart.value.server?.stop();
    if (pglitePart.status === 'fulfilled') rmSync(pglitePart.value.pgliteDir, { recursive: true, force: true });
    throw postgresPart.status === 'rejected' ? postgresPart.reason : (pglitePart as PromiseRejectedResult).reason;
  }
  const { server, adminUrl } = postgresPart.value;
  const { pgliteDir, pgliteTemplate } = pglitePart.value;

  return {
    values: { postgresAdminUrl: adminUrl, postgresTemplate: TEMPLATE_DB, postgresSocketUrl: server?.socketUrl ?? '', pgliteTemplate },
    async stop() {
      rmSync(pgliteDir, { recursive: true, force: true });
      if (server) {
        await server.stop();
      } else {
        const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
        await cleanup.unsafe(`drop database if exists ${TEMPLATE_DB}`).catch(() => {});
        await cleanup.end();
      }
    },
  };
}

/** The test server (started here unless TEST_DATABASE_URL names one) and its migrated template database. */
async function preparePostgres(): Promise<{ server: TempPostgres | undefined; adminUrl: string }> {
  let server: TempPostgres | undefined;
  const adminUrl = process.env.TEST_DATABASE_URL || (server = await startTempPostgres()).url;
  try {
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database if exists ${TEMPLATE_DB}`);
      await admin.unsafe(`create database ${TEMPLATE_DB}`);
    } finally {
      await admin.end();
    }
    const template = await openDatabase({ databaseUrl: withDatabase(adminUrl, TEMPLATE_DB), poolMax: 1 });
    try {
      await migrate(template.db);
    } finally {
      await template.close();
    }
  } catch (error) {
    await server?.stop();
    throw error;
  }
  return { server, adminUrl };
}

/** A migrated PGlite data directory, dumped as a tar file. */
async function preparePglite(): Promise<{ pgliteDir: string; pgliteTemplate: string }> {
  const pgliteDir = mkdtempSync(join(tmpdir(), 'helpdesk-pglite-template-'));
  const pgliteTemplate = join(pgliteDir, 'migrated.tar');
  try {
    const pglite = await PGlite.create();
    try {
      await migrate(drizzle(pglite, { schema }) as unknown as Db);
      writeFileSync(pgliteTemplate, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
    } finally {
      await pglite.close();
    }
  } catch (error) {
    rmSync(pgliteDir, { recursive: true, force: true });
    throw error;
  }
  return { pgliteDir, pgliteTemplate };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
