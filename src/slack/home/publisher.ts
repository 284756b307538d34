import type { webApi } from '@slack/bolt';
import type { Db } from '../../db/client.js';
import { isDatabaseUnavailable, rootCause } from '../../db/errors.js';
import { BoundedCache } from '../../domain/cache.js';
import { recentHomeViewers, type HomeViewer } from '../../domain/home.js';
import { slackPerson } from '../../domain/people.js';
import type { SlackRoleLookup } from '../../domain/roles.js';
import type { TicketChangeEvent } from '../../domain/tickets/tickets.js';
import type { Logger } from '../../log.js';
import { section, type KnownBlock } from '../blocks/elements.js';
import { buildHome } from './content.js';
import { DEFAULT_PAGES, type HomePages, type HomeView } from './view.js';

/** Publishing someone's Home at once: the Home they just opened, or clicked in. */
export interface ShowHomeOptions {
  /** Shown on top this once: what went wrong with their click (a Home click has no response_url). */
  notice?: KnownBlock[] | undefined;
  /** The page sizes to show (from the Home's private_metadata); by default the last ones published. */
  pages?: HomePages | undefined;
}

export interface HomePublisher {
  /** Republishes the Home of these people, debounced per person, for those who opened Home recently. */
  refresh(tenantId: string, personIds: readonly string[]): void;
  /** Same, for the agents of these teams (an SLA alert changes what "At risk" holds). */
  refreshTeams(tenantId: string, teamIds: readonly string[]): void;
  /** The Homes a ticket change shows on: its requester, its assignees before and after, its teams' agents. */
  onTicketChange(event: TicketChangeEvent): void;
  /** Publishes one Slack user's Home now (no debounce, no recency rule, ahead of the pace): they are looking at it. */
  show(tenantId: string, slackUserId: string, options?: ShowHomeOptions): void;
  /** Resolves once every requested publish is done. */
  idle(): Promise<void>;
  /** Publishes what is waiting without waiting out the debounce, then ignores new requests. */
  stop(): Promise<void>;
}

export interface HomePublisherOptions {
  db: Db;
  /** A client that neither retries nor queues rate-limited calls: the publisher honours Retry-After itself. */
  client: webApi.WebClient;
  log: Logger;
  now: () => Date;
  slackRoles?: SlackRoleLookup | undefined;
  /** How long changes to one person's Home are gathered before it is republished (default 1.5 s). */
  debounceMs?: number | undefined;
  /** views.publish calls per minute, all users together (Slack's Tier 4 is 100+; default 100). */
  perMinute?: number | undefined;
  /** Calls that may go out at once before the pacing applies (default 20). */
  burst?: number | undefined;
}

export const HOME_DEBOUNCE_MS = 1_500;
/** A Home refused this many times in a row for the rate limit is left until its next change. */
const MAX_RATE_LIMITED = 3;

/** One person's pending or running publish. */
interface Entry {
  tenantId: string;
  slackUserId: string;
  timer: NodeJS.Timeout | undefined;
  running: boolean;
  /** The newest request this entry owes a publish for, and the newest the last publish covered. */
  wanted: number;
  covered: number;
  /** An explicit show is owed (a notice, new page sizes): published even if a change is covered. */
  shown: boolean;
  /** 429s in a row: after a few, the Home waits for the next change or opening. */
  limited: number;
  notice: KnownBlock[] | undefined;
  done: () => void;
  settled: Promise<void>;
}

/**
 * Keeps App Homes current. Each request gets a number; a publish covers every request numbered
 * before it began reading the database, so a change heard while a publish of the same Home is
 * waiting or running costs at most one more publish, and none when it began after the change.
 *
 * Only people who opened Home in the last 24 hours (`people.home_opened_at`) are republished
 * after changes: the others see a fresh Home when they next open it. All publishes share one
 * pace (a token bucket under Slack's Tier 4 limit), which a Home someone just opened or clicked
 * in does not wait for (they are looking at it), and a 429 holds every publish back for its
 * Retry-After, then the Home is published again.
 */
export function createHomePublisher(options: HomePublisherOptions): HomePublisher {
  const { db, client, log, now } = options;
  const debounceMs = options.debounceMs ?? HOME_DEBOUNCE_MS;
  const perMinute = options.perMinute ?? 100;
  const burst = options.burst ?? 20;

  const entries = new Map<string, Entry>();
  /** Lookups of whose Home a change concerns (database reads) not finished yet. */
  const lookups = new Set<Promise<void>>();
  /** Page sizes last published per person: "Show more" stays expanded when a change republishes. */
  const lastPages = new BoundedCache<string, HomePages>(10_000);
  let requestSeq = 0;
  let stopped = false;

  // Token bucket, and the instant a 429 told us to wait for.
  let tokens = burst;
  let refilledAt = Date.now();
  let blockedUntil = 0;
  /** Publishes waiting for their turn, oldest first. */
  const waiting: Array<{ entry: Entry; go: () => void }> = [];
  let pumpTimer: NodeJS.Timeout | undefined;
  /**
   * Lets waiting publishes go. A Home someone is looking at (an opening, a click: `entry.shown`)
   * goes at once, ahead of the others, without waiting for a token: a person waits on it. It
   * takes a token if there is one, so refreshes do not add a burst of their own to a burst of
   * openings, but runs up no debt: after many openings at once, refreshes still go at the pace,
   * not minutes later. Only a 429's Retry-After holds an opening back. Refreshes go in order,
   * one per token.
   */
  const pump = () => {
    if (pumpTimer) clearTimeout(pumpTimer);
    pumpTimer = undefined;
    while (waiting.length > 0) {
      const at = Date.now();
      tokens = Math.min(burst, tokens + ((at - refilledAt) * perMinute) / 60_000);
      refilledAt = at;
      const shown = waiting.findIndex((w) => w.entry.shown);
      const wait = Math.max(blockedUntil - at, shown >= 0 || tokens >= 1 ? 0 : ((1 - tokens) * 60_000) / perMinute);
      if (wait > 0) {
        pumpTimer = setTimeout(pump, Math.ceil(wait));
        return;
      }
      tokens = Math.max(0, tokens - 1);
      waiting.splice(Math.max(shown, 0), 1)[0]!.go();
    }
  };
  const pace = (entry: Entry): Promise<void> =>
    new Promise<void>((go) => {
      waiting.push({ entry, go });
      pump();
    });

  const keyOf = (tenantId: string, slackUserId: string) => `${tenantId}/${slackUserId}`;

  const entryFor = (tenantId: string, slackUserId: string): Entry => {
    const key = keyOf(tenantId, slackUserId);
    let entry = entries.get(key);
    if (!entry) {
      let done!: () => void;
      const settled = new Promise<void>((resolve) => (done = resolve));
      entry = { tenantId, slackUserId, timer: undefined, running: false, wanted: 0, covered: 0, shown: false, limited: 0, notice: undefined, done, settled };
      entries.set(key, entry);
    }
    return entry;
  };

  const schedule = (entry: Entry, delayMs: number) => {
    if (entry.running) return; // its end looks at what is still owed
    if (entry.timer && delayMs > 0) return; // gathered into the publish already waiting
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => fire(entry), stopped ? 0 : delayMs);
  };

  /** Someone's Home is owed a publish for request `asked`. */
  const request = (tenantId: string, slackUserId: string, asked: number, delayMs: number, show?: ShowHomeOptions) => {
    const entry = entryFor(tenantId, slackUserId);
    if (show) {
      entry.shown = true;
      if (show.notice) entry.notice = show.notice;
      if (show.pages) lastPages.set(keyOf(tenantId, slackUserId), show.pages);
      // A refresh of this Home waiting for its turn now goes at once, and covers this request.
      if (entry.running) pump();
    } else if (entry.covered >= asked) {
      return settleIfIdle(entry);
    }
    entry.wanted = Math.max(entry.wanted, asked);
    schedule(entry, delayMs);
  };

  const settleIfIdle = (entry: Entry) => {
    if (entry.running || entry.timer) return;
    entries.delete(keyOf(entry.tenantId, entry.slackUserId));
    entry.done();
  };

  const fire = (entry: Entry) => {
    entry.timer = undefined;
    entry.running = true;
    void (async () => {
      try {
        await pace(entry);
        entry.covered = requestSeq;
        const notice = entry.notice;
        entry.notice = undefined;
        entry.shown = false;
        try {
          await publish(entry.tenantId, entry.slackUserId, notice);
          entry.limited = 0;
        } catch (error) {
          const retryAfter = rateLimitedFor(error);
          if (retryAfter === undefined || entry.limited >= MAX_RATE_LIMITED) throw error;
          entry.limited += 1;
          // Slack said when to come back: nobody's Home goes out before then, and this one goes again.
          blockedUntil = Math.max(blockedUntil, Date.now() + retryAfter);
          log.warn(`slack: views.publish rate limited; Homes wait ${Math.ceil(retryAfter / 1000)} s`);
          entry.notice ??= notice;
          entry.shown = true;
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (isDatabaseUnavailable(error)) log.warn(`slack: could not publish a Home, the database is unavailable (${rootCause(error)})`);
        else log.warn('slack: could not publish a Home', { error: reason });
      } finally {
        entry.running = false;
        if (entry.shown || entry.wanted > entry.covered) schedule(entry, entry.shown ? 0 : debounceMs);
        else settleIfIdle(entry);
      }
    })();
  };

  const publish = async (tenantId: string, slackUserId: string, notice: KnownBlock[] | undefined) => {
    const at = now();
    const key = keyOf(tenantId, slackUserId);
    let view: HomeView;
    try {
      const person = await slackPerson(db, tenantId, { slackUserId }, at);
      view = await buildHome({ db, log, now, slackRoles: options.slackRoles }, tenantId, person.id, at, lastPages.get(key) ?? DEFAULT_PAGES, notice);
    } catch (error) {
      // What went wrong with the click still has to reach the person, on a Home of its own.
      if (!notice) throw error;
      log.warn('slack: a Home could not be filled in, published its notice alone', { error: error instanceof Error ? error.message : String(error) });
      view = {
        type: 'home',
        blocks: [...notice, section('_The rest of this page could not be read just now; it comes back with the next change, or when you open Home again._')],
        private_metadata: '',
      };
    }
    await client.views.publish({ user_id: slackUserId, view });
  };

  const track = (work: Promise<void>) => {
    const tracked = work.catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) log.warn(`slack: could not tell whose Home to refresh, the database is unavailable (${rootCause(error)})`);
      else log.warn('slack: could not tell whose Home to refresh', { error: error instanceof Error ? error.message : String(error) });
    });
    lookups.add(tracked);
    void tracked.finally(() => lookups.delete(tracked));
  };

  /**
   * Whose Home a change concerns is one read per tenant at a time: the changes heard while it
   * runs are gathered into the next one (a busy desk's changes cost a read, not a read each).
   */
  const gathering = new Map<string, { personIds: Set<string>; teamIds: Set<string>; asked: number }>();
  const lookingUp = new Set<string>();
  const lookUp = (tenantId: string) => {
    const who = gathering.get(tenantId);
    if (!who || lookingUp.has(tenantId)) return;
    gathering.delete(tenantId);
    lookingUp.add(tenantId);
    track(
      (async () => {
        try {
          const viewers: HomeViewer[] = await recentHomeViewers(db, tenantId, { personIds: [...who.personIds], teamIds: [...who.teamIds] }, now());
          // `asked` is the newest of the gathered changes: a publish that begins after it covers them all.
          for (const viewer of viewers) request(tenantId, viewer.slackUserId, who.asked, debounceMs);
        } finally {
          lookingUp.delete(tenantId);
          lookUp(tenantId);
        }
      })(),
    );
  };
  const refreshWho = (tenantId: string, who: { personIds: readonly string[]; teamIds: readonly string[] }) => {
    if (stopped) return;
    const asked = ++requestSeq;
    const next = gathering.get(tenantId) ?? { personIds: new Set<string>(), teamIds: new Set<string>(), asked };
    for (const id of who.personIds) next.personIds.add(id);
    for (const id of who.teamIds) next.teamIds.add(id);
    next.asked = asked;
    gathering.set(tenantId, next);
    lookUp(tenantId);
  };

  const idle = async () => {
    while (lookups.size > 0 || entries.size > 0) {
      await Promise.all([...lookups, ...[...entries.values()].map((e) => e.settled)]);
    }
  };

  return {
    refresh(tenantId, personIds) {
      refreshWho(tenantId, { personIds, teamIds: [] });
    },
    refreshTeams(tenantId, teamIds) {
      refreshWho(tenantId, { personIds: [], teamIds });
    },
    onTicketChange(event) {
      const tickets = [event.ticket, event.previous].filter((t) => t !== null);
      const personIds = tickets.flatMap((t) => [t.submittedById, t.assignedToId]).filter((id): id is string => Boolean(id));
      const teamIds = tickets.map((t) => t.teamId).filter((id): id is string => Boolean(id));
      refreshWho(event.ticket.tenantId, { personIds, teamIds });
    },
    show(tenantId, slackUserId, show = {}) {
      if (stopped) return;
      request(tenantId, slackUserId, ++requestSeq, 0, show);
    },
    idle,
    async stop() {
      stopped = true;
      while (lookups.size > 0) await Promise.all([...lookups]);
      for (const entry of entries.values()) if (entry.timer) schedule(entry, 0);
      await idle();
    },
  };
}

/** The wait a 429 asked for, in ms (the Web API client's rate-limited error); undefined for any other error. */
function rateLimitedFor(error: unknown): number | undefined {
  const coded = error as { code?: string; retryAfter?: number } | null;
  if (coded?.code === 'slack_webapi_rate_limited_error' && typeof coded.retryAfter === 'number') return coded.retryAfter * 1000;
  return undefined;
}
