import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, SLACK_VARIABLES } from './config.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS, openDatabase, type Database } from './db/client.js';
import { DataDirInUseError } from './db/data-dir-lock.js';
import { isDatabaseUnavailable, rootCause } from './db/errors.js';
import { migrate } from './db/migrate.js';
import { createAuthenticator } from './http/auth.js';
import { createHttpApp } from './http/app.js';
import type { TicketChangeListener } from './domain/tickets/tickets.js';
import { startSlaScheduler, type SlaScheduler } from './jobs/sla.js';
import { createLogger, type Logger } from './log.js';
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

  let database;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolMax: config.databasePoolMax,
      statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  log.info(`database: ${database.location}`);
  if (database.tookOverLockFrom !== undefined) {
    log.warn(`database: took over the data directory from process ${database.tookOverLockFrom}, which is gone (it did not stop cleanly)`);
  }
  const { applied } = await migrateOutsideRequestTimeouts(database, config.databaseUrl);
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
    onComment: (event) => notifier?.onComment(event),
    slackRouter: slack?.router,
    slackRoles: slack?.slackRoles,
    authenticate: createAuthenticator({
      jwtSecret: config.jwt.secret,
      jwksUrl: config.jwt.jwksUrl,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    }),
    onError: (error) =>
      // An outage fails every request the same way: one line each, not a stack each.
      isDatabaseUnavailable(error)
        ? log.warn('request failed: database unavailable (answered 503)', { error: String(rootCause(error)) })
        : log.error('request failed', { error: error instanceof Error ? error.stack : String(error) }),
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.port, () => resolve(listening));
    listening.once('error', reject);
  });
  const drain = drainer(server, log);
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
    // drain() stops listening before it first waits: once this line is out, connections are refused.
    const drained = drain(DRAIN_TIMEOUT_MS);
    log.info(`received ${signal}, shutting down: no new connections; answering requests already received (up to ${DRAIN_TIMEOUT_MS / 1000} s)`);
    await drained;
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

/**
 * Migrations may wait for another replica's, or rebuild an index for minutes: on a server,
 * they run on a connection of their own without the statement timeout (and its silence
 * watchdog) that bound requests. PGlite has no such timeouts, and one handle per directory.
 */
async function migrateOutsideRequestTimeouts(database: Database, databaseUrl: string | undefined) {
  if (!databaseUrl) return migrate(database.db);
  const migrator = await openDatabase({ databaseUrl, poolMax: 1 });
  try {
    return await migrate(migrator.db);
  } finally {
    await migrator.close();
  }
}

/** How long shutdown waits for requests in progress before it cuts their connections. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * The server's graceful stop. `drain(timeoutMs)` stops listening at once, closes idle
 * kept-alive connections, and resolves when every request already received has been
 * answered, or after `timeoutMs`, when the connections still open are cut.
 */
function drainer(server: Server, log: Logger): (timeoutMs: number) => Promise<void> {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    // While draining, a kept-alive connection closes after its answer instead of idling for
    // the keep-alive timeout (5 s), which would hold the shutdown.
    if (draining) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  return async (timeoutMs) => {
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      log.warn(`shutdown: ${inFlight.size} request(s) still running after ${timeoutMs / 1000} s; closing their connections`);
      server.closeAllConnections();
    }, timeoutMs);
    await closed;
    clearTimeout(timer);
  };
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
