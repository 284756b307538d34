import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { FIRST_RESPONSE_CLOCK_RUNNING, NEXT_RESPONSE_CLOCK_RUNNING, people, RESOLUTION_CLOCK_RUNNING, teamAgents, tickets, type SlaClock } from '../db/schema/index.js';
import { clockInstants } from './sla/alerts.js';
import { isClockRunning } from './sla/clock.js';
import { ticketColumns, type Ticket } from './tickets/queries.js';

/**
 * What a person's App Home lists: their requests, and for agents their queue, the unassigned
 * tickets of their teams and the tickets of their teams at risk. One query per list, each
 * tenant-scoped, returning the first `limit` tickets and how many there are in all.
 */

/** How long after resolving or closing a ticket it still shows among "My requests". */
export const RECENTLY_DONE_DAYS = 7;

/** How long after opening Home a person still gets it republished after changes. */
export const HOME_RECENT_HOURS = 24;

const WORKABLE = ['open', 'in_progress', 'pending'] as const;

/** A clock's deadline on a ticket, and the clock. */
export interface Deadline {
  clock: SlaClock;
  at: Date;
}

/** How a ticket stands against a clock that is at risk or breached. */
export interface Risk extends Deadline {
  breached: boolean;
}

export interface HomeTicket {
  ticket: Ticket;
  /** The earliest deadline of the clocks running now (none: no SLA, or every clock met or paused). */
  next: Deadline | null;
}

export interface RiskTicket extends HomeTicket {
  risk: Risk;
}

export interface HomeList<T extends HomeTicket = HomeTicket> {
  items: T[];
  total: number;
}

const CLOCKS: SlaClock[] = ['first_response', 'next_response', 'resolution'];

/** The earliest deadline among the clocks running on the ticket (the same rule as the sweep's). */
export function nextDeadline(ticket: Ticket): Deadline | null {
  let next: Deadline | null = null;
  for (const clock of CLOCKS) {
    if (!isClockRunning(clock, ticket)) continue;
    const at = clockInstants(ticket, clock).deadline;
    if (at && (!next || at < next.at)) next = { clock, at };
  }
  return next;
}

/** The most urgent running clock past its warning instant or its deadline, as of `now`. */
export function riskOf(ticket: Ticket, now: Date): Risk | null {
  let worst: Risk | null = null;
  for (const clock of CLOCKS) {
    if (!isClockRunning(clock, ticket)) continue;
    const { deadline, warnAt } = clockInstants(ticket, clock);
    if (!deadline) continue;
    const breached = deadline <= now;
    if (!breached && !(warnAt && warnAt <= now)) continue;
    if (!worst || deadline < worst.at) worst = { clock, at: deadline, breached };
  }
  return worst;
}

// The running-clock rules as SQL, word for word the sweep's partial index predicates.
const firstResponseDue = sql`case when ${sql.raw(FIRST_RESPONSE_CLOCK_RUNNING)} then ${tickets.firstResponseDueAt} end`;
const nextResponseDue = sql`case when ${sql.raw(NEXT_RESPONSE_CLOCK_RUNNING)} then ${tickets.nextResponseDueAt} end`;
const resolutionDue = sql`case when ${sql.raw(RESOLUTION_CLOCK_RUNNING)} then ${tickets.dueAt} end`;
/** `nextDeadline` in SQL, to order by (least() ignores nulls). */
const NEXT_DEADLINE = sql`least(${firstResponseDue}, ${nextResponseDue}, ${resolutionDue})`;

const TOTAL = sql<number>`(count(*) over ())::int`.as('total');

/** Teams the person is an agent of, as a subquery. */
function myTeams(db: Db, tenantId: string, personId: string) {
  return db
    .select({ teamId: teamAgents.teamId })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, tenantId), eq(teamAgents.personId, personId)));
}

async function page(db: Db, where: SQL, order: SQL[], limit: number): Promise<{ rows: Ticket[]; total: number }> {
  const rows = await db
    .select({ ...ticketColumns, total: TOTAL })
    .from(tickets)
    .where(where)
    .orderBy(...order)
    .limit(Math.max(0, limit));
  // With no row in the page there is no window to read the total from: the list is empty
  // (or the page size is 0, which the Home never asks for).
  const total = rows[0]?.total ?? 0;
  return { rows: rows.map(({ total: _total, ...ticket }) => ticket as Ticket), total };
}

const live = (tenantId: string) => and(eq(tickets.tenantId, tenantId), eq(tickets.isDeleted, false))!;
const urgentFirst = [sql`${NEXT_DEADLINE} asc nulls last`, desc(tickets.priority), asc(tickets.numberSeq)];

/** Tickets the person raised: not yet done, and done in the last `RECENTLY_DONE_DAYS` days; newest first. */
export async function myRequests(db: Db, tenantId: string, personId: string, now: Date, limit: number): Promise<HomeList> {
  const since = new Date(now.getTime() - RECENTLY_DONE_DAYS * 86_400_000);
  const { rows, total } = await page(
    db,
    and(
      live(tenantId),
      eq(tickets.submittedById, personId),
      or(
        inArray(tickets.status, [...WORKABLE]),
        and(eq(tickets.status, 'resolved'), gte(tickets.resolvedAt, since)),
        and(eq(tickets.status, 'closed'), gte(tickets.closedAt, since)),
      ),
    )!,
    [desc(tickets.createdAt), desc(tickets.id)],
    limit,
  );
  return { items: rows.map((ticket) => ({ ticket, next: nextDeadline(ticket) })), total };
}

/** Tickets assigned to the person and not done yet, most urgent deadline first (none last). */
export async function myQueue(db: Db, tenantId: string, personId: string, limit: number): Promise<HomeList> {
  const { rows, total } = await page(
    db,
    and(live(tenantId), eq(tickets.assignedToId, personId), inArray(tickets.status, [...WORKABLE]))!,
    urgentFirst,
    limit,
  );
  return { items: rows.map((ticket) => ({ ticket, next: nextDeadline(ticket) })), total };
}

/** Unassigned tickets not done yet in the teams the person is an agent of, most urgent first. */
export async function unassignedInMyTeams(db: Db, tenantId: string, personId: string, limit: number): Promise<HomeList> {
  const { rows, total } = await page(
    db,
    and(
      live(tenantId),
      isNull(tickets.assignedToId),
      inArray(tickets.status, [...WORKABLE]),
      inArray(tickets.teamId, myTeams(db, tenantId, personId)),
    )!,
    urgentFirst,
    limit,
  );
  return { items: rows.map((ticket) => ({ ticket, next: nextDeadline(ticket) })), total };
}

/**
 * Tickets of the person's teams with a running clock past its warning instant or its deadline,
 * the most urgent deadline first, each with its most urgent clock. The same instants the SLA
 * sweep alerts on, so Home and the channel's alerts agree.
 */
export async function atRiskInMyTeams(db: Db, tenantId: string, personId: string, now: Date, limit: number): Promise<HomeList<RiskTicket>> {
  const at = now.toISOString();
  const past = (instant: SQL) => sql`${instant} <= ${at}::timestamptz`;
  const warnOrDue = (running: string, warn: SQL, due: SQL) => sql`(${sql.raw(running)} and (${past(warn)} or ${past(due)}))`;
  const atRisk = sql`(${warnOrDue(FIRST_RESPONSE_CLOCK_RUNNING, sql`${tickets.firstResponseWarnAt}`, sql`${tickets.firstResponseDueAt}`)}
    or ${warnOrDue(NEXT_RESPONSE_CLOCK_RUNNING, sql`${tickets.nextResponseWarnAt}`, sql`${tickets.nextResponseDueAt}`)}
    or ${warnOrDue(RESOLUTION_CLOCK_RUNNING, sql`${tickets.resolutionWarnAt}`, sql`${tickets.dueAt}`)})`;
  const { rows, total } = await page(
    db,
    and(live(tenantId), inArray(tickets.teamId, myTeams(db, tenantId, personId)), atRisk)!,
    urgentFirst,
    limit,
  );
  const items = rows.flatMap((ticket) => {
    const risk = riskOf(ticket, now);
    return risk ? [{ ticket, next: nextDeadline(ticket), risk }] : [];
  });
  return { items, total };
}

/** Records that the person opened their Home tab now. */
export async function recordHomeOpened(db: Db, tenantId: string, personId: string, now: Date): Promise<void> {
  await db
    .update(people)
    .set({ homeOpenedAt: now })
    .where(and(eq(people.tenantId, tenantId), eq(people.id, personId)));
}

export interface HomeViewer {
  personId: string;
  slackUserId: string;
}

/**
 * Of these people and the agents of these teams, those who opened Home in the last
 * `HOME_RECENT_HOURS` hours (and are Slack users): whose Home a change is worth republishing.
 */
export async function recentHomeViewers(
  db: Db,
  tenantId: string,
  who: { personIds: readonly string[]; teamIds: readonly string[] },
  now: Date,
): Promise<HomeViewer[]> {
  const personIds = [...new Set(who.personIds)];
  const teamIds = [...new Set(who.teamIds)];
  if (personIds.length === 0 && teamIds.length === 0) return [];
  const since = new Date(now.getTime() - HOME_RECENT_HOURS * 3_600_000);
  const agentsOfTeams = db
    .select({ personId: teamAgents.personId })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, tenantId), inArray(teamAgents.teamId, teamIds.length > 0 ? teamIds : [''])));
  const rows = await db
    .select({ personId: people.id, slackUserId: people.slackUserId })
    .from(people)
    .where(
      and(
        eq(people.tenantId, tenantId),
        gte(people.homeOpenedAt, since),
        isNotNull(people.slackUserId),
        or(inArray(people.id, personIds.length > 0 ? personIds : ['']), inArray(people.id, agentsOfTeams)),
      ),
    );
  return rows.map((row) => ({ personId: row.personId, slackUserId: row.slackUserId! }));
}
