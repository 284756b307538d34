import type { webApi } from '@slack/bolt';
import type { Db } from '../db/client.js';
import { getPeople } from '../domain/people.js';
import { ticketBreaches, type BreachFlags } from '../domain/sla/alerts.js';
import { teamLabel, type TeamLabel } from '../domain/teams.js';
import { conversationSummary, type CommentEvent, type ConversationSummary } from '../domain/tickets/comments.js';
import { getTicket, type Ticket } from '../domain/tickets/queries.js';
import { raisedInRequesterThread } from '../domain/tickets/intake.js';
import { linkThread } from '../domain/tickets/threads.js';
import { setSlackCard, type TicketChangeEvent, type TicketEventKind } from '../domain/tickets/tickets.js';
import type { Logger } from '../log.js';
import { ticketCard } from './blocks/card.js';
import { PRIORITY_LABELS, TYPE_LABELS } from './blocks/text.js';
import { requesterCreatedDm, requesterUpdateDm, threadLine, type RequesterUpdateKind, type ThreadLineInput } from './blocks/messages.js';
import { chainUnder, createLimiter } from './limit.js';
import { createPermalinks, type Permalinks } from './permalinks.js';

export interface SlackNotifier {
  /** The domain's change listener: enqueues the Slack side of the change and returns at once. */
  onTicketChange(event: TicketChangeEvent): void;
  /**
   * The domain's comment listener: wakes the mirror, which delivers the copies the write queued
   * (see `mirror.ts`); every comment added or deleted re-renders the card (its conversation
   * line); returns at once.
   */
  onComment(event: CommentEvent): void;
  /** Re-renders the ticket's card as it is now (an SLA breach was announced); returns at once. */
  refreshCard(tenantId: string, ticketId: string): void;
  /** Resolves when every queued notification has been handled (tests, shutdown). */
  idle(): Promise<void>;
}

/** Tickets whose thread lines and DMs are being posted at once (see `followUp`). */
const FOLLOW_UP_CONCURRENCY = 4;

interface Rendering {
  ticket: Ticket;
  team: TeamLabel | null;
  slackIds: Map<string, string>;
  breach: BreachFlags;
  conversation: ConversationSummary;
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
  /** Linking a thread, or a comment write, queued copies: the mirror runs them now. */
  wakeMirror?: () => void;
}): SlackNotifier {
  const { db, client, log } = deps;
  const permalink = deps.permalinks ?? createPermalinks(client, log);
  const queues = new Map<string, Promise<void>>();

  const slackIdsOf = async (tenantId: string, personIds: string[]): Promise<Map<string, string>> => {
    const people = await getPeople(db, tenantId, personIds);
    return new Map(people.flatMap((p) => (p.slackUserId ? [[p.id, p.slackUserId] as const] : [])));
  };

  /** Per ticket with work queued: the last change heard. */
  const latest = new Map<string, TicketChangeEvent>();

  /**
   * The ticket as it is now (`committed`: the state a change just wrote, when nothing later is
   * queued for it), with its team, the Slack ids of its people and its breaches, read fresh.
   */
  const load = async (tenantId: string, ticketId: string, actorId: string | null = null, committed?: Ticket): Promise<Rendering> => {
    const ticket = committed ?? (await getTicket(db, { tenantId }, ticketId, { includeDeleted: true }));
    const personIds = [ticket.submittedById, ticket.assignedToId, actorId].filter((id): id is string => Boolean(id));
    const [team, slackIds, breach, conversation] = await Promise.all([
      ticket.teamId ? teamLabel(db, tenantId, ticket.teamId) : null,
      slackIdsOf(tenantId, [...new Set(personIds)]),
      ticketBreaches(db, ticket),
      conversationSummary(db, ticket),
    ]);
    return { ticket, team, slackIds, breach, conversation };
  };

  const slackIdOf = (r: Rendering, personId: string | null) => (personId ? (r.slackIds.get(personId) ?? null) : null);

  const card = (r: Rendering) =>
    ticketCard({
      ticket: r.ticket,
      submitterSlackId: slackIdOf(r, r.ticket.submittedById),
      assigneeSlackId: slackIdOf(r, r.ticket.assignedToId),
      teamName: r.team?.name ?? null,
      breach: r.breach,
      conversation: r.conversation,
      replyDefault: r.team?.agentReplyDefault,
    });

  const updateCard = async (r: Rendering) => {
    const { slackChannelId: channel, slackMessageTs: ts } = r.ticket;
    if (channel && ts) await client.chat.update({ channel, ts, ...card(r) });
  };

  const created = async (event: TicketChangeEvent, r: Rendering) => {
    let cardLink: string | undefined;
    const channel = r.team?.slackChannelId;
    if (channel) {
      const posted = await client.chat.postMessage({ channel, ...card(r), unfurl_links: false });
      if (posted.ts) {
        await setSlackCard(db, { tenantId: r.ticket.tenantId }, r.ticket.id, { channelId: channel, messageTs: posted.ts });
        // The card's thread is the agents' side of the ticket's conversation.
        const linked = await linkThread(db, { tenantId: r.ticket.tenantId, now: new Date() }, r.ticket.id, { side: 'agents', channel_id: channel, thread_ts: posted.ts });
        if (linked.queuedCopies > 0) deps.wakeMirror?.();
        cardLink = await permalink(channel, posted.ts);
      }
    }
    const requester = slackIdOf(r, r.ticket.submittedById);
    // Raised from a message (a reaction): its author, the requester, is in that message's
    // thread, where the app answers; a "ticket created" DM would say it twice.
    if (requester && !(await raisedInRequesterThread(db, r.ticket.tenantId, r.ticket.id))) {
      // Like every change's notifications, the requester's DM follows the card.
      followUp(event, async () => {
        const dm = await client.chat.postMessage({
          channel: requester,
          ...requesterCreatedDm({ ticket: r.ticket, teamName: r.team?.name ?? null, cardPermalink: cardLink }),
        });
        // The DM's thread is the requester's side: its channel is the DM's id (D…), not the user's.
        if (dm.channel && dm.ts) {
          // Comments written before it existed (through the API, right after the ticket) are queued for it.
          const linked = await linkThread(db, { tenantId: r.ticket.tenantId, now: new Date() }, r.ticket.id, { side: 'requester', channel_id: dm.channel, thread_ts: dm.ts });
          if (linked.queuedCopies > 0) deps.wakeMirror?.();
        }
      });
    }
  };

  const changed = async (event: TicketChangeEvent, r: Rendering) => {
    const { slackChannelId: channel, slackMessageTs: ts } = r.ticket;
    const actor = slackIdOf(r, event.scope.actorId);
    // The card first: it is what the person who clicked is looking at.
    await updateCard(r);
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
   * Thread lines and DMs follow the card update: chained per ticket, so they keep the order of
   * its changes, and a few tickets' at a time, so a burst of changes updates every card first.
   */
  const followUps = new Map<string, Promise<void>>();
  const followUpSlots = createLimiter(FOLLOW_UP_CONCURRENCY);
  const followUp = (event: TicketChangeEvent, work: () => Promise<void>) => {
    chainUnder(followUps, `${event.ticket.tenantId}/${event.ticket.id}`, () =>
      followUpSlots(work).catch((error: unknown) =>
        log.error('slack: could not post the notifications of a ticket change', {
          ticket: event.ticket.number,
          kind: event.kind,
          error: error instanceof Error ? error.message : String(error),
        }),
      ),
    );
  };

  const handle = async (event: TicketChangeEvent) => {
    try {
      // A change's own committed state is the ticket as it is now when no later change of it is
      // queued, and when it already knows its card (or is the create that posts it).
      const key = `${event.ticket.tenantId}/${event.ticket.id}`;
      const current = latest.get(key) === event && (event.kind === 'created' || event.ticket.slackMessageTs !== null);
      const rendering = await load(event.ticket.tenantId, event.ticket.id, event.scope.actorId, current ? event.ticket : undefined);
      if (event.kind === 'created') await created(event, rendering);
      else await changed(event, rendering);
    } catch (error) {
      log.error('slack: could not render a ticket change', {
        ticket: event.ticket.number,
        kind: event.kind,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const refresh = async (tenantId: string, ticketId: string) => {
    try {
      await updateCard(await load(tenantId, ticketId));
    } catch (error) {
      log.warn('slack: could not refresh a ticket card', { ticketId, error: error instanceof Error ? error.message : String(error) });
    }
  };

  return {
    onComment(event) {
      const { tenantId, id } = event.ticket;
      // The write queued its copies (the outbox): the mirror delivers them now. A private note
      // written in Slack has none.
      if (!(event.comment.source === 'slack' && event.comment.visibility === 'internal')) deps.wakeMirror?.();
      // An edit changes neither the count nor when the requester wrote: the card stays as it is.
      if (event.kind !== 'edited') chainUnder(queues, `${tenantId}/${id}`, () => refresh(tenantId, id));
    },
    onTicketChange(event) {
      const key = `${event.ticket.tenantId}/${event.ticket.id}`;
      latest.set(key, event);
      chainUnder(queues, key, () => handle(event), () => latest.delete(key));
    },
    refreshCard(tenantId, ticketId) {
      chainUnder(queues, `${tenantId}/${ticketId}`, () => refresh(tenantId, ticketId));
    },
    async idle() {
      while (queues.size > 0 || followUps.size > 0) await Promise.all([...queues.values(), ...followUps.values()]);
    },
  };
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
  if (event.kind === 'withdrawn') return { text: `${actor ? `<@${actor}>` : 'The requester'} deleted the message this ticket was raised from before anyone answered: closed as withdrawn` };
  const kind = THREAD_KINDS[event.kind];
  if (!kind) return undefined;
  let detail: string | undefined;
  if (kind === 'assigned') detail = r.ticket.assignedToId ? (r.slackIds.get(r.ticket.assignedToId) ?? undefined) : undefined;
  if (kind === 'status') detail = r.ticket.status;
  if (kind === 'updated') detail = Object.entries(event.changes).filter(([k]) => !SILENT_FIELDS.has(k)).map(([k, c]) => changeText(k, c)).join(', ');
  if (kind === 'updated' && !detail) return undefined;
  return threadLine({ actorSlackId: actor, kind, detail });
}

/** "priority from Medium to High" for the card's pickers' fields; other fields by name. */
function changeText(field: string, change: { from: unknown; to: unknown }): string {
  const labels: Record<string, string> | undefined = field === 'type' ? TYPE_LABELS : field === 'priority' ? PRIORITY_LABELS : undefined;
  const label = (value: unknown) => (labels && typeof value === 'string' ? labels[value] : undefined);
  const from = label(change.from);
  const to = label(change.to);
  const name = field.replaceAll('_', ' ');
  return from && to ? `${name} from ${from} to ${to}` : name;
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
  'next_response_started_at',
  'next_response_due_at',
  'next_response_warn_at',
  'next_response_round',
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
