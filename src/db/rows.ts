/**
 * The rows of a raw `db.execute(sql...)`: postgres.js answers an array, PGlite an object
 * with `rows`. Raw queries should select instants as epoch milliseconds (`float8`), which
 * both drivers return as numbers, rather than timestamps, whose text form depends on the
 * session's time zone.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
