import { and, arrayContains, arrayOverlaps, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorOf } from '../db/errors.js';
import { preparedPer } from '../db/prepared.js';
import { COMMENT_VISIBILITIES, people, teamAgents, teams, tenants, TICKET_PRIORITIES, TICKET_TYPES, tickets, type CommentVisibility } from '../db/schema/index.js';
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

/** Request channels a team may have. */
export const REQUEST_CHANNELS_MAX = 20;

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
  /**
   * Channels whose new top-level messages (by anyone but the team's agents) become the team's
   * tickets. A channel can be the request channel of one team only.
   */
  request_channel_ids: z
    .array(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'Must be a Slack channel id such as C0123ABCD'))
    .max(REQUEST_CHANNELS_MAX, `At most ${REQUEST_CHANNELS_MAX} channels`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each channel once')
    .optional(),
  /** The type of the team's tickets raised from a message (a reaction, a request channel); default `incident`. */
  intake_type: z.enum(TICKET_TYPES).optional(),
  /** Their priority; default `medium`. */
  intake_priority: z.enum(TICKET_PRIORITIES).optional(),
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
          ...(await requestChannels(tx, scope.tenantId, null, data.request_channel_ids)),
          ...(data.intake_type !== undefined ? { intakeType: data.intake_type } : {}),
          ...(data.intake_priority !== undefined ? { intakePriority: data.intake_priority } : {}),
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
          ...(await requestChannels(tx, scope.tenantId, id, data.request_channel_ids)),
          ...(data.intake_type !== undefined ? { intakeType: data.intake_type } : {}),
          ...(data.intake_priority !== undefined ? { intakePriority: data.intake_priority } : {}),
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
const TEAM_AUDITED_FIELDS = [
  'name',
  'slack_channel_id',
  'agent_ids',
  'escalation_contact_ids',
  'agent_reply_default',
  'request_channel_ids',
  'intake_type',
  'intake_priority',
] as const;

function auditedFields(team: Team): Record<(typeof TEAM_AUDITED_FIELDS)[number], unknown> {
  return {
    name: team.name,
    slack_channel_id: team.slackChannelId,
    agent_ids: [...team.agentIds].sort(),
    escalation_contact_ids: [...team.escalationContactIds].sort(),
    agent_reply_default: team.agentReplyDefault,
    request_channel_ids: [...team.requestChannelIds].sort(),
    intake_type: team.intakeType,
    intake_priority: team.intakePriority,
  };
}

/**
 * The request channels to store, refused when one is another team's already (a message there
 * would not know whose ticket it is): a validation error on that channel's field path (422 in
 * REST, the field's error in the modal). `teamId` is the team being written (null: a new one).
 * Two admins saving the same channel at the same instant could both pass; the listener then
 * takes the oldest team's (see teamOfRequestChannel), so nothing is lost.
 */
async function requestChannels(db: Db, tenantId: string, teamId: string | null, ids: string[] | undefined): Promise<{ requestChannelIds?: string[] }> {
  if (ids === undefined) return {};
  if (ids.length > 0) {
    const [taken] = await db
      .select({ name: teams.name, channels: teams.requestChannelIds })
      .from(teams)
      .where(and(eq(teams.tenantId, tenantId), arrayOverlaps(teams.requestChannelIds, ids), ...(teamId ? [ne(teams.id, teamId)] : [])))
      .limit(1);
    if (taken) {
      const index = ids.findIndex((c) => taken.channels.includes(c));
      throw new ValidationError([
        { path: ['request_channel_ids', index], message: `${ids[index]} is already a request channel of the team "${taken.name}"` },
      ]);
    }
  }
  return { requestChannelIds: ids };
}

/** The team whose request channel this is (the oldest, should two ever share it), with its agents' check left to the caller. */
export async function teamOfRequestChannel(db: Db, tenantId: string, channelId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.tenantId, tenantId), arrayContains(teams.requestChannelIds, [channelId])))
    .orderBy(asc(teams.createdAt), asc(teams.id))
    .limit(1);
  return row?.id;
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
