import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { getPeople } from '../../../domain/people.js';
import { listTeams } from '../../../domain/teams.js';
import { getTicket, listMyOpenTickets, parseTicketNumber, type Ticket } from '../../../domain/tickets/queries.js';
import { helpMessage, ticketList, ticketSummary } from '../../blocks/card.js';
import { actingAs, ephemeral, openTicketForm, tell, tenantOf, type ListenerDeps } from '../shared.js';

/** Subcommands of `/ticket`; anything else that is one short word is a typo, not a title. */
const SUBCOMMANDS = ['list', 'help'] as const;

/** `/ticket [title | list | TKT-0042 | help]`: the form, or a private answer. */
export function handleTicketCommand(deps: ListenerDeps) {
  return async ({ ack, body, client, context, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const text = body.text.trim();
    const word = text.toLowerCase();
    const ref = parseTicketNumber(text);
    if (text === '' || (!isSubcommandLike(word) && ref === undefined)) {
      await ack();
      try {
        await openTicketForm(deps, client, body.trigger_id, tenantOf(context), text ? { title: text } : {});
      } catch (error) {
        await tell(deps, respond, error, 'open the ticket form');
      }
      return;
    }
    if (word === 'help') {
      await ack(ephemeral(helpMessage()));
      return;
    }
    if (word !== 'list' && ref === undefined) {
      await ack(ephemeral(helpMessage({ unknown: text })));
      return;
    }
    await ack();
    try {
      const { scope, person } = await actingAs(deps, tenantOf(context), { id: body.user_id, name: body.user_name });
      if (word === 'list') {
        const page = await listMyOpenTickets(deps.db, scope);
        await respond(ephemeral(ticketList({ tickets: page.items, total: page.next_cursor ? undefined : page.items.length })));
        return;
      }
      const ticket = await getTicket(deps.db, scope, text);
      await respond(ephemeral(ticketSummary(await summaryOf(deps, ticket))));
    } catch (error) {
      await tell(deps, respond, error, word === 'list' ? 'list your tickets' : `show ${text}`);
    }
  };
}

async function summaryOf(deps: ListenerDeps, ticket: Ticket) {
  const ids = [ticket.submittedById, ticket.assignedToId].filter((id): id is string => Boolean(id));
  const people = await getPeople(deps.db, ticket.tenantId, ids);
  const slackId = (id: string | null) => people.find((p) => p.id === id)?.slackUserId ?? null;
  const teams = ticket.teamId ? await listTeams(deps.db, ticket.tenantId) : [];
  return {
    ticket,
    submitterSlackId: slackId(ticket.submittedById),
    assigneeSlackId: slackId(ticket.assignedToId),
    teamName: teams.find((t) => t.id === ticket.teamId)?.name ?? null,
  };
}

/** One bare word close to a subcommand ("lsit", "halp") is a typo, not a one-word title. */
function isSubcommandLike(word: string): boolean {
  if (/\s/.test(word)) return false;
  if ((SUBCOMMANDS as readonly string[]).includes(word)) return true;
  if (/^tkt-/i.test(word)) return true;
  return SUBCOMMANDS.some((command) => editDistance(word, command) <= 1);
}

/** Optimal string alignment distance: edits and adjacent transpositions ("lsit" -> "list" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
