import { and, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
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
 * Ticket writes decide it under the ticket's lock (the `permission` write option).
 */
export async function mayActOnTicket(db: Db, ticket: Ticket, personId: string, action: TicketAction): Promise<Permission> {
  if (REQUESTER_ACTIONS.has(action) && ticket.submittedById === personId) return { allowed: true };
  if (!ticket.teamId) return { allowed: true };
  const [agents] = await db
    .select({ total: count(), mine: sql<number>`count(*) filter (where ${teamAgents.personId} = ${personId})::int` })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, ticket.tenantId), eq(teamAgents.teamId, ticket.teamId)));
  if (!agents || agents.total === 0 || agents.mine > 0) return { allowed: true };
  const team = await getTeam(db, ticket.tenantId, ticket.teamId);
  const who = REQUESTER_ACTIONS.has(action) ? `the agents of ${team.name} or the requester` : `the agents of ${team.name}`;
  return { allowed: false, reason: `Only ${who} can ${ACTION_VERBS[action]} ${ticket.number}.` };
}

const ACTION_VERBS: Record<TicketAction, string> = {
  claim: 'claim',
  assign: 'assign',
  status: 'change the status of',
  resolve: 'resolve',
  close: 'close',
  reopen: 'reopen',
  acknowledge: 'acknowledge alerts of',
};
