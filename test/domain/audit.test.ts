import { expect, it } from 'vitest';
import { listConfigChanges } from '../../src/domain/audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createSlaPolicy, deactivateSlaPolicy, updateSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam, updateTeam } from '../../src/domain/teams.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../src/domain/sla/calendar.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { scopeFor } from '../support/scope.js';

const NOW = '2026-06-01T12:00:00Z';

describeEachDatabase('configuration audit trail', (ctx) => {
  it('records who changed which settings and when, only what changed, and nothing for a refused change', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 80, escalation_max: 3 });
    const calendar = { ...DEFAULT_BUSINESS_CALENDAR, timezone: 'Europe/Paris' };
    await updateTenantSettings(ctx.db, scopeFor(tenant, 'per_other', '2026-06-01T13:00:00Z'), { business_calendar: calendar });
    const refused = await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 0 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    // Nothing changed: nothing recorded.
    await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 80 });

    const changes = await listConfigChanges(ctx.db, tenant, { subject: 'settings' });
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({ actorId: 'per_other', action: 'update', at: new Date('2026-06-01T13:00:00Z') });
    expect(Object.keys(changes[0]!.changes)).toEqual(['business_calendar']);
    expect(changes[0]!.changes.business_calendar!.to).toEqual(calendar);
    // escalation_max was already 3: only the warning share is a change.
    expect(changes[1]).toMatchObject({ actorId: 'per_admin', changes: { sla_warning_percent: { from: 75, to: 80 } } });
    // Another tenant's trail is its own.
    expect(await listConfigChanges(ctx.db, newTenantId())).toEqual([]);
  });
});

describeEachDatabase('configuration audit trail of teams and SLA policies', (ctx) => {
  it('records each team create and update with who, when and what changed; a refused write records nothing', async () => {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, 'per_admin', NOW);
    const ada = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UADA' }, new Date(NOW));
    const team = await createTeam(ctx.db, admin, { name: 'IT desk', slack_channel_id: 'C0DESK', agent_ids: ['UADA'] });
    const later = scopeFor(tenant, 'per_other', '2026-06-01T13:00:00Z');
    await updateTeam(ctx.db, later, team.id, { name: 'IT help', agent_ids: [ada.id], agent_reply_default: 'internal' });
    // Refused: duplicate name, bad channel, unknown team; and a write that changes nothing.
    await createTeam(ctx.db, admin, { name: 'Other' });
    await expect(updateTeam(ctx.db, admin, team.id, { name: 'Other' })).rejects.toBeInstanceOf(ConflictError);
    await expect(createTeam(ctx.db, admin, { name: 'IT help' })).rejects.toBeInstanceOf(ConflictError);
    await expect(createTeam(ctx.db, admin, { name: 'Bad', slack_channel_id: '#general' })).rejects.toBeInstanceOf(ValidationError);
    await expect(updateTeam(ctx.db, admin, 'grp_01NOSUCHTEAM00000000000000', { name: 'X' })).rejects.toBeInstanceOf(NotFoundError);
    await updateTeam(ctx.db, admin, team.id, { name: 'IT help' });
    // The same people in another order: not a change either.
    const bob = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UBOB' }, new Date(NOW));
    const other = await createTeam(ctx.db, admin, { name: 'Pair', agent_ids: [ada.id, bob.id] });
    await updateTeam(ctx.db, admin, other.id, { agent_ids: [bob.id, ada.id] });
    expect(await listConfigChanges(ctx.db, tenant, { subjectId: other.id })).toHaveLength(1);

    const changes = await listConfigChanges(ctx.db, tenant, { subject: 'team', subjectId: team.id });
    expect(changes).toHaveLength(2);
    expect(changes[0]).toMatchObject({
      action: 'update',
      actorId: 'per_other',
      at: new Date('2026-06-01T13:00:00Z'),
      changes: { name: { from: 'IT desk', to: 'IT help' }, agent_reply_default: { from: 'public', to: 'internal' } },
    });
    // The same agent, by Slack id then by person id: not a change.
    expect(Object.keys(changes[0]!.changes).sort()).toEqual(['agent_reply_default', 'name']);
    expect(changes[1]).toMatchObject({
      action: 'create',
      actorId: 'per_admin',
      at: new Date(NOW),
      changes: { name: { from: null, to: 'IT desk' }, slack_channel_id: { from: null, to: 'C0DESK' }, agent_ids: { from: null, to: [ada.id] } },
    });
    // Only the other teams' creates besides: nothing from the refused writes.
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'team' })).toHaveLength(4);
  });

  it('records SLA policy creates, updates and deactivations; a refused write records nothing', async () => {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, 'per_admin', NOW);
    const policy = await createSlaPolicy(ctx.db, admin, { name: 'High incidents', applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 240 });
    await updateSlaPolicy(ctx.db, admin, policy.id, { resolution_mins: 300 });
    await deactivateSlaPolicy(ctx.db, scopeFor(tenant, 'per_other', '2026-06-01T14:00:00Z'), policy.id);
    await expect(updateSlaPolicy(ctx.db, admin, policy.id, { first_response_minutes: 0 })).rejects.toBeInstanceOf(ValidationError);
    await createSlaPolicy(ctx.db, admin, { name: 'Again', applies_to: ['incident'], priority: 'high', first_response_minutes: 10, resolution_minutes: 20 });
    await expect(
      createSlaPolicy(ctx.db, admin, { name: 'Clash', applies_to: ['incident'], priority: 'high', first_response_minutes: 10, resolution_minutes: 20 }),
    ).rejects.toBeInstanceOf(ConflictError);
    // Reactivating it would clash with "Again": refused, nothing recorded.
    await expect(updateSlaPolicy(ctx.db, admin, policy.id, { status: 'active' })).rejects.toBeInstanceOf(ConflictError);

    const changes = await listConfigChanges(ctx.db, tenant, { subject: 'sla_policy', subjectId: policy.id });
    expect(changes.map((c) => c.action)).toEqual(['deactivate', 'update', 'create']);
    expect(changes[0]).toMatchObject({ actorId: 'per_other', at: new Date('2026-06-01T14:00:00Z'), changes: { status: { from: 'active', to: 'inactive' } } });
    expect(changes[1]!.changes).toEqual({ resolution_minutes: { from: 240, to: 300 } });
    expect(changes[2]!.changes).toMatchObject({ name: { from: null, to: 'High incidents' }, priority: { from: null, to: 'high' }, first_response_minutes: { from: null, to: 30 } });
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'sla_policy' })).toHaveLength(4);
  });
});
