import { monotonicFactory } from 'ulid';

/** The one prefix map for ids: `newId('ticket')` -> `tkt_01J...`. */
export const ID_PREFIXES = {
  ticket: 'tkt',
  slaPolicy: 'sla',
  team: 'grp',
  person: 'per',
  ticketEvent: 'evt',
  alert: 'alr',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
export type IdFactory = (kind: IdKind) => string;

const ulid = monotonicFactory();

export const newId: IdFactory = (kind) => `${ID_PREFIXES[kind]}_${ulid()}`;

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
