export interface RefreshingCache<V> {
  /** The key's value, read at most `maxAgeMs` ago. */
  get(key: string): Promise<V>;
}

/**
 * Values that may be a few seconds old (a team's name on a ticket card), read once for many
 * uses. A value is used for `maxAgeMs` after its read began; once it is `refreshAfterMs` old,
 * the next use starts a new read in the background and still gets the value it has. So a
 * steady stream of uses never waits for a read, and a burst of uses of a key nobody has read
 * lately waits for one read, not one each. A failed background read leaves the value as it was
 * (tried again on a later use); a failed read that uses wait for rejects them and keeps
 * nothing. At most `max` keys: the one read longest ago goes first.
 */
export function createRefreshingCache<V>(options: {
  load: (key: string) => Promise<V>;
  refreshAfterMs: number;
  maxAgeMs: number;
  max: number;
  /** Milliseconds on a monotonic clock (tests move it). */
  now?: () => number;
}): RefreshingCache<V> {
  const { load, refreshAfterMs, maxAgeMs, max } = options;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, { value: V; at: number }>();
  const reading = new Map<string, Promise<V>>();

  const read = (key: string): Promise<V> => {
    const inFlight = reading.get(key);
    if (inFlight) return inFlight;
    const at = now();
    const next = load(key).then((value) => {
      // Map order is insertion order: a key read again moves to the back.
      entries.delete(key);
      entries.set(key, { value, at });
      if (entries.size > max) entries.delete(entries.keys().next().value!);
      return value;
    });
    const settled = () => {
      if (reading.get(key) === next) reading.delete(key);
    };
    next.then(settled, settled);
    reading.set(key, next);
    return next;
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return read(key);
      const age = now() - entry.at;
      if (age >= maxAgeMs) return read(key);
      if (age >= refreshAfterMs) read(key).catch(() => {}); // in the background; the value stays if it fails
      return Promise.resolve(entry.value);
    },
  };
}
