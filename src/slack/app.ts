import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import type { RequestHandler } from 'express';
import type { Db } from '../db/client.js';
import type { SlaAlertSender } from '../domain/sla/delivery.js';
import type { TicketChangeListener } from '../domain/tickets/tickets.js';
import type { Logger } from '../log.js';
import { createSlackAlertSender } from './alerts.js';
import type { SlackRoleLookup } from '../domain/roles.js';
import { createSlackRoleLookup } from './roles.js';
import { botTokenInstallation, ForeignWorkspaceError, tenantOfRequest, workspaceClaims, type InstallationQuery, type InstallationSource } from './installation.js';
import { registerListeners, type SlackRegistrations } from './listeners/index.js';
import { createHomePublisher, type HomePublisher, type HomePublisherOptions } from './home/publisher.js';
import { createCommentMirror, type CommentMirror, type CommentMirrorOptions } from './mirror.js';
import { createSlackNotifier, type SlackNotifier } from './notifier.js';
import { createPermalinks } from './permalinks.js';

const { WebClient } = webApi;

export type { SlackRegistrations } from './listeners/index.js';

/** Where Slack sends its requests in HTTP mode (the manifest's request URLs end in it). */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  db: Db;
  /** Required in HTTP mode; Socket Mode does not sign requests. */
  signingSecret?: string | undefined;
  botToken: string;
  /** Socket Mode when set (an `xapp-` token); HTTP at `POST /slack/events` otherwise. */
  appToken?: string | undefined;
  /** Base URL of the Web API (`https://slack.com/api/` by default); tests point it at a fake. */
  apiUrl?: string | undefined;
  log: Logger;
  now?: () => Date;
  /** Web API retry policy; the default retries for a long while, which tests do not want. */
  retryConfig?: webApi.RetryOptions | undefined;
  /** Where requests' workspaces are installed; by default the bot token's own (`auth.test`). */
  installations?: InstallationSource | undefined;
  /** Hears ticket changes made from Slack too (after the notifier); the SLA scheduler uses it. */
  onTicketChange?: TicketChangeListener | undefined;
  /** Tuning of the comment mirror (tests: a short poll, a fixed replica id). */
  mirror?: Pick<CommentMirrorOptions, 'pollMs' | 'channelIntervalMs' | 'retry' | 'maxAttempts' | 'replicaId' | 'leaseMs'> | undefined;
  /** Tuning of the App Home publisher (tests: a short debounce). */
  home?: Pick<HomePublisherOptions, 'debounceMs' | 'perMinute' | 'burst'> | undefined;
}

export interface SlackRuntime {
  app: App;
  registered: SlackRegistrations;
  /** The `POST /slack/events` route, to mount on the HTTP server (HTTP mode only). */
  router: RequestHandler | undefined;
  notifier: SlackNotifier;
  /** Delivers the comment outbox into the tickets' threads. */
  mirror: CommentMirror;
  /** Keeps people's App Homes current (every ticket change the notifier hears reaches it too). */
  home: HomePublisher;
  client: webApi.WebClient;
  /** Posts SLA alerts for the delivery job (its own client: the alert ledger does the retrying). */
  alerts: SlaAlertSender;
  /** Whether a user is a workspace admin or owner (users.info), for the admin rule of every surface. */
  slackRoles: SlackRoleLookup;
  /** Connects Socket Mode (no-op in HTTP mode, where the HTTP server carries the route). */
  start(): Promise<void>;
  /** Resolves when every request's work after its ack is done (tickets written, clicks applied), every notification is posted, the comment copies due are delivered and the Homes due are published. */
  idle(): Promise<void>;
  /** Disconnects Socket Mode, then finishes what acknowledged requests started (tickets written, clicks applied) and posts what is queued. */
  stop(): Promise<void>;
}

/**
 * The Slack surface wired on Bolt: the listeners (src/slack/listeners/) translate between
 * Slack payloads and the domain; the notifier renders every ticket change back into Slack.
 */
export function createSlackApp(options: SlackAppOptions): SlackRuntime {
  const { db, log } = options;
  const now = options.now ?? (() => new Date());
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
  };
  const boltLogger = {
    debug: (...m: unknown[]) => log.debug(`bolt: ${m.map(String).join(' ')}`),
    info: (...m: unknown[]) => log.debug(`bolt: ${m.map(String).join(' ')}`),
    // A refused workspace is logged once, by app.error, with its reason.
    warn: (...m: unknown[]) => (String(m[0]).startsWith('Authorization of incoming event did not succeed') ? log.debug : log.warn)(`bolt: ${m.map(String).join(' ')}`),
    error: (...m: unknown[]) => log.error(`bolt: ${m.map(String).join(' ')}`),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };

  // One client for work outside a request (cards, DMs, start-up check); Bolt builds the
  // per-request ones from `authorize`, which learns the bot's identity once, lazily, so an
  // unreachable Slack at start-up is a logged problem and not an unhandled rejection.
  const client = new WebClient(options.botToken, { ...clientOptions, logger: boltLogger });
  const installations = options.installations ?? botTokenInstallation(client, options.botToken);
  // Bolt hands every request to authorize before any listener: a request for a workspace the
  // app is not installed in, or naming another one anywhere in its payload, goes no further.
  const authorize = async (source: InstallationQuery, body?: unknown) => {
    const installation = await installations.find(source);
    if (!installation) throw new ForeignWorkspaceError(`workspace ${source.teamId ?? source.enterpriseId ?? '(none named)'} has no installation of this app`);
    const tenantId = tenantOfRequest(installation, workspaceClaims(body));
    return {
      botToken: installation.botToken,
      botUserId: installation.botUserId,
      botId: installation.botId,
      teamId: installation.teamId,
      enterpriseId: installation.enterpriseId,
      isEnterpriseInstall: installation.isEnterpriseInstall,
      tenantId,
    };
  };

  let receiver: ExpressReceiver | undefined;
  let app: App;
  if (options.appToken) {
    app = new App({
      authorize,
      appToken: options.appToken,
      socketMode: true,
      ...(options.signingSecret ? { signingSecret: options.signingSecret } : {}),
      logger: boltLogger,
      clientOptions,
      convoStore: false,
    });
  } else {
    if (!options.signingSecret) throw new Error('HTTP mode needs the signing secret');
    receiver = new ExpressReceiver({
      signingSecret: options.signingSecret,
      endpoints: SLACK_EVENTS_PATH,
      logger: boltLogger,
      // Ack first, work after: Slack gets its 200 as soon as a listener calls ack().
      processBeforeResponse: false,
    });
    // No conversation store: no listener keeps state between messages of a conversation.
    app = new App({ authorize, receiver, logger: boltLogger, clientOptions, convoStore: false });
  }

  const permalinks = createPermalinks(client, log);
  // Alerts and comment copies: their ledgers do the retrying (and honour Retry-After), not the client.
  const alertClient = new WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: boltLogger,
  });
  const mirror = createCommentMirror({ db, client: alertClient, log, now, ...options.mirror });
  const slackRoles = createSlackRoleLookup(client);
  // Homes too: the publisher paces itself and honours Retry-After.
  const home = createHomePublisher({ db, client: alertClient, log, now, slackRoles, ...options.home });
  const cards = createSlackNotifier({ db, client, log, permalinks, wakeMirror: mirror.wake });
  // Every ticket change, from Slack or the REST API (whose writes reach `notifier`), shows on Homes too.
  const notifier: SlackNotifier = {
    ...cards,
    onTicketChange(event) {
      cards.onTicketChange(event);
      home.onTicketChange(event);
    },
  };
  const alerts = createSlackAlertSender({ db, client: alertClient, log, notifier, permalinks, refreshTeamHomes: home.refreshTeams });
  const extraListener = options.onTicketChange;

  /** Listener runs not finished yet (each goes on after its ack): `idle` and `stop` wait for them. */
  const running = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    // Bolt's next() resolves once every listener of the request has finished.
    const run = next();
    running.add(run);
    try {
      await run;
    } finally {
      running.delete(run);
    }
  });
  const idle = async () => {
    do {
      while (running.size > 0) await Promise.allSettled([...running]);
      await notifier.idle();
      await mirror.idle();
      await home.idle();
    } while (running.size > 0);
  };

  const registered = registerListeners(app, {
    db,
    log,
    now,
    onChange: (event) => {
      notifier.onTicketChange(event);
      extraListener?.(event);
    },
    onComment: notifier.onComment,
    slackRoles,
    refreshHome: home.refresh,
    showHome: home.show,
  });

  app.error(async (error) => {
    const original = (error as { original?: unknown }).original;
    if (original instanceof ForeignWorkspaceError) {
      log.warn(`slack: ${original.message}; nothing was done`);
      return;
    }
    log.error('slack: unhandled listener error', { error: error instanceof Error ? error.stack : String(error) });
  });

  return {
    app,
    registered,
    router: receiver ? (receiver.router as RequestHandler) : undefined,
    notifier,
    mirror,
    home,
    client,
    alerts,
    slackRoles,
    async start() {
      try {
        const who = await client.auth.test();
        log.info(`slack: connected to ${who.team ?? who.team_id} as @${who.user}`);
      } catch (error) {
        log.error(`slack: the bot token was refused or Slack is unreachable (${error instanceof Error ? error.message : String(error)}); Slack requests will fail until this is fixed`);
      }
      if (options.appToken) await app.start();
    },
    idle,
    async stop() {
      if (options.appToken) await app.stop();
      await idle();
      await home.stop();
      await mirror.stop();
    },
  };
}
