import { LogLevel, webApi } from '@slack/bolt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ForbiddenError, InsufficientScopeError } from '../../src/domain/errors.js';
import { getPerson, upsertSlackPerson } from '../../src/domain/people.js';
import { assertMayConfigure, authorize, isAdmin, parseScopeClaim, rolesOf, SLACK_ROLE_FRESH_MS, type RoleDeps } from '../../src/domain/roles.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { createSlackRoleLookup } from '../../src/slack/roles.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { startFakeSlack, type FakeSlack, type FakeSlackUser } from '../support/fake-slack.js';
import { scopeFor } from '../support/scope.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

const user = (id: string, extra: Partial<FakeSlackUser> = {}): FakeSlackUser => ({ id, name: id.toLowerCase(), real_name: id, tz: 'UTC', tz_offset: 0, ...extra });

describeEachDatabase('roles', (ctx) => {
  let fake: FakeSlack;
  let deps: RoleDeps;

  beforeAll(async () => {
    fake = await startFakeSlack({
      users: [
        user('U0ADMIN01', { is_admin: true }),
        user('U0OWNER01', { is_owner: true }),
        user('U0PRIMARY', { is_primary_owner: true }),
        user('U0MEMBER1'),
        user('U0GONE001', { is_admin: true, deleted: true }),
      ],
    });
    const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.url, logger: quiet, retryConfig: { retries: 0 } });
    deps = { slackRoles: createSlackRoleLookup(client) };
  });
  afterAll(async () => {
    await fake.close();
  });

  const person = async (tenant: string, slackUserId: string) => (await upsertSlackPerson(ctx.db, tenant, { slackUserId }, NOW)).id;

  it('makes the workspace’s admins and owners admins, as Slack says in users.info, and records it', async () => {
    const tenant = newTenantId();
    const ids = {
      admin: await person(tenant, 'U0ADMIN01'),
      owner: await person(tenant, 'U0OWNER01'),
      primary: await person(tenant, 'U0PRIMARY'),
      member: await person(tenant, 'U0MEMBER1'),
      gone: await person(tenant, 'U0GONE001'),
    };
    const asked = fake.count('users.info');
    expect(await isAdmin(ctx.db, tenant, ids.admin, NOW, deps)).toBe(true);
    expect(await isAdmin(ctx.db, tenant, ids.owner, NOW, deps)).toBe(true);
    expect(await isAdmin(ctx.db, tenant, ids.primary, NOW, deps)).toBe(true);
    expect(await isAdmin(ctx.db, tenant, ids.member, NOW, deps)).toBe(false);
    // A deactivated account holds no role, whatever its flags say.
    expect(await isAdmin(ctx.db, tenant, ids.gone, NOW, deps)).toBe(false);
    expect(fake.count('users.info') - asked).toBe(5);
    expect(await getPerson(ctx.db, tenant, ids.owner)).toMatchObject({ slackIsAdmin: false, slackIsOwner: true, slackRoleCheckedAt: NOW });
    expect(await getPerson(ctx.db, tenant, ids.member)).toMatchObject({ slackIsAdmin: false, slackIsOwner: false, slackRoleCheckedAt: NOW });
    // Someone who is no Slack user of the tenant (a REST caller's sub) is not asked about.
    expect(await isAdmin(ctx.db, tenant, 'per_rest_only', NOW, deps)).toBe(false);
    expect(fake.count('users.info') - asked).toBe(5);
  });

  it('reuses Slack’s answer for a while, asks again after, and keeps the last answer when Slack cannot be asked', async () => {
    const tenant = newTenantId();
    fake.addUser(user('U0ROTATE1', { is_admin: true }));
    const id = await person(tenant, 'U0ROTATE1');
    expect(await isAdmin(ctx.db, tenant, id, NOW, deps)).toBe(true);
    const asked = fake.count('users.info');
    // Demoted in Slack: still an admin while the answer is fresh, not once it is asked again.
    fake.users.set('U0ROTATE1', user('U0ROTATE1'));
    expect(await isAdmin(ctx.db, tenant, id, later(SLACK_ROLE_FRESH_MS - 1), deps)).toBe(true);
    expect(fake.count('users.info')).toBe(asked);
    expect(await isAdmin(ctx.db, tenant, id, later(SLACK_ROLE_FRESH_MS), deps)).toBe(false);
    expect(fake.count('users.info')).toBe(asked + 1);
    // Promoted again, but Slack fails: the last answer (not an admin) stands; no error reaches the caller.
    fake.users.set('U0ROTATE1', user('U0ROTATE1', { is_owner: true }));
    fake.failNext('users.info', { error: 'internal_error' });
    expect(await isAdmin(ctx.db, tenant, id, later(3 * SLACK_ROLE_FRESH_MS), deps)).toBe(false);
    expect(await isAdmin(ctx.db, tenant, id, later(3 * SLACK_ROLE_FRESH_MS + 1), deps)).toBe(true);
    // Without Slack configured, what it said last counts.
    expect(await isAdmin(ctx.db, tenant, id, later(100 * SLACK_ROLE_FRESH_MS))).toBe(true);
  });

  it('makes the people in admin_ids admins, and tells a person’s roles', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, null, NOW);
    const member = await person(tenant, 'U0MEMBER1');
    await updateTenantSettings(ctx.db, scope, { admin_ids: ['per_rest_admin', 'U0MEMBER1'] });
    const team = await createTeam(ctx.db, scope, { name: 'Desk', agent_ids: [member] });
    const other = await createTeam(ctx.db, scope, { name: 'Other', agent_ids: [member] });
    const asked = fake.count('users.info');
    expect(await rolesOf(ctx.db, tenant, member, NOW, deps)).toEqual({ admin: true, agentOfTeamIds: [team.id, other.id].sort() });
    expect(await rolesOf(ctx.db, tenant, 'per_rest_admin', NOW, deps)).toEqual({ admin: true, agentOfTeamIds: [] });
    // Listed as an admin: Slack need not be asked.
    expect(fake.count('users.info')).toBe(asked);
    expect(await rolesOf(ctx.db, tenant, 'per_nobody', NOW, deps)).toEqual({ admin: false, agentOfTeamIds: [] });
    // Another tenant's list makes nobody an admin here.
    expect(await isAdmin(ctx.db, newTenantId(), 'per_rest_admin', NOW, deps)).toBe(false);
  });

  it('tells the roles of a workspace admin who is an agent, and of people in a workspace with no settings yet', async () => {
    const tenant = newTenantId();
    const admin = await person(tenant, 'U0ADMIN01');
    const member = await person(tenant, 'U0MEMBER1');
    // No settings row for this tenant yet (no team, no admin_ids): Slack's word decides.
    expect(await rolesOf(ctx.db, tenant, admin, NOW, deps)).toEqual({ admin: true, agentOfTeamIds: [] });
    expect(await rolesOf(ctx.db, tenant, member, NOW, deps)).toEqual({ admin: false, agentOfTeamIds: [] });
    const team = await createTeam(ctx.db, scopeFor(tenant, null, NOW), { name: 'Desk', agent_ids: [admin, member] });
    await updateTenantSettings(ctx.db, scopeFor(tenant, null, NOW), { default_team_id: team.id });
    const asked = fake.count('users.info');
    // Slack's answer recorded a moment ago stands: not asked again.
    expect(await rolesOf(ctx.db, tenant, admin, later(1_000), deps)).toEqual({ admin: true, agentOfTeamIds: [team.id] });
    expect(await rolesOf(ctx.db, tenant, member, later(1_000), deps)).toEqual({ admin: false, agentOfTeamIds: [team.id] });
    expect(fake.count('users.info')).toBe(asked);
  });

  it('decides configuration: admins and integration tokens with helpdesk:admin, nobody else', async () => {
    const tenant = newTenantId();
    await updateTenantSettings(ctx.db, scopeFor(tenant, null, NOW), { admin_ids: ['per_admin'] });
    await expect(assertMayConfigure(ctx.db, scopeFor(tenant, 'per_admin', NOW))).resolves.toBeUndefined();
    await expect(assertMayConfigure(ctx.db, scopeFor(tenant, 'per_agent', NOW))).rejects.toThrow(ForbiddenError);
    await expect(assertMayConfigure(ctx.db, scopeFor(tenant, null, NOW))).rejects.toThrow(ForbiddenError);
    const app = (scopes: string) => scopeFor(tenant, 'per_bot', NOW, { appId: 'app_x', tokenScopes: parseScopeClaim(scopes) });
    await expect(assertMayConfigure(ctx.db, app('helpdesk:admin'))).resolves.toBeUndefined();
    await expect(assertMayConfigure(ctx.db, app('helpdesk:read helpdesk:write'))).rejects.toMatchObject({ requiredScope: 'helpdesk:admin' });
    // Reads and writes: an integration by its scopes; a person passes here (the record's rules decide later).
    await expect(authorize(ctx.db, app('helpdesk:write'), 'read')).rejects.toThrow(InsufficientScopeError);
    await expect(authorize(ctx.db, app('helpdesk:write'), 'write')).resolves.toBeUndefined();
    await expect(authorize(ctx.db, app(''), 'read')).rejects.toMatchObject({ requiredScope: 'helpdesk:read' });
    await expect(authorize(ctx.db, scopeFor(tenant, 'per_anyone', NOW), 'write')).resolves.toBeUndefined();
    await expect(authorize(ctx.db, scopeFor(tenant, 'per_anyone', NOW), 'configure')).rejects.toThrow(ForbiddenError);
  });
});
