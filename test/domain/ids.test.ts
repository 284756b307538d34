import { describe, expect, it } from 'vitest';
import { decodeTime, isValid } from 'ulid';
import { hasPrefix, newId } from '../../src/domain/ids.js';

describe('newId', () => {
  it('is the kind prefix and a valid ULID of now', () => {
    const before = Date.now();
    const id = newId('ticketEvent');
    expect(id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(hasPrefix(id, 'ticketEvent')).toBe(true);
    const ulid = id.slice(4);
    expect(isValid(ulid)).toBe(true);
    expect(decodeTime(ulid)).toBeGreaterThanOrEqual(before);
    expect(decodeTime(ulid)).toBeLessThanOrEqual(Date.now());
  });

  it('sorts in creation order and never repeats, many within one millisecond', () => {
    const ids = Array.from({ length: 5_000 }, () => newId('ticket'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws the random part evenly from the whole alphabet (the pooled generator refills)', async () => {
    // One id per millisecond, so each gets fresh randomness rather than the monotonic increment;
    // 300 ids x 16 characters draw more bytes than one fill of the pool holds.
    const randomParts: string[] = [];
    for (let i = 0; i < 300; i++) {
      const at = Date.now();
      while (Date.now() === at) await new Promise((resolve) => setImmediate(resolve));
      randomParts.push(newId('ticket').slice(4 + 10));
    }
    expect(new Set(randomParts).size).toBe(randomParts.length);
    const counts = new Map<string, number>();
    for (const char of randomParts.join('')) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(32); // 4,800 draws over 32 characters: about 150 each
    for (const count of counts.values()) expect(count).toBeGreaterThan(75);
  });
});
