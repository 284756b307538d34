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
