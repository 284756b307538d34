import type { AgentCheck } from '../domain/tickets/permissions.js';
import type { Ticket } from '../domain/tickets/queries.js';

/**
 * What this process last saw of tickets (each change it heard, each ticket a click read) and
 * of teams' agents (each agent check a click read), so that a click on a ticket remembered
 * here can be decided without reading first. Such a click's write applies only while the
 * ticket is at the remembered revision and its team still counts its agents as remembered
 * (`remembered` writes); otherwise nothing is written and the click reads afresh. So memory
 * can be out of date (another replica, the REST API, the SLA engine changed the ticket or the
 * team) without a click ever being decided on it: it only saves the read when it is not.
 */
export interface TicketMemory {
  /** The ticket as a change or a read left it; an older revision than the one remembered is ignored. */
  rememberTicket(ticket: Ticket): void;
  /** The agent check of a team for a person, as a click read it. */
  rememberAgents(tenantId: string, teamId: string, personId: string, agents: AgentCheck): void;
  /** The ticket and the agent check of its team for the person, when both are remembered (a ticket without a team needs none). */
  recall(tenantId: string, ticketId: string, personId: string): { ticket: Ticket; agents: AgentCheck } | undefined;
  /** Forgets a ticket (its remembered state proved out of date). */
  forget(tenantId: string, ticketId: string): void;
}

const NO_TEAM: AgentCheck = { total: 0, mine: 0 };

/** At most `limit` tickets and `limit` agent checks, the least recently used forgotten first. */
export function createTicketMemory(limit = 5_000): TicketMemory {
  const tickets = new Map<string, Ticket>();
  const agents = new Map<string, AgentCheck>();
  const touch = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key);
    map.set(key, value);
    if (map.size > limit) map.delete(map.keys().next().value!);
  };
  return {
    rememberTicket(ticket) {
      const key = `${ticket.tenantId}/${ticket.id}`;
      const known = tickets.get(key);
      if (known && known.revision > ticket.revision) return;
      touch(tickets, key, ticket);
    },
    rememberAgents(tenantId, teamId, personId, check) {
      touch(agents, `${tenantId}/${teamId}/${personId}`, { total: check.total, mine: check.mine });
    },
    recall(tenantId, ticketId, personId) {
      const ticket = tickets.get(`${tenantId}/${ticketId}`);
      if (!ticket) return undefined;
      if (!ticket.teamId) return { ticket, agents: NO_TEAM };
      const check = agents.get(`${tenantId}/${ticket.teamId}/${personId}`);
      return check ? { ticket, agents: check } : undefined;
    },
    forget(tenantId, ticketId) {
      tickets.delete(`${tenantId}/${ticketId}`);
    },
  };
}
