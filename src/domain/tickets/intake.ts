import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { teams, tenants, ticketSources, ticketThreads } from '../../db/schema/index.js';
import type { Scope } from '../scope.js';
import { linkSourceThread, type SourceThreadOutcome } from './conversation.js';
import type { Ticket } from './queries.js';
import { createTicket, reviseFromSource, withdrawTicket, type TicketChangeEvent, type TicketDeps, type TicketWriteResult } from './tickets.js';

/**
 * A ticket raised from a Slack message: by a reaction, from a DM to the app, from a request
 * channel (each calls `raiseFromMessage` with its own `via`). The message's
 * author is the requester; the person who raised it is the ticket's creator and is kept on
 * its source. The message's thread is the requester's side of the conversation.
 */

export type TicketSource = typeof ticketSources.$inferSelect;

/** How a ticket was raised from a message. */
export type IntakeVia = 'reaction' | 'dm' | 'request_channel';

export interface MessageIntake {
  channelId: string;
  messageTs: string;
  /** The thread the message is in (its parent's ts), or its own ts for a top-level message. */
  threadTs: string;
  /** The message's author, as a person id: the requester. */
  authorId: string;
  /** The message's text, as plain text (Slack's markup already turned into words). */
  text: string;
  /** A link to the message (chat.getPermalink), added to the description. */
  permalink?: string | undefined;
  via: IntakeVia;
  /** The team it goes to (the one a person chose in a DM to the app, a request channel's); else the team whose channel the message is in, else the default team. */
  teamId?: string | undefined;
}

export type IntakeOutcome =
  | { kind: 'raised'; ticket: Ticket; thread: SourceThreadOutcome }
  /** The message is already a ticket (another reaction, a retried delivery): nothing new. */
  | { kind: 'exists'; ticketId: string };

/** Titles are at most this long (the ticket schema's limit). */
export const TITLE_MAX = 200;
/** Room kept in the description for the link to the message. */
const DESCRIPTION_MAX = 40_000 - 3_100;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The message's first non-empty line, shortened to `max` at a word boundary with '…'. A first
 * line with no space to cut at is cut between graphemes, so no emoji or surrogate pair is split.
 */
export function titleFromText(text: string, max = TITLE_MAX): string {
  const line = (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().replace(/\s+/g, ' ');
  if (line === '') return 'Message from Slack';
  if (line.length <= max) return line;
  const room = max - 1;
  const space = line.lastIndexOf(' ', room);
  // A boundary in the last third at least, or the title would be a word or two of a long line.
  if (space > room / 3) return `${line.slice(0, space).trimEnd()}…`;
  return `${cutGraphemes(line, room)}…`;
}

/** The longest prefix of whole graphemes within `max` UTF-16 units. */
function cutGraphemes(text: string, max: number): string {
  let end = 0;
  for (const { segment } of graphemes.segment(text.slice(0, max + 16))) {
    if (end + segment.length > max) break;
    end += segment.length;
  }
  return text.slice(0, end);
}

/** The full text, then the link to the message. */
export function descriptionFromText(text: string, permalink: string | undefined): string {
  const body = text.length > DESCRIPTION_MAX ? `${cutGraphemes(text, DESCRIPTION_MAX - 1)}…` : text;
  return permalink ? `${body}\n\nRaised from this Slack message: ${permalink}` : body;
}

/** The ticket already raised from a message, if any. */
export async function findTicketSource(db: Db, tenantId: string, channelId: string, messageTs: string): Promise<TicketSource | undefined> {
  const [row] = await db
    .select()
    .from(ticketSources)
    .where(and(eq(ticketSources.tenantId, tenantId), eq(ticketSources.channelId, channelId), eq(ticketSources.messageTs, messageTs)));
  return row;
}

/**
 * Whether the ticket was raised from a message whose thread is its requester's side: its
 * requester (the message's author) is in that thread already, and hears of it there.
 * (A message in a thread that follows another ticket is raised, but its thread stays that one's.)
 */
export async function raisedInRequesterThread(db: Db, tenantId: string, ticketId: string): Promise<boolean> {
  const [row] = await db
    .select({ ticketId: ticketSources.ticketId })
    .from(ticketSources)
    .innerJoin(
      ticketThreads,
      and(
        eq(ticketThreads.tenantId, ticketSources.tenantId),
        eq(ticketThreads.ticketId, ticketSources.ticketId),
        eq(ticketThreads.channelId, ticketSources.channelId),
        eq(ticketThreads.side, 'requester'),
      ),
    )
    .where(and(eq(ticketSources.tenantId, tenantId), eq(ticketSources.ticketId, ticketId)))
    .limit(1);
  return row !== undefined;
}

/** The team whose channel this is (the oldest, when several share it): its tickets are raised there. */
export async function teamOfChannel(db: Db, tenantId: string, channelId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.tenantId, tenantId), eq(teams.slackChannelId, channelId)))
    .orderBy(asc(teams.createdAt), asc(teams.id))
    .limit(1);
  return row?.id;
}

/**
 * The team an intake ticket goes to and the type and priority it takes: the team's intake
 * defaults (incident / medium unless an admin chose others); without a team, the create defaults.
 */
async function intakeTeam(db: Db, tenantId: string, intake: MessageIntake): Promise<{ team_id?: string; type?: string; priority?: string }> {
  const teamId = intake.teamId ?? (await teamOfChannel(db, tenantId, intake.channelId));
  const [row] = teamId
    ? await db
        .select({ id: teams.id, type: teams.intakeType, priority: teams.intakePriority })
        .from(teams)
        .where(and(eq(teams.tenantId, tenantId), eq(teams.id, teamId)))
    : await db
        .select({ id: teams.id, type: teams.intakeType, priority: teams.intakePriority })
        .from(tenants)
        .innerJoin(teams, and(eq(teams.tenantId, tenants.tenantId), eq(teams.id, tenants.defaultTeamId)))
        .where(eq(tenants.tenantId, tenantId));
  return row ? { team_id: row.id, type: row.type, priority: row.priority } : {};
}

/** Thrown inside the transaction when the message turned out to be raised already: rolls the new ticket back. */
class AlreadyRaised extends Error {}

/**
 * Raises a ticket from a message, once per (workspace, channel, message ts). The ticket, its
 * source row and the link of the message's thread commit together; two raises of one message
 * at once (two reactions, a retried delivery) serialise on the source's key, and the second
 * rolls its ticket back (its number too, so numbers stay consecutive) and answers `exists`.
 * The ticket goes to the team the intake names (a request channel's), else the team whose channel
 * the message is in, else the default team, with that team's intake type and priority (changed
 * later like any ticket's); its SLA follows from those.
 * Listeners hear the create after commit.
 */
export async function raiseFromMessage(db: Db, scope: Scope, intake: MessageIntake, deps: TicketDeps = {}): Promise<IntakeOutcome> {
  const already = await findTicketSource(db, scope.tenantId, intake.channelId, intake.messageTs);
  if (already) return { kind: 'exists', ticketId: already.ticketId };
  const events: TicketChangeEvent[] = [];
  let outcome: IntakeOutcome;
  try {
    outcome = await db.transaction(async (tx) => {
      const team = await intakeTeam(tx, scope.tenantId, intake);
      const ticket = await createTicket(
        tx,
        scope,
        {
          title: titleFromText(intake.text),
          description: descriptionFromText(intake.text, intake.permalink),
          submitted_by_id: intake.authorId,
          ...team,
          source: 'slack',
          source_type: 'frontend',
        },
        // Collected, not emitted: nothing is committed yet.
        { ...(deps.ids ? { ids: deps.ids } : {}), onChange: (event) => events.push(event) },
      );
      const [source] = await tx
        .insert(ticketSources)
        .values({
          tenantId: scope.tenantId,
          channelId: intake.channelId,
          messageTs: intake.messageTs,
          ticketId: ticket.id,
          raisedById: scope.actorId,
          via: intake.via,
          createdAt: scope.now,
        })
        .onConflictDoNothing()
        .returning();
      if (!source) throw new AlreadyRaised();
      const thread = await linkSourceThread(tx, scope, ticket.id, { channel_id: intake.channelId, thread_ts: intake.threadTs });
      return { kind: 'raised' as const, ticket, thread };
    });
  } catch (error) {
    if (!(error instanceof AlreadyRaised)) throw error;
    const winner = await findTicketSource(db, scope.tenantId, intake.channelId, intake.messageTs);
    return { kind: 'exists', ticketId: winner!.ticketId };
  }
  for (const event of events) {
    try {
      deps.onChange?.(event);
    } catch {
      // A listener's failure must never turn a committed write into an error.
    }
  }
  return outcome;
}

/**
 * Its author edited a request channel's message that is a ticket: the ticket's title and
 * description follow until someone answers it (see reviseFromSource). Other intakes keep the
 * text they were raised with (the person who raised it chose that message as it was).
 * Undefined when the message is no such ticket.
 */
export async function sourceMessageEdited(
  db: Db,
  scope: Scope,
  message: { channelId: string; messageTs: string; text: string; permalink?: string | undefined },
  deps: TicketDeps = {},
): Promise<TicketWriteResult | undefined> {
  const source = await findTicketSource(db, scope.tenantId, message.channelId, message.messageTs);
  if (source?.via !== 'request_channel') return undefined;
  return reviseFromSource(
    db,
    scope,
    source.ticketId,
    { title: titleFromText(message.text), description: descriptionFromText(message.text, message.permalink) },
    deps,
  );
}

/**
 * Its author deleted a request channel's message that is a ticket: the ticket is withdrawn
 * (closed) unless someone answered it already (see withdrawTicket). Undefined when the message
 * is no such ticket.
 */
export async function sourceMessageDeleted(
  db: Db,
  scope: Scope,
  message: { channelId: string; messageTs: string },
  deps: TicketDeps = {},
): Promise<TicketWriteResult | undefined> {
  const source = await findTicketSource(db, scope.tenantId, message.channelId, message.messageTs);
  if (source?.via !== 'request_channel') return undefined;
  return withdrawTicket(db, scope, source.ticketId, deps);
}
