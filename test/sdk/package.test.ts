import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { newTenantId, openTestDatabase } from '../support/databases.js';
import { serveApiDuringSuite, tokenFor } from '../support/http-server.js';

/**
 * "Usable from a fresh `npm install`": builds the SDK with tsconfig.sdk.json, packs
 * packages/sdk with npm, installs the tarball offline into an empty consumer project, then
 * typechecks a TypeScript consumer and runs a JavaScript one against the real server.
 */

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TIMEOUT = 120_000;

/** The environment without the npm_* variables of an enclosing `npm test`, which would steer the nested npm. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'INIT_CWD') env[key] = value;
  return { ...env, ...extra };
}

function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((done, fail) => {
    execFile(file, args, { ...options, timeout: TIMEOUT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const command = [file, ...args].join(' ');
        fail(new Error(`\`${command}\` failed in ${options.cwd} (${error.code ?? error.signal}):\n${stdout}\n${stderr}`));
      } else {
        done(stdout);
      }
    });
  });
}

const CONSUMER_TS = `
import {
  createClient,
  HelpdeskApiError,
  TICKET_STATUSES,
  type Page,
  type Ticket,
  type TicketCreateInput,
  type TicketListInput,
} from '@helpdesk-for-slack/sdk';

const { helpdesk } = createClient({ baseUrl: 'http://127.0.0.1:3000', token: 'token' });

export async function demo(): Promise<string[]> {
  const input: TicketCreateInput = { title: 'VPN drops', priority: 'high', tags: ['network'] };
  const created: Ticket = await helpdesk.tickets.create(input, { idempotencyKey: 'req-1' });
  const query: TicketListInput = { status: ['open', 'in_progress'], created_after: new Date(0), limit: 10 };
  const page: Page<Ticket> = await helpdesk.tickets.list(query);
  const seen: string[] = page.items.map((ticket) => ticket.number);
  for await (const ticket of helpdesk.tickets.listAll({ status: 'open', sort: '-priority' })) seen.push(ticket.number);
  try {
    await helpdesk.tickets.update(created.id, { status: 'resolved' }, { ifMatch: 'W/"stale.1"' });
  } catch (error) {
    if (error instanceof HelpdeskApiError) seen.push(error.problem.code, String(error.status), error.problem.errors?.[0]?.pointer ?? '');
  }
  // @ts-expect-error 'critical' is not a TicketPriority
  await helpdesk.tickets.create({ title: 'Wrong', priority: 'critical' });
  // @ts-expect-error sla_cycle is a number
  const cycle: string = created.sla_cycle;
  const statuses: readonly string[] = TICKET_STATUSES;
  return [...seen, cycle, ...statuses];
}
`;

const CONSUMER_MJS = `
import { createClient, HelpdeskApiError } from '@helpdesk-for-slack/sdk';

const { helpdesk } = createClient({ baseUrl: process.env.HELPDESK_URL, token: process.env.HELPDESK_TOKEN });
const created = await helpdesk.tickets.create({ title: 'Installed from the tarball', priority: 'urgent', tags: ['sdk'] });
for (const title of ['Second', 'Third']) await helpdesk.tickets.create({ title });
const page = await helpdesk.tickets.list({ status: ['open', 'pending'], tag: 'sdk', created_after: new Date(Date.now() - 60_000) });
const all = [];
for await (const ticket of helpdesk.tickets.listAll({ limit: 1, sort: 'number' })) all.push(ticket.number);
let failure;
try {
  await helpdesk.tickets.get('TKT-9999');
} catch (error) {
  failure = { isApiError: error instanceof HelpdeskApiError, status: error.status, code: error.problem.code };
}
console.log(JSON.stringify({ created, page, all, failure }));
`;

describe('SDK package from a fresh npm install', () => {
  let work = '';
  let consumer = '';
  let packed: string[] = [];
  let database: Database | undefined;
  // Hooks run in the order they are registered: the database, then the server on it.
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  const server = serveApiDuringSuite(() => {
    if (!database) throw new Error('database not open yet');
    return database.db;
  });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'helpdesk-sdk-'));
    // A private cache, and a registry nobody listens on: the install must need no network.
    const env = childEnv({
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_update_notifier: 'false',
    });

    // Build into a copy of packages/sdk, so the test leaves the working tree alone.
    const pkg = join(work, 'sdk');
    await mkdir(pkg);
    for (const file of await readdir(join(ROOT, 'packages', 'sdk'))) {
      if (file !== 'dist' && !file.endsWith('.tgz')) await cp(join(ROOT, 'packages', 'sdk', file), join(pkg, file), { recursive: true });
    }
    await run(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.sdk.json'), '--outDir', join(pkg, 'dist')], { cwd: ROOT, env });
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs);
    const [info] = JSON.parse(await run('npm', ['pack', pkg, '--pack-destination', tarballs, '--json'], { cwd: work, env })) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    packed = info!.files.map((f) => f.path).sort();

    consumer = join(work, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    await run('npm', ['install', join(tarballs, info!.filename), '--offline', '--no-audit', '--no-fund'], { cwd: consumer, env });
  }, TIMEOUT);

  afterAll(async () => {
    await database?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs only dist, the README and the licence, with no dependencies', async () => {
    expect(packed).toEqual(
      [
        'LICENSE',
        'README.md',
        'dist/constants.d.ts',
        'dist/constants.js',
        'dist/errors.d.ts',
        'dist/errors.js',
        'dist/index.d.ts',
        'dist/index.js',
        'dist/types.d.ts',
        'dist/types.js',
        'package.json',
      ].sort(),
    );
    const manifest = JSON.parse(await readFile(join(consumer, 'node_modules', '@helpdesk-for-slack', 'sdk', 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: '@helpdesk-for-slack/sdk', version: '0.1.0', type: 'module' });
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toBeUndefined();
    expect(await readdir(join(consumer, 'node_modules'))).toEqual(['.package-lock.json', '@helpdesk-for-slack']);
  });

  it(
    'typechecks a strict TypeScript consumer without DOM or Node types',
    async () => {
      await writeFile(join(consumer, 'consumer.ts'), CONSUMER_TS);
      const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022'];
      await run(process.execPath, [TSC, ...args, 'consumer.ts'], { cwd: consumer, env: childEnv({}) });
    },
    TIMEOUT,
  );

  it(
    'creates and lists tickets against the running server from plain JavaScript',
    async () => {
      await writeFile(join(consumer, 'consumer.mjs'), CONSUMER_MJS);
      const env = childEnv({ HELPDESK_URL: server.baseUrl(), HELPDESK_TOKEN: await tokenFor({ sub: 'per_pkg', tenant_id: newTenantId() }) });
      const out = JSON.parse(await run(process.execPath, ['consumer.mjs'], { cwd: consumer, env }));
      expect(out.created).toMatchObject({ number: 'TKT-0001', title: 'Installed from the tarball', priority: 'urgent', status: 'open', created_by: 'per_pkg' });
      expect(out.page).toEqual({ items: [out.created], next_cursor: null });
      expect(out.all).toEqual(['TKT-0001', 'TKT-0002', 'TKT-0003']);
      expect(out.failure).toEqual({ isApiError: true, status: 404, code: 'not_found' });
    },
    TIMEOUT,
  );
});
