/**
 * Slack surface benchmark against a real PostgreSQL server. Run: `npm run bench:slack`.
 * Uses BENCH_DATABASE_URL when set (a database `bench_<random>` is created on that server
 * and dropped afterwards), else a throwaway server from test/support/postgres-server.ts.
 * Prints figures only; no assertions (timings vary by machine).
 *
 * The product is the real wiring (test/support/slack-harness.ts: Bolt in HTTP mode and the
 * REST API on one server, the notifier, a fake Slack Web API). Beside it runs a bare Bolt app
 * (its own ExpressReceiver, same signing secret, its own fake) that only acks and makes the
 * one Web API call. Per case: a warm-up (not counted), then 200 signed requests from 50
 * concurrent client loops, timed from sending the request until:
 *
 *   1. `/ticket <title>`  -> the fake records the `views.open` with that trigger_id
 *   2. `view_submission`  -> the HTTP answer (the product's ack comes after the ticket is
 *                            created; its card is posted afterwards)
 *   3. Claim click        -> the fake records the `chat.update` of that ticket's card
 *                            (the tickets are the ones step 2 created, cards posted)
 *
 * The clients (signed requests with Node's fetch) run on a worker thread, like bench/api.ts:
 * in the same thread they took about 40% of the event loop the apps run on. The apps and
 * the fakes share the main thread. Times cross threads as performance.timeOrigin + now().
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import postgres from 'postgres';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { upsertSlackPerson } from '../src/domain/people.js';
import { createSlaPolicy } from '../src/domain/sla/policies.js';
import { createTeam } from '../src/domain/teams.js';
import { updateTenantSettings } from '../src/domain/tenants.js';
import { ACTION, BLOCK, CALLBACK, COMMAND, INPUT_ACTION } from '../src/slack/ids.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../test/support/fake-slack.js';
import { startSlackHarness, TEST_SIGNING_SECRET, type SlackHarness } from '../test/support/slack-harness.js';
import { createSlackSender, signSlackRequest, uniqueTriggerId, type SlackResponse, type SlackSender } from '../test/support/slack-requests.js';
import { percentile, printTable, withBenchServer, type BenchServer } from './support.js';

const REQUESTS = 200;
const CONCURRENCY = 50;
/** Warm-up at full concurrency, so every client connection exists before the measured run. */
const WARMUP_REQUESTS = 50;
/** The product's default DATABASE_POOL_MAX. */
const POOL_MAX = 10;
/** One request (HTTP answer and the Web API call it leads to) counts as an error after this. */
const REQUEST_TIMEOUT_MS = 10_000;
const TARGET_P99_MS = 300;
const TARGET_RATIO = 1.5;

const CHANNEL = 'C0ITDESK';
const AGENTS = Array.from({ length: 10 }, (_, i) => `UAGENT${String(i + 1).padStart(3, '0')}`);
const REQUESTERS = Array.from({ length: 50 }, (_, i) => `UREQ${String(i + 1).padStart(4, '0')}`);
const WORDS = ['Printer', 'VPN', 'Laptop', 'Password', 'Email', 'Network', 'Invoice', 'Badge', 'Monitor', 'Backup'];
const VERBS = ['broken', 'slow', 'missing', 'locked', 'failing', 'expired', 'flickering'];

const BARE_CALLBACK = 'bench_modal';
const BARE_ACTION = 'bench_claim';

type Values = Record<string, Record<string, Record<string, unknown>>>;

/** One request the client worker sends; `key` names the Web API call that ends it (if any). */
type Item =
  | { kind: 'command'; key: string; text: string; userId: string }
  | { kind: 'submission'; key: string; userId: string; callbackId: string; values: Values }
  | { kind: 'claim'; key: string; userId: string; actionId: string; value: string; ts: string };

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
  /** Main thread's event-loop utilisation during the run; CPU ms per request (Linux /proc; undefined elsewhere). */
  cpu?: { elu: number; mainMs: number | undefined; pgMs: number | undefined };
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
    }
  };

  const run = async (spec: RunSpec): Promise<PhaseResult> => {
    arrived.clear();
    const sender = createSlackSender({
      url: spec.url,
      signingSecret: TEST_SIGNING_SECRET,
      responseUrl: (id) => `${spec.responseUrlBase}${encodeURIComponent(id)}`,
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
// Main thread: database, product, bare app, fakes; drives the worker and reports.

/** CPU time of a thread or process from /proc (Linux), in ms; undefined where unreadable. */
function procCpuMs(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in USER_HZ (100 per second).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** CPU so far of this process's main thread, and of the given PostgreSQL backends when they run on this machine. */
function cpuSnapshot(pgPids: number[]): { mainMs: number | undefined; pgMs: number | undefined } {
  const mainMs = procCpuMs(`/proc/self/task/${process.pid}/stat`);
  let pgMs: number | undefined = pgPids.length > 0 ? 0 : undefined;
  for (const pid of pgPids) {
    const ms = procCpuMs(`/proc/${pid}/stat`);
    pgMs = ms === undefined || pgMs === undefined ? undefined : pgMs + ms;
  }
  return { mainMs, pgMs };
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

/** The bare baseline: a Bolt app that only acks and makes the one Web API call. */
async function startBareApp(fake: FakeSlack): Promise<{ url: string; close(): Promise<void> }> {
  const receiver = new ExpressReceiver({
    signingSecret: TEST_SIGNING_SECRET,
    endpoints: '/slack/events',
    logLevel: LogLevel.ERROR,
    processBeforeResponse: false,
  });
  const app = new App({
    token: 'xoxb-bare-token',
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  const modal = {
    type: 'modal' as const,
    callback_id: BARE_CALLBACK,
    title: { type: 'plain_text' as const, text: 'New ticket' },
    submit: { type: 'plain_text' as const, text: 'Create' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'title',
        label: { type: 'plain_text' as const, text: 'Title' },
        element: { type: 'plain_text_input' as const, action_id: 'value' },
      },
    ],
  };
  app.command(COMMAND, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: modal });
  });
  app.view(BARE_CALLBACK, async ({ ack }) => {
    await ack();
  });
  app.action(BARE_ACTION, async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: 'Claimed',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Claimed by <@${body.user.id}>` } }],
    });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = receiver.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface CaseRow {
  label: string;
  product: PhaseResult;
  bare: PhaseResult;
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? 'n/a' : ms.toFixed(1);
}

function printLatency(rows: CaseRow[], pick: (s: Sample) => number, targets: boolean): void {
  const header = [
    'case',
    'product p50',
    'product p99',
    'bare p50',
    'bare p99',
    'p99 ratio',
    ...(targets ? [`p99 < ${TARGET_P99_MS} ms`, `<= ${TARGET_RATIO}x bare`] : []),
    'errors (product/bare)',
  ];
  const body = rows.map((row) => {
    const product = row.product.samples.map(pick).sort((a, b) => a - b);
    const bare = row.bare.samples.map(pick).sort((a, b) => a - b);
    const pp99 = percentile(product, 99);
    const bp99 = percentile(bare, 99);
    const ratio = pp99 / bp99;
    const clean = row.product.errors === 0;
    return [
      row.label,
      fmt(percentile(product, 50)),
      fmt(pp99),
      fmt(percentile(bare, 50)),
      fmt(bp99),
      Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a',
      ...(targets ? [pp99 < TARGET_P99_MS && clean ? 'met' : 'NOT met', ratio <= TARGET_RATIO && clean ? 'met' : 'NOT met'] : []),
      `${row.product.errors}/${row.bare.errors}`,
    ];
  });
  printTable(header, body, { align: header.map((_, i) => (i === 0 ? 'left' : 'right')) });
}

function printCpu(rows: CaseRow[]): void {
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(1));
  const header = ['case', 'product main', 'bare main', 'product Postgres', 'main busy (product/bare)'];
  const body = rows.map((row) => [
    row.label,
    ms(row.product.cpu?.mainMs),
    ms(row.bare.cpu?.mainMs),
    ms(row.product.cpu?.pgMs),
    `${((row.product.cpu?.elu ?? Number.NaN) * 100).toFixed(0)}% / ${((row.bare.cpu?.elu ?? Number.NaN) * 100).toFixed(0)}%`,
  ]);
  printTable(header, body, { align: header.map((_, i) => (i === 0 ? 'left' : 'right')) });
}

async function bench(pg: BenchServer): Promise<void> {
  let database: Database | undefined;
  let check: postgres.Sql | undefined;
  let harness: SlackHarness | undefined;
  let bareFake: FakeSlack | undefined;
  let bare: { url: string; close(): Promise<void> } | undefined;
  let client: ReturnType<typeof startClientWorker> | undefined;

  try {
    const { name: dbName, url } = await pg.createDatabase();
    console.log(`database ${dbName} created (${pg.source})`);

    database = await openDatabase({ databaseUrl: url, poolMax: POOL_MAX });
    await migrate(database.db);
    check = postgres(url, { max: 1, onnotice: () => {} });
    const db = database.db;

    // The product, and a workspace like test/slack/app.test.ts: a team with a channel and
    // agents, the default team, an SLA policy for high incidents.
    harness = await startSlackHarness({ db });
    const h = harness;
    const tenantId = `T${randomBytes(5).toString('hex').toUpperCase()}`;
    const adminScope = { tenantId, actorId: null, now: new Date() };
    const agentIds: string[] = [];
    for (const slackUserId of AGENTS) agentIds.push((await upsertSlackPerson(db, tenantId, { slackUserId }, new Date())).id);
    const team = await createTeam(db, adminScope, { name: 'IT desk', slack_channel_id: CHANNEL, agent_ids: agentIds });
    await updateTenantSettings(db, adminScope, { default_team_id: team.id });
    await createSlaPolicy(db, adminScope, {
      name: 'High incidents',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 30,
      resolution_minutes: 240,
    });

    // The bare baseline, with its own fake so the calls do not mix.
    bareFake = await startFakeSlack();
    bare = await startBareApp(bareFake);
    const bareUrl = bare.url;
    const productUrl = `${h.baseUrl}/slack/events`;

    const worker = startClientWorker();
    client = worker;
    const byTrigger = (call: FakeSlackCall) => (typeof call.args.trigger_id === 'string' ? call.args.trigger_id : undefined);
    const byMessage = (call: FakeSlackCall) => `${String(call.args.channel)}|${String(call.args.ts)}`;
    for (const fake of [h.fake, bareFake]) {
      forwardArrivals(fake, 'views.open', byTrigger, worker.arrived);
      forwardArrivals(fake, 'chat.update', byMessage, worker.arrived);
    }

    // Signature checking is on in both apps: a wrong signature is refused.
    const probeBody = new URLSearchParams({ command: COMMAND, text: 'x', team_id: tenantId, user_id: REQUESTERS[0]!, trigger_id: 'probe' }).toString();
    const badSignature = signSlackRequest('not-the-signing-secret', Math.floor(Date.now() / 1000), probeBody);
    const probe = async (endpoint: string) =>
      (await createSlackSender({ url: endpoint, signingSecret: TEST_SIGNING_SECRET }).raw({ body: probeBody, contentType: 'application/x-www-form-urlencoded', signature: badSignature })).status;
    console.log(`bad signature -> product ${await probe(productUrl)}, bare ${await probe(bareUrl)} (both should be 401)`);

    const target = {
      product: { url: productUrl, responseUrlBase: h.fake.responseUrl('') },
      bare: { url: bareUrl, responseUrlBase: bareFake.responseUrl('') },
    };
    /** Warm-up (not counted), then the measured run; `item(i)` builds request i of the phase (warm-up first). */
    const phase = async (app: 'product' | 'bare', untilCall: boolean, item: (i: number) => Item): Promise<PhaseResult> => {
      const t = target[app];
      let next = 0;
      const items = (n: number) => Array.from({ length: n }, () => item(next++));
      const spec = (list: Item[], concurrency: number): RunSpec => ({ url: t.url, responseUrlBase: t.responseUrlBase, teamId: tenantId, concurrency, untilCall, items: list });
      // The product's Slack rendering runs after the ack: let it finish around the measured run,
      // so the CPU figures hold the measured requests' whole cost and nothing of the warm-up's.
      const settle = () => (app === 'product' ? h.slack.notifier.idle() : Promise.resolve());
      const warm = await worker.run(spec(items(WARMUP_REQUESTS), CONCURRENCY));
      if (warm.errors > 0) console.error(`   ${app}: ${warm.errors} warm-up errors; first: ${warm.firstError}`);
      await settle();
      // The pool's backends (the warm-up opened them), when the server is the temporary one on this machine.
      const pgPids = pg.temporary ? (await check!<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`).map((r) => r.pid) : [];
      const cpu0 = cpuSnapshot(pgPids);
      const elu0 = performance.eventLoopUtilization();
      const result = await worker.run(spec(items(REQUESTS), CONCURRENCY));
      const elu = performance.eventLoopUtilization(elu0).utilization;
      await settle();
      const cpu1 = cpuSnapshot(pgPids);
      result.cpu = {
        elu,
        mainMs: cpu0.mainMs !== undefined && cpu1.mainMs !== undefined ? (cpu1.mainMs - cpu0.mainMs) / REQUESTS : undefined,
        pgMs: cpu0.pgMs !== undefined && cpu1.pgMs !== undefined ? (cpu1.pgMs - cpu0.pgMs) / REQUESTS : undefined,
      };
      console.log(
        `   ${app.padEnd(7)}: ${result.samples.length} ok, ${result.errors} errors in ${result.seconds.toFixed(2)} s (${(REQUESTS / result.seconds).toFixed(0)} req/s); ` +
          `main thread busy ${(elu * 100).toFixed(0)}%`,
      );
      if (result.firstError !== undefined) console.error(`   ${app}: first error: ${result.firstError}`);
      return result;
    };

    const rows: CaseRow[] = [];
    const plan = `${WARMUP_REQUESTS} warm-up + ${REQUESTS} at ${CONCURRENCY} concurrent, product then bare`;

    // 1. /ticket -> views.open
    console.log(`1. /ticket -> views.open: ${plan}`);
    const command = (i: number): Item => ({ kind: 'command', key: uniqueTriggerId(), text: titleFor(i), userId: REQUESTERS[i % REQUESTERS.length]! });
    const opensBefore = h.fake.callsTo('views.open').length;
    const p1 = await phase('product', true, command);
    const productModals = h.fake.callsTo('views.open').slice(opensBefore);
    const b1 = await phase('bare', true, command);
    rows.push({ label: '/ticket -> views.open', product: p1, bare: b1 });

    // 2. view_submission -> ack (the product validates, acks, then writes the ticket and posts its card)
    console.log(`2. view_submission -> ack: ${plan}`);
    const viewId = () => `VBENCH${randomBytes(6).toString('hex').toUpperCase()}`;
    const submitStarted = performance.now();
    const cardsBefore = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL).length;
    const p2 = await phase('product', false, (i) => ({
      kind: 'submission',
      key: viewId(),
      userId: REQUESTERS[i % REQUESTERS.length]!,
      callbackId: CALLBACK.createTicketModal,
      values: modalValues({ title: titleFor(i), description: 'Filed by the benchmark' }),
    }));
    // Acknowledged before the write: wait until every ticket's card is out (or 60 s pass).
    const cardsWanted = cardsBefore + WARMUP_REQUESTS + REQUESTS;
    for (let waited = 0; waited < 60_000; waited += 50) {
      if (h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL).length >= cardsWanted) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await h.slack.notifier.idle();
    const cardsSeconds = (performance.now() - submitStarted) / 1000;
    const b2 = await phase('bare', false, (i) => ({
      kind: 'submission',
      key: viewId(),
      userId: REQUESTERS[i % REQUESTERS.length]!,
      callbackId: BARE_CALLBACK,
      values: { title: { value: { type: 'plain_text_input', value: titleFor(i) } } },
    }));
    rows.push({ label: 'view_submission -> ack', product: p2, bare: b2 });

    const [afterCreate] = await check<{ total: number; carded: number }[]>`
      select count(*)::int as total, count(slack_message_ts)::int as carded from tickets where tenant_id = ${tenantId}`;
    const tickets = await check<{ id: string; ts: string }[]>`
      select id, slack_message_ts as ts from tickets
      where tenant_id = ${tenantId} and slack_message_ts is not null order by number_seq`;

    // 3. Claim click -> chat.update of the card
    console.log(`3. Claim click -> card chat.update: ${plan}`);
    const updatesBefore = h.fake.callsTo('chat.update').length;
    const p3 = await phase('product', true, (i) => {
      const ticket = tickets[i];
      if (!ticket) throw new Error(`only ${tickets.length} tickets with a card to claim`);
      return { kind: 'claim', key: `${CHANNEL}|${ticket.ts}`, userId: AGENTS[i % AGENTS.length]!, actionId: ACTION.claim, value: ticket.id, ts: ticket.ts };
    });
    await h.slack.notifier.idle();
    const b3 = await phase('bare', true, (i) => {
      const ts = `1700000000.${String(i + 1).padStart(6, '0')}`;
      return { kind: 'claim', key: `${CHANNEL}|${ts}`, userId: AGENTS[i % AGENTS.length]!, actionId: BARE_ACTION, value: `tkt_${i}`, ts };
    });
    rows.push({ label: 'Claim -> card chat.update', product: p3, bare: b3 });

    const [afterClaim] = await check<{ claimed: number; by_agent: number }[]>`
      select count(*) filter (where t.status = 'in_progress' and t.assigned_to_id is not null and t.first_response_at is not null)::int as claimed,
             count(*) filter (where p.slack_user_id like 'UAGENT%')::int as by_agent
      from tickets t left join people p on p.tenant_id = t.tenant_id and p.id = t.assigned_to_id
      where t.tenant_id = ${tenantId}`;

    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    const expected = WARMUP_REQUESTS + REQUESTS;
    const calls = (fake: FakeSlack, method: string) => fake.callsTo(method).length;
    const modals = productModals.filter((c) => (c.args.view as { callback_id?: string } | undefined)?.callback_id === CALLBACK.createTicketModal).length;
    const cardUpdates = h.fake.callsTo('chat.update').slice(updatesBefore).filter((c) => c.args.channel === CHANNEL).length;

    console.log('');
    console.log(
      `Slack benchmark — Node ${process.version}, PostgreSQL ${pg.pgVersion}, pool max ${POOL_MAX}; ` +
        `${REQUESTS} requests at ${CONCURRENCY} concurrent after ${WARMUP_REQUESTS} warm-up; clients on a worker thread. Milliseconds.`,
    );
    printLatency(rows, (s) => s.latency, true);
    console.log('');
    console.log('HTTP answer only (request -> response), for reference:');
    printLatency(rows, (s) => s.ack, false);
    console.log('');
    console.log('CPU ms per measured request, including the product\'s Slack rendering after the ack (main = the Node thread of both apps and fakes; Postgres = the pool\'s backends):');
    printCpu(rows);
    console.log('');
    console.log(`work done (warm-up included, expected ${expected} each):`);
    console.log(`  /ticket: product opened ${modals} create-ticket modals; bare ${calls(bareFake, 'views.open')} views.open`);
    console.log(`  view_submission: ${afterCreate!.total} tickets created, ${afterCreate!.carded} with a card posted (submissions + all cards and DMs: ${cardsSeconds.toFixed(2)} s)`);
    console.log(`  claim: ${afterClaim!.claimed} tickets in_progress, assigned, first response set (${afterClaim!.by_agent} to a team agent); ${cardUpdates} card updates; bare ${calls(bareFake, 'chat.update')} chat.update`);
    console.log(
      `  product's fake Slack: ${calls(h.fake, 'chat.postMessage')} chat.postMessage, ${calls(h.fake, 'chat.update')} chat.update, ` +
        `${calls(h.fake, 'chat.getPermalink')} chat.getPermalink, ${calls(h.fake, 'response_url')} response_url (error replies to users)`,
    );
    const problems = h.problems.filter((line) => !line.includes('Request verification failed')); // the bad-signature probe
    console.log(`  product warnings/errors logged (besides the probe): ${problems.length}${problems.length ? `; first: ${problems[0]!.slice(0, 300)}` : ''}`);
    console.log(`peak RSS ${maxRssMb.toFixed(1)} MB (whole process: both apps, both fakes, client worker)`);
  } finally {
    await client?.stop();
    await bare?.close();
    await bareFake?.close();
    await harness?.close();
    await check?.end({ timeout: 5 });
    await database?.close();
  }
}

if (isMainThread) {
  withBenchServer(bench).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  clientWorker();
}
