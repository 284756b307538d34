import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessage, checkView, type BlockKitRefusal } from './block-kit.js';
import { attachFakeSocketMode, type FakeSocketMode } from './fake-socket-mode.js';

/**
 * A local fake of Slack's Web API over HTTP on 127.0.0.1, for end-to-end tests
 * of the real Bolt app and for the demo script.
 *
 * Point Bolt (or any `WebClient`) at it with `clientOptions: { slackApiUrl: fake.url }`.
 * Every request is recorded in order (failed and unknown ones too), with its
 * arguments decoded the way the Web API client encoded them.
 *
 * Like real Slack, it refuses a message or view that breaks a documented Block Kit limit
 * (see `block-kit.ts`): `chat.postMessage/update/postEphemeral`, `views.open/update/push/publish`
 * and `response_url` POSTs are checked, so no test passes on a payload Slack would refuse.
 */

/** Ids the fake answers with unless `startFakeSlack` is told otherwise; `slack-requests.ts` uses the same ones. */
export const FAKE_SLACK_DEFAULTS = {
  teamId: 'T0FAKE0001',
  teamName: 'Fake Workspace',
  teamDomain: 'fake-workspace',
  botUserId: 'U0FAKEBOT1',
  botName: 'helpdesk',
  botId: 'B0FAKEBOT1',
  appId: 'A0FAKEAPP1',
} as const;

/** The scopes the fake's token has by default: the manifest's, without `chat:write.customize`. */
export const FAKE_SLACK_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:history',
  'groups:history',
  'groups:read',
  'im:history',
  'reactions:read',
  'reactions:write',
  'users:read',
] as const;

/**
 * A message in a channel, as `conversations.history` and `conversations.replies` answer with
 * it: a person's (`user`), or an app's (`bot_id`, `subtype: 'bot_message'`). A reply carries
 * its thread's `thread_ts`.
 */
export interface FakeSlackMessage {
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  thread_ts?: string;
}

/** One recorded request. `args` are the method arguments without `token`; `token` is the one it was sent with. */
export interface FakeSlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: Date;
  /** For `method: 'response_url'` only: the id given to `responseUrl(id)`. */
  responseId?: string;
  /** Set once answered, when the answer was a failure: the platform error (or `http_<status>`). */
  error?: string;
  /** Set when the answer was a 429: the `Retry-After` it carried, in seconds. */
  retryAfter?: number;
  /** Set when the payload broke a Block Kit limit: Slack's error messages, with JSON pointers. */
  refused?: string[];
  /** Set once answered: the whole answer (e.g. the opened view, with the id and hash Slack gave it). */
  reply?: Record<string, unknown>;
}

/** A failure `failNext` makes the fake answer with instead of the method's normal reply. */
export type FakeSlackFailure =
  /** HTTP 429 with a `Retry-After` header (seconds, default 1) and `{ ok: false, error: 'ratelimited' }`. */
  | { status: 429; retryAfter?: number }
  /** HTTP 500 (the Web API client throws an HTTP error, not a platform error). */
  | { status: 500 }
  /** HTTP 200 with `{ ok: false, error }`, like any Slack platform error. */
  | { error: string };

/** A workspace member `users.info` can answer for. */
export interface FakeSlackUser {
  id: string;
  name: string;
  real_name: string;
  /** IANA zone, e.g. 'Europe/Berlin'. */
  tz: string;
  /** Offset from UTC in seconds, as Slack reports it. */
  tz_offset: number;
  is_bot?: boolean;
  /** Defaults to the zone's long name, e.g. 'Central European Standard Time'. */
  tz_label?: string;
  /** Defaults to `name`. */
  display_name?: string;
  email?: string;
  team_id?: string;
  deleted?: boolean;
  /** Workspace admin; `users.info` answers false unless set. */
  is_admin?: boolean;
  /** Workspace owner; `is_primary_owner` (the one who created it) is an owner too. */
  is_owner?: boolean;
  is_primary_owner?: boolean;
}

export interface FakeSlackOptions {
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  /** When set, `auth.test` reports it (an Enterprise Grid workspace). */
  enterpriseId?: string;
  botUserId?: string;
  botName?: string;
  botId?: string;
  appId?: string;
  /** Delay before every answer, in milliseconds. */
  latencyMs?: number;
  /** Users `users.info` knows from the start. */
  users?: FakeSlackUser[];
  /**
   * The bot token's scopes, sent as `x-oauth-scopes` on every answer (as Slack does; the Web API
   * client exposes them as `response_metadata.scopes`). Default `FAKE_SLACK_SCOPES`. Like Slack,
   * `users.info` needs `users:read`, and `username` / `icon_url` on `chat.postMessage` need
   * `chat:write.customize` (`missing_scope` otherwise).
   */
  scopes?: string[];
  /**
   * False: calls are counted and shown to waiters as they arrive, but not kept (`calls` and
   * `callsTo` stay empty). For benchmarks, whose thousands of kept messages would make the
   * fake's own garbage collection part of what they measure.
   */
  retainCalls?: boolean;
}

export interface FakeSlack {
  /** Web API base URL, ending with `/api/` (for `slackApiUrl`). */
  readonly url: string;
  /** Every request so far, in arrival order. */
  readonly calls: readonly FakeSlackCall[];
  /** The recorded calls of one method, in order. */
  callsTo(method: string): FakeSlackCall[];
  /** How many calls of `method` arrived (kept or not). */
  count(method: string): number;
  /**
   * The first call of `method` (already recorded or still to come) that `predicate`
   * accepts; rejects after `timeoutMs` (default 3000) or when the fake closes.
   * Calls are recorded on arrival, so this resolves before the fake has answered
   * (and before the caller has seen the answer).
   */
  waitFor(method: string, predicate?: (call: FakeSlackCall) => boolean, timeoutMs?: number): Promise<FakeSlackCall>;
  /** The next `times` (default 1) calls of `method` (those `when` accepts, if given) fail with `failure`; queues after earlier ones. */
  failNext(method: string, failure: FakeSlackFailure, times?: number, when?: (args: Record<string, unknown>) => boolean): void;
  /** The token's scopes from now on (see `FakeSlackOptions.scopes`). */
  setScopes(scopes: readonly string[]): void;
  /** A `response_url` on this server; POSTs to it are recorded as calls of method `response_url`. */
  responseUrl(id: string): string;
  /** Forgets recorded calls and pending failures. Users and the ts/id counters are kept. */
  reset(): void;
  /** The Home tab last published for a user (`views.publish`, as Slack answered it), if any. */
  homeOf(userId: string): { id: string; type: string; blocks: unknown[]; private_metadata: string } | undefined;
  /** Users by id, for `users.info`; may be edited directly. */
  readonly users: Map<string, FakeSlackUser>;
  addUser(user: FakeSlackUser): void;
  /**
   * A private conversation the app is not a member of: `chat.postMessage` there answers
   * `not_in_channel`, `conversations.join` `method_not_supported_for_channel_type`.
   */
  keepOut(channelId: string): void;
  /**
   * A private channel the app was invited to: `conversations.join` answers
   * `method_not_supported_for_channel_type`, `conversations.info` shows it (`is_private`, `is_member`).
   * A kept-out channel is private too, but `conversations.info` answers `channel_not_found`
   * there, as Slack hides the private channels an app is not in.
   */
  inviteTo(channelId: string): void;
  /**
   * A message someone wrote in a channel (a fresh, increasing `ts` unless given), for
   * `conversations.history` / `conversations.replies` to find; answers it as stored.
   */
  addMessage(channelId: string, message: Omit<FakeSlackMessage, 'ts'> & { ts?: string }): FakeSlackMessage;
  /** Socket Mode's WebSocket end: `apps.connections.open` answers with its URL. */
  readonly socketMode: FakeSocketMode;
  /** Stops listening; answers still in flight are sent first. */
  close(): Promise<void>;
}

type Args = Record<string, unknown>;
type Reply = Record<string, unknown>;

/** A Slack platform error a method handler raises; answered as HTTP 200 `{ ok: false, error }`. */
class SlackError extends Error {
  constructor(
    readonly error: string,
    readonly errors?: string[],
  ) {
    super(error);
  }
}

/** A method called without the scope it needs: `{ ok: false, error: 'missing_scope', needed, provided }`. */
class MissingScope extends SlackError {
  constructor(
    readonly needed: string,
    readonly provided: string,
  ) {
    super('missing_scope');
  }
}

/** Raises a Block Kit refusal the way Slack answers it. */
function refuse(refusal: BlockKitRefusal | undefined): void {
  if (refusal) throw new SlackError(refusal.error, refusal.errors);
}

/**
 * Form values that stay strings even when they look like JSON. Everything else that
 * parses as a JSON object or array is decoded: @slack/web-api's `serializeBody`
 * JSON-encodes every non-primitive argument (blocks, attachments, view, metadata, …)
 * when it builds an `application/x-www-form-urlencoded` body.
 */
const PLAIN_STRING_ARGS = new Set(['text', 'markdown_text', 'initial_comment', 'title', 'content', 'query']);

function decodeFormValue(key: string, value: string): unknown {
  if (PLAIN_STRING_ARGS.has(key)) return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') && trimmed.endsWith('}')) && !(trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    return value;
  }
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

/** Reads the whole request body. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Decodes a Web API request's arguments: query string, then the body as form,
 * JSON or multipart (uploaded files become `{ filename, size }`).
 * Note: form values keep their string form (`'true'`, `'3'`); JSON bodies keep their types.
 */
async function parseArgs(req: IncomingMessage, query: URLSearchParams, body: Buffer): Promise<Args> {
  const args: Args = {};
  for (const [key, value] of query) args[key] = decodeFormValue(key, value);
  const contentType = req.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (body.length === 0) return args;
  const raw = body.toString('utf8');
  if (mediaType === 'application/json') {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [key, value] of Object.entries(parsed)) {
        args[key] = typeof value === 'string' ? decodeFormValue(key, value) : value;
      }
    }
  } else if (mediaType === 'multipart/form-data') {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form) {
      args[key] = typeof value === 'string' ? decodeFormValue(key, value) : { filename: value.name, size: value.size };
    }
  } else {
    for (const [key, value] of new URLSearchParams(raw)) args[key] = decodeFormValue(key, value);
  }
  return args;
}

/** The bearer token of the Authorization header, else the `token` argument. */
function tokenOf(req: IncomingMessage, args: Args): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (match?.[1]) return match[1].trim();
  return typeof args.token === 'string' && args.token !== '' ? args.token : undefined;
}

function stringArg(args: Args, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function requireArg(args: Args, key: string, error = 'invalid_arguments'): string {
  const value = stringArg(args, key);
  if (value === undefined) throw new SlackError(error);
  return value;
}

/** Posting to a user id posts to the DM with that user, as Slack does. */
function conversationFor(channel: string): string {
  return /^[UW]/.test(channel) ? `D${channel}` : channel;
}

/** A profile's avatar URLs, in the sizes Slack lists (`image_24` … `image_512`). */
export function fakeAvatar(userId: string, size: 24 | 32 | 48 | 72 | 192 | 512 = 72): string {
  return `https://avatars.slack-edge.com/fake/${userId}_${size}.png`;
}
function avatars(userId: string): Record<string, string> {
  return Object.fromEntries(([24, 32, 48, 72, 192, 512] as const).map((size) => [`image_${size}`, fakeAvatar(userId, size)]));
}

/** The zone's long name ('Central European Standard Time'), like Slack's `tz_label`. */
function tzLabel(tz: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' }).formatToParts(new Date());
    return parts.find((part) => part.type === 'timeZoneName')?.value ?? tz;
  } catch {
    return tz;
  }
}

interface Waiter {
  method: string;
  predicate: (call: FakeSlackCall) => boolean;
  resolve: (call: FakeSlackCall) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const team = {
    id: options.teamId ?? FAKE_SLACK_DEFAULTS.teamId,
    name: options.teamName ?? FAKE_SLACK_DEFAULTS.teamName,
    domain: options.teamDomain ?? FAKE_SLACK_DEFAULTS.teamDomain,
  };
  const bot = {
    userId: options.botUserId ?? FAKE_SLACK_DEFAULTS.botUserId,
    name: options.botName ?? FAKE_SLACK_DEFAULTS.botName,
    botId: options.botId ?? FAKE_SLACK_DEFAULTS.botId,
    appId: options.appId ?? FAKE_SLACK_DEFAULTS.appId,
  };
  const latencyMs = options.latencyMs ?? 0;
  let closing = false;

  const calls: FakeSlackCall[] = [];
  const failures = new Map<string, Array<{ failure: FakeSlackFailure; when?: ((args: Args) => boolean) | undefined }>>();
  let scopes = new Set<string>(options.scopes ?? FAKE_SLACK_SCOPES);
  /** Like Slack: a method needing a scope the token lacks answers `missing_scope`, naming it. */
  const needScope = (scope: string): void => {
    if (!scopes.has(scope)) throw new MissingScope(scope, [...scopes].join(','));
  };
  const waiters = new Set<Waiter>();
  const users = new Map<string, FakeSlackUser>((options.users ?? []).map((user) => [user.id, user]));
  const keptOut = new Set<string>();
  const invitedTo = new Set<string>();
  /** Messages people wrote, per channel (see `addMessage`). */
  const written = new Map<string, FakeSlackMessage[]>();
  /** A ts as a number of microseconds, to compare and sort exactly. */
  const tsKey = (ts: string): bigint => {
    const [seconds = '0', fraction = ''] = ts.split('.');
    return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
  };
  /** `conversations.history` / `.replies` read a channel: a history scope, and membership (like Slack). */
  const readable = (args: Args): string => {
    const channel = requireArg(args, 'channel', 'channel_not_found');
    needScope(channel.startsWith('D') ? 'im:history' : channel.startsWith('G') || invitedTo.has(channel) ? 'groups:history' : 'channels:history');
    if (keptOut.has(channel)) throw new SlackError('not_in_channel');
    return channel;
  };
  const asReply = (m: FakeSlackMessage): Reply => ({ type: 'message', team: team.id, ...m });
  /** `oldest` / `latest` bounds, exclusive unless `inclusive` (Slack's conversations.* semantics). */
  const withinBounds = (args: Args) => {
    const inclusive = args.inclusive === true || args.inclusive === 'true' || args.inclusive === '1';
    const latest = stringArg(args, 'latest');
    const oldest = stringArg(args, 'oldest');
    return (m: FakeSlackMessage) => {
      const at = tsKey(m.ts);
      if (latest !== undefined && (inclusive ? at > tsKey(latest) : at >= tsKey(latest))) return false;
      if (oldest !== undefined && (inclusive ? at < tsKey(oldest) : at <= tsKey(oldest))) return false;
      return true;
    };
  };
  const limitOf = (args: Args): number => {
    const limit = Number(args.limit ?? 100);
    return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 1000) : 100;
  };
  /** Set once the server listens (the URL needs its port). */
  let socketMode: FakeSocketMode | undefined;

  // Message timestamps: unique and increasing, 100µs apart ('1700000000.000100', '1700000000.000200', …).
  let tsSeq = 0;
  const nextTs = (): string => {
    tsSeq += 1;
    const micros = tsSeq * 100;
    return `${1_700_000_000 + Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };
  /**
   * Views Slack knows (opened, pushed, published or updated) by id, with their current hash:
   * `views.update` of an unknown id answers `not_found`, and with a `hash` that is not the
   * view's current one `hash_conflict` (methods/views.update), as Slack does.
   */
  const viewHashes = new Map<string, string>();
  let idSeq = 0;
  const nextId = (prefix: string): string => `${prefix}${String(++idSeq).padStart(9, '0')}`;

  const message = (args: Args, ts: string): Reply => ({
    type: 'message',
    text: stringArg(args, 'text') ?? '',
    user: bot.userId,
    bot_id: bot.botId,
    app_id: bot.appId,
    team: team.id,
    ts,
    ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
    ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
    ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
    ...(stringArg(args, 'thread_ts') ? { thread_ts: stringArg(args, 'thread_ts') } : {}),
  });

  /** The view object Slack answers `views.*` with: the view sent, plus Slack's own fields. */
  const viewReply = (args: Args, id: string): Reply => {
    const view = args.view;
    refuse(checkView(view));
    if (view === null || typeof view !== 'object' || Array.isArray(view)) throw new SlackError('invalid_arguments');
    const sent = view as Record<string, unknown>;
    const hash = `${Date.now()}.${nextId('h')}`;
    viewHashes.set(id, hash);
    return {
      id,
      team_id: team.id,
      type: sent.type ?? 'modal',
      blocks: [],
      private_metadata: '',
      callback_id: '',
      external_id: '',
      state: { values: {} },
      clear_on_close: false,
      notify_on_close: false,
      ...sent,
      hash,
      root_view_id: id,
      previous_view_id: null,
      app_id: bot.appId,
      app_installed_team_id: team.id,
      bot_id: bot.botId,
    };
  };

  /** Modals open and stack; a Home is only published (views.publish). */
  const modalOnly = (args: Args): void => {
    const view = args.view as Record<string, unknown> | undefined;
    if (view !== null && typeof view === 'object' && view.type === 'home') {
      throw new SlackError('invalid_arguments', ['must be modal [json-pointer:/view/type]']);
    }
  };
  /** The Home tab last published per user, and its view id (one per user, kept across publishes). */
  const homes = new Map<string, Reply>();
  const homeIds = new Map<string, string>();

  const methods: Record<string, (args: Args) => Reply> = {
    'auth.test': () => ({
      url: `https://${team.domain}.slack.com/`,
      team: team.name,
      user: bot.name,
      team_id: team.id,
      user_id: bot.userId,
      bot_id: bot.botId,
      is_enterprise_install: false,
      ...(options.enterpriseId ? { enterprise_id: options.enterpriseId } : {}),
    }),
    'chat.postMessage': (args) => {
      const channel = conversationFor(requireArg(args, 'channel', 'channel_not_found'));
      if (keptOut.has(channel)) throw new SlackError('not_in_channel');
      if (args.username !== undefined || args.icon_url !== undefined || args.icon_emoji !== undefined) needScope('chat:write.customize');
      refuse(checkMessage(args));
      const ts = nextTs();
      return { channel, ts, message: message(args, ts) };
    },
    'chat.update': (args) => {
      const channel = requireArg(args, 'channel', 'channel_not_found');
      const ts = requireArg(args, 'ts', 'message_not_found');
      refuse(checkMessage(args));
      return { channel, ts, text: stringArg(args, 'text') ?? '', message: message(args, ts) };
    },
    'chat.postEphemeral': (args) => {
      requireArg(args, 'channel', 'channel_not_found');
      requireArg(args, 'user', 'user_not_in_channel');
      refuse(checkMessage(args));
      return { message_ts: nextTs() };
    },
    'chat.getPermalink': (args) => {
      const channel = requireArg(args, 'channel', 'channel_not_found');
      const ts = requireArg(args, 'message_ts', 'message_not_found');
      return { channel, permalink: `https://${team.domain}.slack.com/archives/${channel}/p${ts.replace('.', '')}` };
    },
    'chat.delete': (args) => ({
      channel: requireArg(args, 'channel', 'channel_not_found'),
      ts: requireArg(args, 'ts', 'message_not_found'),
    }),
    'reactions.add': (args) => {
      requireArg(args, 'channel', 'channel_not_found');
      requireArg(args, 'timestamp', 'message_not_found');
      requireArg(args, 'name', 'invalid_name');
      return {};
    },
    'views.push': (args) => {
      requireArg(args, 'trigger_id', 'invalid_trigger_id');
      modalOnly(args);
      return { view: viewReply(args, nextId('V')) };
    },
    'views.update': (args) => {
      const viewId = stringArg(args, 'view_id');
      const id = viewId ?? (stringArg(args, 'external_id') ? nextId('V') : undefined);
      if (id === undefined) throw new SlackError('invalid_arguments');
      refuse(checkView(args.view));
      if (viewId !== undefined && !viewHashes.has(viewId)) throw new SlackError('not_found');
      const hash = stringArg(args, 'hash');
      if (viewId !== undefined && hash !== undefined && hash !== viewHashes.get(viewId)) throw new SlackError('hash_conflict');
      return { view: viewReply(args, id) };
    },
    'views.open': (args) => {
      requireArg(args, 'trigger_id', 'invalid_trigger_id');
      modalOnly(args);
      return { view: viewReply(args, nextId('V')) };
    },
    'views.publish': (args) => {
      const userId = requireArg(args, 'user_id', 'invalid_arguments');
      // views.publish is for the Home tab: a modal there is refused (reference/methods/views.publish).
      const view = args.view as Record<string, unknown> | undefined;
      if (view !== null && typeof view === 'object' && view.type !== 'home') {
        throw new SlackError('invalid_arguments', ['must be home [json-pointer:/view/type]']);
      }
      const reply = viewReply(args, homeIds.get(userId) ?? nextId('V'));
      homeIds.set(userId, String(reply.id));
      homes.set(userId, reply);
      return { view: reply };
    },
    'conversations.open': (args) => {
      const channel = stringArg(args, 'channel');
      if (channel !== undefined) return { channel: { id: channel }, no_op: true, already_open: true };
      const ids = (stringArg(args, 'users') ?? '').split(',').map((id) => id.trim()).filter(Boolean);
      if (ids.length === 0) throw new SlackError('users_list_not_supplied');
      const id = ids.length === 1 ? `D${ids[0]}` : `G${ids.join('').slice(0, 12)}`;
      return { channel: { id } };
    },
    // Called with the app-level token (xapp-…); Slack answers a fresh wss:// URL each time.
    'apps.connections.open': () => ({ url: socketMode!.url }),
    'conversations.join': (args) => {
      const id = requireArg(args, 'channel', 'channel_not_found');
      if (keptOut.has(id) || invitedTo.has(id)) throw new SlackError('method_not_supported_for_channel_type');
      return { channel: { id, is_channel: true, is_member: true } };
    },
    // Top-level messages (and thread parents), newest first.
    'conversations.history': (args) => {
      const channel = readable(args);
      const within = withinBounds(args);
      const top = (written.get(channel) ?? [])
        .filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && within(m))
        .sort((a, b) => (tsKey(b.ts) > tsKey(a.ts) ? 1 : -1));
      const limit = limitOf(args);
      return { messages: top.slice(0, limit).map(asReply), has_more: top.length > limit, pin_count: 0, response_metadata: { next_cursor: '' } };
    },
    // A thread: its parent first (always), then its replies within the bounds, oldest first.
    'conversations.replies': (args) => {
      const channel = readable(args);
      const ts = requireArg(args, 'ts', 'thread_not_found');
      const messages = written.get(channel) ?? [];
      const named = messages.find((m) => m.ts === ts);
      if (named === undefined) throw new SlackError('thread_not_found');
      const root = named.thread_ts ?? named.ts;
      const parent = messages.find((m) => m.ts === root);
      const within = withinBounds(args);
      const replies = messages.filter((m) => m.thread_ts === root && m.ts !== root && within(m)).sort((a, b) => (tsKey(a.ts) > tsKey(b.ts) ? 1 : -1));
      const all = [...(parent ? [parent] : []), ...replies];
      const limit = limitOf(args);
      return { messages: all.slice(0, limit).map(asReply), has_more: all.length > limit, response_metadata: { next_cursor: '' } };
    },
    'conversations.info': (args) => {
      const id = requireArg(args, 'channel', 'channel_not_found');
      const isIm = id.startsWith('D');
      const isPrivate = keptOut.has(id) || invitedTo.has(id);
      if (isPrivate) needScope('groups:read');
      if (keptOut.has(id)) throw new SlackError('channel_not_found');
      return {
        channel: {
          id,
          name: isIm ? undefined : `channel-${id.toLowerCase()}`,
          is_channel: !isIm,
          is_group: false,
          is_im: isIm,
          is_private: isIm || isPrivate,
          is_archived: false,
          is_member: true,
          created: 1_700_000_000,
          context_team_id: team.id,
          ...(isIm ? { user: id.slice(1) } : {}),
        },
      };
    },
    'users.info': (args) => {
      needScope('users:read');
      const user = users.get(requireArg(args, 'user', 'user_not_found'));
      if (user === undefined) throw new SlackError('user_not_found');
      const displayName = user.display_name ?? user.name;
      return {
        user: {
          id: user.id,
          team_id: user.team_id ?? team.id,
          name: user.name,
          deleted: user.deleted ?? false,
          real_name: user.real_name,
          tz: user.tz,
          tz_label: user.tz_label ?? tzLabel(user.tz),
          tz_offset: user.tz_offset,
          is_admin: user.is_admin ?? false,
          is_owner: user.is_owner ?? user.is_primary_owner ?? false,
          is_primary_owner: user.is_primary_owner ?? false,
          is_restricted: false,
          is_ultra_restricted: false,
          is_bot: user.is_bot ?? false,
          is_app_user: false,
          updated: 1_700_000_000,
          profile: {
            real_name: user.real_name,
            real_name_normalized: user.real_name,
            display_name: displayName,
            display_name_normalized: displayName,
            ...(user.email ? { email: user.email } : {}),
            ...avatars(user.id),
            team: user.team_id ?? team.id,
          },
        },
      };
    },
  };

  /** Records a call and settles the waiters it satisfies. */
  const counts = new Map<string, number>();
  const retain = options.retainCalls ?? true;
  const record = (call: FakeSlackCall): void => {
    counts.set(call.method, (counts.get(call.method) ?? 0) + 1);
    if (retain) calls.push(call);
    for (const waiter of waiters) {
      if (waiter.method === call.method && waiter.predicate(call)) {
        waiters.delete(waiter);
        clearTimeout(waiter.timer);
        waiter.resolve(call);
      }
    }
  };

  /** Takes the next configured failure of `method`, if any. */
  const takeFailure = (method: string, args: Args): FakeSlackFailure | undefined => {
    const queue = failures.get(method);
    const index = queue?.findIndex((entry) => !entry.when || entry.when(args)) ?? -1;
    if (!queue || index < 0) return undefined;
    const [taken] = queue.splice(index, 1);
    if (queue.length === 0) failures.delete(method);
    return taken!.failure;
  };

  const send = async (
    res: ServerResponse,
    status: number,
    body: Reply,
    headers: Record<string, string> = {},
  ): Promise<void> => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    // While closing, answer with `Connection: close` so the socket ends with the answer.
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-oauth-scopes': [...scopes].join(','),
      ...headers,
      ...(closing ? { connection: 'close' } : {}),
    });
    res.end(JSON.stringify(body));
  };

  const sendText = async (res: ServerResponse, status: number, text: string): Promise<void> => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(closing ? { connection: 'close' } : {}) });
    res.end(text);
  };

  /** Answers a configured failure (and notes it on the call); false when there is none. */
  const sendFailure = async (res: ServerResponse, call: FakeSlackCall): Promise<boolean> => {
    const failure = takeFailure(call.method, call.args);
    if (failure === undefined) return false;
    if ('error' in failure) {
      call.error = failure.error;
      await send(res, 200, { ok: false, error: failure.error });
    } else if (failure.status === 429) {
      call.error = 'ratelimited';
      call.retryAfter = failure.retryAfter ?? 1;
      await send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter ?? 1) });
    } else {
      call.error = 'http_500';
      await send(res, 500, { ok: false, error: 'internal_error' });
    }
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);

    const responseMatch = /^\/response\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && responseMatch?.[1]) {
      const parsed: unknown = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
      const args = parsed !== null && typeof parsed === 'object' ? (parsed as Args) : { body: parsed };
      const call: FakeSlackCall = { method: 'response_url', args, token: undefined, at: new Date(), responseId: decodeURIComponent(responseMatch[1]) };
      record(call);
      if (await sendFailure(res, call)) return;
      const refusal = checkMessage(args);
      if (refusal) {
        // A response_url answers like an incoming webhook: HTTP 400 and the error code as text
        // (messaging/sending-messages-using-incoming-webhooks, "Handling errors").
        Object.assign(call, { error: refusal.error, refused: refusal.errors });
        await sendText(res, 400, refusal.error);
        return;
      }
      await send(res, 200, { ok: true });
      return;
    }

    const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!apiMatch?.[1] || (req.method !== 'POST' && req.method !== 'GET')) {
      await send(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = apiMatch[1];
    let args: Args;
    try {
      args = await parseArgs(req, url.searchParams, body);
    } catch {
      await send(res, 200, { ok: false, error: 'invalid_form_data' });
      return;
    }
    const token = tokenOf(req, args);
    delete args.token;
    const call: FakeSlackCall = { method, args, token, at: new Date() };
    record(call);

    if (await sendFailure(res, call)) return;
    const handler = methods[method];
    let reply: Reply;
    if (handler === undefined) {
      reply = { ok: false, error: 'unknown_method' };
    } else if (token === undefined) {
      reply = { ok: false, error: 'not_authed' };
    } else {
      try {
        reply = { ok: true, ...handler(args) };
      } catch (error) {
        if (!(error instanceof SlackError)) throw error;
        // Slack's shape for a refused payload: the errors, and the same as `[ERROR]` messages.
        const errors = error.errors;
        reply = error instanceof MissingScope
          ? { ok: false, error: error.error, needed: error.needed, provided: error.provided }
          : errors
          ? { ok: false, error: error.error, errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } }
          : { ok: false, error: error.error };
        call.error = error.error;
        if (errors) call.refused = errors;
      }
    }
    if (reply.ok !== true) call.error = String(reply.error);
    call.reply = reply;
    await send(res, 200, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  socketMode = attachFakeSocketMode(server, base);

  return {
    url: `${base}/api/`,
    calls,
    callsTo: (method) => calls.filter((call) => call.method === method),
    count: (method) => counts.get(method) ?? 0,
    waitFor: (method, predicate = () => true, timeoutMs = 3000) => {
      const seen = calls.find((call) => call.method === method && predicate(call));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<FakeSlackCall>((resolve, reject) => {
        const waiter: Waiter = {
          method,
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            const seenMethods = calls.map((call) => call.method).join(', ') || 'none';
            reject(new Error(`fake Slack: no matching ${method} call within ${timeoutMs} ms (calls so far: ${seenMethods})`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    failNext: (method, failure, times = 1, when) => {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push({ failure, when });
      failures.set(method, queue);
    },
    setScopes: (next) => {
      scopes = new Set(next);
    },
    responseUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
    reset: () => {
      calls.length = 0;
      counts.clear();
      failures.clear();
    },
    homeOf: (userId) => homes.get(userId) as ReturnType<FakeSlack['homeOf']>,
    users,
    addUser: (user) => {
      users.set(user.id, user);
    },
    keepOut: (channelId) => {
      keptOut.add(channelId);
      invitedTo.delete(channelId);
    },
    inviteTo: (channelId) => {
      invitedTo.add(channelId);
      keptOut.delete(channelId);
    },
    addMessage: (channelId, message) => {
      const stored: FakeSlackMessage = { ...message, ts: message.ts ?? nextTs() };
      written.set(channelId, [...(written.get(channelId) ?? []), stored]);
      return stored;
    },
    socketMode,
    close: async () => {
      closing = true;
      socketMode!.close();
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`fake Slack closed while waiting for ${waiter.method}`));
      }
      waiters.clear();
      // Answers in flight are still sent (a client cut off mid-call would retry against a closed port);
      // idle keep-alive connections are dropped so closing does not wait for them.
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeIdleConnections();
      await closed;
    },
  };
}
