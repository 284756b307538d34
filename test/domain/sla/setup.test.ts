import { expect, it } from 'vitest';
import { listConfigChanges } from '../../../src/domain/audit.js';
import { ValidationError } from '../../../src/domain/errors.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../../src/domain/sla/calendar.js';
import { createSlaPolicy, listSlaPolicies } from '../../../src/domain/sla/policies.js';
import { createSlaPolicies, saveBusinessHours, skipSlaPolicies, slaSetupStatus, SUGGESTED_APPLIES_TO, SUGGESTED_SLA_POLICIES } from '../../../src/domain/sla/setup.js';
import { updateTenantSettings } from '../../../src/domain/tenants.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const NOW = '2026-06-01T12:00:00Z';
const suggested = () => SUGGESTED_SLA_POLICIES.map((p) => ({ ...p, applies_to: SUGGESTED_APPLIES_TO }));

describeEachDatabase('SLA setup', (ctx) => {
  it('creates the suggested set at once: one active policy per priority for every type', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const created = await createSlaPolicies(ctx.db, scope, suggested());
    expect(created.map((p) => [p.priority, p.firstResponseMinutes, p.resolutionMinutes, p.businessHoursOnly])).toEqual([
      ['urgent', 30, 240, false],
      ['high', 60, 480, false],
      ['medium', 240, 1440, true],
      ['low', 480, 4320, true],
    ]);
    expect(created.every((p) => p.status === 'active' && p.appliesTo.length === 4)).toBe(true);
  });

  it('writes nothing when any policy of the set is refused, and names every refused one by its index', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    await createSlaPolicy(ctx.db, scope, { name: 'Existing', applies_to: ['change'], priority: 'high', first_response_minutes: 5, resolution_minutes: 10 });
    const inputs = suggested();
    inputs[0] = { ...inputs[0]!, first_response_minutes: 0 };
    inputs[3] = { ...inputs[3]!, resolution_minutes: 1.5 };
    const error = await createSlaPolicies(ctx.db, scope, inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues.map((i) => i.path)).toEqual([[0, 'first_response_minutes'], [1, 'priority'], [3, 'resolution_minutes']]);
    expect(issues[1]!.message).toContain('"Existing"');
    // Medium was fine, and still was not written.
    expect((await listSlaPolicies(ctx.db, scope)).items.map((p) => p.name)).toEqual(['Existing']);
  });

  it('says step 2 is done once a policy exists or "none" was chosen, and step 3 once the business hours were set', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    expect(await slaSetupStatus(ctx.db, tenant)).toEqual({ policies: false, businessHours: false });
    // Other settings do not complete the business-hours step.
    await updateTenantSettings(ctx.db, scope, { sla_warning_percent: 80 });
    await skipSlaPolicies(ctx.db, scope);
    expect(await slaSetupStatus(ctx.db, tenant)).toEqual({ policies: true, businessHours: false });
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'setup' })).toMatchObject([{ action: 'skip', subjectId: 'sla_policies', actorId: 'per_admin' }]);
    await updateTenantSettings(ctx.db, scope, { business_calendar: { ...DEFAULT_BUSINESS_CALENDAR, timezone: 'Asia/Tokyo' } });
    expect(await slaSetupStatus(ctx.db, tenant)).toEqual({ policies: true, businessHours: true });

    const other = newTenantId();
    await createSlaPolicy(ctx.db, scopeFor(other, 'per_x', NOW), { name: 'One', applies_to: ['incident'], priority: 'low', first_response_minutes: 5, resolution_minutes: 10 });
    expect(await slaSetupStatus(ctx.db, other)).toEqual({ policies: true, businessHours: false });
    // Each tenant's own.
    expect(await slaSetupStatus(ctx.db, newTenantId())).toEqual({ policies: false, businessHours: false });
  });

  it('counts business hours saved as they were (the defaults kept) as step 3 done, once, and refuses invalid ones', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_admin', NOW);
    const refused = await saveBusinessHours(ctx.db, scope, { ...DEFAULT_BUSINESS_CALENDAR, timezone: 'Mars/Olympus' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(await slaSetupStatus(ctx.db, tenant)).toEqual({ policies: false, businessHours: false });
    await saveBusinessHours(ctx.db, scope, DEFAULT_BUSINESS_CALENDAR);
    expect(await slaSetupStatus(ctx.db, tenant)).toEqual({ policies: false, businessHours: true });
    // Nothing changed in the settings: the step's own record says who confirmed them.
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'settings' })).toEqual([]);
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'setup' })).toMatchObject([{ action: 'confirm', subjectId: 'business_hours', actorId: 'per_admin' }]);
    // Saved again, or changed later: no second confirmation (the change itself is recorded).
    await saveBusinessHours(ctx.db, scope, DEFAULT_BUSINESS_CALENDAR);
    await saveBusinessHours(ctx.db, scope, { ...DEFAULT_BUSINESS_CALENDAR, timezone: 'Asia/Tokyo' });
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'setup' })).toHaveLength(1);
    expect(await listConfigChanges(ctx.db, tenant, { subject: 'settings' })).toHaveLength(1);
  });
});
