import { Column, fillPlaceholders } from 'drizzle-orm';
import type { Db } from './client.js';

/**
 * The rows of a raw `db.execute(sql...)`: postgres.js answers an array, PGlite an object
 * with `rows`. Raw queries should select instants as epoch milliseconds (`float8`), which
 * both drivers return as numbers, rather than timestamps, whose text form depends on the
 * session's time zone.
 */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** What the fast path needs of a postgres.js client: a raw query answered as arrays. */
export interface PostgresJsClient {
  unsafe(query: string, params: unknown[], options: { prepare: boolean }): { values(): Promise<unknown[][]> };
}

/** A drizzle select built but not run. */
interface BuiltSelect<T> extends PromiseLike<T[]> {
  toSQL(): { sql: string; params: unknown[] };
  prepare(name: string): { execute(): Promise<T[]> };
}

/**
 * Turns a result row (an array, in the order of `columns`, as drizzle selects them) into a
 * record with the same keys and values drizzle would give: each value through its column's
 * own `mapFromDriverValue` (a timestamp's text into a Date, ...), nulls as they are.
 *
 * Drizzle's generic mapper checks every field's kind on every row; for a list of 50 tickets
 * of 35 columns that was about 1 ms of CPU per request, most of the list's cost after the query.
 */
export function rowReader<T>(columns: Record<string, Column>): (row: readonly unknown[]) => T {
  const keys = Object.keys(columns);
  const decoders = keys.map((key) => {
    const column = columns[key]!;
    // Columns that keep the driver's value as it is need no call.
    return column.mapFromDriverValue === Column.prototype.mapFromDriverValue ? undefined : column;
  });
  const count = keys.length;
  return (row) => {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const value = row[i];
      const decoder = decoders[i];
      record[keys[i]!] = value === null || value === undefined || decoder === undefined ? (value ?? null) : decoder.mapFromDriverValue(value);
    }
    return record as T;
  };
}

/** The postgres.js client behind a top-level postgres.js database; undefined for PGlite and transactions. */
export function postgresJsClient(db: Db): PostgresJsClient | undefined {
  const client = (db as { $client?: unknown }).$client;
  return typeof client === 'function' && typeof (client as Partial<PostgresJsClient>).unsafe === 'function'
    ? (client as unknown as PostgresJsClient)
    : undefined;
}

/**
 * Runs a select built with drizzle and reads its rows with `read`. On PostgreSQL the SQL
 * drizzle built goes to postgres.js as it is (the client carries drizzle's type parsers, so
 * the raw values are the ones drizzle's columns decode); `prepareAs` makes it a prepared
 * statement there. On PGlite, or inside a transaction, drizzle runs it as usual.
 */
export async function selectRows<T>(
  db: Db,
  statement: BuiltSelect<T>,
  read: (row: readonly unknown[]) => T,
  options: { prepareAs?: string } = {},
): Promise<T[]> {
  const client = postgresJsClient(db);
  if (!client) return options.prepareAs ? statement.prepare(options.prepareAs).execute() : await statement;
  const { sql, params } = statement.toSQL();
  const rows = await client.unsafe(sql, params, { prepare: options.prepareAs !== undefined }).values();
  const result = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) result[i] = read(rows[i]!);
  return result;
}

/**
 * Like `rowReader`, for rows keyed by column name (what a raw `db.execute` answers on both
 * drivers, with drizzle's type parsers in place): a `returning` CTE read back with `select *`.
 */
export function namedRowReader<T>(columns: Record<string, Column>): (row: Record<string, unknown>) => T {
  const keys = Object.keys(columns);
  const names = keys.map((key) => columns[key]!.name);
  const byIndex = rowReader<T>(columns);
  return (row) => byIndex(names.map((name) => row[name]));
}

/**
 * A select built once per database handle with `sql.placeholder`s, then run with values.
 * On PostgreSQL its SQL text is kept and sent to postgres.js as a prepared statement with
 * the placeholders filled in, read with `read`: no ORM work per call but filling the
 * parameters and decoding the row. On PGlite, or in a transaction, it is drizzle's own
 * prepared query. The build must select exactly the columns `read` was made for.
 */
export function compiledSelect<R, T = R>(
  name: string,
  build: (db: Db) => BuiltSelect<R>,
  read: (row: readonly unknown[]) => T,
  /** The same result from drizzle's record of a row (PGlite, transactions); the record itself by default. */
  fromRecord: (record: R) => T = (record) => record as unknown as T,
): (db: Db, values: Record<string, unknown>) => Promise<T[]> {
  const compiled = new WeakMap<Db, { sql: string; params: unknown[] }>();
  const prepared = new WeakMap<Db, { execute(values: Record<string, unknown>): Promise<R[]> }>();
  return async (db, values) => {
    const client = postgresJsClient(db);
    if (!client) {
      let statement = prepared.get(db);
      if (!statement) {
        statement = build(db).prepare(name) as unknown as { execute(values: Record<string, unknown>): Promise<R[]> };
        prepared.set(db, statement);
      }
      return (await statement.execute(values)).map(fromRecord);
    }
    let query = compiled.get(db);
    if (!query) {
      query = build(db).toSQL();
      compiled.set(db, query);
    }
    const rows = await client.unsafe(query.sql, fillPlaceholders(query.params, values), { prepare: true }).values();
    const result = new Array<T>(rows.length);
    for (let i = 0; i < rows.length; i++) result[i] = read(rows[i]!);
    return result;
  };
}
