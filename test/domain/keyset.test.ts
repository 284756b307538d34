import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../../src/domain/errors.js';
import { decodeCursor, encodeCursor, isIsoInstant, isSerial, isTextKey } from '../../src/domain/keyset.js';

const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ID = 'tkt_01J0000000000000000000000';

describe('decodeCursor', () => {
  it('round-trips what encodeCursor wrote', () => {
    const at = '2026-01-31T09:00:00.000Z';
    expect(decodeCursor(encodeCursor('-created_at', at, ID), '-created_at', isIsoInstant)).toEqual({ value: at, id: ID });
    expect(decodeCursor(encodeCursor('number', 42, ID), 'number', isSerial)).toEqual({ value: 42, id: ID });
  });

  it('refuses anything the server would not have written', () => {
    const forged = [
      'not a cursor',
      '',
      'x'.repeat(501),
      `${encodeCursor('number', 1, ID)}=`,
      raw(['number', 1]),
      raw(['number', 1, ID, 'extra']),
      raw(['-number', 1, ID]),
      raw(['number', 0, ID]),
      raw(['number', 2 ** 31, ID]),
      raw(['number', 1.5, ID]),
      raw(['number', 1e300, ID]),
      raw(['number', '1', ID]),
      raw(['number', 1, '']),
      raw(['number', 1, 'tkt_\u0000']),
      raw(['number', 1, 'x'.repeat(65)]),
      // The same array, written with a space: not the server's encoding.
      Buffer.from(`["number", 1, "${ID}"]`).toString('base64url'),
    ];
    for (const cursor of forged) {
      expect(() => decodeCursor(cursor, 'number', isSerial), cursor.slice(0, 40)).toThrow(InvalidCursorError);
    }
  });
});

describe('cursor values', () => {
  it('instants: exactly toISOString output, years 0001-9999', () => {
    expect(isIsoInstant('2026-01-31T09:00:00.000Z')).toBe(true);
    for (const value of ['0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2026-01-31T09:00:00Z', '2026-02-30T00:00:00.000Z', '2026-01-31', 20260131]) {
      expect(isIsoInstant(value), String(value)).toBe(false);
    }
  });

  it('text keys: bounded and storable', () => {
    expect(isTextKey(5)('abc')).toBe(true);
    for (const value of ['abcdef', 'a\u0000', '\ud800', 3]) expect(isTextKey(5)(value), String(value)).toBe(false);
  });
});
