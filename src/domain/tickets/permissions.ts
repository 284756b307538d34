import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { preparedPer } from '../../db/prepared.js';
import { teamAgents } from '../../db/schema/index.js';
import { getTeam } from '../teams.js';
import type { Ticket } from './queries.js';

/** What a person does to a ticket from a chat surface. */
export type TicketAction = 'claim' | 'assign' | 'status' | 'resolve' | 'close' | 'reopen' | 'acknowledge';

/** The requester may close a ticket that was resolved for them, or reopen it. */
const REQUESTER_ACTIONS: ReadonlySet<TicketAction> = new Set(['close', 'reopen']);

export type Permission = { allowed: true } | { allowed: false; reason: string };

/**
 * Who may act on a ticket: the agents of its team (when the team lists no agents, or the
 * ticket has no team, anyone who can see it), and its requester for close/reopen.
 */
export async function mayActOnTicket(db: Db, ticket: Ticket, personId: string, action: TicketAction): Promise<Permission> {
  if (REQUESTER_ACTIONS.has(action) && ticket.submittedById === personId) return { allowed: true };
  if (!ticket.teamId) return { allowed: true };
  // One indexed read on every click: how many agents the team lists, and whether this is one.
  const [agents] = await agentCheckStatement(db).execute({ tenantId: ticket.tenantId, teamId: ticket.teamId, personId });
  if (!agents || agents.total === 0 || agents.mine > 0) return { allowed: true };
  const team = await getTeam(db, ticket.tenantId, ticket.teamId);
  const who = REQUESTER_ACTIONS.has(action) ? `the agents of ${team.name} or the requester` : `the agents of ${team.name}`;
  return { allowed: false, reason: `Only ${who} can ${ACTION_VERBS[action]} ${ticket.number}.` };
}

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
