import { ValidationError } from './errors.js';

/**
 * Opaque keyset cursors: `[sort, last value, last id]`, base64url-encoded. The sort is
 * part of the cursor, so a cursor from one order cannot silently page another.
 */
export type CursorValue = string | number;

export function encodeCursor(sort: string, value: CursorValue, id: string): string {
  return Buffer.from(JSON.stringify([sort, value, id])).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  sort: string,
  isValue: (value: unknown) => boolean,
): { value: CursorValue; id: string } {
  const invalid = new ValidationError([{ path: ['cursor'], message: 'Invalid cursor for this sort order' }]);
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded[0] !== sort || typeof decoded[2] !== 'string') {
    throw invalid;
  }
  const value = decoded[1] as unknown;
  if (!isValue(value)) throw invalid;
  return { value: value as CursorValue, id: decoded[2] };
}

export const isIsoInstant = (value: unknown): boolean => typeof value === 'string' && !Number.isNaN(Date.parse(value));
