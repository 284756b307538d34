import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { listTickets } from '../src/domain/tickets/queries.js';
import { BLOCK, CALLBACK, INPUT_ACTION } from '../src/slack/ids.js';
import { createPostgresDatabase, migratedDataDir } from './support/databases.js';
import { FAKE_SLACK_DEFAULTS, startFakeSlack } from './support/fake-slack.js';
import { createSlackSender } from './support/slack-requests.js';

const SECRET = 'durability-test-secret';
const SUBMISSIONS = 50;
const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-durability-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts the product as `npm start` does and resolves with its origin once it is ready. */
function startProduct(env: Record<string, string>): Promise<{ child: ChildProcess; origin: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`not ready within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (port && output.includes('helpdesk ready')) {
        clearTimeout(timer);
        resolve({ child, origin: `http://127.0.0.1:${port}`, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
}

const form = (title: string) => ({
  [BLOCK.title]: { [INPUT_ACTION]: { type: 'plain_text_input', value: title } },
  [BLOCK.type]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'incident' }, value: 'incident' } } },
  [BLOCK.priority]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'high' }, value: 'high' } } },
});

/**
 * 50 people submit the ticket form at once; the process is killed (SIGKILL: no shutdown, no
 * flush) the moment the last acknowledgement arrives. Every acknowledged ticket must exist.
 */
async function submitThenKill(env: Record<string, string>): Promise<string[]> {
  const fake = await startFakeSlack();
  try {
    const { child, origin, output } = await startProduct({
      SLACK_BOT_TOKEN: 'xoxb-durability',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.url,
      ...env,
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sender = createSlackSender({ url: `${origin}/slack/events`, signingSecret: SECRET });
    const answers = await Promise.all(
      Array.from({ length: SUBMISSIONS }, (_, i) =>
        sender.viewSubmission({
          userId: `U0PERSON${String(i).padStart(2, '0')}`,
          teamId: FAKE_SLACK_DEFAULTS.teamId,
          view: { callback_id: CALLBACK.createTicketModal, state: { values: form(`Durable ${i}`) } },
        }),
      ),
    );
    child.kill('SIGKILL');
    await exited;
    // Every submission was acknowledged as a closed form: no error came back into it.
    expect(answers.map((a) => [a.status, a.body]), output()).toEqual(answers.map(() => [200, '']));
    return answers.map((_, i) => `Durable ${i}`);
  } finally {
    await fake.close();
  }
}

describe('an acknowledged ticket form survives the process being killed', () => {
  it('on the embedded database (PGlite)', async () => {
    const dir = migratedDataDir(join(dataDir, 'pglite'));
    const titles = await submitThenKill({ DATA_DIR: dir });
    const reopened = await openDatabase({ dataDir: dir });
    try {
      const { items } = await listTickets(reopened.db, { tenantId: FAKE_SLACK_DEFAULTS.teamId }, { limit: 100 });
      expect(items.map((t) => t.title).sort()).toEqual([...titles].sort());
    } finally {
      await reopened.close();
    }
  }, 120_000);

  it('on PostgreSQL', async () => {
    const database = await createPostgresDatabase({ migrated: true, poolMax: 2 });
    try {
      const titles = await submitThenKill({ DATABASE_URL: database.url });
      const { items } = await listTickets(database.db, { tenantId: FAKE_SLACK_DEFAULTS.teamId }, { limit: 100 });
      expect(items.map((t) => t.title).sort()).toEqual([...titles].sort());
    } finally {
      await database.close();
    }
  }, 120_000);
});
