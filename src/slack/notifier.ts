import type { webApi } from '@slack/bolt';
import type { Db } from '../db/client.js';
import { getPeople } from '../domain/people.js';
import { breachFlagsOf, ticketBreaches, type BreachFlags, type BreachRecord } from '../domain/sla/alerts.js';
import { getTeam, type Team } from '../domain/teams.js';
import { getTicket, type Ticket } from '../domain/tickets/queries.js';
import { setSlackCard, type TicketChangeEvent, type TicketEventKind } from '../domain/tickets/tickets.js';
import type { Logger } from '../log.js';
import { createRefreshingCache } from './cache.js';
import { createLimiter } from './limit.js';
import { createPermalinks, type Permalinks } from './permalinks.js';
import type { MessageUpdater } from './transport.js';
import { ticketCard } from './blocks/card.js';
import { requesterCreatedDm, requesterUpdateDm, threadLine, type RequesterUpdateKind, type ThreadLineInput } from './blocks/messages.js';

export interface SlackNotifier {
  /** The domain's change listener: enqueues the Slack side of the change and returns at once. */
  onTicketChange(event: TicketChangeEvent, known?: ChangeKnown): void;
  /** Re-renders the ticket's card as it is now (an SLA breach was announced); returns at once. */
  refreshCard(tenantId: string, ticketId: string): void;
  /** Resolves when every queued notification has been handled (tests, shutdown). */
  idle(): Promise<void>;
}

/** What the caller of a change knows of it (a Slack button). */
export interface ChangeKnown {
  /** The ticket's breach alerts as read with the ticket it changed (or the event's, read by the write): the card needs no read of its own. */
  breaches?: BreachRecord;
  /** Called once the card shows the change (or could not be updated): someone is waiting for it. */
  cardShown?: () => void;
}

const NO_BREACH: BreachFlags = { firstResponse: false, resolution: false };

/** Tickets whose thread lines and DMs are being posted at once (see `followUp`). */
const FOLLOW_UP_CONCURRENCY = 4;

interface Rendering {
  ticket: Ticket;
  team: Team | null;
  slackIds: Map<string, string>;
  breach: BreachFlags;
}

/**
 * Renders ticket changes into Slack, whichever surface made them: posts the card in the
 * team's channel on create, updates it in place on every change, adds one line per change
 * to the card's thread, and tells the requester what they need to know by DM.
 *
 * Work is serialised per ticket (so the card never shows an older state after a newer
 * one) and always renders the ticket as it is now in the database. A Slack failure is
 * logged, never thrown back into the write that caused it.
 */
export function createSlackNotifier(deps: {
  db: Db;
  client: webApi.WebClient;
  log: Logger;
  permalinks?: Permalinks;
  /** Resolves when notifications that may wait (thread lines, DMs) may go: see createIntakeGate. */
  whenQuiet?: (since: number) => Promise<void>;
  /** How cards are updated in place (default: `client.chat.update`); see the transport's messageUpdater. */
  updateMessage?: MessageUpdater;
}): SlackNotifier {
  const { db, client, log } = deps;
  const updateMessage: MessageUpdater =
    deps.updateMessage ??
    (async (message) => {
      await client.chat.update(message);
    });
  const queues = new Map<string, Promise<void>>();
  /** Per ticket with work queued: the last change heard. */
  const latest = new Map<string, TicketChangeEvent>();

  // A person's Slack user id never changes: remembered for good (bounded). A team's name is at
  // most a few seconds old on a card, read in the background while its cards keep changing, and
  // a burst of changes after a quiet spell waits for one read (see createRefreshingCache).
  const slackIdsKnown = new Map<string, string | null>();
  const teams = createRefreshingCache<Team | null>({
    load: (key) => {
      const [tenantId, teamId] = JSON.parse(key) as [string, string];
      return getTeam(db, tenantId, teamId).catch(() => null);
    },
    refreshAfterMs: 2_500,
    maxAgeMs: 5_000,
    max: 1_000,
  });
  const teamOf = (tenantId: string, teamId: string): Promise<Team | null> => teams.get(JSON.stringify([tenantId, teamId]));

  const slackIdsOf = async (tenantId: string, personIds: string[]): Promise<Map<string, string>> => {
    const key = (id: string) => `${tenantId}/${id}`;
    const unknown = personIds.filter((id) => !slackIdsKnown.has(key(id)));
    if (unknown.length > 0) {
      const people = await getPeople(db, tenantId, unknown);
      for (const id of unknown) slackIdsKnown.set(key(id), people.find((p) => p.id === id)?.slackUserId ?? null);
      while (slackIdsKnown.size > 10_000) slackIdsKnown.delete(slackIdsKnown.keys().next().value!);
    }
    const result = new Map<string, string>();
    for (const id of personIds) {
      const slackId = slackIdsKnown.get(key(id));
      if (slackId) result.set(id, slackId);
    }
    return result;
  };

  /**
   * Reads the ticket as it is now, unless `known` is: the state a change just committed (and
   * `breaches`, its breach alerts as read with the state it changed).
   */
  const load = async (tenantId: string, ticketId: string, actorId: string | null = null, known?: Ticket, breaches?: BreachRecord): Promise<Rendering> => {
    const ticket = known ?? (await getTicket(db, { tenantId }, ticketId, { includeDeleted: true }));
    const personIds = [ticket.submittedById, ticket.assignedToId, actorId].filter((id): id is string => Boolean(id));
    const [team, slackIds, breach] = await Promise.all([
      ticket.teamId ? teamOf(ticket.tenantId, ticket.teamId) : null,
      slackIdsOf(ticket.tenantId, [...new Set(personIds)]),
      // A ticket just created has no alerts yet. A breach announced after the caller read
      // `breaches` re-renders the card when it is announced (the alert sender's refreshCard).
      known && ticket.revision === 1 ? NO_BREACH : known && breaches ? breachFlagsOf(breaches, ticket) : ticketBreaches(db, ticket),
    ]);
    return { ticket, team, slackIds, breach };
  };

  const slackIdOf = (r: Rendering, personId: string | null) => (personId ? (r.slackIds.get(personId) ?? null) : null);

  const card = (r: Rendering) =>
    ticketCard({
      ticket: r.ticket,
      submitterSlackId: slackIdOf(r, r.ticket.submittedById),
      assigneeSlackId: slackIdOf(r, r.ticket.assignedToId),
      teamName: r.team?.name ?? null,
      breach: r.breach,
    });

  const permalink = deps.permalinks ?? createPermalinks(client, log);

  const created = async (event: TicketChangeEvent, r: Rendering) => {
    let cardLink: string | undefined;
    const channel = r.team?.slackChannelId;
    if (channel) {
      const posted = await client.chat.postMessage({ channel, ...card(r), unfurl_links: false });
      if (posted.ts) {
        await setSlackCard(db, { tenantId: r.ticket.tenantId }, r.ticket.id, { channelId: channel, messageTs: posted.ts });
        cardLink = await permalink(channel, posted.ts);
      }
    }
    const requester = slackIdOf(r, r.ticket.submittedById);
    if (requester) {
      // Like every change's notifications, the requester's DM follows the card.
      followUp(event, async () => {
        await client.chat.postMessage({
          channel: requester,
          ...requesterCreatedDm({ ticket: r.ticket, teamName: r.team?.name ?? null, cardPermalink: cardLink }),
        });
      });
    }
  };

  const changed = async (event: TicketChangeEvent, r: Rendering) => {
    const { slackChannelId: channel, slackMessageTs: ts } = r.ticket;
    const actor = slackIdOf(r, event.scope.actorId);
    // The card first: it is what the person who clicked is looking at. The thread line and
    // the requester's DM follow, in order for this ticket, a few tickets at a time.
    if (channel && ts) await updateMessage({ channel, ts, ...card(r) });
    followUp(event, async () => {
      const line = channel && ts ? threadLineFor(event, actor, r) : undefined;
      if (line) await client.chat.postMessage({ channel: channel!, thread_ts: ts!, text: line.text });
      const requester = slackIdOf(r, r.ticket.submittedById);
      const kind = requesterUpdateKind(event);
      // The requester hears of what others did; their own close/reopen needs no echo.
      if (requester && kind && event.scope.actorId !== r.ticket.submittedById) {
        const link = channel && ts ? await permalink(channel, ts) : undefined;
        await client.chat.postMessage({
          channel: requester,
          ...requesterUpdateDm({ ticket: r.ticket, kind, actorSlackId: actor, cardPermalink: link }),
        });
      }
    });
  };

  /**
   * Notifications that follow a card update: chained per ticket (its thread lines and DMs
   * keep the order of its changes); each waits for a quiet moment of the Slack intake
   * (`whenQuiet`), then at most FOLLOW_UP_CONCURRENCY tickets' go at once, so a burst of
   * changes updates every card before it posts every line. Never dropped; a failure is
   * logged like the card's.
   */
  const followUps = new Map<string, Promise<void>>();
  const followUpSlots = createLimiter(FOLLOW_UP_CONCURRENCY);
  const whenQuiet = deps.whenQuiet ?? (() => Promise.resolve());
  const followUp = (event: TicketChangeEvent, work: () => Promise<void>) => {
    const queued = performance.now();
    chainUnder(followUps, `${event.ticket.tenantId}/${event.ticket.id}`, () =>
      followUpSlots(async () => {
        await whenQuiet(queued);
        await work();
      }).catch((error: unknown) =>
        log.error('slack: could not post the notifications of a ticket change', {
          ticket: event.ticket.number,
          kind: event.kind,
          error: error instanceof Error ? error.message : String(error),
        }),
      ),
    );
  };

  const handle = async (event: TicketChangeEvent, known: ChangeKnown | undefined) => {
    try {
      // The committed state the event carries is the ticket as it is now when no later change
      // of it is queued here, and when it already knows its card (or is the create that posts
      // it): otherwise the card is rendered from a fresh read.
      const key = `${event.ticket.tenantId}/${event.ticket.id}`;
      const current = latest.get(key) === event && (event.kind === 'created' || event.ticket.slackMessageTs !== null);
      const rendering = await load(event.ticket.tenantId, event.ticket.id, event.scope.actorId, current ? event.ticket : undefined, event.breaches ?? known?.breaches);
      if (event.kind === 'created') await created(event, rendering);
      else await changed(event, rendering);
    } catch (error) {
      log.error('slack: could not render a ticket change', {
        ticket: event.ticket.number,
        kind: event.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      known?.cardShown?.();
    }
  };

  const refresh = async (tenantId: string, ticketId: string) => {
    try {
      const rendering = await load(tenantId, ticketId);
      const { slackChannelId: channel, slackMessageTs: ts } = rendering.ticket;
      if (channel && ts) await updateMessage({ channel, ts, ...card(rendering) });
    } catch (error) {
      log.warn('slack: could not refresh a ticket card', { ticketId, error: error instanceof Error ? error.message : String(error) });
    }
  };

  /** Work is serialised per ticket, so the card never shows an older state after a newer one. */
  const enqueue = (tenantId: string, ticketId: string, work: () => Promise<void>) => {
    const key = `${tenantId}/${ticketId}`;
    chainUnder(queues, key, work, () => latest.delete(key));
  };

  return {
    onTicketChange(event, known) {
      latest.set(`${event.ticket.tenantId}/${event.ticket.id}`, event);
      enqueue(event.ticket.tenantId, event.ticket.id, () => handle(event, known));
    },
    refreshCard(tenantId, ticketId) {
      enqueue(tenantId, ticketId, () => refresh(tenantId, ticketId));
    },
    async idle() {
      while (queues.size > 0 || followUps.size > 0) await Promise.all([...queues.values(), ...followUps.values()]);
    },
  };
}

/**
 * Runs `work` after the work already chained under `key` (none: at once); the map forgets
 * the key, and `onDone` runs, when the last work chained under it has finished.
 */
function chainUnder(chains: Map<string, Promise<void>>, key: string, work: () => Promise<void>, onDone?: () => void): void {
  const next = (chains.get(key) ?? Promise.resolve()).then(work);
  chains.set(key, next);
  void next.finally(() => {
    if (chains.get(key) !== next) return;
    chains.delete(key);
    onDone?.();
  });
}

const THREAD_KINDS: Partial<Record<TicketEventKind, ThreadLineInput['kind']>> = {
  claimed: 'claimed',
  assigned: 'assigned',
  status_changed: 'status',
  resolved: 'resolved',
  closed: 'closed',
  reopened: 'reopened',
  updated: 'updated',
};

function threadLineFor(event: TicketChangeEvent, actor: string | null, r: Rendering): { text: string } | undefined {
  if (event.kind === 'deleted') return { text: `${actor ? `<@${actor}>` : 'Someone via the API'} deleted this ticket` };
  const kind = THREAD_KINDS[event.kind];
  if (!kind) return undefined;
  let detail: string | undefined;
  if (kind === 'assigned') detail = r.ticket.assignedToId ? (r.slackIds.get(r.ticket.assignedToId) ?? undefined) : undefined;
  if (kind === 'status') detail = r.ticket.status;
  if (kind === 'updated') detail = Object.keys(event.changes).filter((k) => !SILENT_FIELDS.has(k)).join(', ').replaceAll('_', ' ');
  if (kind === 'updated' && !detail) return undefined;
  return threadLine({ actorSlackId: actor, kind, detail });
}

/** Derived fields: they change with the ones a person changed, and are not news by themselves. */
const SILENT_FIELDS = new Set([
  'due_at',
  'first_response_due_at',
  'first_response_warn_at',
  'resolution_warn_at',
  'sla_policy',
  'first_response_at',
  'sla_pauses',
]);

function requesterUpdateKind(event: TicketChangeEvent): RequesterUpdateKind | undefined {
  switch (event.kind) {
    case 'claimed':
      return 'claimed';
    case 'resolved':
      return 'resolved';
    case 'closed':
      return 'closed';
    case 'reopened':
      return 'reopened';
    case 'status_changed':
    case 'updated':
      return event.changes.status?.to === 'pending' ? 'pending' : event.changes.status?.to === 'resolved' ? 'resolved' : undefined;
    default:
      return undefined;
  }
}
