import { InvalidCursorError } from './errors.js';
import { isStorableInstant, isStorableText } from './input.js';

/**
 * Opaque keyset cursors: `[sort, last value, last id]`, base64url-encoded. The sort is
 * part of the cursor, so a cursor from one order cannot silently page another.
 */
export type CursorValue = string | number;

export function encodeCursor(sort: string, value: CursorValue, id: string): string {
  return Buffer.from(JSON.stringify([sort, value, id])).toString('base64url');
}

/** Record ids as the server makes them (`tkt_01J…`), with room for other id factories. */
const CURSOR_ID = /^[A-Za-z0-9_]{1,64}$/;

/**
 * Strict decoding: the cursor must be exactly what `encodeCursor` would have written for a
 * value `isValue` accepts. Without a signature, that is what keeps a forged value (a date or
 * number the database cannot compare) from reaching a query: anything else is a 400.
 */
export function decodeCursor(
  cursor: string,
  sort: string,
  isValue: (value: unknown) => boolean,
): { value: CursorValue; id: string } {
  if (!/^[A-Za-z0-9_-]{1,500}$/.test(cursor)) throw new InvalidCursorError();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== sort) throw new InvalidCursorError();
  const [, value, id] = decoded as [string, unknown, unknown];
  if (typeof id !== 'string' || !CURSOR_ID.test(id) || !isValue(value)) throw new InvalidCursorError();
  if (encodeCursor(sort, value as CursorValue, id) !== cursor) throw new InvalidCursorError();
  return { value: value as CursorValue, id };
}

/** An instant exactly as `Date#toISOString` writes it, inside the range the database stores. */
export const isIsoInstant = (value: unknown): boolean => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false;
  const ms = Date.parse(value);
  return isStorableInstant(ms) && new Date(ms).toISOString() === value;
};

/** A serial number as the database's `integer` holds it. */
export const isSerial = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 2_147_483_647;

/** A text sort key as the server wrote it: bounded and storable. */
export const isTextKey = (maxLength: number) => (value: unknown): boolean =>
  typeof value === 'string' && value.length <= maxLength && isStorableText(value);
