import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPer } from '../../db/prepared.js';
import { compiledSelect } from '../../db/rows.js';
import { teamAgents, tickets } from '../../db/schema/index.js';
import { NotFoundError } from '../errors.js';
import { isStorableText } from '../input.js';
import type { Scope } from '../scope.js';
import { breachRecordColumns, breachRecordOf, type BreachRecord } from '../sla/alerts.js';
import { getTeam } from '../teams.js';
import { parseTicketNumber, readTicketRow, TICKET_WIDTH, ticketColumns, type Ticket } from './queries.js';

/** What a person does to a ticket from a chat surface. */
export type TicketAction = 'claim' | 'assign' | 'status' | 'resolve' | 'close' | 'reopen' | 'acknowledge';

/** The requester may close a ticket that was resolved for them, or reopen it. */
const REQUESTER_ACTIONS: ReadonlySet<TicketAction> = new Set(['close', 'reopen']);

export type Permission = { allowed: true } | { allowed: false; reason: string };

/**
 * Who may act on a ticket: the agents of its team (when the team lists no agents, or the
 * ticket has no team, anyone who can see it), and its requester for close/reopen.
 */
export async function mayActOnTicket(
  db: Db,
  ticket: Ticket,
  personId: string,
  action: TicketAction,
  /** How many agents the ticket's team lists and whether the person is one, when already read (`ticketForAction`). */
  known?: AgentCheck,
): Promise<Permission> {
  if (REQUESTER_ACTIONS.has(action) && ticket.submittedById === personId) return { allowed: true };
  if (!ticket.teamId) return { allowed: true };
  // One indexed read on every click: how many agents the team lists, and whether this is one.
  const agents = known ?? (await agentCheckStatement(db).execute({ tenantId: ticket.tenantId, teamId: ticket.teamId, personId }))[0];
  if (allowedToAct(ticket, personId, action, agents ?? { total: 0, mine: 0 })) return { allowed: true };
  const team = await getTeam(db, ticket.tenantId, ticket.teamId);
  const who = REQUESTER_ACTIONS.has(action) ? `the agents of ${team.name} or the requester` : `the agents of ${team.name}`;
  return { allowed: false, reason: `Only ${who} can ${ACTION_VERBS[action]} ${ticket.number}.` };
}

/** The rule of `mayActOnTicket`, on what is known: the ticket, and the agent check of its team for the person. */
export function allowedToAct(ticket: Pick<Ticket, 'submittedById' | 'teamId'>, personId: string, action: TicketAction, agents: AgentCheck): boolean {
  if (REQUESTER_ACTIONS.has(action) && ticket.submittedById === personId) return true;
  return !ticket.teamId || agents.total === 0 || agents.mine > 0;
}

/** The ticket's team: how many agents it lists (`total`) and whether the person is one (`mine` > 0). */
export interface AgentCheck {
  total: number;
  mine: number;
}

/**
 * A live ticket of the scope and, in the same round trip, the agent check of its team for
 * `personId` and its delivered breach alerts: what a Slack button needs before it may act,
 * and what the card shows after. NotFoundError when there is none.
 */
export async function ticketForAction(
  db: Db,
  scope: Pick<Scope, 'tenantId'>,
  ref: string,
  personId: string,
): Promise<{ ticket: Ticket; agents: AgentCheck; breaches: BreachRecord }> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(ref)) throw new NotFoundError('Ticket', ref);
  const number = parseTicketNumber(ref);
  const statement = number !== undefined ? byNumberForAction : byIdForAction;
  const [row] = await statement(db, { tenantId: scope.tenantId, ref: number ?? ref, personId });
  if (!row) throw new NotFoundError('Ticket', ref);
  return row;
}

function forActionStatement(name: string, byNumber: boolean) {
  const p = sql.placeholder;
  const agentsOfTeam = sql`from ${teamAgents} where ${teamAgents.tenantId} = ${tickets.tenantId} and ${teamAgents.teamId} = ${tickets.teamId}`;
  return compiledSelect(
    name,
    (db) =>
      db
        .select({
          ...ticketColumns,
          agentsTotal: sql<number>`(select count(*)::int ${agentsOfTeam})`,
          agentsMine: sql<number>`(select count(*)::int ${agentsOfTeam} and ${teamAgents.personId} = ${p('personId')})`,
          ...breachRecordColumns(tickets.tenantId, tickets.id),
        })
        .from(tickets)
        .where(and(eq(tickets.tenantId, p('tenantId')), byNumber ? eq(tickets.numberSeq, p('ref')) : eq(tickets.id, p('ref')), eq(tickets.isDeleted, false))),
    (row) => ({
      ticket: readTicketRow(row),
      agents: { total: Number(row[TICKET_WIDTH]), mine: Number(row[TICKET_WIDTH + 1]) },
      breaches: breachRecordOf(row[TICKET_WIDTH + 2], row[TICKET_WIDTH + 3]),
    }),
    ({ agentsTotal, agentsMine, firstResponseBreached, resolutionBreachCycle, ...ticket }) => ({
      ticket,
      agents: { total: Number(agentsTotal), mine: Number(agentsMine) },
      breaches: breachRecordOf(firstResponseBreached, resolutionBreachCycle),
    }),
  );
}

const byIdForAction = forActionStatement('ticket_for_action_id', false);
const byNumberForAction = forActionStatement('ticket_for_action_number', true);

const agentCheckStatement = preparedPer((db) =>
  db
    .select({
      total: sql<number>`count(*)::int`,
      mine: sql<number>`count(*) filter (where ${teamAgents.personId} = ${sql.placeholder('personId')})::int`,
    })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, sql.placeholder('tenantId')), eq(teamAgents.teamId, sql.placeholder('teamId'))))
    .prepare('team_agent_check'),
);

const ACTION_VERBS: Record<TicketAction, string> = {
  claim: 'claim',
  assign: 'assign',
  status: 'change the status of',
  resolve: 'resolve',
  close: 'close',
  reopen: 'reopen',
  acknowledge: 'acknowledge alerts of',
};
