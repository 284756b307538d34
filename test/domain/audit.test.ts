import { expect, it } from 'vitest';
import { listConfigChanges } from '../../src/domain/audit.js';
import { ValidationError } from '../../src/domain/errors.js';
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
