import { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors.js';

/**
 * The server-stamped fields common to every seed record. A client may send them back
 * (e.g. a record it fetched); they are ignored, never stored.
 */
export const RECORD_SERVER_FIELDS = [
  'id',
  'tenant_id',
  'app_id',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'is_deleted',
  'deleted_at',
  'deleted_by',
  'schema_version',
  'revision',
] as const;

/** Removes the server-stamped keys before validation, so strict schemas reject only unknown ones. */
export function withoutServerFields(input: unknown, fields: readonly string[]): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of fields) delete copy[field];
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Text the database can store
// ---------------------------------------------------------------------------------------------

/** Deeper than any record this API takes (a calendar is 5 levels); the HTTP edge refuses deeper bodies before parsing. */
export const MAX_INPUT_DEPTH = 32;
/** Enough to show a client what to fix, without echoing an arbitrarily large body back. */
const MAX_TEXT_ISSUES = 20;

const NUL = /\u0000/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `value` cannot be stored as text, or undefined when it can. Postgres refuses NUL in
 * `text` and `jsonb`, and a lone surrogate is not Unicode (drivers differ in what they send).
 */
export function textProblem(value: string): string | undefined {
  if (NUL.test(value)) return 'Must not contain NUL (\\u0000) characters';
  if (LONE_SURROGATE.test(value)) return 'Must be valid Unicode text (no unpaired surrogate)';
  return undefined;
}

/** True when `value` can be stored and compared as text (a lookup by such an id can only miss). */
export function isStorableText(value: string): boolean {
  return textProblem(value) === undefined;
}

/**
 * `value` made storable by dropping NUL and replacing unpaired surrogates with U+FFFD, for
 * text that is shown, never matched (a Slack display name): better shown a little off than lost.
 */
export function toStorableText(value: string): string {
  return value.replace(/\u0000/g, '').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

/**
 * Every string (and object key) in `input` that cannot be stored, with its path below
 * `prefix`. Iterative, and bounded in depth, so hostile nesting cannot exhaust the stack.
 */
export function malformedText(input: unknown, prefix: Array<string | number> = []): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value: input, path: prefix }];
  while (stack.length > 0 && issues.length < MAX_TEXT_ISSUES) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) issues.push({ path, message: problem });
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (path.length - prefix.length >= MAX_INPUT_DEPTH) {
      issues.push({ path, message: `Nested deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value as Record<string, unknown>);
    // Reversed onto the stack, so issues come out in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const keyProblem = typeof key === 'string' ? textProblem(key) : undefined;
      if (keyProblem) issues.push({ path: [...path, key], message: `Field name: ${keyProblem.charAt(0).toLowerCase()}${keyProblem.slice(1)}` });
      else stack.push({ value: item, path: [...path, key] });
    }
  }
  return issues;
}

/** Throws a `ValidationError` naming every field of `input` that holds text the database cannot store. */
export function assertStorableText(input: unknown, prefix: Array<string | number> = []): void {
  const issues = malformedText(input, prefix);
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * The one way domain input is validated: server fields dropped, text checked (so Slack and
 * REST get the same protection), then the schema; any failure is a `ValidationError`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, serverFields: readonly string[] = []): z.output<S> {
  const stripped = withoutServerFields(input, serverFields);
  assertStorableText(stripped);
  const parsed = schema.safeParse(stripped);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// Instants the database can store
// ---------------------------------------------------------------------------------------------

/**
 * Years 0001-9999 (UTC): what ISO 8601's four-digit years write, what Postgres `timestamptz`
 * stores (it has no year 0) and what JavaScript dates represent, so every instant a client
 * sends can be stored, compared and written back.
 */
export const MIN_INSTANT_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const MAX_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');
const RANGE_MESSAGE = 'Must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z';

export function isStorableInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/** An ISO 8601 date-time with an offset, as a Date inside the storable range. */
export const instantSchema = z
  .iso.datetime({ offset: true, error: 'Must be an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z' })
  .transform((value) => new Date(value))
  .refine((date) => isStorableInstant(date.getTime()), RANGE_MESSAGE);
