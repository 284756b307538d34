/** Runs at most `concurrency` tasks at once; the rest wait in arrival order. */
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

/** Runs `work` after the work already chained under `key`; the map forgets the key once its last work is done. */
export function chainUnder(chains: Map<string, Promise<void>>, key: string, work: () => Promise<void>, onDone?: () => void): void {
  const next = (chains.get(key) ?? Promise.resolve()).then(work);
  chains.set(key, next);
  void next.finally(() => {
    if (chains.get(key) !== next) return;
    chains.delete(key);
    onDone?.();
  });
}
