import { expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { getPerson, slackPerson, upsertSlackPerson } from '../../src/domain/people.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';

describeEachDatabase('people', (ctx) => {
  it('makes a Slack user a person of the workspace on first contact, refreshing the profile later', async () => {
    const tenant = newTenantId();
    const first = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U0ADA', displayName: 'ada' }, new Date('2026-01-01T00:00:00Z'));
    expect(first.id).toMatch(/^per_/);
    const again = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U0ADA', displayName: 'Ada L.' }, new Date('2026-01-02T00:00:00Z'));
    expect(again.id).toBe(first.id);
    expect(again.displayName).toBe('Ada L.');
    // The same Slack user in another workspace is another person.
    const elsewhere = await upsertSlackPerson(ctx.db, newTenantId(), { slackUserId: 'U0ADA' }, new Date());
    expect(elsewhere.id).not.toBe(first.id);
  });

  it('stores a profile with NUL or unpaired surrogates in its text, and refuses such an id', async () => {
    const tenant = newTenantId();
    const person = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U0ODD', displayName: 'Ada\u0000 \ud800L.', email: 'a\u0000@x.io' }, new Date());
    expect(person).toMatchObject({ displayName: 'Ada \ufffdL.', email: 'a@x.io' });
    await expect(upsertSlackPerson(ctx.db, tenant, { slackUserId: 'U0\u0000' }, new Date())).rejects.toBeInstanceOf(ValidationError);
  });

  it('remembers people after first contact, without touching the database again', async () => {
    const tenant = newTenantId();
    const created = await slackPerson(ctx.db, tenant, { slackUserId: 'U0GRACE', displayName: 'grace' }, new Date('2026-01-01T00:00:00Z'));
    const remembered = await slackPerson(ctx.db, tenant, { slackUserId: 'U0GRACE', displayName: 'changed' }, new Date('2026-02-01T00:00:00Z'));
    expect(remembered).toBe(created);
    // Not written again: the stored profile is still the first one.
    const stored = await getPerson(ctx.db, tenant, created.id);
    expect(stored).toMatchObject({ displayName: 'grace', updatedAt: new Date('2026-01-01T00:00:00Z') });
    // Another workspace's user of the same id is not confused with this one.
    const other = await slackPerson(ctx.db, newTenantId(), { slackUserId: 'U0GRACE' }, new Date());
    expect(other.id).not.toBe(created.id);
  });
});
