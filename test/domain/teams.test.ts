import { expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../src/domain/sla/calendar.js';
import { createTeam, getTeam, isTeamAgent, listTeams, teamChoices, updateTeam } from '../../src/domain/teams.js';
import { getTenantSettings, getTenantSlaSettings, updateTenantSettings } from '../../src/domain/tenants.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

const NOW = '2026-06-01T12:00:00Z';

describeEachDatabase('teams and tenant settings', (ctx) => {
  it('creates teams with a channel and agents, and keeps names unique per tenant', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const ada = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UADA' }, new Date(NOW));
    const bob = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UBOB' }, new Date(NOW));
    const team = await createTeam(ctx.db, scope, { name: 'IT Support', slack_channel_id: 'C0ITSUP', agent_ids: [ada.id, bob.id, ada.id] });
    expect(team.id).toMatch(/^grp_/);
    expect(team.agentIds).toEqual([ada.id, bob.id]);
    expect(await isTeamAgent(ctx.db, tenant, team.id, bob.id)).toBe(true);
    await expect(createTeam(ctx.db, scope, { name: 'IT Support' })).rejects.toBeInstanceOf(ConflictError);
    // Same name in another workspace is fine.
    await createTeam(ctx.db, scopeFor(newTenantId(), 'per_admin', NOW), { name: 'IT Support' });

    const updated = await updateTeam(ctx.db, scope, team.id, { agent_ids: [bob.id], slack_channel_id: null });
    expect(updated).toMatchObject({ agentIds: [bob.id], slackChannelId: null, name: 'IT Support' });
    expect((await getTeam(ctx.db, tenant, team.id)).agentIds).toEqual([bob.id]);
    expect((await listTeams(ctx.db, tenant)).map((t) => t.name)).toEqual(['IT Support']);
  });

  it('keeps where an agent\'s plain reply goes: public unless the team says internal', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const desk = await createTeam(ctx.db, scope, { name: 'Desk' });
    expect(desk.agentReplyDefault).toBe('public');
    const quiet = await createTeam(ctx.db, scope, { name: 'Security', agent_reply_default: 'internal' });
    expect((await getTeam(ctx.db, tenant, quiet.id)).agentReplyDefault).toBe('internal');
    // Changing something else keeps it; changing it flips it.
    expect((await updateTeam(ctx.db, scope, quiet.id, { name: 'SecOps' })).agentReplyDefault).toBe('internal');
    expect((await updateTeam(ctx.db, scope, quiet.id, { agent_reply_default: 'public' })).agentReplyDefault).toBe('public');
    const bad = await updateTeam(ctx.db, scope, desk.id, { agent_reply_default: 'private' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues[0]!.path).toEqual(['agent_reply_default']);
    expect((await getTeam(ctx.db, tenant, desk.id)).agentReplyDefault).toBe('public');
  });

  it('takes Slack user ids as agents, making them people of this workspace', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const known = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UKNOWN1' }, new Date(NOW));
    const team = await createTeam(ctx.db, scope, { name: 'Desk', agent_ids: ['UKNOWN1', 'UNEW0001', known.id] });
    expect(team.agentIds).toHaveLength(2);
    expect(team.agentIds[0]).toBe(known.id);
    const newcomer = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UNEW0001' }, new Date(NOW));
    expect(team.agentIds[1]).toBe(newcomer.id);
    // The same Slack user id in another workspace is another person.
    const elsewhere = await createTeam(ctx.db, scopeFor(newTenantId(), 'per_admin', NOW), { name: 'Desk', agent_ids: ['UNEW0001'] });
    expect(elsewhere.agentIds[0]).not.toBe(newcomer.id);
  });

  it('rejects agents and channels that are not real, and teams of other tenants', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const foreigner = await upsertSlackPerson(ctx.db, newTenantId(), { slackUserId: 'UFOREIGN' }, new Date(NOW));
    const error = await createTeam(ctx.db, scope, { name: 'Ops', agent_ids: [foreigner.id] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toEqual(['agent_ids', 0]);
    const channel = await createTeam(ctx.db, scope, { name: 'Ops', slack_channel_id: '#ops' }).catch((e: unknown) => e);
    expect((channel as ValidationError).issues[0]!.path).toEqual(['slack_channel_id']);

    const other = await createTeam(ctx.db, scopeFor(newTenantId(), 'per_x', NOW), { name: 'Theirs' });
    await expect(getTeam(ctx.db, tenant, other.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(updateTeam(ctx.db, scope, other.id, { name: 'Mine now' })).rejects.toBeInstanceOf(NotFoundError);
    expect((await listTeams(ctx.db, tenant)).length).toBe(0);
  });

  it('keeps the business calendar and default team as tenant settings', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const slaDefaults = { sla_warning_percent: 75, escalation_interval_minutes: 60, escalation_max: 3 };
    expect(await getTenantSettings(ctx.db, scope)).toEqual({
      business_calendar: DEFAULT_BUSINESS_CALENDAR,
      default_team_id: null,
      ...slaDefaults,
      admin_ids: [],
      intake_emoji: 'ticket',
      intake_skip_prefix: '[no-ticket]',
    });
    const team = await createTeam(ctx.db, scope, { name: 'Service desk' });
    const calendar = {
      timezone: 'Europe/Berlin',
      hours: { mon: [['08:00', '12:00'], ['13:00', '17:00']], fri: [['08:00', '15:00']] },
      holidays: ['2026-12-24', '2026-12-25'],
    };
    const saved = await updateTenantSettings(ctx.db, scope, { business_calendar: calendar, default_team_id: team.id });
    expect(saved).toEqual({ business_calendar: calendar, default_team_id: team.id, ...slaDefaults, admin_ids: [], intake_emoji: 'ticket', intake_skip_prefix: '[no-ticket]' });
    expect(await getTenantSettings(ctx.db, scope)).toEqual(saved);

    const bad = await updateTenantSettings(ctx.db, scope, {
      business_calendar: { ...calendar, timezone: 'Mars/Olympus' },
    }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect((bad as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['business_calendar.timezone']);
    const foreignTeam = await createTeam(ctx.db, scopeFor(newTenantId(), 'per_x', NOW), { name: 'Elsewhere' });
    const badTeam = await updateTenantSettings(ctx.db, scope, { default_team_id: foreignTeam.id }).catch((e: unknown) => e);
    expect((badTeam as ValidationError).issues[0]!.path).toEqual(['default_team_id']);
    // Nothing was lost by the refused updates.
    expect(await getTenantSettings(ctx.db, scope)).toEqual(saved);
  });

  it('keeps the helpdesk admins as person ids, Slack user ids becoming their people', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const saved = await updateTenantSettings(ctx.db, scope, { admin_ids: ['per_rest_admin', 'U0ADMIN01', ' per_rest_admin ', 'U0ADMIN01'] });
    const slackAdmin = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U0ADMIN01' }, new Date(NOW));
    // Trimmed and deduplicated; a REST caller's `sub` need not be a Slack user, so it is kept as given.
    expect(saved.admin_ids).toEqual(['per_rest_admin', slackAdmin.id]);
    // Other settings keep their values; the list is replaced as a whole.
    expect((await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 80 })).admin_ids).toEqual(['per_rest_admin', slackAdmin.id]);
    expect((await updateTenantSettings(ctx.db, scope, { admin_ids: [] })).admin_ids).toEqual([]);
    const bad = await updateTenantSettings(ctx.db, scope, { admin_ids: ['', 'x'.repeat(129), 7] }).catch((e: unknown) => e);
    expect((bad as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['admin_ids.0', 'admin_ids.1', 'admin_ids.2']);
    const tooMany = await updateTenantSettings(ctx.db, scope, { admin_ids: Array.from({ length: 101 }, (_, i) => `per_${i}`) }).catch((e: unknown) => e);
    expect((tooMany as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['admin_ids']);
    expect((await getTenantSettings(ctx.db, scope)).admin_ids).toEqual([]);
  });

  it('keeps escalation contacts per team, as person ids or Slack user ids', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const lead = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'ULEAD01' }, new Date(NOW));
    const team = await createTeam(ctx.db, scope, { name: 'Ops', escalation_contact_ids: [lead.id, 'UONCALL1', 'ULEAD01'] });
    const onCall = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UONCALL1' }, new Date(NOW));
    expect(team.escalationContactIds).toEqual([lead.id, onCall.id]);
    expect((await updateTeam(ctx.db, scope, team.id, { name: 'Ops 2' })).escalationContactIds).toEqual([lead.id, onCall.id]);
    expect((await updateTeam(ctx.db, scope, team.id, { escalation_contact_ids: [] })).escalationContactIds).toEqual([]);
    const bad = await updateTeam(ctx.db, scope, team.id, { escalation_contact_ids: ['per_nobody'] }).catch((e: unknown) => e);
    expect((bad as ValidationError).issues[0]!.path).toEqual(['escalation_contact_ids', 0]);
  });

  it('keeps the SLA alert settings, with defaults, and refuses values out of range', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    expect(await getTenantSlaSettings(ctx.db, scope)).toEqual({ sla_warning_percent: 75, escalation_interval_minutes: 60, escalation_max: 3 });
    await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 80, escalation_interval_minutes: 15, escalation_max: 0 });
    expect(await getTenantSlaSettings(ctx.db, scope)).toEqual({ sla_warning_percent: 80, escalation_interval_minutes: 15, escalation_max: 0 });
    const bad = await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 0, escalation_interval_minutes: 0, escalation_max: 101 }).catch((e: unknown) => e);
    expect((bad as ValidationError).issues.map((i) => i.path.join('.')).sort()).toEqual(['escalation_interval_minutes', 'escalation_max', 'sla_warning_percent']);
  });

  it('offers the team choices of a create form: teams by name and the default, of this tenant only', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    expect(await teamChoices(ctx.db, tenant)).toEqual({ teams: [], defaultTeamId: null });
    const network = await createTeam(ctx.db, scope, { name: 'Network' });
    const desk = await createTeam(ctx.db, scope, { name: 'Desk' });
    expect(await teamChoices(ctx.db, tenant)).toEqual({ teams: [{ id: desk.id, name: 'Desk' }, { id: network.id, name: 'Network' }], defaultTeamId: null });
    await updateTenantSettings(ctx.db, scope, { default_team_id: network.id });
    await createTeam(ctx.db, scopeFor(newTenantId(), 'per_admin', NOW), { name: 'Elsewhere' });
    expect(await teamChoices(ctx.db, tenant)).toEqual({ teams: [{ id: desk.id, name: 'Desk' }, { id: network.id, name: 'Network' }], defaultTeamId: network.id });
  });
});
