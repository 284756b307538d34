import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorOf } from '../db/errors.js';
import { preparedPer } from '../db/prepared.js';
import { COMMENT_VISIBILITIES, people, teamAgents, teams, tenants, tickets, type CommentVisibility } from '../db/schema/index.js';
import { fieldChanges, recordConfigChange } from './audit.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import { newId, type IdFactory } from './ids.js';
import { isStorableText, parseInput } from './input.js';
import type { Scope } from './scope.js';
import { isSlackUserId, upsertSlackPerson } from './people.js';
import { ensureTenant } from './tenants.js';

export type TeamRow = typeof teams.$inferSelect;
export interface Team extends TeamRow {
  agentIds: string[];
}

const slackChannelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'Must be a Slack channel id such as C0123ABCD');
const agentIds = z.array(z.string().min(1).max(128)).max(500);

export const teamCreateSchema = z.strictObject({
  name: z.string().trim().min(1, 'Required').max(80),
  slack_channel_id: slackChannelId.nullable().optional(),
  agent_ids: agentIds.optional(),
  /** Mentioned when an unacknowledged SLA breach is escalated; person ids or Slack user ids, like `agent_ids`. */
  escalation_contact_ids: z.array(z.string().min(1).max(128)).max(50).optional(),
  /**
   * What an agent's plain message in a ticket card's thread is: `public` (default; it reaches the
   * requester, `note:` or a lock keeps it internal) or `internal` (it stays with the agents,
   * `reply:` sends it to the requester).
   */
  agent_reply_default: z.enum(COMMENT_VISIBILITIES).optional(),
});
export const teamUpdateSchema = teamCreateSchema.partial();

/** What a fetched team carries besides its fields: sent back, as a client may, it is ignored. */
export const TEAM_SERVER_FIELDS = ['id', 'tenant_id', 'created_at', 'updated_at', 'created_by', 'updated_by'] as const;

export async function createTeam(db: Db, scope: Scope, input: unknown, ids: IdFactory = newId): Promise<Team> {
  const data = parseInput(teamCreateSchema, input, TEAM_SERVER_FIELDS);
  return guardTeamWrite(data.name, () =>
    db.transaction(async (tx) => {
      await ensureTenant(tx, scope.tenantId, scope.now);
      const [row] = await tx
        .insert(teams)
        .values({
          tenantId: scope.tenantId,
          id: ids('team'),
          name: data.name,
          slackChannelId: data.slack_channel_id ?? null,
          escalationContactIds: await resolvePeople(tx, scope, data.escalation_contact_ids ?? [], 'escalation_contact_ids'),
          ...(data.agent_reply_default !== undefined ? { agentReplyDefault: data.agent_reply_default } : {}),
          createdBy: scope.actorId,
          updatedBy: scope.actorId,
          createdAt: scope.now,
          updatedAt: scope.now,
        })
        .returning();
      const agents = await replaceAgents(tx, scope, row!.id, data.agent_ids ?? []);
      const team = { ...row!, agentIds: agents };
      await recordConfigChange(tx, scope, { subject: 'team', subjectId: team.id, action: 'create', changes: fieldChanges({}, auditedFields(team), TEAM_AUDITED_FIELDS) }, ids);
      return team;
    }),
  );
}

export async function updateTeam(db: Db, scope: Scope, id: string, input: unknown): Promise<Team> {
  const data = parseInput(teamUpdateSchema, input, TEAM_SERVER_FIELDS);
  if (!isStorableText(id)) throw new NotFoundError('Team', id);
  return guardTeamWrite(data.name ?? '', () =>
    db.transaction(async (tx) => {
      const before = await lockedTeam(tx, scope.tenantId, id);
      const [row] = await tx
        .update(teams)
        .set({
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.slack_channel_id !== undefined ? { slackChannelId: data.slack_channel_id } : {}),
          ...(data.escalation_contact_ids !== undefined
            ? { escalationContactIds: await resolvePeople(tx, scope, data.escalation_contact_ids, 'escalation_contact_ids') }
            : {}),
          ...(data.agent_reply_default !== undefined ? { agentReplyDefault: data.agent_reply_default } : {}),
          updatedBy: scope.actorId,
          updatedAt: scope.now,
        })
        .where(and(eq(teams.tenantId, scope.tenantId), eq(teams.id, id)))
        .returning();
      if (!row) throw new NotFoundError('Team', id);
      const agents =
        data.agent_ids !== undefined
          ? await replaceAgents(tx, scope, id, data.agent_ids)
          : (await loadAgents(tx, scope.tenantId, [id])).get(id) ?? [];
      const team = { ...row, agentIds: agents };
      const changes = fieldChanges(auditedFields(before), auditedFields(team), TEAM_AUDITED_FIELDS);
      if (Object.keys(changes).length > 0) await recordConfigChange(tx, scope, { subject: 'team', subjectId: id, action: 'update', changes });
      return team;
    }),
  );
}

/** What the audit trail compares of a team, in the API's field names; people as sets (their order means nothing). */
const TEAM_AUDITED_FIELDS = ['name', 'slack_channel_id', 'agent_ids', 'escalation_contact_ids', 'agent_reply_default'] as const;

function auditedFields(team: Team): Record<(typeof TEAM_AUDITED_FIELDS)[number], unknown> {
  return {
    name: team.name,
    slack_channel_id: team.slackChannelId,
    agent_ids: [...team.agentIds].sort(),
    escalation_contact_ids: [...team.escalationContactIds].sort(),
    agent_reply_default: team.agentReplyDefault,
  };
}

/** The team as it is before a change, locked until the change commits (two admins' edits are recorded in order). */
async function lockedTeam(tx: Db, tenantId: string, id: string): Promise<Team> {
  const [row] = await tx
    .select()
    .from(teams)
    .where(and(eq(teams.tenantId, tenantId), eq(teams.id, id)))
    .for('update');
  if (!row) throw new NotFoundError('Team', id);
  return { ...row, agentIds: (await loadAgents(tx, tenantId, [id])).get(id) ?? [] };
}

/** What a ticket's card and messages show of its team; null when there is no such team. */
export type TeamLabel = Pick<Team, 'id' | 'name' | 'slackChannelId' | 'agentReplyDefault'>;

export async function teamLabel(db: Db, tenantId: string, id: string): Promise<TeamLabel | null> {
  const [row] = await db
    .select({ id: teams.id, name: teams.name, slackChannelId: teams.slackChannelId, agentReplyDefault: teams.agentReplyDefault })
    .from(teams)
    .where(and(eq(teams.tenantId, tenantId), eq(teams.id, id)));
  return row ?? null;
}

/** What an agent's plain message in a ticket's card thread is: its team's choice, public without a team. */
export async function ticketReplyDefault(db: Db, tenantId: string, ticketId: string): Promise<CommentVisibility> {
  const [row] = await db
    .select({ replyDefault: teams.agentReplyDefault })
    .from(tickets)
    .innerJoin(teams, and(eq(teams.tenantId, tickets.tenantId), eq(teams.id, tickets.teamId)))
    .where(and(eq(tickets.tenantId, tenantId), eq(tickets.id, ticketId)));
  return row?.replyDefault ?? 'public';
}

export async function getTeam(db: Db, tenantId: string, id: string): Promise<Team> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(id)) throw new NotFoundError('Team', id);
  const [row] = await db
    .select()
    .from(teams)
    .where(and(eq(teams.tenantId, tenantId), eq(teams.id, id)));
  if (!row) throw new NotFoundError('Team', id);
  return { ...row, agentIds: (await loadAgents(db, tenantId, [id])).get(id) ?? [] };
}

export async function listTeams(db: Db, tenantId: string): Promise<Team[]> {
  const rows = await db.select().from(teams).where(eq(teams.tenantId, tenantId)).orderBy(asc(teams.name));
  const agents = await loadAgents(
    db,
    tenantId,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ ...row, agentIds: agents.get(row.id) ?? [] }));
}

/** What a person picks a team from: the tenant's teams by name, and its default team. */
export interface TeamChoices {
  teams: Array<{ id: string; name: string }>;
  defaultTeamId: string | null;
}

/** The team choices of a create-ticket form in one round trip (no agents, no tenant row written). */
export async function teamChoices(db: Db, tenantId: string): Promise<TeamChoices> {
  const rows = await teamChoicesStatement(db).execute({ tenantId });
  return {
    teams: rows.flatMap((r) => (r.id !== null && r.name !== null ? [{ id: r.id, name: r.name }] : [])),
    defaultTeamId: rows[0]?.defaultTeamId ?? null,
  };
}

const teamChoicesStatement = preparedPer((db) =>
  db
    .select({ id: teams.id, name: teams.name, defaultTeamId: tenants.defaultTeamId })
    .from(tenants)
    .leftJoin(teams, eq(teams.tenantId, tenants.tenantId))
    .where(eq(tenants.tenantId, sql.placeholder('tenantId')))
    .orderBy(asc(teams.name))
    .prepare('team_choices'),
);

export async function isTeamAgent(db: Db, tenantId: string, teamId: string, personId: string): Promise<boolean> {
  const [row] = await db
    .select({ personId: teamAgents.personId })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, tenantId), eq(teamAgents.teamId, teamId), eq(teamAgents.personId, personId)));
  return Boolean(row);
}

/**
 * Person ids for a list of people references, without duplicates: Slack user ids become
 * people on first contact, like any Slack user; person ids must exist in this workspace.
 */
async function resolvePeople(db: Db, scope: Scope, refs: string[], field: string): Promise<string[]> {
  const personIds: string[] = [];
  for (const ref of refs) {
    if (!isSlackUserId(ref)) {
      personIds.push(ref);
      continue;
    }
    personIds.push((await upsertSlackPerson(db, scope.tenantId, { slackUserId: ref }, scope.now)).id);
  }
  const unique = [...new Set(personIds)];
  if (unique.length > 0) {
    const known = await db
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.tenantId, scope.tenantId), inArray(people.id, unique)));
    const knownIds = new Set(known.map((k) => k.id));
    const issues = unique.flatMap((id) =>
      knownIds.has(id) ? [] : [{ path: [field, personIds.indexOf(id)], message: `No person ${id}` }],
    );
    if (issues.length) throw new ValidationError(issues);
  }
  return unique;
}

async function replaceAgents(db: Db, scope: Scope, teamId: string, agentRefs: string[]): Promise<string[]> {
  const unique = await resolvePeople(db, scope, agentRefs, 'agent_ids');
  await db.delete(teamAgents).where(and(eq(teamAgents.tenantId, scope.tenantId), eq(teamAgents.teamId, teamId)));
  if (unique.length > 0) {
    await db
      .insert(teamAgents)
      .values(unique.map((personId) => ({ tenantId: scope.tenantId, teamId, personId, addedAt: scope.now })));
  }
  return unique;
}

async function loadAgents(db: Db, tenantId: string, teamIds: string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  if (teamIds.length === 0) return result;
  const rows = await db
    .select({ teamId: teamAgents.teamId, personId: teamAgents.personId })
    .from(teamAgents)
    .where(and(eq(teamAgents.tenantId, tenantId), inArray(teamAgents.teamId, teamIds)))
    .orderBy(asc(teamAgents.addedAt), asc(teamAgents.personId));
  for (const row of rows) result.set(row.teamId, [...(result.get(row.teamId) ?? []), row.personId]);
  return result;
}

async function guardTeamWrite<T>(name: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const pg = pgErrorOf(error);
    if (pg?.code === PG_UNIQUE_VIOLATION && pg.constraint === 'teams_name_uq') {
      throw new ConflictError(`A team named "${name}" already exists`);
    }
    if (pg?.code === PG_FOREIGN_KEY_VIOLATION) {
      throw new ValidationError([{ path: ['agent_ids'], message: 'Unknown person' }]);
    }
    throw error;
  }
}
