import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { preparedPer } from '../db/prepared.js';
import { idempotencyKeys } from '../db/schema/index.js';
import { ConflictError, ValidationError } from './errors.js';

export interface IdempotentRequest {
  tenantId: string;
  caller: string;
  key: string;
  fingerprint: string;
  now: Date;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** A first request that died before answering leaves its key; after this long a retry takes it over. */
/** The first request with this key is still running: a retry, not a second request. */
export class IdempotencyInProgressError extends ConflictError {
  constructor() {
    super('A request with this Idempotency-Key is still in progress; retry shortly');
  }
}

const ABANDONED_AFTER_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs `execute` once per (tenant, caller, key). The key row is claimed before the work
 * and filled with the answer after it, so concurrent retries see "in progress" rather
 * than running twice; a failed first attempt releases the key for a corrected retry.
 */
export async function runIdempotently(
  db: Db,
  request: IdempotentRequest,
  execute: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (!KEY_PATTERN.test(request.key)) {
    throw new ValidationError([{ path: ['Idempotency-Key'], message: 'Must be 1-255 visible ASCII characters' }]);
  }
  const key = { tenantId: request.tenantId, caller: request.caller, key: request.key };
  // One statement claims the key: a new one, or one whose first request died without an
  // answer more than ABANDONED_AFTER_MS ago (taken over). A live or answered key: no row.
  const claimed = await claimStatement(db).execute({
    ...key,
    fingerprint: request.fingerprint,
    createdAt: request.now,
    // As text: a placeholder outside the values list gets no column encoder.
    abandonedBefore: new Date(request.now.getTime() - ABANDONED_AFTER_MS).toISOString(),
  });

  if (claimed.length === 0) {
    const [existing] = await readStatement(db).execute(key);
    if (!existing) return runIdempotently(db, request, execute); // released meanwhile
    if (existing.fingerprint !== request.fingerprint) {
      throw new ValidationError([{ path: ['Idempotency-Key'], message: 'This key was already used for a different request' }]);
    }
    if (existing.responseStatus === null) {
      throw new IdempotencyInProgressError();
    }
    return { status: existing.responseStatus, body: existing.responseBody, replayed: true };
  }

  let response: StoredResponse;
  try {
    response = await execute();
  } catch (error) {
    await releaseStatement(db).execute(key);
    throw error;
  }
  await answerStatement(db).execute({ ...key, responseStatus: response.status, responseBody: JSON.stringify(response.body ?? null) });
  return { ...response, replayed: false };
}

const p = sql.placeholder;
const sameKey = and(
  eq(idempotencyKeys.tenantId, p('tenantId')),
  eq(idempotencyKeys.caller, p('caller')),
  eq(idempotencyKeys.key, p('key')),
);

const claimStatement = preparedPer((db) =>
  db
    .insert(idempotencyKeys)
    .values({ tenantId: p('tenantId'), caller: p('caller'), key: p('key'), fingerprint: p('fingerprint'), createdAt: p('createdAt') })
    .onConflictDoUpdate({
      target: [idempotencyKeys.tenantId, idempotencyKeys.caller, idempotencyKeys.key],
      set: { fingerprint: sql`excluded.fingerprint`, createdAt: sql`excluded.created_at`, responseStatus: null, responseBody: null },
      setWhere: and(isNull(idempotencyKeys.responseStatus), lt(idempotencyKeys.createdAt, sql`${p('abandonedBefore')}::timestamptz`)),
    })
    .returning({ key: idempotencyKeys.key })
    .prepare('idempotency_claim'),
);

const readStatement = preparedPer((db) => db.select().from(idempotencyKeys).where(sameKey).prepare('idempotency_read'));

const releaseStatement = preparedPer((db) => db.delete(idempotencyKeys).where(sameKey).prepare('idempotency_release'));

const answerStatement = preparedPer((db) =>
  db
    .update(idempotencyKeys)
    .set({ responseStatus: sql`${p('responseStatus')}::integer`, responseBody: sql`${p('responseBody')}::jsonb` })
    .where(sameKey)
    .prepare('idempotency_answer'),
);
