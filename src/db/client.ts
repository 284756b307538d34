import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** The handle every data function takes first: a PGlite or postgres.js database, or a transaction of either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for the start-up log (never includes a password). */
  location: string;
  /** PGlite: the pid of a crashed process whose data directory lock was taken over. */
  tookOverLockFrom?: number | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL of a PostgreSQL server; when absent the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory, or `memory://` for a throwaway in-memory database. */
  dataDir?: string;
  poolMax?: number;
  /**
   * PostgreSQL: a statement running longer is cancelled by the server (and reported as the
   * database being unavailable), and a connection silent for 2 s longer is given up (see
   * watchedSocket). Unset: no limit; the service runs with `DEFAULT_STATEMENT_TIMEOUT_MS`.
   */
  statementTimeoutMs?: number | undefined;
}

/** Far above any statement a person waits on (p99 budget 300 ms), far below a hang. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;
/** An unreachable server is reported after this long, not after postgres.js's default 30 s. */
export const CONNECT_TIMEOUT_SECONDS = 2;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolMax ?? 10, options.statementTimeoutMs);
  return openPglite(options.dataDir ?? './.data');
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  // One process per directory (see data-dir-lock.ts): taken before PGlite reads anything.
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(inMemory ? undefined : location);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location: inMemory ? 'in memory (PGlite)' : `${location} (PGlite)`,
    tookOverLockFrom: lock?.tookOverFrom,
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/**
 * postgres.js waits before reconnecting after failed attempts, up to 20 s by default: a
 * query arriving during an outage would wait that long just to fail. A short cap keeps
 * failures fast and notices the server's return within a second.
 */
function reconnectBackoffSeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1);
}

/** A statement's answer may take the statement timeout; silence this much longer means nobody is there. */
const SILENCE_MARGIN_MS = 2_000;

async function openPostgres(url: string, max: number, statementTimeoutMs: number | undefined): Promise<Database> {
  const { url: serverUrl, socketPath } = unixSocketOf(url);
  const client = postgres(serverUrl, {
    max,
    onnotice: () => {},
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: reconnectBackoffSeconds,
    ...(statementTimeoutMs ? { connection: { statement_timeout: statementTimeoutMs } } : {}),
    ...(socketPath ? { path: socketPath } : {}),
  });
  // postgres.js types do not list the documented `socket` option; set it once the URL is parsed.
  const options = client.options as unknown as ServerOptions & { socket?: (o: ServerOptions) => Socket };
  if (statementTimeoutMs && !options.ssl && (options.path || options.host.length === 1)) {
    options.socket = (o) => watchedSocket(o, statementTimeoutMs + SILENCE_MARGIN_MS);
  }
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    location: redactUrl(url),
    close: () => client.end({ timeout: 5 }),
  };
}

interface ServerOptions {
  host: string[];
  port: number[];
  path: string | false | undefined;
  ssl: unknown;
}

/**
 * A connection to the server, closed with ETIMEDOUT when the server sends nothing for
 * `silenceMs` after being asked something. With a statement timeout every statement is
 * answered within it by a live server, so that silence is a hung host or a network
 * partition: the queries on the connection (and those queued behind them) fail instead of
 * waiting for the outage to end, which no postgres.js option bounds. Not with TLS, whose
 * bytes would not pass here.
 */
function watchedSocket(options: ServerOptions, silenceMs: number): Socket {
  const host = options.host[0]!;
  const port = options.port[0]!;
  const socket = options.path ? connect({ path: options.path }) : connect({ host, port });
  Object.assign(socket, { host, port }); // postgres.js names them in its connection errors
  let silence: NodeJS.Timeout | undefined;
  const write = socket.write.bind(socket);
  socket.write = ((...args: Parameters<Socket['write']>) => {
    if (!silence) {
      silence = setTimeout(() => {
        socket.destroy(Object.assign(new Error(`the database sent nothing for ${silenceMs} ms`), { code: 'ETIMEDOUT' }));
      }, silenceMs).unref();
    }
    return write(...(args as [string]));
  }) as Socket['write'];
  const heard = () => {
    clearTimeout(silence);
    silence = undefined;
  };
  socket.on('data', heard);
  socket.on('close', heard);
  return socket;
}

/**
 * libpq's way to name a server's Unix-domain socket in a URL, which postgres.js does not
 * read: `?host=/var/run/postgresql` (the socket's folder; the port names the socket file).
 * Returns the URL without that parameter, and the socket's path.
 */
export function unixSocketOf(url: string): { url: string; socketPath?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  const folder = parsed.searchParams.get('host');
  if (!folder?.startsWith('/')) return { url };
  parsed.searchParams.delete('host');
  const port = parsed.port || '5432';
  return { url: parsed.toString(), socketPath: `${folder.replace(/\/+$/, '')}/.s.PGSQL.${port}` };
}

/** How long readiness waits for the database's answer. */
export const PING_TIMEOUT_MS = 2_000;

/**
 * Readiness: one round trip to the database, given up after `timeoutMs` (an ETIMEDOUT
 * error): a server that hangs on a connection already open (a stopped host, a network
 * partition) never answers, and no driver timeout covers that. Safe to abandon: it reads nothing.
 */
export async function pingDatabase(db: Db, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`the database did not answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  try {
    await Promise.race([db.execute(sql`select 1`), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
