import { expect, it } from 'vitest';
import { idempotencyKeys } from '../../src/db/schema/index.js';
import { ValidationError } from '../../src/domain/errors.js';
import { IdempotencyInProgressError, runIdempotently } from '../../src/domain/idempotency.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

describeEachDatabase('idempotent requests', (ctx) => {
  const request = (tenantId: string, fingerprint = 'POST /tickets abc', now = NOW) => ({ tenantId, caller: 'app:per_1', key: 'key-1', fingerprint, now });

  it('runs once and replays the stored answer; refuses the key for another request', async () => {
    const tenant = newTenantId();
    let runs = 0;
    const execute = async () => ({ status: 201, body: { id: `tkt_${++runs}` } });
    expect(await runIdempotently(ctx.db, request(tenant), execute)).toEqual({ status: 201, body: { id: 'tkt_1' }, replayed: false });
    expect(await runIdempotently(ctx.db, request(tenant), execute)).toEqual({ status: 201, body: { id: 'tkt_1' }, replayed: true });
    expect(runs).toBe(1);
    await expect(runIdempotently(ctx.db, request(tenant, 'POST /tickets other'), execute)).rejects.toBeInstanceOf(ValidationError);
    // Another tenant has its own key space.
    expect(await runIdempotently(ctx.db, request(newTenantId()), execute)).toMatchObject({ replayed: false, body: { id: 'tkt_2' } });
  });

  it('answers "in progress" while the first request runs, and releases the key when it fails', async () => {
    const tenant = newTenantId();
    let finish!: () => void;
    let claimed!: () => void;
    const running = new Promise<void>((resolve) => (claimed = resolve));
    // The work runs only once the key is claimed: from then on a second request is "in progress".
    const first = runIdempotently(ctx.db, request(tenant), () => {
      claimed();
      return new Promise((resolve) => (finish = () => resolve({ status: 201, body: { id: 'tkt_a' } })));
    });
    await running;
    await expect(runIdempotently(ctx.db, request(tenant), async () => ({ status: 201, body: {} }))).rejects.toBeInstanceOf(IdempotencyInProgressError);
    finish();
    expect(await first).toMatchObject({ replayed: false });

    const other = newTenantId();
    await expect(runIdempotently(ctx.db, request(other), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await runIdempotently(ctx.db, request(other), async () => ({ status: 201, body: { id: 'tkt_b' } }))).toMatchObject({ replayed: false });
  });

  it('takes over a key whose first request died without an answer a minute ago, not a younger one', async () => {
    const tenant = newTenantId();
    const dead = { tenantId: tenant, caller: 'app:per_1', key: 'key-1', fingerprint: 'POST /tickets abc' };
    await ctx.db.insert(idempotencyKeys).values({ ...dead, createdAt: new Date(NOW.getTime() - 30_000) });
    await expect(runIdempotently(ctx.db, request(tenant), async () => ({ status: 201, body: {} }))).rejects.toBeInstanceOf(IdempotencyInProgressError);
    const later = new Date(NOW.getTime() + 45_000);
    expect(await runIdempotently(ctx.db, request(tenant, 'POST /tickets abc', later), async () => ({ status: 201, body: { id: 'tkt_c' } }))).toEqual({
      status: 201,
      body: { id: 'tkt_c' },
      replayed: false,
    });
    expect(await runIdempotently(ctx.db, request(tenant), async () => ({ status: 500, body: {} }))).toMatchObject({ replayed: true, body: { id: 'tkt_c' } });
  });
});
