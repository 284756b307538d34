import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIntakeGate, createLimiter } from '../../src/slack/limit.js';

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

describe('createIntakeGate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether the promise settled by now. */
  const settled = async (promise: Promise<void>) => {
    let done = false;
    void promise.then(() => {
      done = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    return done;
  };

  it('lets work go at once while no Slack request waits for its answer', async () => {
    const gate = createIntakeGate({ quietMs: 20, maxWaitMs: 1_000 });
    expect(await settled(gate.whenQuiet())).toBe(true);
  });

  it('holds work while requests wait, until the intake was quiet for quietMs', async () => {
    const gate = createIntakeGate({ quietMs: 20, maxWaitMs: 1_000 });
    const first = gate.enter();
    const second = gate.enter();
    expect(gate.pending).toBe(2);
    const work = gate.whenQuiet();
    first();
    first(); // answered twice (finish, then close): counted once
    expect(gate.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(await settled(work)).toBe(false);
    second();
    await vi.advanceTimersByTimeAsync(19);
    expect(await settled(work)).toBe(false);
    // A request arriving and answered meanwhile starts the quiet period over.
    gate.enter()();
    await vi.advanceTimersByTimeAsync(19);
    expect(await settled(work)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(work)).toBe(true);
    expect(gate.pending).toBe(0);
  });

  it('never holds work longer than maxWaitMs after it was queued, however busy the intake', async () => {
    const gate = createIntakeGate({ quietMs: 20, maxWaitMs: 1_000 });
    const busy = gate.enter(); // never answered
    const queued = performance.now();
    const early = gate.whenQuiet(queued);
    await vi.advanceTimersByTimeAsync(600);
    // Work queued 600 ms ago and asking now waits only what is left of its 1 s.
    const late = gate.whenQuiet(queued);
    const fresh = gate.whenQuiet();
    await vi.advanceTimersByTimeAsync(399);
    expect([await settled(early), await settled(late), await settled(fresh)]).toEqual([false, false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect([await settled(early), await settled(late), await settled(fresh)]).toEqual([true, true, false]);
    // Queued longer ago than maxWaitMs: no wait at all.
    expect(await settled(gate.whenQuiet(queued))).toBe(true);
    await vi.advanceTimersByTimeAsync(600);
    expect(await settled(fresh)).toBe(true);
    busy();
  });

  it('lets everything go once opened (shutting down), whatever is pending', async () => {
    const gate = createIntakeGate({ quietMs: 20, maxWaitMs: 1_000 });
    gate.enter(); // never answered
    const held = gate.whenQuiet();
    expect(await settled(held)).toBe(false);
    gate.open();
    expect(await settled(held)).toBe(true);
    expect(await settled(gate.whenQuiet())).toBe(true);
  });
});
