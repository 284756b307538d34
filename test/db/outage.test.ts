import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STATEMENT_TIMEOUT_MS, openDatabase, pingDatabase, type Database, type Db } from '../../src/db/client.js';
import { isDatabaseUnavailable } from '../../src/db/errors.js';
import { migrate } from '../../src/db/migrate.js';
import { API_PREFIX, createHttpApp } from '../../src/http/app.js';
import { createAuthenticator } from '../../src/http/auth.js';
import { startSlaScheduler } from '../../src/jobs/sla.js';
import { createLogger } from '../../src/log.js';
import { newTenantId } from '../support/databases.js';
import { TEST_JWT_SECRET, tokenFor } from '../support/http-server.js';
import { startTempPostgres, type TempPostgres } from '../support/postgres-server.js';

/** The real HTTP app on 127.0.0.1 over `db`. */
async function serve(db: Db): Promise<{ origin: string; close(): Promise<void> }> {
  const app = createHttpApp({ db, authenticate: createAuthenticator({ jwtSecret: TEST_JWT_SECRET }) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The server's processes (postmaster and its children), to stop them as a hung host would. */
function serverPids(server: TempPostgres): number[] {
  const dir = new URL(server.socketUrl).searchParams.get('host')!;
  const postmaster = Number(readFileSync(`${dir}/postmaster.pid`, 'utf8').split('\n')[0]);
  const children = execFileSync('pgrep', ['-P', String(postmaster)]).toString().trim().split('\n').map(Number);
  return [postmaster, ...children];
}

/** One call, timed. */
async function timed(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    contentType: response.headers.get('content-type'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    ms: performance.now() - started,
  };
}

describe('PostgreSQL outage: fail fast, recover alone', () => {
  // A server of its own: this file stops and starts it.
  let server: TempPostgres;
  let database: Database;
  let api: Awaited<ReturnType<typeof serve>>;
  let token: string;
  const create = (title: string) =>
    timed(`${api.origin}${API_PREFIX}/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title, priority: 'high' }),
    });

  beforeAll(async () => {
    server = await startTempPostgres();
    database = await openDatabase({ databaseUrl: server.url, poolMax: 4, statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS });
    await migrate(database.db);
    api = await serve(database.db);
    token = await tokenFor({ sub: 'per_ada', tenant_id: newTenantId() });
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
    await server?.stop();
  });

  it('answers 503 with Retry-After at once while the server is down, and 201 again once it is back, without a restart', { timeout: 90_000 }, async () => {
    const lines: string[] = [];
    const scheduler = startSlaScheduler({
      db: database.db,
      slack: undefined,
      cron: null,
      sweepAtStart: false,
      pokeDelayMs: 0,
      log: createLogger('info', (line) => lines.push(line)),
    });
    const tick = async () => {
      scheduler.poke();
      await scheduler.idle();
    };
    try {
      expect((await create('Before the outage')).status).toBe(201);
      await tick();

      await server.halt();
      // Every call fails on its own within about 2 s: none waits for the outage to end. postgres.js's
      // default reconnect backoff would park the later ones for up to 20 s each.
      for (let i = 0; i < 10; i += 1) {
        const answer = await create(`During the outage ${i}`);
        expect(answer).toMatchObject({ status: 503, retryAfter: '5', contentType: expect.stringContaining('application/problem+json') });
        expect(answer.body).toMatchObject({ status: 503, code: 'database_unavailable' });
        expect(answer.ms).toBeLessThan(3_000);
      }
      const notReady = await timed(`${api.origin}/readyz`);
      expect(notReady).toMatchObject({ status: 503, retryAfter: '5' });
      expect(notReady.ms).toBeLessThan(3_000);
      // The SLA job skips every tick of the outage and says so once.
      for (let i = 0; i < 3; i += 1) await tick();
      expect(lines.filter((line) => line.includes('sla: the database is unavailable'))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('ERROR'))).toEqual([]);

      await server.resume();
      const after = await create('After the outage');
      expect(after.status).toBe(201);
      expect((await timed(`${api.origin}/readyz`)).status).toBe(200);
      await tick();
      await tick();
      expect(lines.filter((line) => line.includes('sla: the database is back'))).toHaveLength(1);
      const list = await timed(`${api.origin}${API_PREFIX}/tickets`, { headers: { authorization: `Bearer ${token}` } });
      expect((list.body!.items as Array<{ title: string }>).map((t) => t.title).sort()).toEqual(['After the outage', 'Before the outage']);
    } finally {
      await scheduler.stop();
    }
  });

  it('answers 503 when a statement outlives the statement timeout (a row locked by a stuck transaction)', async () => {
    const impatient = await openDatabase({ databaseUrl: server.url, poolMax: 2, statementTimeoutMs: 500 });
    const impatientApi = await serve(impatient.db);
    const locker = postgres(server.url, { max: 1, onnotice: () => {} });
    let release: () => void = () => {};
    try {
      const created = await create('Locked');
      expect(created.status).toBe(201);
      const id = created.body!.id as string;
      // A transaction that holds the ticket's row and does not finish (until the test lets it).
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const transaction = locker.begin(async (tx) => {
        await tx`select 1 from tickets where id = ${id} for update`;
        locked();
        await held;
      });
      await isLocked;
      const patched = await timed(`${impatientApi.origin}${API_PREFIX}/tickets/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Waited for the lock' }),
      });
      expect(patched).toMatchObject({ status: 503, retryAfter: '5' });
      expect(patched.body).toMatchObject({ code: 'database_unavailable' });
      expect(patched.ms).toBeLessThan(5_000);
      release();
      await transaction;
    } finally {
      release();
      await locker.end();
      await impatientApi.close();
      await impatient.close();
    }
  });

  it('gives up connecting to a server that accepts and never answers within the connect timeout', async () => {
    // A black hole: the TCP connection opens, the PostgreSQL handshake never comes (a hung host).
    const sockets = new Set<Socket>();
    const hole: NetServer = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const unreachable = await openDatabase({ databaseUrl: `postgres://app@127.0.0.1:${(hole.address() as AddressInfo).port}/helpdesk`, poolMax: 1 });
    try {
      const started = performance.now();
      const error = await pingDatabase(unreachable.db).then(() => undefined, (e: unknown) => e);
      // postgres.js's own default would wait 30 s.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      // Stop listening first: the driver may still be retrying, and a socket it opens after the
      // destroy loop would keep the server from closing.
      const holeClosed = new Promise((resolve) => hole.close(resolve));
      await unreachable.close();
      for (const socket of sockets) socket.destroy();
      await holeClosed;
    }
  });

  it('answers 503, and readyz says not ready, when the server hangs on the connections already open', async () => {
    // A statement timeout of 500 ms: silence past 2.5 s on a connection that asked something is a hung server.
    const impatient = await openDatabase({ databaseUrl: server.url, poolMax: 2, statementTimeoutMs: 500 });
    const impatientApi = await serve(impatient.db);
    const list = () => timed(`${impatientApi.origin}${API_PREFIX}/tickets`, { headers: { authorization: `Bearer ${token}` } });
    let pids: number[] = [];
    let safety: NodeJS.Timeout | undefined;
    try {
      // Connections open and in use before the server stops answering.
      expect((await list()).status).toBe(200);
      expect((await timed(`${api.origin}/readyz`)).status).toBe(200);
      pids = serverPids(server);
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      // Should a request hang after all, the server still runs again (and the suite ends) once the test has failed.
      safety = setTimeout(() => pids.forEach((pid) => process.kill(pid, 'SIGCONT')), 25_000);

      const hung = await timed(`${api.origin}/readyz`);
      expect(hung).toMatchObject({ status: 503, retryAfter: '5' });
      expect(hung.ms).toBeLessThan(5_000);
      // The request on the hung connection, then one that must connect anew (the connect timeout).
      for (let i = 0; i < 2; i += 1) {
        const answer = await list();
        expect(answer).toMatchObject({ status: 503, retryAfter: '5' });
        expect(answer.body).toMatchObject({ code: 'database_unavailable' });
        expect(answer.ms).toBeLessThan(8_000);
      }
    } finally {
      clearTimeout(safety);
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    try {
      expect((await list()).status).toBe(200);
      expect((await timed(`${api.origin}/readyz`)).status).toBe(200);
    } finally {
      await impatientApi.close();
      await impatient.close();
    }
  });

  it('tells a session the server ended (57P01) from a statement it refused', async () => {
    const single = await openDatabase({ databaseUrl: server.url, poolMax: 1 });
    const admin = postgres(server.url, { max: 1, onnotice: () => {} });
    try {
      const [{ pid }] = (await single.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as [{ pid: number }];
      const sleeping = single.db.execute(sql`select pg_sleep(30)`).then(() => undefined, (e: unknown) => e);
      while ((await admin`select 1 from pg_stat_activity where pid = ${pid} and state = 'active'`).length === 0) await new Promise((r) => setTimeout(r, 20));
      await admin`select pg_terminate_backend(${pid})`;
      const ended = await sleeping;
      expect(ended).toBeDefined();
      expect(isDatabaseUnavailable(ended)).toBe(true);
    } finally {
      await admin.end();
      await single.close();
    }

    const syntax = await database.db.execute(sql`select from nowhere at all`).then(() => undefined, (e: unknown) => e);
    expect(syntax).toBeDefined();
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});
