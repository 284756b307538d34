import type { Db } from './client.js';

/**
 * A statement built and prepared once per database handle (on first use), then run with
 * placeholders: the hot paths skip rebuilding the SQL on every call, which is most of an
 * ORM's per-query CPU. Handles are weakly held, so a transaction's cache goes with it.
 */
export function preparedPer<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let statement = cache.get(db);
    if (statement === undefined) {
      statement = build(db);
      cache.set(db, statement);
    }
    return statement;
  };
}
