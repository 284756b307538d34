import {
  App,
  ExpressReceiver,
  LogLevel,
  type AllMiddlewareArgs,
  type BlockAction,
  type Context,
  type RespondFn,
  type SlackActionMiddlewareArgs,
  webApi,
} from '@slack/bolt';

const { WebClient } = webApi;
import type { RequestHandler } from 'express';
import type { Db } from '../db/client.js';
import type { TicketStatus } from '../db/schema/index.js';
import { ConflictError, DomainError, ValidationError } from '../domain/errors.js';
import { IdempotencyInProgressError, runIdempotently } from '../domain/idempotency.js';
import { getPeople, slackPerson } from '../domain/people.js';
import type { Scope } from '../domain/scope.js';
import { acknowledgeSlaAlert, getSlaAlert } from '../domain/sla/alerts.js';
import type { SlaAlertSender } from '../domain/sla/delivery.js';
import { listTeams, teamChoices } from '../domain/teams.js';
import { allowedToAct, mayActOnTicket, ticketForAction, type TicketAction } from '../domain/tickets/permissions.js';
import { getTicket, listTickets, parseTicketNumber, type Ticket } from '../domain/tickets/queries.js';
import { parseTicketCreate } from '../domain/tickets/schemas.js';
import {
  assignTicket,
  changeTicketStatus,
  claimTicket,
  createTicket,
  reopenTicket,
  type TicketChangeListener,
  type TicketWriteOptions,
  type TicketWriteResult,
} from '../domain/tickets/tickets.js';
import type { Logger } from '../log.js';
import { createSlackAlertSender } from './alerts.js';
import { botTokenInstallation, ForeignWorkspaceError, tenantOfRequest, workspaceClaims, type InstallationQuery, type InstallationSource } from './installation.js';
import { createPermalinks } from './permalinks.js';
import { slaAcknowledgedLine } from './blocks/alerts.js';
import { errorMessage, helpMessage, ticketList, ticketSummary } from './blocks/card.js';
import { readTicketModal, ticketModal } from './blocks/form.js';
import { ACTION, BLOCK, CALLBACK, COMMAND, parseAssignBlockId } from './ids.js';
import { createRefreshingCache } from './cache.js';
import { createIntakeGate, type IntakeGate } from './limit.js';
import { createSlackFetch } from './transport.js';
import { createTicketMemory, type TicketMemory } from './memory.js';
import { createSlackNotifier, type ChangeKnown, type SlackNotifier } from './notifier.js';

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
}

/** What the app listens for: the manifest test checks it against `manifest.yml`. */
export interface SlackRegistrations {
  commands: string[];
  shortcuts: string[];
  views: string[];
  actions: string[];
}

export interface SlackRuntime {
  app: App;
  registered: SlackRegistrations;
  /** The `POST /slack/events` route, to mount on the HTTP server (HTTP mode only). */
  router: RequestHandler | undefined;
  notifier: SlackNotifier;
  /** What clicks are decided on without reading first, while it still holds (see TicketMemory). */
  memory: TicketMemory;
  client: webApi.WebClient;
  /** Posts SLA alerts for the delivery job (its own client: the alert ledger does the retrying). */
  alerts: SlaAlertSender;
  /** Connects Socket Mode (no-op in HTTP mode, where the HTTP server carries the route). */
  start(): Promise<void>;
  /** Resolves when every request's work after its ack is done (tickets written, clicks applied) and every notification is posted. */
  idle(): Promise<void>;
  /** Disconnects Socket Mode, then finishes what acknowledged requests started (tickets written, clicks applied) and posts what is queued, without waiting for a quiet moment. */
  stop(): Promise<void>;
}

/** Subcommands of `/ticket`; anything else that is one short word is a typo, not a title. */
const SUBCOMMANDS = ['list', 'help'] as const;
const MY_OPEN_STATUSES = ['open', 'in_progress', 'pending', 'resolved'] as const;

/** Domain error paths -> the modal block that shows the message. */
const FIELD_BLOCKS: Record<string, string> = {
  title: BLOCK.title,
  description: BLOCK.description,
  type: BLOCK.type,
  priority: BLOCK.priority,
  team_id: BLOCK.team,
  category: BLOCK.category,
};

/**
 * The Slack surface: `/ticket`, the message shortcut, the create modal and the buttons on
 * ticket cards and DMs. Listeners only translate between Slack payloads and the domain;
 * the notifier renders every ticket change back into Slack.
 */
export function createSlackApp(options: SlackAppOptions): SlackRuntime {
  const { db, log } = options;
  const now = options.now ?? (() => new Date());
  const transport = createSlackFetch();
  const clientOptions = {
    fetch: transport.fetch,
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

  // Answers someone is waiting for: Slack requests until acknowledged (HTTP mode, where this
  // process sends the ack), forms until opened, cards until changed. Work that may wait is
  // held back while they are due (see createIntakeGate).
  const intake = createIntakeGate({ quietMs: INTAKE_QUIET_MS, maxWaitMs: INTAKE_MAX_WAIT_MS });
  const permalinks = createPermalinks(client, log);
  const cards = createSlackNotifier({ db, client, log, permalinks, whenQuiet: intake.whenQuiet, updateMessage: transport.messageUpdater(client) });
  // Every change the notifier hears (from Slack, the REST API, the SLA engine) is remembered
  // for the next click on that ticket (see TicketMemory).
  const memory = createTicketMemory();
  const notifier: SlackNotifier = {
    onTicketChange(event, known) {
      memory.rememberTicket(event.ticket);
      cards.onTicketChange(event, known);
    },
    refreshCard: (tenantId, ticketId) => cards.refreshCard(tenantId, ticketId),
    idle: () => cards.idle(),
  };
  const alertClient = new WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: boltLogger,
  });
  const alerts = createSlackAlertSender({ db, client: alertClient, log, notifier, permalinks });
  const registered: SlackRegistrations = { commands: [COMMAND], shortcuts: [CALLBACK.messageShortcut], views: [CALLBACK.createTicketModal], actions: [] };
  const extraListener = options.onTicketChange;
  /** Write options whose changes reach the notifier (with what the caller knows of them) and the extra listener. */
  const writeOptions = (known?: ChangeKnown, heard?: () => void): TicketWriteOptions => ({
    onChange: (event) => {
      heard?.();
      notifier.onTicketChange(event, known);
      extraListener?.(event);
    },
  });
  const write = writeOptions();

  // -------------------------------------------------------------------------
  // Who is acting: tenant = workspace (enterprise for org-wide installs), person = Slack user.

  const tenantOf = (context: Context): string => {
    const tenant: unknown = context.tenantId;
    if (typeof tenant !== 'string' || tenant === '') throw new Error('Slack request without an authorized installation');
    return tenant;
  };

  const actingAs = async (tenantId: string, user: { id: string; name?: string | undefined; username?: string | undefined }) => {
    const at = now();
    const person = await slackPerson(db, tenantId, { slackUserId: user.id, displayName: user.name ?? user.username }, at);
    const scope: Scope = { tenantId, actorId: person.id, sourceType: 'frontend', now: at };
    return { person, scope };
  };

  const summaryOf = async (ticket: Ticket) => {
    const ids = [ticket.submittedById, ticket.assignedToId].filter((id): id is string => Boolean(id));
    const people = await getPeople(db, ticket.tenantId, ids);
    const slackId = (id: string | null) => people.find((p) => p.id === id)?.slackUserId ?? null;
    const teams = ticket.teamId ? await listTeams(db, ticket.tenantId) : [];
    return {
      ticket,
      submitterSlackId: slackId(ticket.submittedById),
      assigneeSlackId: slackId(ticket.assignedToId),
      teamName: teams.find((t) => t.id === ticket.teamId)?.name ?? null,
    };
  };

  // The form's team menu: a workspace's teams and default team, at most a few seconds old, read
  // in the background while people keep filing tickets. Slack's trigger expires 3 seconds after
  // `/ticket`: the form opens without waiting for the database (see createRefreshingCache).
  const formTeams = createRefreshingCache({ load: (tenantId) => teamChoices(db, tenantId), refreshAfterMs: 2_500, maxAgeMs: 5_000, max: 10_000 });

  const openCreateModal = async (
    client: webApi.WebClient,
    triggerId: string,
    tenantId: string,
    initial: { title?: string; description?: string },
    sourceMessageLink?: string,
  ) => {
    const choices = await formTeams.get(tenantId);
    await client.views.open({
      trigger_id: triggerId,
      view: ticketModal({
        teams: choices.teams,
        defaultTeamId: choices.defaultTeamId ?? undefined,
        initial,
        sourceMessageLink,
      }),
    });
  };

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
    while (running.size > 0) await Promise.allSettled([...running]);
    await notifier.idle();
  };

  // -------------------------------------------------------------------------
  // /ticket [title | list | TKT-0042 | help]

  app.command(COMMAND, async ({ ack, body, client, context, respond }) => {
    const text = body.text.trim();
    const word = text.toLowerCase();
    const ref = parseTicketNumber(text);
    if (text === '' || (!isSubcommandLike(word) && ref === undefined)) {
      await ack();
      // The person waits for the form (and its trigger expires in 3 seconds).
      const shown = intake.enter();
      try {
        const tenantId = tenantOf(context);
        await openCreateModal(client, body.trigger_id, tenantId, text ? { title: text } : {});
      } catch (error) {
        await tell(respond, error, 'open the ticket form');
      } finally {
        shown();
      }
      return;
    }
    if (word === 'help') {
      await ack(ephemeral(helpMessage()));
      return;
    }
    if (word !== 'list' && ref === undefined) {
      await ack(ephemeral(helpMessage({ unknown: text })));
      return;
    }
    await ack();
    try {
      const { scope, person } = await actingAs(tenantOf(context), { id: body.user_id, name: body.user_name });
      if (word === 'list') {
        const page = await listTickets(db, scope, { submitted_by_id: person.id, status: [...MY_OPEN_STATUSES], limit: 50 });
        await respond(ephemeral(ticketList({ tickets: page.items, total: page.next_cursor ? undefined : page.items.length })));
        return;
      }
      const ticket = await getTicket(db, scope, text);
      await respond(ephemeral(ticketSummary(await summaryOf(ticket))));
    } catch (error) {
      await tell(respond, error, word === 'list' ? 'list your tickets' : `show ${text}`);
    }
  });

  // -------------------------------------------------------------------------
  // Message shortcut: the same modal, prefilled with the message and a link to it.

  app.shortcut(CALLBACK.messageShortcut, async ({ ack, shortcut, client, context, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const shown = intake.enter(); // the person waits for the form
    try {
      const tenantId = tenantOf(context);
      const [link] = await Promise.all([
        client.chat
          .getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts })
          .then((r) => r.permalink)
          .catch(() => undefined),
      ]);
      const messageText = shortcut.message.text ?? '';
      const firstLine = messageText.split('\n').find((line) => line.trim() !== '') ?? '';
      await openCreateModal(
        client,
        shortcut.trigger_id,
        tenantId,
        // Uncut: the form cuts them to its inputs' limits, whole graphemes only.
        { title: firstLine, description: messageText },
        link,
      );
    } catch (error) {
      await tell(respond, error, 'open the ticket form');
    } finally {
      shown();
    }
  });

  // -------------------------------------------------------------------------
  // Modal submission: create the ticket, or show the field errors in the modal.

  // Write, then acknowledge: the form closes only once its ticket is committed; anything that
  // goes wrong comes back into the open form, so the person keeps what they typed.
  app.view(CALLBACK.createTicketModal, async ({ ack, body, view, context }) => {
    const values = readTicketModal(view.state.values);
    const formError = (errors: Record<string, string>) => ack({ response_action: 'errors', errors });
    try {
      const tenantId = tenantOf(context);
      const { scope } = await actingAs(tenantId, body.user);
      const input = {
        title: values.title ?? '',
        ...(values.description?.trim() ? { description: values.description } : {}),
        ...(values.type ? { type: values.type } : {}),
        ...(values.priority ? { priority: values.priority } : {}),
        ...(values.teamId ? { team_id: values.teamId } : {}),
        ...(values.category?.trim() ? { category: values.category.trim() } : {}),
        submitted_by_id: scope.actorId,
        source: 'slack',
        source_type: 'frontend',
      };
      // Field errors need no database: checked before anything is written.
      parseTicketCreate(input);
      // A redelivered submission of the same view creates nothing new.
      await runIdempotently(
        db,
        { tenantId, caller: `slack:${body.user.id}`, key: `view:${view.id}`, fingerprint: JSON.stringify(input), now: scope.now },
        async () => {
          const ticket = await createTicket(db, scope, input, write);
          return { status: 201, body: { id: ticket.id } };
        },
      );
      await ack();
    } catch (error) {
      // The first delivery of this very submission is still writing it: that one answers.
      if (error instanceof IdempotencyInProgressError) return ack();
      if (error instanceof ValidationError) return formError(fieldErrors(error));
      if (error instanceof DomainError) return formError({ [BLOCK.title]: error.message });
      log.error('slack: ticket create failed', { error: error instanceof Error ? error.stack : String(error) });
      return formError({ [BLOCK.title]: "Couldn't save your ticket, please try again." });
    }
  });

  // -------------------------------------------------------------------------
  // Buttons on cards and DMs.

  type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
  /** `options` carry the ticket as just read (or as remembered), so the write is one statement when nothing moved meanwhile. */
  type Operation = (scope: Scope, ticketId: string, args: ActionArgs, options: TicketWriteOptions) => Promise<TicketWriteResult>;

  /**
   * Every button and menu on cards, DMs and alerts goes through one Bolt listener that
   * dispatches on the action id: Bolt runs every request through each listener's middleware
   * chain, and eleven listeners of their own cost each click about a tenth of its CPU.
   */
  const buttons = new Map<string, (args: ActionArgs) => Promise<void>>();
  const onButton = (actionId: string, handler: (args: ActionArgs) => Promise<void>) => {
    registered.actions.push(actionId);
    buttons.set(actionId, handler);
  };

  const onTicketAction = (actionId: string, permission: TicketAction, operation: Operation, doing: string) => {
    onButton(actionId, async (args) => {
      const { ack, body, action, context, respond } = args;
      await ack();
      const ticketId = action.type === 'users_select' ? parseAssignBlockId(action.block_id) : 'value' in action ? action.value : undefined;
      if (!ticketId) return;
      // The person who clicked waits for the card to change: work that may wait holds back
      // until it has (the notifier says so), or until this click changed nothing.
      const shown = intake.enter();
      let handedOver = false;
      let tenantId: string | undefined;
      try {
        tenantId = tenantOf(context);
        const { scope, person } = await actingAs(tenantId, body.user);
        const heard = () => {
          handedOver = true;
        };
        // A ticket remembered as its last change left it, with its team's agents as last
        // counted for this person: decided on that, written only if both still hold (one
        // statement, no read first). Anything else, a refusal included, is decided afresh.
        const recalled = memory.recall(tenantId, ticketId, person.id);
        if (recalled && allowedToAct(recalled.ticket, person.id, permission, recalled.agents)) {
          const remembered = { agents: { personId: person.id, ...recalled.agents } };
          const result = await operation(scope, recalled.ticket.id, args, { ...writeOptions({ cardShown: shown }, heard), current: recalled.ticket, remembered });
          if (!result.stale) return;
          memory.forget(tenantId, ticketId);
        }
        const { ticket, agents, breaches } = await ticketForAction(db, scope, ticketId, person.id);
        memory.rememberTicket(ticket);
        if (ticket.teamId) memory.rememberAgents(tenantId, ticket.teamId, person.id, agents);
        const permitted = await mayActOnTicket(db, ticket, person.id, permission, agents);
        if (!permitted.allowed) {
          await respond(ephemeral(errorMessage(permitted.reason)));
          return;
        }
        await operation(scope, ticket.id, args, { ...writeOptions({ breaches, cardShown: shown }, heard), current: ticket });
      } catch (error) {
        await tell(respond, error, doing, tenantId);
      } finally {
        if (!handedOver) shown();
      }
    });
  };

  onTicketAction(ACTION.claim, 'claim', (scope, id, _args, options) => claimTicket(db, scope, id, options), 'claim this ticket');
  onTicketAction(ACTION.alertClaim, 'claim', (scope, id, _args, options) => claimTicket(db, scope, id, options), 'claim this ticket');
  onTicketAction(
    ACTION.assign,
    'assign',
    async (scope, id, { action }, options) => {
      const selected = action.type === 'users_select' ? action.selected_user : undefined;
      if (!selected) return assignTicket(db, scope, id, null, options);
      const assignee = await slackPerson(db, scope.tenantId, { slackUserId: selected }, scope.now);
      return assignTicket(db, scope, id, assignee.id, options);
    },
    'assign this ticket',
  );
  const status = (to: TicketStatus): Operation => (scope, id, _args, options) => changeTicketStatus(db, scope, id, to, options);
  onTicketAction(ACTION.startProgress, 'status', status('in_progress'), 'start work');
  onTicketAction(ACTION.setPending, 'status', status('pending'), 'set the ticket pending');
  onTicketAction(ACTION.resolve, 'resolve', status('resolved'), 'resolve this ticket');
  onTicketAction(ACTION.close, 'close', status('closed'), 'close this ticket');
  onTicketAction(ACTION.reopen, 'reopen', (scope, id, _args, options) => reopenTicket(db, scope, id, options), 'reopen this ticket');
  // Acknowledge on an SLA alert: the value is the alert's id, not the ticket's.
  onButton(ACTION.alertAck, async ({ ack, body, action, context, respond, client }) => {
    await ack();
    const alertId = 'value' in action ? action.value : undefined;
    if (!alertId) return;
    let tenantId: string | undefined;
    try {
      tenantId = tenantOf(context);
      const { scope, person } = await actingAs(tenantId, body.user);
      const alert = await getSlaAlert(db, tenantId, alertId);
      const ticket = await getTicket(db, scope, alert.ticketId, { includeDeleted: true });
      const permitted = await mayActOnTicket(db, ticket, person.id, 'acknowledge');
      if (!permitted.allowed) {
        await respond(ephemeral(errorMessage(permitted.reason)));
        return;
      }
      const result = await acknowledgeSlaAlert(db, scope, alertId);
      if (!result.acknowledged) {
        const [earlier] = result.acknowledgedBy ? await getPeople(db, tenantId, [result.acknowledgedBy]) : [];
        const who = earlier?.slackUserId ? ` by <@${earlier.slackUserId}>` : '';
        await respond(ephemeral(errorMessage(`Already acknowledged${who}.`, { mrkdwn: true })));
        return;
      }
      const channel = alert.channelId ?? body.channel?.id;
      const thread = alert.slackMessageTs ?? body.message?.ts;
      if (channel && thread) {
        await client.chat.postMessage({
          channel,
          thread_ts: thread,
          ...slaAcknowledgedLine({ actorSlackId: body.user.id, kind: alert.kind, cancelledEscalations: result.cancelledEscalations }),
        });
      }
    } catch (error) {
      await tell(respond, error, 'acknowledge this alert', tenantId);
    }
  });
  // Link buttons still send an action; Slack wants it acknowledged.
  onButton(ACTION.openLink, async ({ ack }) => {
    await ack();
  });
  app.action<BlockAction>({ type: 'block_actions' }, async (args) => {
    const handler = buttons.get(args.action.action_id);
    if (handler) return handler(args);
    // Not one of ours (an element of a message another app posted, or of an older card):
    // acknowledged, so Slack shows no error, and nothing else.
    log.debug(`slack: no handler for action ${args.action.action_id}`);
    await args.ack();
  });

  app.error(async (error) => {
    const original = (error as { original?: unknown }).original;
    if (original instanceof ForeignWorkspaceError) {
      log.warn(`slack: ${original.message}; nothing was done`);
      return;
    }
    log.error('slack: unhandled listener error', { error: error instanceof Error ? error.stack : String(error) });
  });

  /** Tells the user, privately, what went wrong; never silent. */
  async function tell(respond: RespondFn, error: unknown, doing: string, tenantId?: string): Promise<void> {
    let text: string;
    if (error instanceof ConflictError && error.conflictingId && tenantId) {
      // "Already claimed by @ada", when the winner is a Slack user.
      const [winner] = await getPeople(db, tenantId, [error.conflictingId]).catch(() => []);
      if (winner?.slackUserId) {
        await respond(ephemeral(errorMessage(`Already claimed by <@${winner.slackUserId}>.`, { mrkdwn: true }))).catch(() => {});
        return;
      }
      text = error.message;
    } else if (error instanceof DomainError) {
      text = `Could not ${doing}: ${error.message}`;
    } else {
      log.error(`slack: could not ${doing}`, { error: error instanceof Error ? error.stack : String(error) });
      text = `Could not ${doing}: something went wrong on our side. Please try again.`;
    }
    try {
      await respond(ephemeral(errorMessage(text)));
    } catch (respondError) {
      log.error('slack: could not tell the user about an error', { error: String(respondError) });
    }
  }

  return {
    app,
    registered,
    router: receiver ? countedRouter(receiver.router as RequestHandler, intake) : undefined,
    notifier,
    memory,
    client,
    alerts,
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
      // Nothing more to be quiet for: what acknowledged requests started is finished, and what is queued posted, now.
      intake.open();
      await idle();
      await transport.close();
    },
  };
}

/**
 * How long the Slack intake must have been quiet (no request waiting for its answer) before
 * work that may wait starts, and the longest that work waits for it under steady traffic.
 */
const INTAKE_QUIET_MS = 20;
const INTAKE_MAX_WAIT_MS = 1_000;

/** The receiver's route, counting each Slack request from its arrival until its answer is sent. */
function countedRouter(router: RequestHandler, intake: IntakeGate): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || req.path !== SLACK_EVENTS_PATH) {
      router(req, res, next);
      return;
    }
    const leave = intake.enter();
    res.once('finish', leave);
    res.once('close', leave);
    router(req, res, next);
  };
}

/** A validation error's issues as the form's block errors (the first per block). */
function fieldErrors(error: ValidationError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const block = FIELD_BLOCKS[String(issue.path[0])] ?? BLOCK.title;
    errors[block] ??= issue.message;
  }
  return errors;
}

function ephemeral(message: { text: string; blocks?: unknown[] }) {
  return { response_type: 'ephemeral' as const, replace_original: false, text: message.text, blocks: message.blocks as never };
}

/** One bare word close to a subcommand ("lsit", "halp") is a typo, not a one-word title. */
function isSubcommandLike(word: string): boolean {
  if (/\s/.test(word)) return false;
  if ((SUBCOMMANDS as readonly string[]).includes(word)) return true;
  if (/^tkt-/i.test(word)) return true;
  return SUBCOMMANDS.some((command) => editDistance(word, command) <= 1);
}

/** Optimal string alignment distance: edits and adjacent transpositions ("lsit" -> "list" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
