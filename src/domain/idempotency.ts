import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
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
  const where = and(
    eq(idempotencyKeys.tenantId, request.tenantId),
    eq(idempotencyKeys.caller, request.caller),
    eq(idempotencyKeys.key, request.key),
  );
  await db
    .delete(idempotencyKeys)
    .where(and(where, isNull(idempotencyKeys.responseStatus), lt(idempotencyKeys.createdAt, new Date(request.now.getTime() - ABANDONED_AFTER_MS))));
  const claimed = await db
    .insert(idempotencyKeys)
    .values({ tenantId: request.tenantId, caller: request.caller, key: request.key, fingerprint: request.fingerprint, createdAt: request.now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });

  if (claimed.length === 0) {
    const [existing] = await db.select().from(idempotencyKeys).where(where);
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
    await db.delete(idempotencyKeys).where(where);
    throw error;
  }
  await db
    .update(idempotencyKeys)
    .set({ responseStatus: response.status, responseBody: response.body })
    .where(where);
  return { ...response, replayed: false };
}
