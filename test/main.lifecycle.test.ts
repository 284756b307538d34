import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../src/db/data-dir-lock.js';
import { API_PREFIX } from '../src/http/app.js';
import { createPostgresDatabase, migratedDataDir, newTenantId } from './support/databases.js';
import { TEST_JWT_SECRET, tokenFor } from './support/http-server.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-lifecycle-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Running {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  origin(): string;
}

/**
 * The app as a process: `node --import tsx src/main.ts` (the child is the app), or
 * `npm start` (the child is npm, in a process group of its own, as under systemd or docker).
 */
function start(env: Record<string, string>, how: 'node' | 'npm' = 'node'): Running {
  const [command, args] = how === 'node' ? [process.execPath, ['--import', 'tsx', 'src/main.ts']] : ['npm', ['start']];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: how === 'npm',
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const listener of listeners) listener();
  });
  const waitFor = (text: string | RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        listeners.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (typeof text === 'string' ? output.includes(text) : text.test(output)) settle();
        else if (ended) settle(new Error(`exited without "${String(text)}":\n${output}`));
      };
      const timer = setTimeout(() => settle(new Error(`no "${String(text)}" within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      listeners.add(check);
      check();
    });
  return {
    child,
    output: () => output,
    waitFor,
    exited,
    origin: () => `http://127.0.0.1:${/listening on http:\/\/localhost:(\d+)/.exec(output)?.[1]}`,
  };
}

/** A request on a connection of its own (fetch would reuse a kept-alive one): its status, or the connection error's code. */
function freshGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
  });
}

describe('one process per PGlite data directory', () => {
  it('refuses a second process with one line naming the holder, and takes over the lock of a killed one', { timeout: 120_000 }, async () => {
    const dir = migratedDataDir(join(dataDir, 'shared'));
    const first = start({ DATA_DIR: dir });
    try {
      await first.waitFor('helpdesk ready');
      expect(existsSync(join(dir, LOCK_FILE))).toBe(true);

      const second = start({ DATA_DIR: dir });
      const refused = await Promise.race([second.exited, second.waitFor('helpdesk ready').then(() => ({ code: 'started' }), () => ({ code: 'no ready line' }))]);
      if (second.child.exitCode === null) second.child.kill('SIGKILL');
      expect(refused.code).toBe(1);
      const lines = second.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^DATA_DIR ${dir} is in use by process ${first.child.pid} \\(started [^)]+\\); stop it first, or set DATA_DIR to another folder$`));
      // The holder did not notice.
      expect(await freshGet(`${first.origin()}/readyz`)).toBe(200);
    } finally {
      // A crash: the lock stays behind, naming a process that is gone.
      first.child.kill('SIGKILL');
      await first.exited;
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);

    const third = start({ DATA_DIR: dir });
    await third.waitFor('helpdesk ready');
    expect(third.output()).toContain(`took over the data directory from process ${first.child.pid}, which is gone`);
    expect(await freshGet(`${third.origin()}/readyz`)).toBe(200);
    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
    // Released on a clean stop.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});

describe('graceful shutdown under npm start', () => {
  // Both ways a signal arrives: to npm alone (docker stop: PID 1), or to the whole process group (systemd, Ctrl+C).
  for (const target of ['npm', 'group'] as const) {
    it(`answers the request in progress, refuses new connections, and exits 0 (SIGTERM to ${target === 'npm' ? 'the npm process' : 'the process group'})`, { timeout: 120_000 }, async () => {
      const database = await createPostgresDatabase({ migrated: true });
      const locker = postgres(database.url, { max: 1, onnotice: () => {} });
      const watcher = postgres(database.url, { max: 1, onnotice: () => {} });
      const app = start({ DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET }, 'npm');
      let release: () => void = () => {};
      try {
        await app.waitFor('helpdesk ready');
        const token = await tokenFor({ sub: 'per_ada', tenant_id: newTenantId() });
        const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        const created = await fetch(`${app.origin()}${API_PREFIX}/tickets`, { method: 'POST', headers, body: JSON.stringify({ title: 'Slow', priority: 'low' }) });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };

        // The request in progress: an update waiting for the ticket's row, which another session holds.
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const transaction = locker.begin(async (tx) => {
          await tx`select 1 from tickets where id = ${id} for update`;
          locked();
          await held;
        });
        await isLocked;
        const patch = fetch(`${app.origin()}${API_PREFIX}/tickets/${id}`, { method: 'PATCH', headers, body: JSON.stringify({ title: 'Answered while stopping' }) }).then(
          async (res) => ({ status: res.status, connection: res.headers.get('connection'), body: (await res.json()) as { title: string } }),
          (error: unknown) => ({ status: 0, connection: null, body: { title: String(error) } }),
        );
        const waiting = async () => (await watcher`select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`).length > 0;
        while (!(await waiting())) await new Promise((r) => setTimeout(r, 20));

        const pid = app.child.pid!;
        process.kill(target === 'npm' ? pid : -pid, 'SIGTERM');
        const signalled = performance.now();
        await app.waitFor('received SIGTERM');
        expect(await freshGet(`${app.origin()}/healthz`)).toBe('ECONNREFUSED');

        release();
        await transaction;
        const answered = await patch;
        expect(answered).toMatchObject({ status: 200, connection: 'close', body: { title: 'Answered while stopping' } });
        const { code } = await app.exited;
        expect(code).toBe(0);
        expect(performance.now() - signalled).toBeLessThan(10_000);
        expect(app.output()).toContain('stopped');
        expect(app.output()).not.toContain('still running after');
      } finally {
        release();
        if (app.child.exitCode === null) {
          process.kill(-app.child.pid!, 'SIGKILL');
          await app.exited;
        }
        await locker.end();
        await watcher.end();
        await database.close();
      }
    });
  }
});
