import { describe, expect, it } from 'vitest';
import { createRefreshingCache } from '../../src/slack/cache.js';

/** A loader whose reads the test settles by hand, and a clock it moves. */
function setup(max = 10) {
  let clock = 0;
  const reads: Array<{ key: string; resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  const cache = createRefreshingCache<string>({
    load: (key) => new Promise<string>((resolve, reject) => reads.push({ key, resolve, reject })),
    refreshAfterMs: 100,
    maxAgeMs: 200,
    max,
    now: () => clock,
  });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  /** Reads `key` as `value` (the next read the loader sees). */
  const fill = (key: string, value: string) => {
    const got = cache.get(key);
    reads.at(-1)!.resolve(value);
    return got;
  };
  return { cache, reads, tick, fill, advance: (ms: number) => (clock += ms) };
}

describe('a refreshing cache', () => {
  it('shares one read among uses that wait for it, then answers without reading', async () => {
    const { cache, reads, tick } = setup();
    const waiting = [cache.get('team'), cache.get('team'), cache.get('team')];
    expect(reads).toHaveLength(1);
    reads[0]!.resolve('IT desk');
    expect(await Promise.all(waiting)).toEqual(['IT desk', 'IT desk', 'IT desk']);
    expect(await cache.get('team')).toBe('IT desk');
    await tick();
    expect(reads).toHaveLength(1);
  });

  it('once a value is due a refresh, answers with it and reads once in the background', async () => {
    const { cache, reads, fill, advance, tick } = setup();
    await fill('team', 'IT desk');
    advance(150);
    expect(await cache.get('team')).toBe('IT desk'); // not waiting for the refresh
    expect(await cache.get('team')).toBe('IT desk');
    expect(reads).toHaveLength(2); // one refresh for both uses
    reads[1]!.resolve('IT help desk');
    await tick(); // the refresh lands
    expect(await cache.get('team')).toBe('IT help desk');
    expect(reads).toHaveLength(2);
  });

  it('waits for a new read once a value is too old, and never answers with it', async () => {
    const { cache, reads, fill, advance, tick } = setup();
    await fill('team', 'IT desk');
    advance(200);
    let answered: string | undefined;
    const second = cache.get('team').then((v) => (answered = v));
    await tick();
    expect(answered).toBeUndefined();
    reads[1]!.resolve('IT help desk');
    await second;
    expect(answered).toBe('IT help desk');
  });

  it('keeps the value when a background refresh fails, and does not keep a failed read', async () => {
    const { cache, reads, advance, tick } = setup();
    const failed = cache.get('team');
    reads[0]!.reject(new Error('database down'));
    await expect(failed).rejects.toThrow('database down');
    const again = cache.get('team'); // nothing kept: read again
    expect(reads).toHaveLength(2);
    reads[1]!.resolve('IT desk');
    await again;
    advance(150);
    expect(await cache.get('team')).toBe('IT desk');
    reads[2]!.reject(new Error('database down'));
    await tick();
    expect(await cache.get('team')).toBe('IT desk'); // still within its age; tried again
    expect(reads).toHaveLength(4);
  });

  it('holds at most `max` keys, dropping the one read longest ago', async () => {
    const { cache, reads, fill, tick } = setup(2);
    for (const key of ['a', 'b', 'c']) await fill(key, key.toUpperCase());
    expect(await cache.get('b')).toBe('B');
    expect(await cache.get('c')).toBe('C');
    await tick();
    expect(reads).toHaveLength(3);
    void cache.get('a'); // dropped: read again
    expect(reads).toHaveLength(4);
  });
});
