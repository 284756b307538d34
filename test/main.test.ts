import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAKE_SLACK_DEFAULTS, startFakeSlack } from './support/fake-slack.js';
import { migratedDataDir } from './support/databases.js';
import { createSlackSender } from './support/slack-requests.js';

const dataDir = mkdtempSync(join(tmpdir(), 'helpdesk-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `npm start`'s entry point until it logs that it is ready, then sends a signal. */
function runUntilReady(
  env: Record<string, string>,
  signal: NodeJS.Signals = 'SIGTERM',
  whileReady: (origin: string) => Promise<string> = async () => '',
) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ready line within 60 s:\n${output}`));
    }, 60_000);
    let signalled = false;
    const onData = async (chunk: Buffer) => {
      output += chunk.toString();
      if (signalled || !output.includes('helpdesk ready')) return;
      signalled = true;
      // The API answers before we stop it.
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 0);
      output += `\nhealthz: ${health}\n`;
      output += await whileReady(`http://127.0.0.1:${port}`).catch((error: unknown) => `\nwhileReady failed: ${String(error)}\n`);
      child.kill(signal);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm start on the embedded database', () => {
  it('creates the data directory, migrates, logs where data lives, and stops cleanly', { timeout: 90_000 }, async () => {
    const dir = join(dataDir, 'fresh');
    const first = await runUntilReady({ DATA_DIR: dir }, 'SIGTERM');
    expect(first.code).toBe(0);
    expect(first.output).toContain(`database: ${dir} (PGlite)`);
    expect(first.output).toMatch(/migrations: applied \d+/);
    expect(first.output).toContain('healthz: 200');
    expect(first.output).toContain('no JWT_SECRET or JWT_JWKS_URL set');
    // Without Slack credentials the API still runs, and start-up says once what would turn Slack on.
    expect(first.output.match(/slack: not configured/g)).toHaveLength(1);
    expect(first.output).toContain('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
    expect(first.output).toContain('received SIGTERM, shutting down');
    expect(first.output).toContain('stopped');

    const second = await runUntilReady({ DATA_DIR: dir }, 'SIGINT');
    expect(second.code).toBe(0);
    expect(second.output).toContain('migrations: up to date');
  });

  it('serves Slack at /slack/events on the same server when configured', { timeout: 90_000 }, async () => {
    const fake = await startFakeSlack();
    try {
      const result = await runUntilReady(
        {
          DATA_DIR: migratedDataDir(join(dataDir, 'with-slack')),
          SLACK_BOT_TOKEN: 'xoxb-main-test',
          SLACK_SIGNING_SECRET: 'main-test-secret',
          SLACK_API_URL: fake.url,
        },
        'SIGTERM',
        async (origin) => {
          const sender = createSlackSender({ url: `${origin}/slack/events`, signingSecret: 'main-test-secret' });
          const res = await sender.slashCommand({ command: '/ticket', text: 'From the real process', userId: 'U0MAIN1', teamId: FAKE_SLACK_DEFAULTS.teamId, channelId: 'C0MAIN1', triggerId: 'trig-main' });
          const open = await fake.waitFor('views.open', (c) => c.args.trigger_id === 'trig-main', 10_000);
          const bad = await sender.raw({ body: 'command=%2Fticket', contentType: 'application/x-www-form-urlencoded', signature: 'v0=00' });
          return `\nslash: ${res.status}, modal title: ${JSON.stringify((open.args.view as { blocks: unknown[] }).blocks).includes('From the real process')}, bad signature: ${bad.status}\n`;
        },
      );
      expect(result.code).toBe(0);
      expect(result.output).toContain('slack: HTTP mode');
      expect(result.output).toContain('slash: 200, modal title: true, bad signature: 401');
      expect(result.output).toMatch(/slack: connected to .* as @/);
    } finally {
      await fake.close();
    }
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: 'eighty' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('exit', (code) => resolve({ code, output }));
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('PORT is "eighty": must be a whole number');
  });
});
