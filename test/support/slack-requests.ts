import { createHmac, randomBytes } from 'node:crypto';
import { FAKE_SLACK_DEFAULTS } from './fake-slack.js';

/**
 * Sends requests to a Bolt app's `POST /slack/events` endpoint the way Slack does:
 * real payload shapes, signed with the signing secret.
 *
 * Bolt 5's receivers compare the content type exactly, so form bodies go out as
 * `application/x-www-form-urlencoded` with no charset suffix (with one, Bolt tries to
 * parse the form as JSON and answers 400).
 */

export interface SlackSenderOptions {
  /** The app's events endpoint; an origin without a path gets `/slack/events`. */
  url: string;
  signingSecret: string;
  /**
   * Builds the `response_url` of commands, actions and shortcuts, e.g. `fake.responseUrl`.
   * Defaults to a local address nothing listens on, so a stray `respond()` fails fast
   * instead of reaching Slack.
   */
  responseUrl?: (id: string) => string;
  /** Legacy verification token sent in payloads. */
  verificationToken?: string;
  apiAppId?: string;
  teamDomain?: string;
  /** The bot user named in events' `authorizations`. */
  botUserId?: string;
  /** Sends one POST and reads the whole answer (default: the global fetch); bench/slack.ts passes a lighter one. */
  post?: SlackPost;
}

/** One POST to the app and its whole answer. */
export type SlackPost = (url: URL, request: { headers: Record<string, string>; body: string }) => Promise<{ status: number; headers: Record<string, string>; text: string }>;

const fetchPost: SlackPost = async (url, request) => {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
};

/** What the app answered. `body` is parsed JSON, else the text ('' for a bare ack). */
export interface SlackResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface SlashCommandRequest {
  command: string;
  text: string;
  userId: string;
  userName?: string;
  teamId: string;
  enterpriseId?: string;
  channelId: string;
  channelName?: string;
  triggerId?: string;
  responseUrl?: string;
}

/** A modal's state as submitted: `values[block_id][action_id]` = the element's value object. */
export interface ViewState {
  values: Record<string, Record<string, Record<string, unknown>>>;
}

export interface ViewSubmissionRequest {
  userId: string;
  userName?: string;
  teamId: string;
  enterpriseId?: string;
  view: {
    callback_id: string;
    private_metadata?: string;
    state: ViewState;
    id?: string;
    hash?: string;
    blocks?: unknown[];
    title?: { type: 'plain_text'; text: string };
  };
  triggerId?: string;
}

export interface BlockAction {
  action_id: string;
  block_id?: string;
  /** Defaults to 'button'. */
  type?: string;
  value?: string;
  text?: { type: 'plain_text'; text: string; emoji?: boolean };
  selected_user?: string;
  selected_users?: string[];
  selected_conversation?: string;
  selected_channel?: string;
  selected_date?: string;
  selected_option?: { text: { type: 'plain_text'; text: string }; value: string };
}

export interface BlockActionsRequest {
  userId: string;
  userName?: string;
  teamId: string;
  enterpriseId?: string;
  actions: BlockAction[];
  /** With a channel the action comes from a message (container type 'message'). */
  channelId?: string;
  channelName?: string;
  messageTs?: string;
  message?: Record<string, unknown>;
  isEphemeral?: boolean;
  /** The message's inputs as they are at the click (`state.values`), e.g. a select's choice. */
  state?: { values: Record<string, Record<string, unknown>> };
  /** Without a channel but with a view the action comes from a modal or App Home (container type 'view'). */
  view?: Record<string, unknown> & { id?: string };
  triggerId?: string;
  responseUrl?: string;
}

export interface MessageShortcutRequest {
  callbackId: string;
  userId: string;
  userName?: string;
  teamId: string;
  enterpriseId?: string;
  channelId: string;
  channelName?: string;
  message: { ts: string; text: string; user: string } & Record<string, unknown>;
  triggerId?: string;
  responseUrl?: string;
}

export interface EventRequest {
  teamId: string;
  enterpriseId?: string;
  /** The inner event, e.g. `{ type: 'app_mention', user, text, ts, channel }`. */
  event: Record<string, unknown> & { type: string };
  eventId?: string;
  /** Sends `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason`) like a redelivery. */
  retryNum?: number;
  retryReason?: string;
}

export interface AppHomeOpenedRequest {
  teamId: string;
  enterpriseId?: string;
  userId: string;
  /** `home` (default) or `messages`: Slack sends the event for either tab. */
  tab?: 'home' | 'messages';
  /** The Home as last published (Slack includes it once a view was published), e.g. `fake.homeOf(userId)`. */
  view?: Record<string, unknown>;
}

export interface RawRequest {
  body: string;
  contentType: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Defaults to the correct signature of body and timestamp. */
  signature?: string;
  headers?: Record<string, string>;
}

export interface SlackSender {
  slashCommand(request: SlashCommandRequest): Promise<SlackResponse>;
  viewSubmission(request: ViewSubmissionRequest): Promise<SlackResponse>;
  blockActions(request: BlockActionsRequest): Promise<SlackResponse>;
  messageShortcut(request: MessageShortcutRequest): Promise<SlackResponse>;
  event(request: EventRequest): Promise<SlackResponse>;
  /** The `app_home_opened` event, in Slack's shape (events/app_home_opened). */
  appHomeOpened(request: AppHomeOpenedRequest): Promise<SlackResponse>;
  raw(request: RawRequest): Promise<SlackResponse>;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, Slack's request signature. */
export function signSlackRequest(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

let seq = 0;
/** A unique trigger id shaped like Slack's ('12345.67890.0a1b…'). */
export function uniqueTriggerId(): string {
  seq += 1;
  return `${Date.now()}${seq}.${1_000_000_000 + seq}.${randomBytes(16).toString('hex')}`;
}

/** A unique string for ids (event ids, view ids, action timestamps). */
function uniqueSuffix(): string {
  seq += 1;
  return `${seq}${randomBytes(4).toString('hex').toUpperCase()}`;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** An action_ts / event_ts like '1700000000.123456', unique within the process. */
function actionTs(): string {
  seq += 1;
  return `${nowSeconds()}.${String(seq % 1_000_000).padStart(6, '0')}`;
}

export function createSlackSender(options: SlackSenderOptions): SlackSender {
  const endpoint = new URL(options.url);
  if (endpoint.pathname === '/') endpoint.pathname = '/slack/events';
  const token = options.verificationToken ?? 'fake-verification-token';
  const apiAppId = options.apiAppId ?? FAKE_SLACK_DEFAULTS.appId;
  const teamDomain = options.teamDomain ?? FAKE_SLACK_DEFAULTS.teamDomain;
  const botUserId = options.botUserId ?? FAKE_SLACK_DEFAULTS.botUserId;
  const responseUrlFor = options.responseUrl ?? ((id: string) => `http://127.0.0.1:9/response/${id}`);
  const newResponseUrl = (): string => responseUrlFor(uniqueSuffix());

  const post = options.post ?? fetchPost;
  const raw = async (request: RawRequest): Promise<SlackResponse> => {
    const timestamp = request.timestamp ?? nowSeconds();
    const response = await post(endpoint, {
      headers: {
        'content-type': request.contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': request.signature ?? signSlackRequest(options.signingSecret, timestamp, request.body),
        ...request.headers,
      },
      body: request.body,
    });
    const text = response.text;
    let body: unknown = text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body, headers: response.headers };
  };

  /** Sends an interactivity payload: `payload=<JSON>` in a form body. */
  const sendPayload = (payload: Record<string, unknown>): Promise<SlackResponse> =>
    raw({ body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: FORM });

  const teamOf = (teamId: string, enterpriseId: string | undefined) => ({
    id: teamId,
    domain: teamDomain,
    ...(enterpriseId ? { enterprise_id: enterpriseId, enterprise_name: 'Fake Enterprise' } : {}),
  });
  const enterpriseOf = (enterpriseId: string | undefined) =>
    enterpriseId ? { id: enterpriseId, name: 'Fake Enterprise' } : null;
  const userOf = (userId: string, userName: string | undefined, teamId: string) => {
    const name = userName ?? userId.toLowerCase();
    return { id: userId, username: name, name, team_id: teamId };
  };

  let sender: SlackSender;
  return (sender = {
    raw,

    appHomeOpened: (request) =>
      sender.event({
        teamId: request.teamId,
        ...(request.enterpriseId ? { enterpriseId: request.enterpriseId } : {}),
        event: {
          type: 'app_home_opened',
          user: request.userId,
          // The user's DM with the app.
          channel: `D${request.userId}`,
          tab: request.tab ?? 'home',
          ...(request.view ? { view: request.view } : {}),
        },
      }),

    slashCommand: (request) => {
      const fields: Record<string, string> = {
        token,
        team_id: request.teamId,
        team_domain: teamDomain,
        ...(request.enterpriseId ? { enterprise_id: request.enterpriseId, enterprise_name: 'Fake Enterprise' } : {}),
        channel_id: request.channelId,
        channel_name: request.channelName ?? `channel-${request.channelId.toLowerCase()}`,
        user_id: request.userId,
        user_name: request.userName ?? request.userId.toLowerCase(),
        command: request.command,
        text: request.text,
        api_app_id: apiAppId,
        is_enterprise_install: 'false',
        response_url: request.responseUrl ?? newResponseUrl(),
        trigger_id: request.triggerId ?? uniqueTriggerId(),
      };
      return raw({ body: new URLSearchParams(fields).toString(), contentType: FORM });
    },

    viewSubmission: (request) => {
      const viewId = request.view.id ?? `V${uniqueSuffix()}`;
      return sendPayload({
        type: 'view_submission',
        team: teamOf(request.teamId, request.enterpriseId),
        user: userOf(request.userId, request.userName, request.teamId),
        api_app_id: apiAppId,
        token,
        trigger_id: request.triggerId ?? uniqueTriggerId(),
        view: {
          id: viewId,
          team_id: request.teamId,
          type: 'modal',
          blocks: request.view.blocks ?? [],
          private_metadata: request.view.private_metadata ?? '',
          callback_id: request.view.callback_id,
          state: request.view.state,
          hash: request.view.hash ?? `${nowSeconds()}.${uniqueSuffix()}`,
          title: request.view.title ?? { type: 'plain_text', text: 'Modal', emoji: true },
          clear_on_close: false,
          notify_on_close: false,
          close: null,
          submit: { type: 'plain_text', text: 'Submit', emoji: true },
          previous_view_id: null,
          root_view_id: viewId,
          app_id: apiAppId,
          external_id: '',
          app_installed_team_id: request.teamId,
          bot_id: FAKE_SLACK_DEFAULTS.botId,
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: enterpriseOf(request.enterpriseId),
      });
    },

    blockActions: (request) => {
      const actions = request.actions.map((action) => ({
        ...action,
        type: action.type ?? 'button',
        block_id: action.block_id ?? `b${uniqueSuffix()}`,
        action_ts: actionTs(),
      }));
      const fromMessage = request.channelId !== undefined || request.view === undefined;
      const channelId = request.channelId ?? 'C0FAKECHAN';
      const givenTs = request.message?.ts;
      const messageTs = request.messageTs ?? (typeof givenTs === 'string' ? givenTs : actionTs());
      const context = fromMessage
        ? {
            container: {
              type: 'message',
              message_ts: messageTs,
              channel_id: channelId,
              is_ephemeral: request.isEphemeral ?? false,
            },
            channel: { id: channelId, name: request.channelName ?? `channel-${channelId.toLowerCase()}` },
            message: request.message ?? { type: 'message', ts: messageTs, text: '', user: botUserId, blocks: [] },
            response_url: request.responseUrl ?? newResponseUrl(),
          }
        : {
            container: { type: 'view', view_id: request.view?.id ?? `V${uniqueSuffix()}` },
            view: request.view,
          };
      return sendPayload({
        type: 'block_actions',
        user: userOf(request.userId, request.userName, request.teamId),
        api_app_id: apiAppId,
        token,
        trigger_id: request.triggerId ?? uniqueTriggerId(),
        team: teamOf(request.teamId, request.enterpriseId),
        enterprise: enterpriseOf(request.enterpriseId),
        is_enterprise_install: false,
        state: request.state ?? { values: {} },
        ...context,
        actions,
      });
    },

    messageShortcut: (request) =>
      sendPayload({
        type: 'message_action',
        token,
        action_ts: actionTs(),
        team: teamOf(request.teamId, request.enterpriseId),
        user: userOf(request.userId, request.userName, request.teamId),
        channel: { id: request.channelId, name: request.channelName ?? `channel-${request.channelId.toLowerCase()}` },
        is_enterprise_install: false,
        enterprise: enterpriseOf(request.enterpriseId),
        callback_id: request.callbackId,
        trigger_id: request.triggerId ?? uniqueTriggerId(),
        response_url: request.responseUrl ?? newResponseUrl(),
        message_ts: request.message.ts,
        message: { type: 'message', ...request.message },
      }),

    event: (request) => {
      const body = JSON.stringify({
        token,
        team_id: request.teamId,
        ...(request.enterpriseId ? { enterprise_id: request.enterpriseId } : {}),
        api_app_id: apiAppId,
        event: { event_ts: actionTs(), ...request.event },
        type: 'event_callback',
        event_id: request.eventId ?? `Ev${uniqueSuffix()}`,
        event_time: nowSeconds(),
        authorizations: [
          {
            enterprise_id: request.enterpriseId ?? null,
            team_id: request.teamId,
            user_id: botUserId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
        event_context: `4-${Buffer.from(uniqueSuffix()).toString('base64url')}`,
      });
      const headers: Record<string, string> =
        request.retryNum === undefined
          ? {}
          : {
              'x-slack-retry-num': String(request.retryNum),
              'x-slack-retry-reason': request.retryReason ?? 'http_timeout',
            };
      return raw({ body, contentType: JSON_TYPE, headers });
    },
  });
}
