/**
 * Slack surface benchmark against a real PostgreSQL server. Run: `npm run bench:slack`.
 * Uses BENCH_DATABASE_URL when set (a database `bench_<random>` is created on that server
 * and dropped afterwards), else a throwaway server from test/support/postgres-server.ts.
 * Prints figures only; no assertions (timings vary by machine).
 *
 * The workspace has a history (HISTORY_TICKETS closed tickets, analyzed, as autovacuum leaves
 * a desk in use; see seedHistory). The product runs as `npm start` runs it (src/main.ts, a
 * process of its own, Bolt in HTTP mode on the REST API's server), its Web API pointed at a
 * fake Slack (SLACK_API_URL). Beside
 * it runs a bare Bolt app (bench/bare-slack-app.ts, a process of its own too, same signing
 * secret, its own fake) that only acks and makes the one Web API call. Per case: a warm-up
 * (not counted), then 200 signed requests from 50 concurrent client loops, timed from
 * sending the request until the event below. The four cases run in rounds (BENCH_ROUNDS,
 * default 9, after one warm-up round not counted; product first, then bare first, alternately);
 * each round's figures are printed, and the targets are judged on the median of the rounds:
 *
 *   1. `/ticket <title>`  -> the fake records the `views.open` with that trigger_id
 *   2. `view_submission`  -> the HTTP answer (the product acknowledges once the ticket is
 *                            committed; its card is posted and the requester told after)
 *   3. Claim click        -> the fake records the `chat.update` of that ticket's card
 *                            (the tickets are the ones step 2 created, cards posted)
 *   4. `app_home_opened`  -> the fake records the `views.publish` for that user: the Home a
 *                            person waits for. Each request of a round is another person of
 *                            HOME_USERS (one person's openings at once are one publish in the
 *                            product): the team's agents, whose lists hold the tickets steps 2
 *                            and 3 made and the ones at risk (seedAtRisk), some of them helpdesk
 *                            admins (the admin section), and the requesters of those tickets.
 *                            The product's paced Home refreshes after step 3's claims go on
 *                            meanwhile, as they would.
 *
 * The fakes run on this process's main thread; the clients (signed requests with Node's
 * undici request) on a worker thread. Times cross threads as performance.timeOrigin + now().
 * With two CPUs or more (Linux, taskset), the app timed runs on one CPU, and this process and
 * the temporary PostgreSQL server on another (see CPUS; BENCH_PIN=0: unpinned).
 * BENCH_PRODUCT_CPU_PROFILE=<dir> makes the product write a V8 CPU profile there.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { Agent, request } from 'undici';
import { openDatabase, type Database, type Db } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import * as schema from '../src/db/schema/index.js';
import { slackPerson, upsertSlackPerson } from '../src/domain/people.js';
import { deliverSlaAlerts } from '../src/domain/sla/delivery.js';
import { createSlaPolicy } from '../src/domain/sla/policies.js';
import { runSlaSweep } from '../src/domain/sla/sweep.js';
import { createTeam } from '../src/domain/teams.js';
import { updateTenantSettings } from '../src/domain/tenants.js';
import { createTicket } from '../src/domain/tickets/tickets.js';
import { createLogger } from '../src/log.js';
import { buildHome } from '../src/slack/home/content.js';
import { DEFAULT_PAGES } from '../src/slack/home/view.js';
import { ACTION, BLOCK, CALLBACK, COMMAND, INPUT_ACTION } from '../src/slack/ids.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../test/support/fake-slack.js';
import { TEST_SIGNING_SECRET } from '../test/support/slack-harness.js';
import { createSlackSender, signSlackRequest, uniqueTriggerId, type SlackPost, type SlackResponse, type SlackSender } from '../test/support/slack-requests.js';
import { BARE_ACTION, BARE_CALLBACK } from './bare-slack-app.js';
import { benchCpus, percentile, pinRest, printTable, procCpuMs, startNodeProcess, startProductProcess, withBenchServer, type BenchServer, type ProductProcess } from './support.js';

const REQUESTS = 200;
/**
 * Rounds of the four cases (BENCH_ROUNDS, default 9): on a shared machine one round's p99,
 * the third-slowest of 200, swings with the neighbours; the median of the rounds swings
 * less, and less the more rounds there are.
 */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 9) || 9);
/** Whole rounds run first and not counted: the first round runs code not yet made hot. */
const WARMUP_ROUNDS = 1;
const CONCURRENCY = 50;
/** Warm-up at full concurrency, so every client connection exists before the measured run. */
const WARMUP_REQUESTS = 50;
/** The product's default DATABASE_POOL_MAX. */
const POOL_MAX = 10;
/** One request (HTTP answer and the Web API call it leads to) counts as an error after this. */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * Where the processes run (BENCH_PIN=0: wherever the OS puts them). The two apps, timed one at a
 * time, each on a CPU of their own (the same one); this process (the clients, the fakes) and the
 * temporary PostgreSQL server on another. Unpinned, on a machine of two CPUs, the app timed
 * shares its CPUs with the load generator, the fake Slack and Postgres, and its latency is
 * theirs as much as its own: the product's, whose click waits for a Postgres backend to get a
 * CPU, most of all. Pinned, each app has what a deployment gives it, a CPU of its own, with its
 * database and Slack elsewhere. Undefined where the machine has one CPU or no taskset.
 */
const CPUS = isMainThread && process.env.BENCH_PIN !== '0' ? benchCpus() : undefined;
/**
 * The budget, per case in order (p99, what a person waits on): the form opening, the form
 * closing with its ticket committed, the clicked card changing, the Home showing. The ratio to
 * the bare app is printed for information.
 */
const BUDGET_P99_MS = [300, 500, 300, 300] as const;

const CHANNEL = 'C0ITDESK';
/** The team's agents: the first CLAIMING_AGENTS click Claim (step 3), all of them open Home (step 4). */
const AGENTS = Array.from({ length: 50 }, (_, i) => `UAGENT${String(i + 1).padStart(3, '0')}`);
const CLAIMING_AGENTS = 10;
const REQUESTERS = Array.from({ length: 200 }, (_, i) => `UREQ${String(i + 1).padStart(4, '0')}`);
/** Helpdesk admins (`admin_ids`): every tenth agent, so that most of them open Home in a round's measured part. */
const ADMIN_AGENTS = AGENTS.filter((_, i) => i % 10 === 5);
/**
 * Who opens Home in step 4, request i of a round (warm-up included) being HOME_USERS[i]: each
 * person once a round, an agent then four requesters. With a person twice in one run, their
 * second opening could be timed to the publish of their first.
 */
const HOME_USERS = AGENTS.flatMap((agent, k) => [agent, ...REQUESTERS.slice(4 * k, 4 * k + 4)]);
const WORDS = ['Printer', 'VPN', 'Laptop', 'Password', 'Email', 'Network', 'Invoice', 'Badge', 'Monitor', 'Backup'];
const VERBS = ['broken', 'slow', 'missing', 'locked', 'failing', 'expired', 'flickering'];


type Values = Record<string, Record<string, Record<string, unknown>>>;

/** One request the client worker sends; `key` names the Web API call that ends it (if any). */
type Item =
  | { kind: 'command'; key: string; text: string; userId: string }
  | { kind: 'submission'; key: string; userId: string; callbackId: string; values: Values }
  | { kind: 'claim'; key: string; userId: string; actionId: string; value: string; ts: string }
  | { kind: 'home'; key: string; userId: string };

interface RunSpec {
  url: string;
  /** The fake's `responseUrl('')`: ids are appended. */
  responseUrlBase: string;
  teamId: string;
  concurrency: number;
  /** Wait for the keyed Web API call (sent over by the main thread) before the loop goes on. */
  untilCall: boolean;
  items: Item[];
}

interface Sample {
  /** Request sent -> the measured event (fake call, or HTTP answer for view_submission). */
  latency: number;
  /** Request sent -> HTTP answer. */
  ack: number;
}

interface PhaseResult {
  samples: Sample[];
  errors: number;
  firstError?: string;
  seconds: number;
  /**
   * CPU ms per request (Linux /proc; undefined elsewhere): the app's process, the fakes (this
   * main thread), the rest of this process (the clients' worker, GC and I/O threads), the
   * product's Postgres backends.
   */
  cpu?: { appMs: number | undefined; fakesMs: number | undefined; clientsMs: number | undefined; pgMs: number | undefined };
}

type ToWorker = { type: 'run'; id: number; spec: RunSpec } | { type: 'arrived'; key: string; at: number };
type FromWorker = { type: 'done'; id: number; result: PhaseResult };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no HTTP answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Milliseconds on a clock all threads share. */
const clock = (): number => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------
// Client worker: sends the signed requests, times them.

/**
 * The clients' sender: undici's `request` (lighter than fetch: the load generator shares the
 * machine's CPUs with the apps it times) over one kept-alive connection per client loop,
 * opened by the warm-up. A loop whose request finds its connection not handed back yet waits
 * for it rather than opening another (with no cap, a new connection was opened for up to a
 * third of the requests of a run, and its handshake and accept were timed as the app's latency).
 */
const agents = new Map<number, Agent>();
function pooledPost(connections: number): SlackPost {
  let agent = agents.get(connections);
  if (!agent) {
    agent = new Agent({ connections, pipelining: 1 });
    agents.set(connections, agent);
  }
  const dispatcher = agent;
  return async (url, { headers, body }) => {
    const response = await request(url, { method: 'POST', headers, body, dispatcher });
    const answer: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) answer[name] = Array.isArray(value) ? value.join(', ') : value;
    return { status: response.statusCode, headers: answer, text: await response.body.text() };
  };
}

function clientWorker(): void {
  const port = parentPort!;
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();

  const arrival = (key: string): Promise<number> => {
    const at = arrived.get(key);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(key);
        reject(new Error(`no Web API call for ${key} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      waiting.set(key, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  };

  const send = (sender: SlackSender, spec: RunSpec, item: Item): Promise<SlackResponse> => {
    switch (item.kind) {
      case 'command':
        return sender.slashCommand({ command: COMMAND, text: item.text, userId: item.userId, teamId: spec.teamId, channelId: 'C0GENERAL', triggerId: item.key });
      case 'submission':
        return sender.viewSubmission({ userId: item.userId, teamId: spec.teamId, view: { id: item.key, callback_id: item.callbackId, state: { values: item.values } } });
      case 'claim':
        return sender.blockActions({
          userId: item.userId,
          teamId: spec.teamId,
          channelId: CHANNEL,
          messageTs: item.ts,
          actions: [{ action_id: item.actionId, value: item.value, text: { type: 'plain_text', text: 'Claim' } }],
        });
      case 'home':
        return sender.appHomeOpened({ userId: item.userId, teamId: spec.teamId });
    }
  };

  const run = async (spec: RunSpec): Promise<PhaseResult> => {
    arrived.clear();
    const sender = createSlackSender({
      url: spec.url,
      signingSecret: TEST_SIGNING_SECRET,
      responseUrl: (id) => `${spec.responseUrlBase}${encodeURIComponent(id)}`,
      post: pooledPost(spec.concurrency),
    });
    const samples: Sample[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let next = 0;
    const started = clock();
    await Promise.all(
      Array.from({ length: Math.min(spec.concurrency, spec.items.length) }, async () => {
        while (next < spec.items.length) {
          const item = spec.items[next++]!;
          // A Home published for this person before (a refresh) is not the one this request waits for.
          arrived.delete(item.key);
          const call = spec.untilCall ? arrival(item.key) : undefined;
          call?.catch(() => {}); // awaited below; a failed send must not leave it unhandled
          const t0 = clock();
          try {
            const res = await withTimeout(send(sender, spec, item), REQUEST_TIMEOUT_MS, `${item.kind} ${item.key}`);
            const tAck = clock();
            if (res.status !== 200 || res.body !== '') throw new Error(`${item.kind} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
            const tEnd = call ? await call : tAck;
            samples.push({ latency: tEnd - t0, ack: tAck - t0 });
          } catch (error) {
            errors += 1;
            firstError ??= String(error);
          }
        }
      }),
    );
    return { samples, errors, seconds: (clock() - started) / 1000, ...(firstError !== undefined ? { firstError } : {}) };
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'arrived') {
      arrived.set(message.key, message.at);
      const resolve = waiting.get(message.key);
      if (resolve) {
        waiting.delete(message.key);
        resolve(message.at);
      }
      return;
    }
    void run(message.spec).then((result) => port.postMessage({ type: 'done', id: message.id, result } satisfies FromWorker));
  });
}

// ---------------------------------------------------------------------------------------
// Main thread: database, fakes, the two app processes; drives the worker and reports.

/** CPU so far of this process's main thread (the fakes), and of the given PostgreSQL backends when they run on this machine. */
function cpuSnapshot(pgPids: number[]): { mainMs: number | undefined; processMs: number | undefined; pgMs: number | undefined } {
  const mainMs = procCpuMs(`/proc/self/task/${process.pid}/stat`);
  const processMs = procCpuMs('/proc/self/stat');
  let pgMs: number | undefined = pgPids.length > 0 ? 0 : undefined;
  for (const pid of pgPids) {
    const ms = procCpuMs(`/proc/${pid}/stat`);
    pgMs = ms === undefined || pgMs === undefined ? undefined : pgMs + ms;
  }
  return { mainMs, processMs, pgMs };
}

/** The client worker: this file again, TypeScript loaded through tsx's API (a worker does not inherit tsx's hooks). */
function startClientWorker(): { run(spec: RunSpec): Promise<PhaseResult>; arrived(key: string, at: number): void; stop(): Promise<void> } {
  const boot =
    `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, execArgv: [] });
  const pending = new Map<number, { resolve: (r: PhaseResult) => void; reject: (e: unknown) => void }>();
  let seq = 0;
  let failed: unknown;
  worker.on('message', (message: FromWorker) => {
    pending.get(message.id)?.resolve(message.result);
    pending.delete(message.id);
  });
  worker.on('error', (error) => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  return {
    run(spec) {
      if (failed) return Promise.reject(failed);
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'run', id, spec } satisfies ToWorker);
      });
    },
    arrived(key, at) {
      worker.postMessage({ type: 'arrived', key, at } satisfies ToWorker);
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/**
 * Tells the worker when each call of `method` arrives at a fake, without polling or
 * scanning: one waiter whose predicate never matches but sees every call of that method
 * as the fake records it (fake-slack.ts settles waiters in `record`, on arrival).
 */
function forwardArrivals(fake: FakeSlack, method: string, keyOf: (call: FakeSlackCall) => string | undefined, to: (key: string, at: number) => void): void {
  fake
    .waitFor(
      method,
      (call) => {
        const at = clock();
        const key = keyOf(call);
        if (key !== undefined) to(key, at);
        return false;
      },
      2_000_000_000,
    )
    .catch(() => {}); // rejected when the fake closes
}

/** Resolves once `fake` has recorded at least `count` calls of `method`; rejects after `timeoutMs`. */
async function callsReach(fake: FakeSlack, method: string, count: number, timeoutMs = 60_000): Promise<void> {
  for (let waited = 0; fake.count(method) < count; waited += 20) {
    if (waited >= timeoutMs) throw new Error(`${method}: ${fake.count(method)} calls after ${timeoutMs} ms, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A modal state as Slack submits it (the product's create-ticket modal). */
function modalValues(fields: { title: string; description?: string; type?: string; priority?: string }): Values {
  const text = (value: string | undefined) => ({ [INPUT_ACTION]: { type: 'plain_text_input', value: value ?? null } });
  const select = (value: string) => ({
    [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } },
  });
  return {
    [BLOCK.title]: text(fields.title),
    [BLOCK.description]: text(fields.description),
    [BLOCK.type]: select(fields.type ?? 'incident'),
    [BLOCK.priority]: select(fields.priority ?? 'high'),
    [BLOCK.category]: text(undefined),
  };
}

const titleFor = (i: number) => `${WORDS[i % WORDS.length]} ${VERBS[i % VERBS.length]} #${i}`;

interface CaseRow {
  label: string;
  product: PhaseResult;
  bare: PhaseResult;
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? 'n/a' : ms.toFixed(1);
}

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * How a case's figures are drawn from its rounds: `median`, the median over the rounds of each
 * round's own percentile (what the targets are judged on: a round's p99 is its third-slowest
 * request of 200, and a round of the product and the bare app's round beside it share the
 * machine's mood); `pooled`, each percentile of all the rounds' requests together (ROUNDS x
 * 200: its p99 is made by whichever app met the machine's slowest stretch).
 */
type Combine = 'pooled' | 'median';

/** Per case: p50 and p99 of product and bare, drawn from the rounds as `combine` says, and the targets judged on them when `targets`. */
function printFigures(rounds: CaseRow[][], pick: (s: Sample) => number, combine: Combine, targets: boolean): void {
  const header = [
    'case',
    'product p50',
    'product p99',
    'bare p50',
    'bare p99',
    'p99 ratio',
    ...(targets ? ['p99 budget', 'within budget'] : []),
    'errors (product/bare)',
  ];
  const sorted = (samples: Sample[]) => samples.map(pick).sort((a, b) => a - b);
  const body = rounds[0]!.map((first, c) => {
    const of = (app: 'product' | 'bare', p: number) =>
      combine === 'pooled'
        ? percentile(sorted(rounds.flatMap((rows) => rows[c]![app].samples)), p)
        : median(rounds.map((rows) => percentile(sorted(rows[c]![app].samples), p)));
    const pp99 = of('product', 99);
    const bp99 = of('bare', 99);
    const ratio = pp99 / bp99;
    const errors = (app: 'product' | 'bare') => rounds.reduce((sum, rows) => sum + rows[c]![app].errors, 0);
    const clean = errors('product') === 0;
    return [
      first.label,
      fmt(of('product', 50)),
      fmt(pp99),
      fmt(of('bare', 50)),
      fmt(bp99),
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a',
      ...(targets ? [`< ${BUDGET_P99_MS[c]} ms`, pp99 < BUDGET_P99_MS[c]! && clean ? 'met' : 'NOT met'] : []),
      `${errors('product')}/${errors('bare')}`,
    ];
  });
  printTable(header, body, { align: header.map((_, i) => (i === 0 ? 'left' : 'right')) });
}

function printCpu(rounds: CaseRow[][]): void {
  const ms = (values: Array<number | undefined>) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length === 0 ? 'n/a' : median(known).toFixed(2);
  };
  const header = ['case', 'product process', 'bare process', 'product Postgres', 'fakes (product/bare)', 'clients (product/bare)'];
  const body = rounds[0]!.map((first, c) => {
    const cpu = (app: 'product' | 'bare', key: 'appMs' | 'pgMs' | 'fakesMs' | 'clientsMs') => ms(rounds.map((rows) => rows[c]![app].cpu?.[key]));
    return [
      first.label,
      cpu('product', 'appMs'),
      cpu('bare', 'appMs'),
      cpu('product', 'pgMs'),
      `${cpu('product', 'fakesMs')} / ${cpu('bare', 'fakesMs')}`,
      `${cpu('product', 'clientsMs')} / ${cpu('bare', 'clientsMs')}`,
    ];
  });
  printTable(header, body, { align: header.map((_, i) => (i === 0 ? 'left' : 'right')) });
}

/**
 * The workspace's past: HISTORY_TICKETS closed tickets of the team, from the benchmark's
 * requesters, worked by its agents, then VACUUM ANALYZE (what autovacuum does within a
 * minute of such a load). A desk in use has both, and without them this benchmark measured
 * an artefact: on a `tickets` table never analyzed, each backend planned the foreign-key
 * check of a ticket event (planned once per backend, kept until the table's statistics
 * change) as a scan of the tenant's tickets on a list index, not a primary-key lookup. The
 * benchmark writes its 1,250 tickets within a minute, before autovacuum first looks, so
 * every later claim scanned all of them.
 */
const HISTORY_TICKETS = 5_000;
async function seedHistory(sql: postgres.Sql, tenantId: string, teamId: string, agentIds: string[], requesterIds: string[]): Promise<void> {
  await sql`
    insert into tickets (tenant_id, id, created_at, updated_at, number_seq, title, description, type, status, priority, team_id,
                         submitted_by_id, assigned_to_id, first_response_at, resolved_at, closed_at, sla_cycle_started_at)
    select ${tenantId}, 'tkt_hist_' || lpad(g::text, 8, '0'), ts, ts + interval '2 hours', g,
           (string_to_array(${WORDS.join(',')}, ','))[1 + g % ${WORDS.length}] || ' ' || (string_to_array(${VERBS.join(',')}, ','))[1 + g % ${VERBS.length}] || ' (earlier) #' || g,
           'Resolved before the benchmark', 'incident', 'closed', 'high', ${teamId},
           (string_to_array(${requesterIds.join(',')}, ','))[1 + g % ${requesterIds.length}],
           (string_to_array(${agentIds.join(',')}, ','))[1 + g % ${agentIds.length}],
           ts + interval '10 minutes', ts + interval '1 hour', ts + interval '2 hours', ts
    from generate_series(1, ${HISTORY_TICKETS}) as g,
         lateral (select now() - interval '90 days' + g * interval '20 minutes' as ts) t`;
  await sql`update tenants set ticket_seq = ${HISTORY_TICKETS} where tenant_id = ${tenantId}`;
  await sql.unsafe('vacuum analyze');
}

/**
 * Tickets of the team at risk, as a desk in use has some: unassigned incidents raised earlier,
 * half high (the first response breached 15 minutes ago), half medium (the first response past
 * its warning, due in 20 minutes). Their alerts already went out (swept and delivered here, to
 * no Slack), so the product's sweep has nothing new while the benchmark runs. They have no card:
 * step 3 does not claim them, and they stay in the agents' Home lists.
 */
const AT_RISK_TICKETS = 20;
async function seedAtRisk(db: Db, tenantId: string, teamId: string, requesterIds: string[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < AT_RISK_TICKETS; i++) {
    const high = i % 2 === 0;
    const raisedAt = new Date(now - (high ? 45 : 100) * 60_000);
    await createTicket(
      db,
      { tenantId, actorId: requesterIds[i % requesterIds.length]!, now: raisedAt },
      { title: `${titleFor(i)} (at risk)`, type: 'incident', priority: high ? 'high' : 'medium', team_id: teamId },
    );
  }
  await runSlaSweep({ db, now: new Date(), tenantIds: [tenantId] });
  let sent = 0;
  const slack = { send: async () => ({ ts: `1600000000.${String(++sent).padStart(6, '0')}` }) };
  await deliverSlaAlerts({ db, slack, now: () => new Date(), replicaId: 'bench-seed', pause: async () => {}, tenantIds: [tenantId] });
}

/**
 * The reads of one Home (an admin agent's: every list and the admin section), each planned and
 * run on the benchmark's data as it stands after the rounds: EXPLAIN ANALYZE's execution time
 * and the plan's scans, one line a query.
 */
async function explainHome(sql: postgres.Sql, tenantId: string, slackUserId: string): Promise<void> {
  const captured: Array<{ query: string; params: unknown[] }> = [];
  const logger = { logQuery: (query: string, params: unknown[]) => void captured.push({ query, params }) };
  const db = drizzle(sql, { schema, logger }) as unknown as Db;
  const at = new Date();
  const person = await slackPerson(db, tenantId, { slackUserId }, at);
  await buildHome({ db, log: createLogger('error'), now: () => at }, tenantId, person.id, at, DEFAULT_PAGES);
  const rows: string[][] = [];
  for (const { query, params } of captured) {
    if (!/^\s*select/i.test(query)) continue; // slackPerson's upsert
    const plan = (await sql.unsafe(`explain (analyze, costs off) ${query}`, params as postgres.ParameterOrJSON<never>[])).map((r) => String(r['QUERY PLAN']));
    const from = /\sfrom\s+"?(\w+)"?/i.exec(query)?.[1] ?? '?';
    // "Seq Scan on t" -> "seq t"; an index scan -> the index's name.
    const scans = plan.flatMap((line) => {
      const seq = /Seq Scan on (\w+)/.exec(line);
      const index = /Index (?:Only )?Scan (?:using|on) (\w+)/.exec(line);
      return seq ? [`seq ${seq[1]}`] : index ? [index[1]!] : [];
    });
    const time = /Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? '?';
    rows.push([from, time, [...new Set(scans)].join('; ')]);
  }
  printTable(['query on', 'ms', 'scans'], rows, { align: ['left', 'right', 'left'] });
}

async function bench(pg: BenchServer): Promise<void> {
  if (HOME_USERS.length !== WARMUP_REQUESTS + REQUESTS) throw new Error(`HOME_USERS holds ${HOME_USERS.length} people, a round of step 4 needs ${WARMUP_REQUESTS + REQUESTS}`);
  let database: Database | undefined;
  let check: postgres.Sql | undefined;
  let productFake: FakeSlack | undefined;
  let bareFake: FakeSlack | undefined;
  let product: ProductProcess | undefined;
  let bare: ProductProcess | undefined;
  let client: ReturnType<typeof startClientWorker> | undefined;

  try {
    const { name: dbName, url, appUrl } = await pg.createDatabase();
    console.log(`database ${dbName} created (${pg.source})`);
    console.log(
      CPUS
        ? `CPUs: the app timed on CPU ${CPUS.app}; the clients, the fakes${pg.temporary ? ' and PostgreSQL' : ''} on CPU ${CPUS.rest} (BENCH_PIN=0: unpinned)`
        : 'CPUs: unpinned (BENCH_PIN=0, one CPU, or no taskset)',
    );

    database = await openDatabase({ databaseUrl: url, poolMax: 2 });
    await migrate(database.db);
    check = postgres(url, { max: 1, onnotice: () => {} });
    const db = database.db;

    // A workspace like test/slack/app.test.ts: a team with a channel and agents, the default
    // team, an SLA policy for high incidents.
    const tenantId = `T${randomBytes(5).toString('hex').toUpperCase()}`;
    const adminScope = { tenantId, actorId: null, now: new Date() };
    const agentIds: string[] = [];
    for (const slackUserId of AGENTS) agentIds.push((await upsertSlackPerson(db, tenantId, { slackUserId }, new Date())).id);
    const team = await createTeam(db, adminScope, { name: 'IT desk', slack_channel_id: CHANNEL, agent_ids: agentIds });
    // Some agents are helpdesk admins: their Home has the admin section too.
    await updateTenantSettings(db, adminScope, { default_team_id: team.id, admin_ids: ADMIN_AGENTS });
    await createSlaPolicy(db, adminScope, {
      name: 'High incidents',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 30,
      resolution_minutes: 240,
    });
    await createSlaPolicy(db, adminScope, {
      name: 'Medium incidents',
      applies_to: ['incident'],
      priority: 'medium',
      first_response_minutes: 120,
      resolution_minutes: 480,
    });
    const requesterIds: string[] = [];
    for (const slackUserId of REQUESTERS) requesterIds.push((await upsertSlackPerson(db, tenantId, { slackUserId }, new Date())).id);
    await seedHistory(check, tenantId, team.id, agentIds, requesterIds);
    await seedAtRisk(db, tenantId, team.id, requesterIds);

    // Each app with its own fake Slack (in this process), so the calls do not mix. The product
    // runs as `npm start` runs it; the bare app is a process of its own too.
    // The fakes count calls without keeping them: thousands of kept messages would make the
    // fakes' garbage collection (in this process) part of the product's latency.
    // Slack knows the workspace's people (users.info: who is a workspace admin, asked for a Home).
    const users = [...AGENTS, ...REQUESTERS].map((id) => ({ id, name: id.toLowerCase(), real_name: id, tz: 'Europe/London', tz_offset: 0 }));
    productFake = await startFakeSlack({ teamId: tenantId, retainCalls: false, users });
    bareFake = await startFakeSlack({ teamId: tenantId, retainCalls: false });
    const pf = productFake;
    const slackEnv = { SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench-token' };
    product = await startProductProcess(
      {
        ...slackEnv,
        SLACK_API_URL: pf.url,
        DATABASE_URL: appUrl,
        DATABASE_POOL_MAX: String(POOL_MAX),
        JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256',
      },
      { cpu: CPUS?.app },
    );
    bare = await startNodeProcess('bench/bare-slack-app.ts', { ...slackEnv, SLACK_API_URL: bareFake.url }, [], { cpu: CPUS?.app });
    const productUrl = `${product.baseUrl}/slack/events`;
    const bareUrl = `${bare.baseUrl}/slack/events`;
    const apps = { product, bare };

    const worker = startClientWorker();
    client = worker;
    const byTrigger = (call: FakeSlackCall) => (typeof call.args.trigger_id === 'string' ? call.args.trigger_id : undefined);
    const byMessage = (call: FakeSlackCall) => `${String(call.args.channel)}|${String(call.args.ts)}`;
    const byUser = (call: FakeSlackCall) => (typeof call.args.user_id === 'string' ? call.args.user_id : undefined);
    for (const fake of [pf, bareFake]) {
      forwardArrivals(fake, 'views.open', byTrigger, worker.arrived);
      forwardArrivals(fake, 'chat.update', byMessage, worker.arrived);
      forwardArrivals(fake, 'views.publish', byUser, worker.arrived);
    }
    // What the product's calls were, for the "work done" lines: counted as they arrive.
    const tallies = { modals: 0, cardUpdates: 0 };
    forwardArrivals(pf, 'views.open', (call) => ((call.args.view as { callback_id?: string } | undefined)?.callback_id === CALLBACK.createTicketModal ? 'modal' : undefined), () => {
      tallies.modals += 1;
    });
    forwardArrivals(pf, 'chat.update', (call) => (call.args.channel === CHANNEL ? 'card' : undefined), () => {
      tallies.cardUpdates += 1;
    });

    // Signature checking is on in both apps: a wrong signature is refused.
    const probeBody = new URLSearchParams({ command: COMMAND, text: 'x', team_id: tenantId, user_id: REQUESTERS[0]!, trigger_id: 'probe' }).toString();
    const badSignature = signSlackRequest('not-the-signing-secret', Math.floor(Date.now() / 1000), probeBody);
    const probe = async (endpoint: string) =>
      (await createSlackSender({ url: endpoint, signingSecret: TEST_SIGNING_SECRET }).raw({ body: probeBody, contentType: 'application/x-www-form-urlencoded', signature: badSignature })).status;
    console.log(`bad signature -> product ${await probe(productUrl)}, bare ${await probe(bareUrl)} (both should be 401)`);

    const target = {
      product: { url: productUrl, responseUrlBase: pf.responseUrl('') },
      bare: { url: bareUrl, responseUrlBase: bareFake.responseUrl('') },
    };
    /**
     * Warm-up (not counted), then the measured run; `item(i)` builds request i of the phase
     * (warm-up first). `settle(n)` resolves when the product's Slack rendering of n requests
     * (after the ack) is done, so the CPU figures hold the measured requests' whole cost and
     * nothing of the warm-up's.
     */
    const phase = async (app: 'product' | 'bare', untilCall: boolean, item: (i: number) => Item, settle: (n: number) => Promise<void> = async () => {}): Promise<PhaseResult> => {
      const t = target[app];
      const proc = apps[app];
      let next = 0;
      const items = (n: number) => Array.from({ length: n }, () => item(next++));
      const spec = (list: Item[], concurrency: number): RunSpec => ({ url: t.url, responseUrlBase: t.responseUrlBase, teamId: tenantId, concurrency, untilCall, items: list });
      const warm = await worker.run(spec(items(WARMUP_REQUESTS), CONCURRENCY));
      if (warm.errors > 0) console.error(`   ${app}: ${warm.errors} warm-up errors; first: ${warm.firstError}`);
      await settle(WARMUP_REQUESTS);
      // The pool's backends (the warm-up opened them), when the server is the temporary one on this machine.
      const pgPids = pg.temporary
        ? (await check!<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`).map((r) => r.pid)
        : [];
      const cpu0 = { ...cpuSnapshot(pgPids), appMs: proc.cpuMs() };
      const result = await worker.run(spec(items(REQUESTS), CONCURRENCY));
      await settle(WARMUP_REQUESTS + REQUESTS);
      const cpu1 = { ...cpuSnapshot(pgPids), appMs: proc.cpuMs() };
      const per = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? (b - a) / REQUESTS : undefined);
      const fakesMs = per(cpu0.mainMs, cpu1.mainMs);
      const processMs = per(cpu0.processMs, cpu1.processMs);
      result.cpu = {
        appMs: per(cpu0.appMs, cpu1.appMs),
        fakesMs,
        clientsMs: processMs !== undefined && fakesMs !== undefined ? processMs - fakesMs : undefined,
        pgMs: app === 'product' ? per(cpu0.pgMs, cpu1.pgMs) : undefined,
      };
      console.log(
        `   ${app.padEnd(7)}: ${result.samples.length} ok, ${result.errors} errors in ${result.seconds.toFixed(2)} s (${(REQUESTS / result.seconds).toFixed(0)} req/s)`,
      );
      if (result.firstError !== undefined) console.error(`   ${app}: first error: ${result.firstError}`);
      return result;
    };

    const plan = `${WARMUP_REQUESTS} warm-up + ${REQUESTS} at ${CONCURRENCY} concurrent`;
    const posts = (fake: FakeSlack) => fake.count('chat.postMessage');
    const viewId = () => `VBENCH${randomBytes(6).toString('hex').toUpperCase()}`;
    const command = (i: number): Item => ({ kind: 'command', key: uniqueTriggerId(), text: titleFor(i), userId: REQUESTERS[i % REQUESTERS.length]! });
    const rounds: CaseRow[][] = [];
    let cardsSeconds = 0;

    for (let round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
      // Product first in odd rounds, bare first in even ones: a drift of the machine's speed
      // during the run weighs on both.
      const order: Array<'product' | 'bare'> = round % 2 === 0 ? ['product', 'bare'] : ['bare', 'product'];
      const name = round < 0 ? 'warm-up round (not counted)' : `round ${round + 1} of ${ROUNDS}`;
      console.log(`${name} (${order.join(' first, then ')}), each case ${plan}:`);
      const both = async (run: (app: 'product' | 'bare') => Promise<PhaseResult>) => {
        const result: Partial<Record<'product' | 'bare', PhaseResult>> = {};
        for (const app of order) result[app] = await run(app);
        return result as Record<'product' | 'bare', PhaseResult>;
      };
      const rows: CaseRow[] = [];

      // 1. /ticket -> views.open
      console.log('1. /ticket -> views.open');
      rows.push({ label: '/ticket -> views.open', ...(await both((app) => phase(app, true, command))) });

      // 2. view_submission -> ack (the product validates, acks, then writes the ticket, posts
      //    its card to the team channel and DMs the requester: two chat.postMessage per ticket)
      console.log('2. view_submission -> ack');
      const submissions = await both((app) => {
        if (app === 'bare') {
          return phase('bare', false, (i) => ({
            kind: 'submission',
            key: viewId(),
            userId: REQUESTERS[i % REQUESTERS.length]!,
            callbackId: BARE_CALLBACK,
            values: { title: { value: { type: 'plain_text_input', value: titleFor(i) } } },
          }));
        }
        const started = performance.now();
        const before = posts(pf);
        return phase(
          'product',
          false,
          (i) => ({
            kind: 'submission',
            key: viewId(),
            userId: REQUESTERS[i % REQUESTERS.length]!,
            callbackId: CALLBACK.createTicketModal,
            values: modalValues({ title: titleFor(i), description: 'Filed by the benchmark' }),
          }),
          (n) => callsReach(pf, 'chat.postMessage', before + 2 * n),
        ).finally(() => {
          cardsSeconds += (performance.now() - started) / 1000;
        });
      });
      rows.push({ label: 'view_submission -> ack', ...submissions });

      // 3. Claim click -> chat.update of the card (then a line in the card's thread and a DM to
      //    the requester: two chat.postMessage per claim), on this round's unclaimed tickets.
      console.log('3. Claim click -> card chat.update');
      const tickets = await check<{ id: string; ts: string }[]>`
        select id, slack_message_ts as ts from tickets
        where tenant_id = ${tenantId} and slack_message_ts is not null and assigned_to_id is null order by number_seq`;
      const claims = await both((app) => {
        if (app === 'bare') {
          return phase('bare', true, (i) => {
            const ts = `17000000${String(round + WARMUP_ROUNDS).padStart(2, '0')}.${String(i + 1).padStart(6, '0')}`;
            return { kind: 'claim', key: `${CHANNEL}|${ts}`, userId: AGENTS[i % CLAIMING_AGENTS]!, actionId: BARE_ACTION, value: `tkt_${i}`, ts };
          });
        }
        const before = posts(pf);
        return phase(
          'product',
          true,
          (i) => {
            const ticket = tickets[i];
            if (!ticket) throw new Error(`only ${tickets.length} tickets with a card to claim`);
            return { kind: 'claim', key: `${CHANNEL}|${ticket.ts}`, userId: AGENTS[i % CLAIMING_AGENTS]!, actionId: ACTION.claim, value: ticket.id, ts: ticket.ts };
          },
          (n) => callsReach(pf, 'chat.postMessage', before + 2 * n),
        );
      });
      rows.push({ label: 'Claim -> card chat.update', ...claims });

      // 4. app_home_opened -> views.publish of that person's Home (the product: their requests,
      //    for agents their queue, their teams' unassigned and at-risk tickets, for admins the
      //    admin section; the bare app: one static Home).
      console.log('4. app_home_opened -> views.publish');
      const home = (i: number): Item => ({ kind: 'home', key: HOME_USERS[i]!, userId: HOME_USERS[i]! });
      rows.push({ label: 'Home opened -> views.publish', ...(await both((app) => phase(app, true, home))) });
      if (round >= 0) rounds.push(rows);
    }

    const [afterCreate] = await check<{ total: number; carded: number }[]>`
      select count(*)::int as total, count(slack_message_ts)::int as carded from tickets
      where tenant_id = ${tenantId} and id not like 'tkt\_hist\_%' and title not like '% (at risk)'`;
    const [afterClaim] = await check<{ claimed: number; by_agent: number }[]>`
      select count(*) filter (where t.status = 'in_progress' and t.assigned_to_id is not null and t.first_response_at is not null)::int as claimed,
             count(*) filter (where p.slack_user_id like 'UAGENT%')::int as by_agent
      from tickets t left join people p on p.tenant_id = t.tenant_id and p.id = t.assigned_to_id
      where t.tenant_id = ${tenantId} and t.id not like 'tkt\_hist\_%'`;

    const expected = (WARMUP_ROUNDS + ROUNDS) * (WARMUP_REQUESTS + REQUESTS);
    const calls = (fake: FakeSlack, method: string) => fake.count(method);
    const modals = tallies.modals;
    const cardUpdates = tallies.cardUpdates;
    const blocksOf = (userId: string) => pf.homeOf(userId)?.blocks.length ?? 0;

    console.log('');
    console.log(
      `Slack benchmark — Node ${process.version}, PostgreSQL ${pg.pgVersion}, pool max ${POOL_MAX}; per case and round ` +
        `${REQUESTS} requests at ${CONCURRENCY} concurrent after ${WARMUP_REQUESTS} warm-up; ${ROUNDS} rounds; ${HISTORY_TICKETS.toLocaleString('en-US')} closed tickets beforehand. ` +
        `The product and the bare app each run in a process of their own; ` +
        `the fakes in this process's main thread, the clients on a worker thread. Milliseconds.`,
    );
    rounds.forEach((rows, i) => {
      console.log('');
      console.log(`round ${i + 1}:`);
      printFigures([rows], (s) => s.latency, 'pooled', false); // one round: its own figures
    });
    console.log('');
    console.log(`median of the ${ROUNDS} rounds' own figures (each figure on its own; the targets are judged on these):`);
    printFigures(rounds, (s) => s.latency, 'median', true);
    console.log('');
    console.log(`all ${ROUNDS} rounds' requests together (${ROUNDS * REQUESTS} a case and app; one slow stretch of the machine makes the whole tail), for reference:`);
    printFigures(rounds, (s) => s.latency, 'pooled', false);
    console.log('');
    console.log('HTTP answer only (request -> response), median of the rounds, for reference:');
    printFigures(rounds, (s) => s.ack, 'median', false);
    console.log('');
    console.log("CPU ms per measured request, median of the rounds, including the product's Slack rendering after the ack (process = all its threads; Postgres = the pool's backends; clients = this process but its main thread):");
    printCpu(rounds);
    console.log('');
    console.log(`work done (warm-up included, expected ${expected} each):`);
    console.log(`  /ticket: product opened ${modals} create-ticket modals; bare ${calls(bareFake, 'views.open')} views.open`);
    console.log(`  view_submission: ${afterCreate!.total} tickets created, ${afterCreate!.carded} with a card posted (submissions + all cards and DMs: ${cardsSeconds.toFixed(2)} s)`);
    console.log(`  claim: ${afterClaim!.claimed} tickets in_progress, assigned, first response set (${afterClaim!.by_agent} to a team agent); ${cardUpdates} card updates; bare ${calls(bareFake, 'chat.update')} chat.update`);
    console.log(
      `  Home: product published ${calls(pf, 'views.publish')} Homes (openings, and refreshes after changes); bare ${calls(bareFake, 'views.publish')} views.publish; ` +
        `blocks of the last Home of an admin ${blocksOf(ADMIN_AGENTS[1]!)}, an agent ${blocksOf(AGENTS[1]!)}, a requester ${blocksOf(REQUESTERS[0]!)}`,
    );
    console.log(
      `  product's fake Slack: ${calls(pf, 'chat.postMessage')} chat.postMessage, ${calls(pf, 'chat.update')} chat.update, ` +
        `${calls(pf, 'chat.getPermalink')} chat.getPermalink, ${calls(pf, 'response_url')} response_url (error replies to users)`,
    );
    const problems = product.log.filter((line) => / (WARN|ERROR) /.test(line) && !line.includes('Request verification failed')); // the bad-signature probe
    console.log(`  product warnings/errors logged (besides the probe): ${problems.length}${problems.length ? `; first: ${problems[0]!.slice(0, 300)}` : ''}`);
    console.log('');
    console.log(`the reads of one Home (an admin agent's) on the data as it is now, EXPLAIN ANALYZE (${HISTORY_TICKETS.toLocaleString('en-US')} closed tickets, ${afterCreate!.total + AT_RISK_TICKETS} more):`);
    await explainHome(check, tenantId, ADMIN_AGENTS[1]!);
    const rss = (p: ProductProcess) => p.peakRssMb()?.toFixed(1) ?? 'n/a';
    console.log(`peak RSS: product ${rss(product)} MB, bare ${rss(bare)} MB, this process (fakes, clients) ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`);
  } finally {
    await client?.stop();
    await product?.stop();
    await bare?.stop();
    await productFake?.close();
    await bareFake?.close();
    await check?.end({ timeout: 5 });
    await database?.close();
  }
}

if (isMainThread) {
  // Before the temporary server and the client worker start: they run where this process does.
  if (CPUS) pinRest(CPUS.rest);
  withBenchServer(bench).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  clientWorker();
}
