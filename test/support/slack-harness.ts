import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../src/db/client.js';
import { createHttpApp } from '../../src/http/app.js';
import { createAuthenticator } from '../../src/http/auth.js';
import { createLogger, type LogLevel } from '../../src/log.js';
import { createSlackApp, type SlackAppOptions, type SlackRuntime } from '../../src/slack/app.js';
import { staticInstallations, type Installation } from '../../src/slack/installation.js';
import { FAKE_SLACK_DEFAULTS, startFakeSlack, type FakeSlack, type FakeSlackCall, type FakeSlackOptions } from './fake-slack.js';
import { TEST_JWT_SECRET } from './http-server.js';
import { createSlackSender, type SlackSender } from './slack-requests.js';

export const TEST_SIGNING_SECRET = 'test-signing-secret';

/**
 * The mirror's pacing and backoff in tests, scaled down from the product's (1 s per channel,
 * 2 s backoff base): what is tested is the order and the outcome, and a conversation test
 * would otherwise wait a second per copy. test/slack/mirror.test.ts proves the real 1 s.
 */
export const HARNESS_MIRROR = { channelIntervalMs: 20, retry: { baseMs: 50, maxMs: 500 } } as const satisfies SlackAppOptions['mirror'];

/**
 * The Home publisher's debounce in tests: 20 ms instead of the product's 1.5 s, so a test's
 * `slack.idle()` is short; the gathering of changes is the same. test/slack/home/publisher.test.ts
 * passes its own.
 */
export const HARNESS_HOME = { debounceMs: 20 } as const satisfies SlackAppOptions['home'];

export interface SlackHarness {
  fake: FakeSlack;
  slack: SlackRuntime;
  /** Origin of the one HTTP server carrying `/slack/events` and the REST API. */
  baseUrl: string;
  sender: SlackSender;
  /** Log lines at `warn` and above (a test can assert nothing went wrong quietly). */
  problems: string[];
  /**
   * Installs the app in another workspace (as an installation store would hold it), so a test
   * can use a tenant of its own; the fake's workspace is installed from the start.
   */
  install(teamId: string, options?: { enterpriseId?: string; isEnterpriseInstall?: boolean }): void;
  /** Calls the fake Slack refused for breaking a Block Kit limit (see `block-kit.ts`). */
  refused(): FakeSlackCall[];
  close(): Promise<void>;
}

/**
 * The real product wiring on 127.0.0.1: the Bolt app (HTTP mode) and the REST API on one
 * server, the notifier hearing both, and a fake Slack Web API recording every call.
 */
export async function startSlackHarness(options: {
  db: Db;
  now?: () => Date;
  fake?: FakeSlackOptions;
  logLevel?: LogLevel;
  /** Echo log lines to stderr too (the demo keeps quiet, tests debug with it). */
  echoLog?: boolean;
  /**
   * Comment mirror tuning (see `SlackAppOptions.mirror`), over `HARNESS_MIRROR`: a test of the
   * real pacing or backoff passes the product's values itself.
   */
  mirror?: SlackAppOptions['mirror'];
  /** Home publisher tuning (see `SlackAppOptions.home`), over `HARNESS_HOME`. */
  home?: SlackAppOptions['home'];
  /** A fake Slack already running (a "restarted" app talking to the same Slack). */
  reuseFake?: FakeSlack;
}): Promise<SlackHarness> {
  const fake = options.reuseFake ?? (await startFakeSlack(options.fake));
  const problems: string[] = [];
  const log = createLogger(options.logLevel ?? 'warn', (line) => {
    problems.push(line);
    if (options.echoLog) process.stderr.write(`${line}\n`);
  });
  const bot = { botToken: 'xoxb-test-token', botUserId: options.fake?.botUserId ?? FAKE_SLACK_DEFAULTS.botUserId, botId: options.fake?.botId ?? FAKE_SLACK_DEFAULTS.botId };
  const installations = staticInstallations([
    { teamId: options.fake?.teamId ?? FAKE_SLACK_DEFAULTS.teamId, enterpriseId: options.fake?.enterpriseId, isEnterpriseInstall: false, ...bot },
  ]);
  const slack = createSlackApp({
    installations,
    db: options.db,
    signingSecret: TEST_SIGNING_SECRET,
    botToken: 'xoxb-test-token',
    apiUrl: fake.url,
    log,
    ...(options.now ? { now: options.now } : {}),
    retryConfig: { retries: 0 },
    mirror: { ...HARNESS_MIRROR, ...options.mirror },
    home: { ...HARNESS_HOME, ...options.home },
  });
  const app = createHttpApp({
    db: options.db,
    authenticate: createAuthenticator({ jwtSecret: TEST_JWT_SECRET }),
    onTicketChange: slack.notifier.onTicketChange,
    onComment: slack.notifier.onComment,
    slackRouter: slack.router,
    slackRoles: slack.slackRoles,
    ...(options.now ? { now: options.now } : {}),
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sender = createSlackSender({ url: `${baseUrl}/slack/events`, signingSecret: TEST_SIGNING_SECRET, responseUrl: fake.responseUrl });
  return {
    fake,
    slack,
    baseUrl,
    sender,
    problems,
    install(teamId, more = {}) {
      const installation: Installation = more.isEnterpriseInstall
        ? { teamId: undefined, enterpriseId: more.enterpriseId ?? teamId, isEnterpriseInstall: true, ...bot }
        : { teamId, enterpriseId: more.enterpriseId, isEnterpriseInstall: false, ...bot };
      installations.add(installation);
    },
    refused: () => fake.calls.filter((call) => call.refused),
    async close() {
      await slack.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      // A reused fake belongs to whoever started it.
      if (options.reuseFake) return;
      await fake.close();
      // Slack would have refused these: a file whose product sent one fails, whatever its tests asserted.
      const refused = fake.calls.filter((call) => call.refused);
      if (refused.length > 0) {
        throw new Error(`fake Slack refused ${refused.length} payload(s) real Slack would refuse:\n${refused.map((c) => `${c.method}: ${c.refused!.join('; ')}`).join('\n')}`);
      }
    },
  };
}
