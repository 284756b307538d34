import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/tickets/queries.js';
import { createTicketMemory } from '../../src/slack/memory.js';

const ticket = (id: string, revision: number, teamId: string | null = 'grp_1', tenantId = 'T1') => ({ id, tenantId, teamId, revision }) as Ticket;

describe('what clicks remember', () => {
  it('recalls a ticket with the agent check of its team for that person only', () => {
    const memory = createTicketMemory();
    memory.rememberTicket(ticket('tkt_1', 1));
    expect(memory.recall('T1', 'tkt_1', 'per_ada')).toBeUndefined(); // no agent check yet
    memory.rememberAgents('T1', 'grp_1', 'per_ada', { total: 2, mine: 1 });
    expect(memory.recall('T1', 'tkt_1', 'per_ada')).toEqual({ ticket: ticket('tkt_1', 1), agents: { total: 2, mine: 1 } });
    expect(memory.recall('T1', 'tkt_1', 'per_bob')).toBeUndefined();
    expect(memory.recall('T2', 'tkt_1', 'per_ada')).toBeUndefined(); // another workspace
    // A ticket without a team needs no agent check.
    memory.rememberTicket(ticket('tkt_2', 1, null));
    expect(memory.recall('T1', 'tkt_2', 'per_bob')).toEqual({ ticket: ticket('tkt_2', 1, null), agents: { total: 0, mine: 0 } });
  });

  it('keeps the newest revision it heard of, and forgets on request', () => {
    const memory = createTicketMemory();
    memory.rememberAgents('T1', 'grp_1', 'per_ada', { total: 1, mine: 1 });
    memory.rememberTicket(ticket('tkt_1', 3));
    memory.rememberTicket(ticket('tkt_1', 2)); // heard late
    expect(memory.recall('T1', 'tkt_1', 'per_ada')?.ticket.revision).toBe(3);
    memory.rememberTicket(ticket('tkt_1', 4));
    expect(memory.recall('T1', 'tkt_1', 'per_ada')?.ticket.revision).toBe(4);
    memory.forget('T1', 'tkt_1');
    expect(memory.recall('T1', 'tkt_1', 'per_ada')).toBeUndefined();
  });

  it('holds at most its limit, forgetting the least recently remembered first', () => {
    const memory = createTicketMemory(2);
    memory.rememberAgents('T1', 'grp_1', 'per_ada', { total: 1, mine: 1 });
    for (const id of ['tkt_1', 'tkt_2', 'tkt_3']) memory.rememberTicket(ticket(id, 1));
    expect(memory.recall('T1', 'tkt_1', 'per_ada')).toBeUndefined();
    expect(memory.recall('T1', 'tkt_2', 'per_ada')).toBeDefined();
    expect(memory.recall('T1', 'tkt_3', 'per_ada')).toBeDefined();
  });
});
