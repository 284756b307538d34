import type { Db } from '../../db/client.js';
import { atRiskInMyTeams, myQueue, myRequests, unassignedInMyTeams, type HomeList } from '../../domain/home.js';
import { getPeople } from '../../domain/people.js';
import { rolesOf, type SlackRoleLookup } from '../../domain/roles.js';
import type { Logger } from '../../log.js';
import { adminHomeBlocks } from '../admin/home-section.js';
import type { KnownBlock } from '../blocks/elements.js';
import { homeView, type HomePages, type HomeView } from './view.js';

/** The admin part may take this many of the Home's 100 blocks. */
export const ADMIN_HOME_MAX_BLOCKS = 45;

export interface HomeContentDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  slackRoles?: SlackRoleLookup | undefined;
}

/** Reads what one person's Home shows, as of `at`, and builds it. */
export async function buildHome(
  deps: HomeContentDeps,
  tenantId: string,
  personId: string,
  at: Date,
  pages: HomePages,
  notice?: KnownBlock[],
): Promise<HomeView> {
  const { db } = deps;
  // Reads that do not need each other go together: under load each await waits its turn
  // behind every other request's work, so a Home read one list after another waits many turns.
  const [roles, requests] = await Promise.all([rolesOf(db, tenantId, personId, at, { slackRoles: deps.slackRoles }), myRequests(db, tenantId, personId, at, pages.requests)]);
  const [agent, admin] = await Promise.all([
    roles.agentOfTeamIds.length > 0 ? agentLists(db, tenantId, personId, at, pages) : undefined,
    roles.admin ? adminBlocks(deps, tenantId) : [],
  ]);
  const lists = [requests, ...(agent ? [agent.queue, agent.unassigned, agent.risk] : [])];
  const assignees = [...new Set(lists.flatMap((l) => l.items.map((i) => i.ticket.assignedToId)).filter((id): id is string => Boolean(id)))];
  const people = await getPeople(db, tenantId, assignees);
  const slackIds = new Map(people.flatMap((p) => (p.slackUserId ? [[p.id, p.slackUserId] as const] : [])));
  return homeView({ now: at, requests, agent, slackIds, pages, notice, adminBlocks: admin });
}

/** An agent's three lists. */
async function agentLists(db: Db, tenantId: string, personId: string, at: Date, pages: HomePages) {
  const [queue, unassigned, risk] = await Promise.all([
    myQueue(db, tenantId, personId, pages.queue),
    unassignedInMyTeams(db, tenantId, personId, pages.unassigned),
    atRiskInMyTeams(db, tenantId, personId, at, pages.risk),
  ]);
  return { queue, unassigned, risk };
}

/** The admin section (another module's), held to its share of the Home; its failure leaves the rest of the Home standing. */
async function adminBlocks(deps: HomeContentDeps, tenantId: string): Promise<KnownBlock[]> {
  try {
    const blocks = await adminHomeBlocks({ db: deps.db, now: deps.now }, tenantId);
    if (blocks.length <= ADMIN_HOME_MAX_BLOCKS) return blocks;
    deps.log.warn(`slack: the admin part of Home has ${blocks.length} blocks, more than its ${ADMIN_HOME_MAX_BLOCKS}; cut`);
    return blocks.slice(0, ADMIN_HOME_MAX_BLOCKS);
  } catch (error) {
    deps.log.warn('slack: could not build the admin part of Home', { error: error instanceof Error ? error.message : String(error) });
    return [];
  }
}
