import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { webApi } from '@slack/bolt';
import type { Db } from '../db/client.js';
import { getPeople } from '../domain/people.js';
import { retryDelay, type RetryPolicy } from '../domain/sla/delivery.js';
import {
  bodyWithoutFiles,
  claimCommentDeliveries,
  deliveryTarget,
  markDeliveryDone,
  markDeliveryFailed,
  markDeliveryRetry,
  releaseDeliveries,
  tenantsWithDueDeliveries,
  threadQueueHead,
  type CommentDelivery,
} from '../domain/tickets/deliveries.js';
import type { Comment } from '../domain/tickets/comments.js';
import { listThreads, recordCommentMessage } from '../domain/tickets/threads.js';
import type { Logger } from '../log.js';
import { commentCopy, copyFailedNotice, type CopyAuthor } from './blocks/messages.js';
import { createLimiter } from './limit.js';

/**
 * The deliverer of the comment outbox (`src/domain/tickets/deliveries.ts`): it runs each job,
 * bringing a comment's copy in one thread in line with the comment (post, update or delete),
 * the way Slack wants it:
 *
 * - Woken right after a write (in this process) and polling every few seconds, for retries
 *   and for jobs a crashed process left behind. Jobs are claimed with a lease, so replicas
 *   share the outbox and never run one job at once.
 * - Per channel, at most one call a second (`chat.postMessage`'s limit); a 429 holds that
 *   channel for its `Retry-After`. Per thread, copies go out in the order the comments were
 *   written: a job waiting for a retry holds back the jobs behind it in its thread.
 * - A transient failure (rate limit, 5xx, network) is retried with capped backoff. A
 *   permanent one (the channel is gone, the bot was removed, the text is refused) closes the
 *   job as failed, logs an error, and tells the agents in the card's thread, once.
 * - At least once: a crash between Slack's answer and recording the copy runs the job again,
 *   which may post a second copy. Nothing is dropped.
 */

export interface CommentMirror {
  /** Runs due jobs soon (a write just queued some). */
  wake(): void;
  /** Resolves once no run is in progress or asked for (jobs waiting for a retry may remain). */
  idle(): Promise<void>;
  /** Stops polling and waits for the run in progress; claims left are released. */
  stop(): Promise<void>;
}

export interface CommentMirrorOptions {
  db: Db;
  /** A client that does not retry by itself and rejects rate-limited calls (the outbox retries). */
  client: webApi.WebClient;
  log: Logger;
  now?: () => Date;
  replicaId?: string;
  /** How often the outbox is polled (default 3 s). */
  pollMs?: number;
  /** Minimum time between two calls into one channel (default 1 s). */
  channelIntervalMs?: number;
  retry?: RetryPolicy;
  /** A transient failure this many times in a row is given up as permanent (default 10). */
  maxAttempts?: number;
  leaseMs?: number;
  batch?: number;
}

/** Slack errors that will not go away by asking again: the job fails and the agents are told. */
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
/** The copy is gone from Slack already (deleted by someone): nothing left to update or delete. */
const COPY_GONE = new Set(['message_not_found', 'cant_update_message', 'cant_delete_message']);

const DEFAULT_RETRY: RetryPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

type Outcome = { kind: 'done' } | { kind: 'retry'; error: string; retryAfterMs?: number } | { kind: 'failed'; error: string };

/** How a Web API failure is handled. */
function classify(error: unknown): Outcome {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return { kind: 'retry', error: 'ratelimited', ...(typeof e.retryAfter === 'number' ? { retryAfterMs: e.retryAfter * 1000 } : {}) };
  }
  if (e?.code === 'slack_webapi_platform_error' && e.data?.error) {
    const code = e.data.error;
    if (COPY_GONE.has(code)) return { kind: 'done' };
    return TRANSIENT_ERRORS.has(code) ? { kind: 'retry', error: code } : { kind: 'failed', error: code };
  }
  // HTTP errors (5xx), network errors, timeouts: Slack or the way to it is having a moment.
  return { kind: 'retry', error: e?.code === 'slack_webapi_http_error' ? `http_${e.statusCode ?? 'error'}` : (e?.message ?? String(error)) };
}

export function createCommentMirror(options: CommentMirrorOptions): CommentMirror {
  const { db, client, log } = options;
  const now = options.now ?? (() => new Date());
  const replicaId = options.replicaId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const pollMs = options.pollMs ?? 3_000;
  const retry = options.retry ?? DEFAULT_RETRY;
  const maxAttempts = options.maxAttempts ?? 10;
  const leaseMs = options.leaseMs ?? 2 * 60_000;
  const batch = options.batch ?? 100;
  const intervalMs = options.channelIntervalMs ?? 1_000;
  /**
   * When each channel's last call was answered. Counting from the answer, not the send, keeps
   * calls at least `intervalMs` apart as Slack receives them, however long one took to arrive.
   */
  const lastAnswer = new Map<string, number>();
  const paced = async <T>(channelKey: string, call: () => Promise<T>): Promise<T> => {
    const wait = (lastAnswer.get(channelKey) ?? -Infinity) + intervalMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      return await call();
    } finally {
      const at = performance.now();
      lastAnswer.set(channelKey, at);
      // Channels quiet for longer than the interval need no entry: the map stays as small as the busy ones.
      if (lastAnswer.size > 1_000) for (const [key, last] of lastAnswer) if (at - last > intervalMs) lastAnswer.delete(key);
    }
  };
  const channels = createLimiter(4);
  /** Channels Slack rate-limited, and until when (performance-free wall clock, ms). */
  const heldUntil = new Map<string, number>();

  // -------------------------------------------------------------------------
  // Who wrote it, and whether copies may carry their name and avatar

  /** The token's scopes, from `auth.test` once, then from every answer (a reinstall may change them). */
  let scopes: Promise<Set<string>> | undefined;
  const learnScopes = (answer: { response_metadata?: { scopes?: string[] } } | undefined) => {
    const latest = answer?.response_metadata?.scopes;
    if (latest) scopes = Promise.resolve(new Set(latest));
  };
  const canCustomize = async (): Promise<boolean> => {
    scopes ??= client.auth.test().then(
      (who) => new Set(who.response_metadata?.scopes ?? []),
      () => {
        scopes = undefined;
        return new Set<string>();
      },
    );
    return (await scopes).has('chat:write.customize');
  };

  const authorOf = async (comment: Comment): Promise<CopyAuthor> => {
    const [person] = comment.authorId ? await getPeople(db, comment.tenantId, [comment.authorId]) : [];
    const slackUserId = person?.slackUserId ?? null;
    if (!slackUserId) return { name: null, slackUserId: null, iconUrl: null };
    try {
      const answer = await client.users.info({ user: slackUserId });
      learnScopes(answer);
      const { user } = answer;
      const profile = user?.profile;
      const name = profile?.display_name || profile?.real_name || user?.real_name || user?.name || null;
      return { name, slackUserId, iconUrl: profile?.image_72 ?? profile?.image_48 ?? null };
    } catch (error) {
      // No users:read on an old install, a rate limit: their mention still names them.
      log.debug('slack: could not look up a comment author; the copy mentions them', { error: error instanceof Error ? error.message : String(error) });
      return { name: null, slackUserId, iconUrl: null };
    }
  };

  // -------------------------------------------------------------------------
  // One job

  const run = async (job: CommentDelivery, channelKey: string): Promise<Outcome> => {
    const { comment, copy, side } = await deliveryTarget(db, job);
    // The ticket (and its comments) are gone, or the thread was unlinked: nothing to show.
    if (!comment || !side) return { kind: 'done' };
    try {
      if (comment.isDeleted) {
        if (!copy) return { kind: 'done' };
        await paced(channelKey, () => client.chat.delete({ channel: copy.channelId, ts: copy.messageTs }));
        return { kind: 'done' };
      }
      // The author first: users.info's answer carries the token's scopes as they are now.
      const author = await authorOf(comment);
      const message = commentCopy({ comment: { ...comment, text: bodyWithoutFiles(comment.body, comment.files) }, author, customize: await canCustomize() });
      if (copy) {
        // chat.update cannot change the author's name or avatar: only the text follows.
        const answer = await paced(channelKey, () => client.chat.update({ channel: copy.channelId, ts: copy.messageTs, text: message.text }));
        learnScopes(answer);
        return { kind: 'done' };
      }
      const posted = await paced(channelKey, () =>
        client.chat.postMessage({ channel: job.channelId, thread_ts: job.threadTs, ...message, unfurl_links: false, unfurl_media: false }),
      );
      learnScopes(posted);
      // The one window for a duplicate: a crash before this line posts the copy again.
      if (posted.ts) await recordCommentMessage(db, { tenantId: job.tenantId }, comment.id, { channel_id: job.channelId, thread_ts: job.threadTs, message_ts: posted.ts });
      return { kind: 'done' };
    } catch (error) {
      const outcome = classify(error);
      // The scope was taken away since we last heard: forget what we knew and go again at once, plainly.
      if (outcome.kind === 'failed' && outcome.error === 'missing_scope') {
        scopes = undefined;
        return { kind: 'retry', error: outcome.error, retryAfterMs: 0 };
      }
      return outcome;
    }
  };

  /** Tells the agents, in the card's thread, that a copy was not delivered. Best effort: logged if it fails too. */
  const tellAgents = async (job: CommentDelivery, error: string) => {
    const { comment, side } = await deliveryTarget(db, job);
    if (!comment) return;
    const agents = (await listThreads(db, job.tenantId, comment.ticketId)).filter((t) => t.side === 'agents');
    for (const thread of agents) {
      try {
        const notice = copyFailedNotice({ side, error });
        await paced(`${job.tenantId}/${thread.channelId}`, () => client.chat.postMessage({ channel: thread.channelId, thread_ts: thread.threadTs, ...notice }));
      } catch (noticeError) {
        log.error('slack: could not tell the agents that a comment copy failed', {
          comment: comment.id,
          channel: thread.channelId,
          error: noticeError instanceof Error ? noticeError.message : String(noticeError),
        });
      }
    }
  };

  /** Runs a job and records what came of it; false when its thread (or channel) must wait. */
  const settle = async (job: CommentDelivery, channelKey: string): Promise<boolean> => {
    const outcome = await run(job, channelKey);
    const at = now();
    if (outcome.kind === 'done') {
      await markDeliveryDone(db, job, replicaId, at);
      return true;
    }
    if (outcome.kind === 'retry' && job.attempts + 1 < maxAttempts) {
      const next = new Date(at.getTime() + retryDelay(job.attempts + 1, retry, outcome.retryAfterMs));
      if (outcome.retryAfterMs !== undefined) {
        heldUntil.set(channelKey, Date.now() + outcome.retryAfterMs);
        if (heldUntil.size > 1_000) for (const [key, until] of heldUntil) if (until < Date.now()) heldUntil.delete(key);
      }
      await markDeliveryRetry(db, job, replicaId, next, outcome.error, at);
      log.warn('slack: a comment copy was not delivered yet; it is retried', { comment: job.commentId, channel: job.channelId, error: outcome.error, retryAt: next.toISOString() });
      wakeAt(next.getTime());
      return false;
    }
    if (await markDeliveryFailed(db, job, replicaId, outcome.error, at)) {
      log.error('slack: a comment copy could not be delivered; the agents are told in the card thread', {
        comment: job.commentId,
        channel: job.channelId,
        error: outcome.error,
      });
      await tellAgents(job, outcome.error);
    }
    return true;
  };

  // -------------------------------------------------------------------------
  // A run: every due job of every tenant, one pass

  const runChannel = async (channelKey: string, threads: CommentDelivery[][]): Promise<void> => {
    const leftOver: CommentDelivery[] = [];
    for (const jobs of threads) {
      for (const [index, job] of jobs.entries()) {
        const held = heldUntil.get(channelKey);
        if (stopped || (held !== undefined && held > Date.now())) {
          // Slack asked this channel to wait: everything for it goes back, to run once the wait is over.
          if (held !== undefined && !stopped) wakeAt(now().getTime() + (held - Date.now()));
          leftOver.push(...jobs.slice(index));
          break;
        }
        if (!(await settle(job, channelKey))) {
          leftOver.push(...jobs.slice(index + 1));
          break;
        }
      }
    }
    if (leftOver.length > 0) await releaseDeliveries(db, leftOver[0]!.tenantId, leftOver.map((j) => j.id), replicaId);
  };

  const runTenant = async (tenantId: string): Promise<void> => {
    const claimed = await claimCommentDeliveries(db, tenantId, replicaId, now(), leaseMs, batch);
    if (claimed.length === batch) again = true;
    const byThread = new Map<string, CommentDelivery[]>();
    for (const job of claimed) {
      const key = `${job.channelId}/${job.threadTs}`;
      byThread.set(key, [...(byThread.get(key) ?? []), job]);
    }
    const byChannel = new Map<string, CommentDelivery[][]>();
    const notYet: string[] = [];
    for (const jobs of byThread.values()) {
      const head = await threadQueueHead(db, tenantId, jobs[0]!.channelId, jobs[0]!.threadTs);
      // An earlier job of this thread waits for a retry (or another replica has it): its turn first.
      if (head !== jobs[0]!.id) {
        notYet.push(...jobs.map((j) => j.id));
        continue;
      }
      const key = `${tenantId}/${jobs[0]!.channelId}`;
      byChannel.set(key, [...(byChannel.get(key) ?? []), jobs]);
    }
    await releaseDeliveries(db, tenantId, notYet, replicaId);
    const results = await Promise.allSettled([...byChannel.entries()].map(([key, threads]) => channels(() => runChannel(key, threads))));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  const runOnce = async (): Promise<void> => {
    for (const tenantId of await tenantsWithDueDeliveries(db, now())) {
      if (stopped) return;
      try {
        await runTenant(tenantId);
      } catch (error) {
        // A database error: the claims run out and the jobs are run again.
        log.error('slack: the comment mirror broke off for a tenant; its jobs are retried', { tenantId, error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  // -------------------------------------------------------------------------
  // Scheduling: a wake after writes, a timer for retries, a poll for everything else

  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let retryTimer: { timer: NodeJS.Timeout; at: number } | undefined;

  const loop = async () => {
    do {
      again = false;
      try {
        await runOnce();
      } catch (error) {
        log.warn('slack: the comment mirror could not read its outbox; it tries again shortly', { error: error instanceof Error ? error.message : String(error) });
      }
    } while (again && !stopped);
  };

  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = loop().finally(() => {
      running = undefined;
    });
  };

  function wakeAt(at: number) {
    if (stopped || (retryTimer && retryTimer.at <= at)) return;
    if (retryTimer) clearTimeout(retryTimer.timer);
    // A few ms late on purpose: a timer may fire slightly early (libuv counts from its cached
    // loop time), and a wake before the job is due finds nothing and leaves it to the poll.
    const timer = setTimeout(() => {
      retryTimer = undefined;
      wake();
    }, Math.max(10, at - now().getTime() + 5));
    timer.unref();
    retryTimer = { timer, at };
  }

  const poll = setInterval(wake, pollMs);
  poll.unref();
  // Jobs a previous process left behind go out now, not at the first poll.
  wake();

  return {
    wake,
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      if (retryTimer) clearTimeout(retryTimer.timer);
      retryTimer = undefined;
      while (running) await running;
    },
  };
}
