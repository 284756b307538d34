/**
 * Runs at most `concurrency` tasks at once; the rest wait in arrival order. The Slack app
 * writes tickets after acknowledging a submission through one of these, so a burst of
 * submissions cannot fill the event loop with writes while other people's requests (due
 * to be acknowledged within Slack's 3 seconds) wait to be read.
 */
export function createLimiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running -= 1;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

export interface IntakeGate {
  /**
   * A Slack request arrived, or someone waits for what a request asked for (a form to open, a
   * card to change): call the function returned once it is sent (more calls do nothing).
   */
  enter(): () => void;
  /**
   * Resolves once nothing is waiting for its answer and nothing was answered in the
   * last `quietMs`, or `maxWaitMs` after `since` (a performance.now() time; default: now),
   * whichever comes first. Work asks once it has its slot to run, with `since` the time it
   * was queued: a burst of requests holds it back, but never more than `maxWaitMs` in all.
   */
  whenQuiet(since?: number): Promise<void>;
  /** From now on work goes at once, whatever is pending (shutting down). */
  open(): void;
  /** Answers being waited for now. */
  readonly pending: number;
}

/**
 * Work that may wait (writes after an ack, thread lines, DMs) goes after the answers someone
 * is waiting for: Slack drops a request not acknowledged within 3 seconds, a form must open
 * before its trigger expires, and the person who clicked looks at the card, not at the DM
 * that follows. Work waits for a quiet moment at most `maxWaitMs`, so a steady stream of
 * requests slows it down by that much, never starves it.
 */
export function createIntakeGate(options: { quietMs: number; maxWaitMs: number }): IntakeGate {
  const { quietMs, maxWaitMs } = options;
  let pending = 0;
  /** When the last answer went out (performance.now()). */
  let lastAnswer = -Infinity;
  const waiters = new Set<() => void>();
  let check: NodeJS.Timeout | undefined;
  /** Shutting down: nothing waits any more. */
  let opened = false;

  const quiet = () => opened || (pending === 0 && performance.now() - lastAnswer >= quietMs);
  const openIfQuiet = () => {
    check = undefined;
    if (pending > 0) return; // the next answer schedules the next check
    const left = quietMs - (performance.now() - lastAnswer);
    if (left > 0) {
      check = setTimeout(openIfQuiet, left);
      return;
    }
    for (const release of [...waiters]) release();
  };

  return {
    enter() {
      pending += 1;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        pending -= 1;
        lastAnswer = performance.now();
        if (pending === 0 && waiters.size > 0 && !check) check = setTimeout(openIfQuiet, quietMs);
      };
    },
    whenQuiet(since = performance.now()) {
      const wait = since + maxWaitMs - performance.now();
      if (wait <= 0 || quiet()) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const release = () => {
          clearTimeout(timer);
          waiters.delete(release);
          resolve();
        };
        const timer = setTimeout(release, wait);
        waiters.add(release);
        if (pending === 0 && !check) check = setTimeout(openIfQuiet, Math.max(0, quietMs - (performance.now() - lastAnswer)));
      });
    },
    open() {
      opened = true;
      clearTimeout(check);
      check = undefined;
      for (const release of [...waiters]) release();
    },
    get pending() {
      return pending;
    },
  };
}
