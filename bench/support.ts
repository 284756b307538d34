/**
 * What the PostgreSQL benchmarks (bench/api.ts, bench/slack.ts, bench/sweep.ts) share: the
 * server they run against, the databases they create on it, percentiles and the printed tables.
 *
 * The server is BENCH_DATABASE_URL when set, else a throwaway one from
 * test/support/postgres-server.ts. Every database a benchmark creates (`bench_<random>`) is
 * dropped `with (force)` when the server is closed, whatever happened before.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { startTempPostgres, type TempPostgres } from '../test/support/postgres-server.js';

export interface BenchServer {
  /** The server's URL, as given (BENCH_DATABASE_URL) or the temporary server's. */
  url: string;
  /** Where the server comes from, as the benchmarks print it. */
  source: 'BENCH_DATABASE_URL' | 'temporary server';
  /** True for the throwaway server, which runs on this machine. */
  temporary: boolean;
  /** `show server_version`. */
  pgVersion: string;
  /**
   * Creates a database `bench_<random>` on the server; `url` is the server's URL with that
   * database, `appUrl` the URL the product is given: the temporary server's Unix-domain
   * socket (how an app reaches a Postgres on its own machine), else `url`.
   */
  createDatabase(): Promise<{ name: string; url: string; appUrl: string }>;
  /** Drops a database this server created (`with (force)`); a failure is logged and the drop retried by `close`. */
  dropDatabase(name: string): Promise<void>;
  /** Drops the databases not dropped yet, ends the admin connection, stops the temporary server. */
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Starts the temporary server unless BENCH_DATABASE_URL is set, and opens an admin connection to it. */
export async function openBenchServer(): Promise<BenchServer> {
  const fromEnv = process.env.BENCH_DATABASE_URL;
  let temp: TempPostgres | undefined;
  let admin: postgres.Sql | undefined;
  try {
    if (!fromEnv) {
      process.stdout.write('starting a temporary PostgreSQL server... ');
      temp = await startTempPostgres();
      console.log('ok');
    }
    const url = fromEnv ?? temp!.url;
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    admin = sql;
    const pgVersion = (await sql`show server_version`)[0]!.server_version as string;
    const server = temp;
    /** Databases created and not dropped yet. */
    const created: string[] = [];

    const dropDatabase = async (name: string): Promise<void> => {
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
        const index = created.indexOf(name);
        if (index >= 0) created.splice(index, 1);
      } catch (error) {
        console.error(`could not drop ${name}:`, error);
      }
    };

    return {
      url,
      source: fromEnv ? 'BENCH_DATABASE_URL' : 'temporary server',
      temporary: !fromEnv,
      pgVersion,
      async createDatabase() {
        const name = `bench_${randomBytes(6).toString('hex')}`;
        await sql.unsafe(`create database ${name}`);
        created.push(name);
        return { name, url: withDatabase(url, name), appUrl: withDatabase(server?.socketUrl ?? url, name) };
      },
      dropDatabase,
      async close() {
        try {
          for (const name of [...created]) await dropDatabase(name);
          await sql.end({ timeout: 5 });
        } finally {
          await server?.stop();
        }
      },
    };
  } catch (error) {
    await admin?.end({ timeout: 5 });
    await temp?.stop();
    throw error;
  }
}

/**
 * Opens the server, runs `bench` on it, then closes the server (dropping the databases
 * created) and prints "done in N s", also when anything failed. `bench` closes its own
 * connections to those databases before it returns or throws.
 */
export async function withBenchServer(bench: (server: BenchServer) => Promise<void>): Promise<void> {
  const startedAt = performance.now();
  let server: BenchServer | undefined;
  try {
    server = await openBenchServer();
    await bench(server);
  } finally {
    await server?.close();
    console.log(`done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
  }
}

/** The value at percentile `p` (0-100) of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface TableOptions {
  /** Per column, 'left' (the default) or 'right'. */
  align?: ReadonlyArray<'left' | 'right'>;
  /** The last column is left as it is: not padded, its rule as long as its header. */
  raggedLast?: boolean;
}

/**
 * Prints the header, a rule of dashes and the rows; each column as wide as its widest cell
 * (header included), two spaces between columns, no trailing spaces.
 */
export function printTable(header: readonly string[], body: ReadonlyArray<readonly string[]>, options: TableOptions = {}): void {
  const last = header.length - 1;
  const ragged = (i: number) => options.raggedLast === true && i === last;
  const widths = header.map((h, i) => (ragged(i) ? h.length : Math.max(h.length, ...body.map((r) => r[i]!.length))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (ragged(i) ? c : options.align?.[i] === 'right' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const cells of body) console.log(line(cells));
}

/** One line of the results table of bench/api.ts and bench/sweep.ts. */
export interface ResultRow {
  section: string;
  metric: string;
  value: string;
  note?: string;
}

/** The results table: section, metric, value, note. */
export function printResults(rows: readonly ResultRow[]): void {
  printTable(
    ['section', 'metric', 'value', 'note'],
    rows.map((r) => [r.section, r.metric, r.value, r.note ?? '']),
    { raggedLast: true },
  );
}

/** A Node process a benchmark started: the product as `npm start` runs it, or the bare Bolt app. */
export interface ProductProcess {
  /** `http://127.0.0.1:<port>`: for the product, the REST API and `/slack/events`. */
  baseUrl: string;
  pid: number;
  /** Its log lines so far (stdout and stderr). */
  log: string[];
  /** CPU time the process has used so far, in ms (Linux /proc; undefined elsewhere). */
  cpuMs(): number | undefined;
  /** Its peak resident set size so far, in MB (Linux /proc; undefined elsewhere). */
  peakRssMb(): number | undefined;
  /** SIGTERM (the product's graceful shutdown), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Two CPUs this process may run on, when it has two or more and `taskset` works (Linux), else
 * undefined: `app` for the apps a benchmark times, `rest` for everything else (see pinRest).
 */
export function benchCpus(): { app: number; rest: number } | undefined {
  try {
    const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (!list) return undefined;
    const cpus = list.split(',').flatMap((part) => {
      const [from, to] = part.split('-').map(Number);
      return Array.from({ length: (to ?? from!) - from! + 1 }, (_, i) => from! + i);
    });
    if (cpus.length < 2 || spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
    return { app: cpus[0]!, rest: cpus[1]! };
  } catch {
    return undefined;
  }
}

/** Moves every thread of this process to `cpu`; what it starts from now on (threads, a temporary Postgres) runs there too. */
export function pinRest(cpu: number): void {
  const result = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', String(cpu), String(process.pid)], { stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`taskset could not move this process to CPU ${cpu}`);
}

/** CPU time of a process or thread from /proc/<...>/stat (Linux), in ms; undefined where unreadable. */
export function procCpuMs(statPath: string): number | undefined {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in USER_HZ (100 per second).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Starts src/main.ts with `env` on top of this process's environment (PORT=0: a free port,
 * read back from its "listening" log line), so a benchmark measures the product as it is
 * deployed: its own process and event loop, apart from the load generator and fakes.
 * With BENCH_PRODUCT_CPU_PROFILE=<dir> it writes a V8 CPU profile into that folder on exit.
 */
export function startProductProcess(env: Record<string, string>, options: { cpu?: number | undefined } = {}): Promise<ProductProcess> {
  // BENCH_PRODUCT_CPU_PROFILE=<dir>: the product writes a V8 CPU profile there when it stops.
  const profileDir = process.env.BENCH_PRODUCT_CPU_PROFILE;
  return startNodeProcess('src/main.ts', env, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [], options);
}

/**
 * Runs a TypeScript file of this repository (through tsx) until it logs "listening on
 * http://<host>:<port>"; with `cpu`, on that CPU only (through taskset; see benchCpus).
 */
export async function startNodeProcess(script: string, env: Record<string, string>, nodeArgs: string[] = [], options: { cpu?: number | undefined } = {}): Promise<ProductProcess> {
  const command = [process.execPath, ...nodeArgs, '--import', 'tsx', script];
  if (options.cpu !== undefined) command.unshift('taskset', '--cpu-list', String(options.cpu));
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s:\n${log.join('\n')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        log.push(line);
        const listening = /listening on http:\/\/[^:]+:(\d+)/.exec(line);
        if (listening) {
          clearTimeout(timer);
          resolve(Number(listening[1]));
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before listening:\n${log.join('\n')}`));
    });
  });
  const pid = child.pid!;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid,
    log,
    cpuMs: () => procCpuMs(`/proc/${pid}/stat`),
    peakRssMb() {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return hwm ? Number(hwm[1]) / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
