import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, SLACK_VARIABLES } from './config.js';
import { openDatabase } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createAuthenticator } from './http/auth.js';
import { createHttpApp } from './http/app.js';
import type { TicketChangeListener } from './domain/tickets/tickets.js';
import { startSlaScheduler, type SlaScheduler } from './jobs/sla.js';
import { createLogger } from './log.js';
import { createSlackApp, type SlackRuntime } from './slack/app.js';

/** Wiring: config -> database -> migrations -> Slack app + HTTP (REST API, /slack/events) -> SLA jobs -> graceful shutdown. */
async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  log.info(`database: ${database.location}`);
  const { applied } = await migrate(database.db);
  log.info(applied ? `migrations: applied ${applied}` : 'migrations: up to date');

  if (!config.jwt.secret && !config.jwt.jwksUrl) {
    log.warn('REST API: no JWT_SECRET or JWT_JWKS_URL set, so every API call will be refused with 401');
  }
  // Changes that make an SLA alert due (a priority change into the past) run the sweep at once.
  let scheduler: SlaScheduler | undefined;
  const pokeSla: TicketChangeListener = (event) => scheduler?.onTicketChange(event);
  let slack: SlackRuntime | undefined;
  if (config.slack) {
    slack = createSlackApp({
      db: database.db,
      botToken: config.slack.botToken,
      signingSecret: config.slack.signingSecret,
      appToken: config.slack.appToken,
      apiUrl: config.slack.apiUrl,
      log,
      onTicketChange: pokeSla,
    });
    log.info(
      config.slack.appToken
        ? 'slack: Socket Mode (SLACK_APP_TOKEN set)'
        : 'slack: HTTP mode, Slack sends requests to POST /slack/events',
    );
    if (config.slack.apiUrl) log.info(`slack: Web API at ${config.slack.apiUrl}`);
  } else {
    log.info(`slack: not configured, so only the REST API runs; set ${SLACK_VARIABLES} to turn the Slack app on`);
  }

  const notifier = slack?.notifier;
  const app = createHttpApp({
    db: database.db,
    onTicketChange: (event) => {
      notifier?.onTicketChange(event);
      pokeSla(event);
    },
    slackRouter: slack?.router,
    authenticate: createAuthenticator({
      jwtSecret: config.jwt.secret,
      jwksUrl: config.jwt.jwksUrl,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    }),
    onError: (error) => log.error('request failed', { error: error instanceof Error ? error.stack : String(error) }),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, () => resolve(listening));
    listening.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  log.info(`http: listening on http://localhost:${port} (REST API under /api/v1/helpdesk)`);
  await slack?.start();

  scheduler = startSlaScheduler({ db: database.db, slack: slack?.alerts, cron: config.slaSweepCron, log });
  log.info(
    `sla: sweeping on "${config.slaSweepCron}" (UTC)` +
      (slack ? '' : '; alerts wait in the ledger and go out once Slack is configured'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`received ${signal}, shutting down`);
    await new Promise((resolve) => server.close(resolve));
    await scheduler?.stop();
    await slack?.stop();
    await database.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  log.info('helpdesk ready (press Ctrl+C to stop)');
}

/** Reads `.env` when there is one; variables already set in the environment win. */
function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
