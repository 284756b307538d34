import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * A throwaway PostgreSQL server for tests and benchmarks: initdb into a temp folder,
 * listen on 127.0.0.1 at a free port, removed on stop. Runs as the `postgres` user
 * when started by root (the server refuses to run as root).
 */
export interface TempPostgres {
  url: string;
  /** The same server through its Unix-domain socket (in the server's folder). */
  socketUrl: string;
  /** Stops the server (fast shutdown: sessions are terminated), keeping its data and port: an outage. */
  halt(): Promise<void>;
  /** Starts it again after `halt()`, on the same port and data, and waits until it answers. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export function findPostgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => existsSync(join(debianRoot, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debianRoot, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error(
    'No PostgreSQL server binaries (initdb) found. Install them (Debian: apt-get install -y postgresql), ' +
      'set PG_BIN_DIR, or point TEST_DATABASE_URL at a server.',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The server refuses to run as root; when we are root, run it as the `postgres` user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, but there is no `postgres` user to run the test server as.');
  }
}

export async function startTempPostgres(): Promise<TempPostgres> {
  const bin = findPostgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-pg-'));
  const user = serverUser();
  if (user) chownSync(dir, user.uid, user.gid);
  // Not synchronous: the run's PGlite template is prepared meanwhile (global-setup.ts).
  await promisify(execFile)(
    join(bin, 'initdb'),
    ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { cwd: dir, ...user },
  );

  const port = await freePort();
  const args = [
    '-D', dir, '-p', String(port), '-k', dir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=300', '-c', 'shared_buffers=256MB',
  ];
  let child: ChildProcess;
  let log = '';
  const launch = () => {
    child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...user });
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
  };
  const halt = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT'); // fast shutdown
    await exited;
  };
  launch();
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntilReady(url, child!, () => log);

  return {
    url,
    socketUrl: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    halt,
    async resume() {
      launch();
      await waitUntilReady(url, child, () => log);
    },
    async stop() {
      process.off('exit', killOnExit);
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up:\n${log()}`);
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not become ready: ${String(error)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}
