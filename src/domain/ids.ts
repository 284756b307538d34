import { getRandomValues } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** The one prefix map for ids: `newId('ticket')` -> `tkt_01J...`. */
export const ID_PREFIXES = {
  ticket: 'tkt',
  slaPolicy: 'sla',
  team: 'grp',
  person: 'per',
  ticketEvent: 'evt',
  alert: 'alr',
  comment: 'cmt',
  commentDelivery: 'dlv',
  configChange: 'chg',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdFactory = (kind: IdKind) => string;

/**
 * ulid's randomness, drawn from a pool the system's cryptographic generator refills: ulid's
 * own default asks that generator once per character, sixteen calls an id.
 */
const pool = new Uint8Array(4096);
let drawn = pool.length;
const pooledRandom = (): number => {
  if (drawn === pool.length) {
    getRandomValues(pool);
    drawn = 0;
  }
  return pool[drawn++]! / 256;
};

const ulid = monotonicFactory(pooledRandom);

export const newId: IdFactory = (kind) => `${ID_PREFIXES[kind]}_${ulid()}`;

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
