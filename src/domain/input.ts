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
