import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { people, teamAgents, tenants } from '../db/schema/index.js';
import { ForbiddenError, InsufficientScopeError } from './errors.js';
import { getPerson, type Person } from './people.js';
import type { Scope } from './scope.js';
import { getTeam } from './teams.js';
import type { Ticket } from './tickets/queries.js';

/**
 * Roles, and the one rule for each action, applied by every surface (Slack, REST).
 *
 * People have roles in a tenant: admin (the workspace's admins and owners in Slack, and the
 * people listed in the `admin_ids` setting), agent (per team: `team_agents`) and requester
 * (everyone). Integration tokens (an `app_id`) have no roles: their OAuth-style scopes
 * decide what they may do.
 */

// ---------------------------------------------------------------------------
// Integration scopes

export const INTEGRATION_SCOPES = ['helpdesk:read', 'helpdesk:write', 'helpdesk:admin'] as const;
export type IntegrationScope = (typeof INTEGRATION_SCOPES)[number];

/** What a call does, as the scopes divide it. */
export type Access = 'read' | 'write' | 'configure';

/** The scope each kind of call needs: reads (configuration included), ticket and comment writes, configuration writes. */
export const ACCESS_SCOPE: Record<Access, IntegrationScope> = {
  read: 'helpdesk:read',
  write: 'helpdesk:write',
  configure: 'helpdesk:admin',
};

/** An OAuth-style `scope` claim (space-separated) as the scopes it grants; unknown ones grant nothing. */
export function parseScopeClaim(claim: string): IntegrationScope[] {
  const known = new Set<string>(INTEGRATION_SCOPES);
  return [...new Set(claim.split(/\s+/).filter((s): s is IntegrationScope => known.has(s)))];
}

/** An integration token's call outside its scopes is refused naming the scope; people pass (their roles decide). */
export function assertTokenScope(scope: Pick<Scope, 'appId' | 'tokenScopes'>, access: Access): void {
  if (!scope.appId) return;
  const needed = ACCESS_SCOPE[access];
  if (!scope.tokenScopes?.includes(needed)) throw new InsufficientScopeError(needed);
}

// ---------------------------------------------------------------------------
// Who is an admin

/** What Slack says of a user's place in the workspace (users.info). */
export interface SlackWorkspaceRole {
  isAdmin: boolean;
  /** `is_owner` or `is_primary_owner`. */
  isOwner: boolean;
}

/** Asks Slack about one user of the tenant's workspace; provided by the Slack edge. */
export type SlackRoleLookup = (tenantId: string, slackUserId: string) => Promise<SlackWorkspaceRole>;

export interface RoleDeps {
  /** Absent when Slack is not configured: then what Slack said last counts. */
  slackRoles?: SlackRoleLookup | undefined;
}

/**
 * How long what Slack said of a user stands before it is asked again: a workspace admin
 * demoted in Slack stops being a helpdesk admin within this time.
 */
export const SLACK_ROLE_FRESH_MS = 10 * 60_000;

/** An admin: listed in the tenant's `admin_ids`, or an admin or owner of the Slack workspace. */
export async function isAdmin(db: Db, tenantId: string, personId: string, now: Date, deps: RoleDeps = {}): Promise<boolean> {
  const [tenant] = await db.select({ adminIds: tenants.adminIds }).from(tenants).where(eq(tenants.tenantId, tenantId));
  if (tenant?.adminIds.includes(personId)) return true;
  const person = await getPerson(db, tenantId, personId);
  return person ? isSlackAdmin(db, person, now, deps.slackRoles) : false;
}

/**
 * Asked only when an admin rule needs it, and then recorded on the person: Slack's answer
 * is reused for a few minutes, and when Slack cannot be asked its last answer stands.
 */
async function isSlackAdmin(db: Db, person: Person, now: Date, lookup: SlackRoleLookup | undefined): Promise<boolean> {
  if (!person.slackUserId) return false;
  const checkedAt = person.slackRoleCheckedAt?.getTime();
  const fresh = checkedAt !== undefined && now.getTime() - checkedAt < SLACK_ROLE_FRESH_MS;
  if (lookup && !fresh) {
    let role: SlackWorkspaceRole | undefined;
    try {
      role = await lookup(person.tenantId, person.slackUserId);
    } catch {
      // Slack unreachable: what it said last (nothing: not an admin).
    }
    if (role) {
      await recordSlackRole(db, person, role, now);
      return role.isAdmin || role.isOwner;
    }
  }
  return Boolean(person.slackIsAdmin || person.slackIsOwner);
}

/** Records what Slack said of a user (users.info), whenever the Slack edge hears it. */
export async function recordSlackRole(db: Db, person: Pick<Person, 'tenantId' | 'id'>, role: SlackWorkspaceRole, now: Date): Promise<void> {
  await db
    .update(people)
    .set({ slackIsAdmin: role.isAdmin, slackIsOwner: role.isOwner, slackRoleCheckedAt: now })
    .where(and(eq(people.tenantId, person.tenantId), eq(people.id, person.id)));
}

/** A person's roles in a tenant; everyone is also a requester. */
export interface Roles {
  admin: boolean;
  /** The teams the person is an agent of. */
  agentOfTeamIds: string[];
}

export async function rolesOf(db: Db, tenantId: string, personId: string, now: Date, deps: RoleDeps = {}): Promise<Roles> {
  // One read (every Home asks): the tenant's admin list, the person (what Slack said of them
  // last) and their teams, one row a team.
  const rows = await db
    .select({ adminIds: tenants.adminIds, person: people, teamId: teamAgents.teamId })
    .from(tenants)
    .leftJoin(people, and(eq(people.tenantId, tenants.tenantId), eq(people.id, personId)))
    .leftJoin(teamAgents, and(eq(teamAgents.tenantId, tenants.tenantId), eq(teamAgents.personId, personId)))
    .where(eq(tenants.tenantId, tenantId))
    .orderBy(asc(teamAgents.teamId));
  const first = rows[0];
  if (!first) {
    // No settings row for the tenant yet: nobody is listed in admin_ids.
    const [teams, admin] = await Promise.all([teamsOf(db, tenantId, personId), isAdmin(db, tenantId, personId, now, deps)]);
    return { admin, agentOfTeamIds: teams };
  }
  const agentOfTeamIds = rows.flatMap((row) => (row.teamId ? [row.teamId] : []));
  if (first.adminIds.includes(personId)) return { admin: true, agentOfTeamIds };
  return { admin: first.person ? await isSlackAdmin(db, first.person, now, deps.slackRoles) : false, agentOfTeamIds };
}

async function teamsOf(db: Db, tenantId: string, personId: string): Promise<string[]> {
  const rows = await db
    .select({ teamId: teamAgents.teamId })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, tenantId), eq(teamAgents.personId, personId)))
    .orderBy(asc(teamAgents.teamId));
  return rows.map((row) => row.teamId);
}

// ---------------------------------------------------------------------------
// Rule: configure (teams, SLA policies, settings, business hours)

/** Integration tokens need `helpdesk:admin`; people must be admins. Nobody else changes the configuration. */
export async function assertMayConfigure(db: Db, scope: Scope, deps: RoleDeps = {}): Promise<void> {
  assertTokenScope(scope, 'configure');
  if (scope.appId) return;
  if (scope.actorId && (await isAdmin(db, scope.tenantId, scope.actorId, scope.now, deps))) return;
  throw new ForbiddenError('Only helpdesk admins (the workspace’s admins and owners, and the people in admin_ids) can change teams, SLA policies and settings');
}

/**
 * The check every API call starts with: the token's scope for this kind of call, and for
 * configuration changes the admin rule. Ticket and comment rules need the record, and are
 * decided by the domain write itself, under the record's lock.
 */
export async function authorize(db: Db, scope: Scope, access: Access, deps: RoleDeps = {}): Promise<void> {
  if (access === 'configure') return assertMayConfigure(db, scope, deps);
  assertTokenScope(scope, access);
}

// ---------------------------------------------------------------------------
// Rules: act on a ticket, acknowledge its alerts, read its internal comments

/** What a person does to a ticket (a button, an API call). */
export type TicketAction = 'claim' | 'assign' | 'status' | 'resolve' | 'close' | 'reopen' | 'acknowledge' | 'update' | 'delete';

/** The requester may close a ticket that was resolved for them, or reopen it. */
const REQUESTER_ACTIONS: ReadonlySet<TicketAction> = new Set(['close', 'reopen']);

export type Permission = { allowed: true } | { allowed: false; reason: string };

/** Who acts or reads: a person, and the integration app when a token carries one. */
export type Viewer = Pick<Scope, 'actorId' | 'appId'>;

const ALLOWED: Permission = { allowed: true };

/**
 * Who may act on a ticket (and acknowledge its SLA alerts): the agents of its team (when the
 * team lists no agents, or the ticket has no team, anyone who can see it), and its requester
 * for close/reopen. Integration tokens: their `helpdesk:write` scope, checked per call.
 * Ticket writes decide it under the ticket's lock (the `permission` write option).
 */
export async function mayActOnTicket(db: Db, ticket: Ticket, viewer: Viewer, action: TicketAction): Promise<Permission> {
  if (viewer.appId) return ALLOWED;
  const personId = viewer.actorId ?? '';
  if (REQUESTER_ACTIONS.has(action) && ticket.submittedById === personId) return ALLOWED;
  const standing = await agentStanding(db, ticket, personId);
  if (standing === 'agent' || standing === 'nobody_listed') return ALLOWED;
  const team = await getTeam(db, ticket.tenantId, ticket.teamId!);
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
  update: 'edit',
  delete: 'delete',
};

/**
 * Internal comments are for the ticket's agents: integration tokens, and people listed as
 * agents of its team. A ticket with no team (or a team listing nobody) has no one to tell
 * apart, so anyone but its requester counts, as mayActOnTicket lets anyone act on it.
 */
export async function maySeeInternal(db: Db, ticket: Ticket, viewer: Viewer): Promise<boolean> {
  if (viewer.appId) return true;
  if (!viewer.actorId) return false;
  const standing = await agentStanding(db, ticket, viewer.actorId);
  if (standing === 'agent') return true;
  return standing === 'nobody_listed' && viewer.actorId !== ticket.submittedById;
}

/** Where a person stands with a ticket's team: one of its agents, not, or the team lists nobody (or there is none). */
async function agentStanding(db: Db, ticket: Ticket, personId: string): Promise<'agent' | 'not_agent' | 'nobody_listed'> {
  if (!ticket.teamId) return 'nobody_listed';
  const [agents] = await db
    .select({ total: sql<number>`count(*)::int`, mine: sql<number>`count(*) filter (where ${teamAgents.personId} = ${personId})::int` })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, ticket.tenantId), eq(teamAgents.teamId, ticket.teamId)));
  if (!agents || agents.total === 0) return 'nobody_listed';
  return agents.mine > 0 ? 'agent' : 'not_agent';
}
