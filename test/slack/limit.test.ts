import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/slack/limit.js';

describe('createLimiter', () => {
  it('runs at most n tasks at once, starts the waiting ones in arrival order, and frees a slot on failure', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const task = (i: number, fail = false) =>
      limit(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        if (fail) throw new Error(`task ${i} failed`);
        return i;
      });
    const results = [task(0, true), task(1), task(2), task(3)].map((p) => p.then((v) => ({ ok: v }), (e: Error) => ({ error: e.message })));
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[0]!(); // task 0 fails: its slot goes to task 2
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!();
    gates[3]!();
    expect(await Promise.all(results)).toEqual([{ error: 'task 0 failed' }, { ok: 1 }, { ok: 2 }, { ok: 3 }]);
    expect(most).toBe(2);
  });
});
