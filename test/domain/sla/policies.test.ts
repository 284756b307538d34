import { expect, it } from 'vitest';
import {
  ConflictError,
  InvalidCursorError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../../src/domain/errors.js';
import {
  createSlaPolicy,
  deactivateSlaPolicy,
  getSlaPolicy,
  listSlaPolicies,
  updateSlaPolicy,
  type SlaPolicy,
} from '../../../src/domain/sla/policies.js';
import type { Db } from '../../../src/db/client.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const ADMIN = 'per_admin';
const OTHER_ADMIN = 'per_other_admin';
const T0 = '2026-04-01T09:00:00.000Z';
const T1 = '2026-04-01T10:30:00.000Z';

const scope = (tenantId: string, now: string = T0, actorId: string = ADMIN) => scopeFor(tenantId, actorId, now);

/** A valid create body for (incident, high), 30 / 240 minutes; override any field. */
function policyInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Incidents, high',
    applies_to: ['incident'],
    priority: 'high',
    first_response_minutes: 30,
    resolution_minutes: 240,
    ...overrides,
  };
}

function createPolicy(db: Db, tenantId: string, overrides: Record<string, unknown> = {}): Promise<SlaPolicy> {
  return createSlaPolicy(db, scope(tenantId), policyInput(overrides));
}

/** Awaits a promise that must reject with `type`, and returns the error for closer checks. */
async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => new Error('expected a rejection, but the promise resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

const issuePaths = (error: ValidationError) => error.issues.map((issue) => issue.path.join('.'));

// ---------------------------------------------------------------------------------------------

describeEachDatabase('SLA policies', (ctx) => {
  // -------------------------------------------------------------------------------------------
  // Create: the two spellings of the targets

  it('creates a policy from the long spellings; the short ones are generated equal', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId);

    expect(policy.id).toMatch(/^sla_/);
    expect(policy.tenantId).toBe(tenantId);
    expect(policy.name).toBe('Incidents, high');
    expect(policy.appliesTo).toEqual(['incident']);
    expect(policy.priority).toBe('high');
    expect(policy.status).toBe('active');
    expect(policy.businessHoursOnly).toBe(false);
    expect(policy.firstResponseMinutes).toBe(30);
    expect(policy.resolutionMinutes).toBe(240);
    expect(policy.firstResponseMins).toBe(30);
    expect(policy.resolutionMins).toBe(240);
    expect(policy.revision).toBe(1);
    expect(policy.createdAt.toISOString()).toBe(T0);
    expect(policy.createdBy).toBe(ADMIN);
  });

  it('creates a policy from the short `_mins` spellings only', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId, {
      first_response_minutes: undefined,
      resolution_minutes: undefined,
      first_response_mins: 15,
      resolution_mins: 120,
    });
    expect(policy.firstResponseMinutes).toBe(15);
    expect(policy.firstResponseMins).toBe(15);
    expect(policy.resolutionMinutes).toBe(120);
    expect(policy.resolutionMins).toBe(120);
  });

  it('accepts both spellings when they agree', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId, { first_response_mins: 30, resolution_mins: 240 });
    expect(policy.firstResponseMinutes).toBe(30);
    expect(policy.firstResponseMins).toBe(30);
    expect(policy.resolutionMinutes).toBe(240);
    expect(policy.resolutionMins).toBe(240);
  });

  it('rejects both spellings when they disagree, naming the field', async () => {
    const tenantId = newTenantId();
    const error = await rejection(createPolicy(ctx.db, tenantId, { first_response_mins: 31 }), ValidationError);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]!.path).toHaveLength(1);
    expect(String(error.issues[0]!.path[0])).toMatch(/^first_response_min(ute)?s$/);

    const res = await rejection(createPolicy(ctx.db, tenantId, { resolution_mins: 241 }), ValidationError);
    expect(res.issues).toHaveLength(1);
    expect(String(res.issues[0]!.path[0])).toMatch(/^resolution_min(ute)?s$/);

    expect((await listSlaPolicies(ctx.db, scope(tenantId))).items).toEqual([]);
  });

  it('requires the targets in one spelling or the other', async () => {
    const tenantId = newTenantId();
    const error = await rejection(
      createPolicy(ctx.db, tenantId, { first_response_minutes: undefined, resolution_minutes: undefined }),
      ValidationError,
    );
    expect(issuePaths(error)).toContain('first_response_minutes');
    expect(issuePaths(error)).toContain('resolution_minutes');

    const onlyResolution = await rejection(
      createPolicy(ctx.db, tenantId, { first_response_minutes: undefined }),
      ValidationError,
    );
    expect(issuePaths(onlyResolution)).toEqual(['first_response_minutes']);
  });

  it('keeps both spellings equal after an update through the other spelling', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId);

    const shortened = await updateSlaPolicy(ctx.db, scope(tenantId, T1), policy.id, {
      first_response_mins: 45,
      resolution_mins: 300,
    });
    expect(shortened.firstResponseMinutes).toBe(45);
    expect(shortened.firstResponseMins).toBe(45);
    expect(shortened.resolutionMinutes).toBe(300);
    expect(shortened.resolutionMins).toBe(300);

    const reread = await getSlaPolicy(ctx.db, scope(tenantId), policy.id);
    expect(reread.firstResponseMinutes).toBe(45);
    expect(reread.firstResponseMins).toBe(45);

    const conflicting = await rejection(
      updateSlaPolicy(ctx.db, scope(tenantId, T1), policy.id, { first_response_minutes: 50, first_response_mins: 55 }),
      ValidationError,
    );
    expect(String(conflicting.issues[0]!.path[0])).toMatch(/^first_response_min(ute)?s$/);
  });

  // -------------------------------------------------------------------------------------------
  // Create: other validation

  it('ignores server-stamped fields in the input', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId, {
      id: 'sla_chosen_by_client',
      tenant_id: 'TSOMEONEELSE',
      app_id: 'app_forged',
      created_at: '2000-01-01T00:00:00Z',
      updated_at: '2000-01-01T00:00:00Z',
      created_by: 'per_forged',
      updated_by: 'per_forged',
      is_deleted: true,
      deleted_at: '2000-01-01T00:00:00Z',
      deleted_by: 'per_forged',
      schema_version: 99,
    });
    expect(policy.id).not.toBe('sla_chosen_by_client');
    expect(policy.id).toMatch(/^sla_/);
    expect(policy.tenantId).toBe(tenantId);
    expect(policy.appId).toBeNull();
    expect(policy.createdAt.toISOString()).toBe(T0);
    expect(policy.updatedAt.toISOString()).toBe(T0);
    expect(policy.createdBy).toBe(ADMIN);
    expect(policy.updatedBy).toBe(ADMIN);
    expect(policy.isDeleted).toBe(false);
    expect(policy.deletedAt).toBeNull();
    expect(policy.deletedBy).toBeNull();
    expect(policy.schemaVersion).toBe(1);

    // Nothing was written under the forged tenant or id.
    await rejection(getSlaPolicy(ctx.db, scope('TSOMEONEELSE'), policy.id), NotFoundError);
    await rejection(getSlaPolicy(ctx.db, scope(tenantId), 'sla_chosen_by_client'), NotFoundError);
  });

  it('rejects unknown fields, naming them in the path', async () => {
    const tenantId = newTenantId();
    const error = await rejection(createPolicy(ctx.db, tenantId, { colour: 'red' }), ValidationError);
    // zod reports unknown keys at the object; the domain error names each key in its path.
    expect(issuePaths(error)).toEqual(['colour']);
  });

  it('rejects an unknown ticket type in applies_to at its index', async () => {
    const tenantId = newTenantId();
    const error = await rejection(
      createPolicy(ctx.db, tenantId, { applies_to: ['incident', 'outage'] }),
      ValidationError,
    );
    expect(issuePaths(error)).toEqual(['applies_to.1']);

    const first = await rejection(createPolicy(ctx.db, tenantId, { applies_to: ['outage'] }), ValidationError);
    expect(issuePaths(first)).toEqual(['applies_to.0']);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['fractional', 1.5],
  ])('rejects %s minutes', async (_label, value) => {
    const tenantId = newTenantId();
    const fr = await rejection(createPolicy(ctx.db, tenantId, { first_response_minutes: value }), ValidationError);
    expect(issuePaths(fr)).toEqual(['first_response_minutes']);
    const res = await rejection(createPolicy(ctx.db, tenantId, { resolution_mins: value, resolution_minutes: undefined }), ValidationError);
    expect(issuePaths(res)).toEqual(['resolution_mins']);
    const policy = await createPolicy(ctx.db, tenantId);
    const update = await rejection(
      updateSlaPolicy(ctx.db, scope(tenantId, T1), policy.id, { resolution_minutes: value }),
      ValidationError,
    );
    expect(issuePaths(update)).toEqual(['resolution_minutes']);
  });

  // -------------------------------------------------------------------------------------------
  // At most one active policy per (type, priority)

  it('refuses a second active policy overlapping on (type, priority), naming the first', async () => {
    const tenantId = newTenantId();
    const first = await createPolicy(ctx.db, tenantId, { name: 'Gold incidents', applies_to: ['incident', 'problem'] });

    // Overlaps on (problem, high).
    const error = await rejection(
      createPolicy(ctx.db, tenantId, { name: 'Second', applies_to: ['problem', 'change'] }),
      ConflictError,
    );
    expect(error.message).toContain('Gold incidents');
    expect(error.message).toContain(first.id);
    expect(error.conflictingId).toBe(first.id);

    const active = await listSlaPolicies(ctx.db, scope(tenantId), { status: 'active' });
    expect(active.items.map((p) => p.id)).toEqual([first.id]);
  });

  it('allows the same types with another priority, and an inactive overlapping policy', async () => {
    const tenantId = newTenantId();
    const first = await createPolicy(ctx.db, tenantId);
    const medium = await createPolicy(ctx.db, tenantId, { name: 'Incidents, medium', priority: 'medium' });
    const draft = await createPolicy(ctx.db, tenantId, { name: 'Draft', status: 'inactive' });

    expect(medium.status).toBe('active');
    expect(draft.status).toBe('inactive');
    const ids = (await listSlaPolicies(ctx.db, scope(tenantId))).items.map((p) => p.id);
    expect(ids.sort()).toEqual([first.id, medium.id, draft.id].sort());
  });

  it('refuses to activate an overlapping policy until the first is deactivated', async () => {
    const tenantId = newTenantId();
    const first = await createPolicy(ctx.db, tenantId, { name: 'Current' });
    const draft = await createPolicy(ctx.db, tenantId, { name: 'Next', status: 'inactive' });

    const error = await rejection(
      updateSlaPolicy(ctx.db, scope(tenantId, T1), draft.id, { status: 'active' }),
      ConflictError,
    );
    expect(error.message).toContain('Current');
    expect(error.message).toContain(first.id);
    expect(error.conflictingId).toBe(first.id);
    expect((await getSlaPolicy(ctx.db, scope(tenantId), draft.id)).status).toBe('inactive');

    const deactivated = await deactivateSlaPolicy(ctx.db, scope(tenantId, T1), first.id);
    expect(deactivated.status).toBe('inactive');
    const activated = await updateSlaPolicy(ctx.db, scope(tenantId, T1), draft.id, { status: 'active' });
    expect(activated.status).toBe('active');

    const active = await listSlaPolicies(ctx.db, scope(tenantId), { status: 'active' });
    expect(active.items.map((p) => p.id)).toEqual([draft.id]);
  });

  it('refuses changing applies_to or priority of an active policy into an overlap', async () => {
    const tenantId = newTenantId();
    const incidents = await createPolicy(ctx.db, tenantId, { name: 'Incidents, high' });
    const requests = await createPolicy(ctx.db, tenantId, { name: 'Requests, high', applies_to: ['service_request'] });
    const lowIncidents = await createPolicy(ctx.db, tenantId, { name: 'Incidents, low', priority: 'low' });

    // (incident, high) is taken by `incidents`.
    const byTypes = await rejection(
      updateSlaPolicy(ctx.db, scope(tenantId, T1), requests.id, { applies_to: ['service_request', 'incident'] }),
      ConflictError,
    );
    expect(byTypes.conflictingId).toBe(incidents.id);
    expect(byTypes.message).toContain('Incidents, high');

    const byPriority = await rejection(
      updateSlaPolicy(ctx.db, scope(tenantId, T1), lowIncidents.id, { priority: 'high' }),
      ConflictError,
    );
    expect(byPriority.conflictingId).toBe(incidents.id);
    expect(byPriority.message).toContain(incidents.id);

    // Neither was changed.
    expect((await getSlaPolicy(ctx.db, scope(tenantId), requests.id)).appliesTo).toEqual(['service_request']);
    const low = await getSlaPolicy(ctx.db, scope(tenantId), lowIncidents.id);
    expect(low.priority).toBe('low');
    expect(low.revision).toBe(1);

    // A non-overlapping change is fine.
    const widened = await updateSlaPolicy(ctx.db, scope(tenantId, T1), requests.id, {
      applies_to: ['service_request', 'change'],
    });
    expect(widened.appliesTo).toEqual(['service_request', 'change']);
  });

  it('lets exactly one of ten concurrent overlapping creates win', async () => {
    const tenantId = newTenantId();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createPolicy(ctx.db, tenantId, { name: `Racer ${i}` })),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<SlaPolicy> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    const winner = won[0]!.value;
    for (const { reason } of lost) {
      expect(reason).toBeInstanceOf(ConflictError);
      expect((reason as ConflictError).conflictingId).toBe(winner.id);
    }
    const stored = await listSlaPolicies(ctx.db, scope(tenantId));
    expect(stored.items.map((p) => p.id)).toEqual([winner.id]);
  });

  // -------------------------------------------------------------------------------------------
  // Get and list, tenancy

  it('lists policies filtered by status, type and priority', async () => {
    const tenantId = newTenantId();
    const incHigh = await createPolicy(ctx.db, tenantId, { name: 'A', applies_to: ['incident', 'problem'] });
    const reqHigh = await createPolicy(ctx.db, tenantId, { name: 'B', applies_to: ['service_request'] });
    const incLow = await createPolicy(ctx.db, tenantId, { name: 'C', priority: 'low' });
    const draft = await createPolicy(ctx.db, tenantId, { name: 'D', applies_to: ['change'], status: 'inactive' });
    // Noise in another tenant.
    await createPolicy(ctx.db, newTenantId());

    const ids = async (options: Parameters<typeof listSlaPolicies>[2]) =>
      (await listSlaPolicies(ctx.db, scope(tenantId), options)).items.map((p) => p.id).sort();

    expect(await ids({})).toEqual([incHigh.id, reqHigh.id, incLow.id, draft.id].sort());
    expect(await ids({ status: 'active' })).toEqual([incHigh.id, reqHigh.id, incLow.id].sort());
    expect(await ids({ status: 'inactive' })).toEqual([draft.id]);
    expect(await ids({ type: 'incident' })).toEqual([incHigh.id, incLow.id].sort());
    expect(await ids({ type: 'problem' })).toEqual([incHigh.id]);
    expect(await ids({ type: 'change' })).toEqual([draft.id]);
    expect(await ids({ priority: 'high' })).toEqual([incHigh.id, reqHigh.id, draft.id].sort());
    expect(await ids({ priority: 'low', type: 'incident', status: 'active' })).toEqual([incLow.id]);
    expect(await ids({ priority: 'urgent' })).toEqual([]);
  });

  it('sorts by name, priority or creation and pages with cursors in that order', async () => {
    const tenantId = newTenantId();
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
    const priorities = ['urgent', 'low', 'high', 'medium', 'low'] as const;
    const created = [];
    for (const [i, name] of names.entries()) {
      // Inactive, so any number may cover the same (type, priority).
      created.push(await createPolicy(ctx.db, tenantId, { name, priority: priorities[i], status: 'inactive' }));
    }
    const walk = async (sort: string, limit: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await listSlaPolicies(ctx.db, scope(tenantId), { sort: sort as never, limit, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((p) => p.name));
        if (!page.next_cursor) return seen;
        cursor = page.next_cursor;
      }
      throw new Error('cursor did not end');
    };
    expect(await walk('name', 2)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(await walk('-name', 2)).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
    // Priority in the enum's order (low < medium < high < urgent); ties broken by id.
    const byPriority = await walk('priority', 1);
    expect(byPriority.slice(2)).toEqual(['charlie', 'echo', 'delta']);
    expect(byPriority.slice(0, 2).sort()).toEqual(['alpha', 'bravo']);
    const byCreation = [...created].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    expect(await walk('created_at', 3)).toEqual(byCreation.map((p) => p.name));
    expect(await walk('-created_at', 2)).toEqual(byCreation.map((p) => p.name).reverse());

    const first = await listSlaPolicies(ctx.db, scope(tenantId), { sort: 'name', limit: 2 });
    await rejection(listSlaPolicies(ctx.db, scope(tenantId), { sort: '-name', cursor: first.next_cursor! }), InvalidCursorError);
    await rejection(listSlaPolicies(ctx.db, scope(tenantId), { sort: 'size' as never }), ValidationError);
    await rejection(listSlaPolicies(ctx.db, scope(tenantId), { limit: 201 }), ValidationError);
  });

  it("does not show, nor change, another tenant's policy", async () => {
    const owner = newTenantId();
    const intruder = newTenantId();
    const policy = await createPolicy(ctx.db, owner);

    await rejection(getSlaPolicy(ctx.db, scope(intruder), policy.id), NotFoundError);
    expect((await listSlaPolicies(ctx.db, scope(intruder))).items).toEqual([]);
    await rejection(
      updateSlaPolicy(ctx.db, scope(intruder, T1), policy.id, { name: 'Hijacked', resolution_minutes: 1 }),
      NotFoundError,
    );
    await rejection(deactivateSlaPolicy(ctx.db, scope(intruder, T1), policy.id), NotFoundError);

    const unchanged = await getSlaPolicy(ctx.db, scope(owner), policy.id);
    expect(unchanged).toEqual(policy);
  });

  it('hides policies created without an app id from an app-scoped caller', async () => {
    const tenantId = newTenantId();
    const tenantWide = await createPolicy(ctx.db, tenantId);
    const appScope = scopeFor(tenantId, ADMIN, T0, { appId: 'app_x' });
    const fromApp = await createSlaPolicy(ctx.db, appScope, policyInput({ name: 'From app', priority: 'low' }));
    expect(fromApp.appId).toBe('app_x');

    expect((await listSlaPolicies(ctx.db, appScope)).items.map((p) => p.id)).toEqual([fromApp.id]);
    await rejection(getSlaPolicy(ctx.db, appScope, tenantWide.id), NotFoundError);
    await rejection(updateSlaPolicy(ctx.db, appScope, tenantWide.id, { name: 'Renamed' }), NotFoundError);
    expect((await getSlaPolicy(ctx.db, appScope, fromApp.id)).id).toBe(fromApp.id);

    // The tenant-wide caller sees both.
    const all = (await listSlaPolicies(ctx.db, scope(tenantId))).items.map((p) => p.id).sort();
    expect(all).toEqual([tenantWide.id, fromApp.id].sort());
  });

  // -------------------------------------------------------------------------------------------
  // Update stamps and optimistic concurrency

  it('stamps updatedAt/updatedBy and bumps the revision on update', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId);

    const renamed = await updateSlaPolicy(ctx.db, scope(tenantId, T1, OTHER_ADMIN), policy.id, {
      name: 'Renamed',
      business_hours_only: true,
    });
    expect(renamed.name).toBe('Renamed');
    expect(renamed.businessHoursOnly).toBe(true);
    expect(renamed.revision).toBe(2);
    expect(renamed.updatedAt.toISOString()).toBe(T1);
    expect(renamed.updatedBy).toBe(OTHER_ADMIN);
    expect(renamed.createdAt.toISOString()).toBe(T0);
    expect(renamed.createdBy).toBe(ADMIN);
    // Untouched fields stay.
    expect(renamed.firstResponseMinutes).toBe(30);
    expect(renamed.appliesTo).toEqual(['incident']);

    const again = await updateSlaPolicy(ctx.db, scope(tenantId, '2026-04-02T08:00:00.000Z'), policy.id, {
      description: 'Second edit',
    }, { expectedRevision: 2 });
    expect(again.revision).toBe(3);
    expect(again.description).toBe('Second edit');
  });

  it('refuses an update made against a stale revision', async () => {
    const tenantId = newTenantId();
    const policy = await createPolicy(ctx.db, tenantId);
    await updateSlaPolicy(ctx.db, scope(tenantId, T1), policy.id, { name: 'First edit' }); // revision 2

    await rejection(
      updateSlaPolicy(ctx.db, scope(tenantId, T1), policy.id, { name: 'Lost update' }, { expectedRevision: 1 }),
      PreconditionFailedError,
    );
    const current = await getSlaPolicy(ctx.db, scope(tenantId), policy.id);
    expect(current.name).toBe('First edit');
    expect(current.revision).toBe(2);
  });
});
