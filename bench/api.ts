/**
 * REST API benchmark against a real PostgreSQL server. Run: `npx tsx bench/api.ts`.
 * Uses BENCH_DATABASE_URL when set (a database `bench_<random>` is created on that server
 * and dropped afterwards), else a throwaway server from test/support/postgres-server.ts.
 * Prints figures only; no assertions (timings vary by machine).
 *
 * The product runs as `npm start` runs it (src/main.ts in a process of its own, on the same
 * database); the load generators and the direct baseline run in this process.
 *
 *   1. ticket-create throughput through the API (16 concurrent clients, keep-alive)
 *   2. the same inserts (number, ticket, its 'created' history event) done directly with
 *      postgres.js in a transaction (16 concurrent loops), and the ratio
 *   3. list latency (p50/p99) on 100,000 tickets, with and without full-text `q`, timed by a
 *      client on a worker thread; the query plan of each list shape is printed too
 *   4. peak RSS of the product's process (and of this one)
 */
import { performance } from 'node:perf_hooks';
import { SignJWT } from 'jose';
import { Worker } from 'node:worker_threads';
import postgres from 'postgres';
import { ulid } from 'ulid';
import { openDatabase, unixSocketOf, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { listTicketsQuery } from '../src/domain/tickets/queries.js';
import { API_PREFIX } from '../src/http/app.js';
import { percentile, printResults, startProductProcess, withBenchServer, type BenchServer, type ProductProcess, type ResultRow } from './support.js';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256';
const CONCURRENCY = 16;
const POOL_MAX = 20;
const WARMUP_MS = 1_000;
const MEASURE_MS = 5_000;
/** Hard cap per loop, whatever the clock says. */
const MAX_OPS_PER_LOOP = 200_000;
const LIST_TICKETS = 100_000;
/** Per list shape: enough that p99 is the 10th-slowest request, not the 3rd. */
const LIST_REQUESTS = 1_000;
const LIST_TIME_CAP_MS = 60_000;
const CALENDAR = '{"timezone":"UTC","hours":{"mon":[["09:00","17:00"]]},"holidays":[]}';

const WORDS = ['printer', 'vpn', 'laptop', 'password', 'email', 'network', 'invoice', 'badge', 'monitor', 'database', 'backup', 'license'];
const VERBS = ['broken', 'slow', 'missing', 'locked', 'failing', 'expired', 'flickering'];
const QUERY_WORDS = ['printer', 'vpn', 'password', 'network', 'backup'];

async function tokenFor(tenantId: string): Promise<string> {
  return new SignJWT({ sub: 'per_bench', tenant_id: tenantId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('30m')
    .sign(new TextEncoder().encode(SECRET));
}

/**
 * Runs `op` in `concurrency` async loops: a warm-up, then a measured window.
 * Counts only operations that both start and finish inside the window.
 */
async function closedLoop(concurrency: number, op: (worker: number, i: number) => Promise<void>): Promise<{ ops: number; seconds: number; errors: number }> {
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const measureTo = measureFrom + MEASURE_MS;
  let ops = 0;
  let errors = 0;
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < MAX_OPS_PER_LOOP; i++) {
        const t0 = performance.now();
        if (t0 >= measureTo) break;
        try {
          await op(worker, i);
          const t1 = performance.now();
          if (t0 >= measureFrom && t1 <= measureTo) ops += 1;
        } catch (error) {
          errors += 1;
          firstError ??= error;
          if (errors > 100) break;
        }
      }
    }),
  );
  if (firstError) console.error('first error:', firstError);
  return { ops, seconds: MEASURE_MS / 1000, errors };
}

/** The API load generator: the same closed loop as `closedLoop`, on a worker thread (plain JS, global fetch). */
const CLIENT_SOURCE = `
const { parentPort, workerData: d } = require('node:worker_threads');
(async () => {
  const start = performance.now();
  const measureFrom = start + d.warmupMs;
  const measureTo = measureFrom + d.measureMs;
  let ops = 0, errors = 0, firstError;
  await Promise.all(Array.from({ length: d.concurrency }, async (_, worker) => {
    for (let i = 0; i < d.maxOps; i++) {
      const t0 = performance.now();
      if (t0 >= measureTo) break;
      try {
        const response = await fetch(d.url, {
          method: 'POST',
          headers: { authorization: 'Bearer ' + d.token, 'content-type': 'application/json' },
          body: JSON.stringify({
            title: 'Bench ' + d.words[i % d.words.length] + ' ' + d.verbs[worker % d.verbs.length] + ' ' + worker + '-' + i,
            priority: d.priorities[i % d.priorities.length],
          }),
        });
        const text = await response.text();
        if (response.status !== 201) throw new Error('POST -> ' + response.status + ': ' + text.slice(0, 300));
        if (t0 >= measureFrom && performance.now() <= measureTo) ops += 1;
      } catch (error) {
        errors += 1;
        firstError = firstError || String(error);
        if (errors > 100) break;
      }
    }
  }));
  parentPort.postMessage({ ops, errors, firstError });
})();
`;

async function closedLoopInWorker(spec: {
  url: string;
  token: string;
  words: readonly string[];
  verbs: readonly string[];
  priorities: readonly string[];
}): Promise<{ ops: number; seconds: number; errors: number }> {
  const worker = new Worker(CLIENT_SOURCE, {
    eval: true,
    workerData: { ...spec, concurrency: CONCURRENCY, warmupMs: WARMUP_MS, measureMs: MEASURE_MS, maxOps: MAX_OPS_PER_LOOP },
  });
  const result = await new Promise<{ ops: number; errors: number; firstError?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (result.firstError) console.error('first error:', result.firstError);
  return { ops: result.ops, seconds: MEASURE_MS / 1000, errors: result.errors };
}

async function insertTenant(sql: postgres.Sql, tenantId: string): Promise<void> {
  await sql`
    insert into tenants (tenant_id, business_calendar, created_at, updated_at)
    values (${tenantId}, ${CALENDAR}::jsonb, now(), now())`;
}

/**
 * Sequential GETs timed by a client on its own thread, so its work does not delay the
 * server's; node:http with one kept-alive connection, the lightest client Node has, so the
 * figures are the server's more than the client's.
 */
const LIST_CLIENT_SOURCE = `
const { parentPort, workerData: d } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (path) => new Promise((resolve, reject) => {
  const req = http.get(d.base + path, { agent, headers: { authorization: 'Bearer ' + d.token } }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    res.on('error', reject);
  });
  req.on('error', reject);
});
(async () => {
  const samples = [];
  const deadline = performance.now() + d.capMs;
  for (let i = 0; i < d.paths.length && performance.now() < deadline; i++) {
    const t0 = performance.now();
    const response = await get(d.paths[i]);
    const elapsed = performance.now() - t0;
    if (response.status !== 200 || !response.body.startsWith('{"items":[')) {
      parentPort.postMessage({ error: 'GET ' + d.paths[i] + ' -> ' + response.status + ': ' + response.body.slice(0, 300) });
      return;
    }
    samples.push(elapsed);
  }
  agent.destroy();
  parentPort.postMessage({ samples });
})().catch((error) => parentPort.postMessage({ error: String(error) }));
`;

async function timeRequests(base: string, token: string, paths: string[]): Promise<number[]> {
  const worker = new Worker(LIST_CLIENT_SOURCE, { eval: true, workerData: { base, token, paths, capMs: LIST_TIME_CAP_MS } });
  const result = await new Promise<{ samples?: number[]; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (result.error) throw new Error(result.error);
  return result.samples!.sort((a, b) => a - b);
}

async function bench(pg: BenchServer): Promise<void> {
  const rows: ResultRow[] = [];
  let database: Database | undefined;
  let direct: postgres.Sql | undefined;
  let product: ProductProcess | undefined;

  try {
    const { name: dbName, url, appUrl } = await pg.createDatabase();
    console.log(`database ${dbName} created (${pg.source})`);

    database = await openDatabase({ databaseUrl: url, poolMax: POOL_MAX });
    await migrate(database.db);
    // The baseline reaches the server the way the product does (the socket, when local).
    const { url: directUrl, socketPath } = unixSocketOf(appUrl);
    direct = postgres(directUrl, { max: POOL_MAX, onnotice: () => {}, ...(socketPath ? { path: socketPath } : {}) });

    product = await startProductProcess({ DATABASE_URL: appUrl, JWT_SECRET: SECRET, DATABASE_POOL_MAX: String(POOL_MAX) });
    const base = product.baseUrl;
    const productCpu0 = product.cpuMs();

    // 1. Ticket creation through the API.
    const apiTenant = `T_API_${ulid()}`;
    await insertTenant(direct, apiTenant);
    const apiToken = await tokenFor(apiTenant);
    const priorities = ['low', 'medium', 'high', 'urgent'] as const;
    console.log(`1. API ticket create: ${CONCURRENCY} clients, ${WARMUP_MS / 1000}s warm-up + ${MEASURE_MS / 1000}s...`);
    // The clients run on their own thread, so the server's event loop serves requests only.
    const api = await closedLoopInWorker({
      url: `${base}${API_PREFIX}/tickets`,
      token: apiToken,
      words: WORDS,
      verbs: VERBS,
      priorities,
    });
    const apiRate = api.ops / api.seconds;
    rows.push({ section: 'create', metric: 'API POST /tickets', value: `${apiRate.toFixed(0)} req/s`, note: `${api.ops} in ${api.seconds}s, ${api.errors} errors` });

    // 2. The same inserts directly with postgres.js.
    const directTenant = `T_DIRECT_${ulid()}`;
    await insertTenant(direct, directTenant);
    const sql = direct;
    console.log(`2. direct postgres.js inserts: ${CONCURRENCY} loops, ${WARMUP_MS / 1000}s warm-up + ${MEASURE_MS / 1000}s...`);
    const dir = await closedLoop(CONCURRENCY, async (worker, i) => {
      await sql.begin(async (tx) => {
        const [counter] = await tx`
          update tenants set ticket_seq = ticket_seq + 1 where tenant_id = ${directTenant} returning ticket_seq`;
        const now = new Date();
        const ticketId = `tkt_${ulid()}`;
        const title = `Bench ${WORDS[i % WORDS.length]} ${VERBS[worker % VERBS.length]} ${worker}-${i}`;
        await tx`
          insert into tickets (tenant_id, id, created_at, updated_at, number_seq, title, type, status, priority, sla_cycle_started_at)
          values (${directTenant}, ${ticketId}, ${now}, ${now}, ${counter!.ticket_seq as number},
                  ${title}, 'incident', 'open', ${priorities[i % priorities.length]!}, ${now})`;
        // The API records every create in the ticket's history too: the same insert here.
        await tx`
          insert into ticket_events (tenant_id, id, ticket_id, kind, source_type, sla_cycle, at, changes)
          values (${directTenant}, ${`evt_${ulid()}`}, ${ticketId}, 'created', 'api', 1, ${now},
                  ${sql.json({ title: { from: null, to: title } })})`;
      });
    });
    const directRate = dir.ops / dir.seconds;
    rows.push({ section: 'create', metric: 'direct postgres.js tx (number+ticket+event)', value: `${directRate.toFixed(0)} tickets/s`, note: `${dir.ops} in ${dir.seconds}s, ${dir.errors} errors` });
    const ratio = directRate > 0 ? (apiRate / directRate) * 100 : Number.NaN;
    rows.push({ section: 'create', metric: 'API / direct', value: `${ratio.toFixed(1)} %`, note: `target >= 50% -> ${ratio >= 50 ? 'met' : 'NOT met'}` });

    // 3. List latency on 100,000 tickets.
    const listTenant = `T_LIST_${ulid()}`;
    await insertTenant(direct, listTenant);
    console.log(`3. bulk-loading ${LIST_TICKETS.toLocaleString('en-US')} tickets...`);
    const loadStart = performance.now();
    const words = sql.array(WORDS);
    const verbs = sql.array(VERBS);
    await sql`
      insert into tickets (tenant_id, id, created_at, updated_at, number_seq, title, description, type, status, priority, sla_cycle_started_at)
      select ${listTenant},
             'tkt_' || lpad(to_hex(g), 8, '0') || md5(g::text),
             ts, ts, g,
             initcap((${words}::text[])[1 + g % ${WORDS.length}]) || ' ' || (${verbs}::text[])[1 + g % ${VERBS.length}] || ' #' || g,
             'User reports the ' || (${words}::text[])[1 + (g / 7) % ${WORDS.length}] || ' is '
               || (${verbs}::text[])[1 + (g / 3) % ${VERBS.length}] || ' since the '
               || (${words}::text[])[1 + (g / 13) % ${WORDS.length}] || ' change; please advise.',
             (array['incident','service_request','change','problem'])[1 + g % 4]::ticket_type,
             (array['open','open','in_progress','pending','resolved','closed'])[1 + g % 6]::ticket_status,
             (array['low','medium','high','urgent'])[1 + (g / 5) % 4]::ticket_priority,
             ts
      from generate_series(1, ${LIST_TICKETS}) as g,
           lateral (select timestamptz '2025-01-01 00:00:00+00' + g * interval '5 minutes' as ts) t`;
    await sql`update tenants set ticket_seq = ${LIST_TICKETS} where tenant_id = ${listTenant}`;
    await sql.unsafe('vacuum analyze tickets');
    // Flush the bulk load's dirty pages now, so a checkpoint does not land in the timed window.
    await sql.unsafe('checkpoint').catch(() => console.log('   (no CHECKPOINT privilege: skipped)'));
    const loadSeconds = (performance.now() - loadStart) / 1000;
    rows.push({ section: 'list', metric: 'bulk load + vacuum analyze', value: `${loadSeconds.toFixed(1)} s`, note: `${LIST_TICKETS.toLocaleString('en-US')} tickets, one tenant` });

    const listToken = await tokenFor(listTenant);
    const searchPaths = Array.from({ length: LIST_REQUESTS }, (_, i) =>
      `${API_PREFIX}/tickets?status=open&sort=-created_at&q=${QUERY_WORDS[i % QUERY_WORDS.length]}&limit=50`);
    const filterPaths = Array.from({ length: LIST_REQUESTS }, (_, i) =>
      `${API_PREFIX}/tickets?status=${i % 2 === 0 ? 'open' : 'in_progress'}&sort=-created_at&limit=50`);
    // Short warm-up of both shapes (plans, JIT of the handler), not counted.
    await timeRequests(base, listToken, [...searchPaths.slice(0, 10), ...filterPaths.slice(0, 10)]);
    console.log(`   timing ${LIST_REQUESTS} sequential GETs per shape...`);
    const searchSamples = await timeRequests(base, listToken, searchPaths);
    const filterSamples = await timeRequests(base, listToken, filterPaths);
    for (const [label, samples] of [
      ['GET status+sort+q (limit 50)', searchSamples],
      ['GET status+sort (limit 50)', filterSamples],
    ] as const) {
      const p99 = percentile(samples, 99);
      rows.push({
        section: 'list',
        metric: label,
        value: `p50 ${percentile(samples, 50).toFixed(2)} ms / p99 ${p99.toFixed(2)} ms`,
        note: `n=${samples.length}, max ${samples[samples.length - 1]!.toFixed(2)} ms; target p99 < 25 ms -> ${p99 < 25 ? 'met' : 'NOT met'}`,
      });
    }

    // The plans behind those figures, for the two shapes.
    const plans: string[] = [];
    for (const [label, input] of [
      ['status+sort+q', { status: 'open', sort: '-created_at', q: QUERY_WORDS[0], limit: 50 }],
      ['status+sort', { status: 'open', sort: '-created_at', limit: 50 }],
    ] as const) {
      const query = listTicketsQuery(database.db, { tenantId: listTenant }, input).statement.toSQL();
      const plan = await sql.unsafe(`explain (analyze, buffers) ${query.sql}`, query.params as never[]);
      plans.push(`-- ${label}`, ...plan.map((row) => `   ${String(row['QUERY PLAN'])}`));
    }

    // 4. Peak RSS.
    const productRss = product.peakRssMb();
    const productCpu1 = product.cpuMs();
    rows.push({
      section: 'process',
      metric: 'product peak RSS',
      value: productRss === undefined ? 'n/a' : `${productRss.toFixed(1)} MB`,
      note: `src/main.ts, pid ${product.pid}; CPU ${productCpu0 === undefined || productCpu1 === undefined ? 'n/a' : `${((productCpu1 - productCpu0) / 1000).toFixed(1)} s`} over the run`,
    });
    const benchRssMb = process.resourceUsage().maxRSS / 1024;
    rows.push({ section: 'process', metric: 'benchmark peak RSS', value: `${benchRssMb.toFixed(1)} MB`, note: 'this process: load generators, direct baseline' });

    console.log('');
    console.log(`API benchmark — Node ${process.version}, PostgreSQL ${pg.pgVersion}, pool max ${POOL_MAX}, ${CONCURRENCY} concurrent clients`);
    printResults(rows);
    console.log('');
    console.log('List query plans (EXPLAIN ANALYZE on the 100,000-ticket tenant):');
    for (const planLine of plans) console.log(planLine);
  } finally {
    await product?.stop();
    await direct?.end({ timeout: 5 });
    await database?.close();
  }
}

withBenchServer(bench).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
