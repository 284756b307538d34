import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { PG_UNIQUE_VIOLATION, pgErrorOf } from '../../db/errors.js';
import { preparedPer } from '../../db/prepared.js';
import {
  SLA_POLICY_STATUSES,
  SOURCE_TYPES,
  TICKET_PRIORITIES,
  TICKET_TYPES,
  slaPolicies,
  typeOfActivePolicyIndex,
  type TicketPriority,
  type TicketType,
} from '../../db/schema/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError, type FieldIssue } from '../errors.js';
import { newId, type IdFactory } from '../ids.js';
import { decodeCursor, encodeCursor, isIsoInstant, isTextKey, type CursorValue } from '../keyset.js';
import { isStorableText, parseInput, RECORD_SERVER_FIELDS } from '../input.js';
import type { Scope } from '../scope.js';
import { fieldChanges, recordConfigChange } from '../audit.js';
import { ensureTenant, tenantTicketSettings } from '../tenants.js';
import { guaranteedBusinessMinutes } from './calendar.js';

export type SlaPolicy = typeof slaPolicies.$inferSelect;

/** Ten years: a target beyond that is a typo, and keeps minute arithmetic far from overflow. */
const MAX_TARGET_MINUTES = 10 * 366 * 24 * 60;
const minutes = z.number().int('Must be a whole number of minutes').min(1, 'Must be at least 1 minute').max(MAX_TARGET_MINUTES);

const MAX_POLICY_NAME = 200;

/** How the OpenAPI document marks the field: an extension of this server, beyond the API reference. */
export const NEXT_RESPONSE_MINUTES_DOC = {
  description:
    'Extension beyond the API reference: after a requester\'s public comment (once the first response was given), the team answers within this many minutes (counted like the other targets: business hours when business_hours_only, paused while pending). Null: no next-response target.',
  'x-helpdesk-extension': true,
};

export const SLA_POLICY_SERVER_FIELDS = RECORD_SERVER_FIELDS;

const policyFields = {
  name: z.string().trim().min(1, 'Required').max(MAX_POLICY_NAME),
  description: z.string().max(5000).nullable().optional(),
  applies_to: z
    .array(z.enum(TICKET_TYPES))
    .min(1, 'Name at least one ticket type')
    .transform((types) => [...new Set(types)]),
  priority: z.enum(TICKET_PRIORITIES),
  first_response_minutes: minutes.optional(),
  first_response_mins: minutes.optional(),
  resolution_minutes: minutes.optional(),
  resolution_mins: minutes.optional(),
  /** Extension beyond the API reference: null (or absent) means no next-response clock. */
  next_response_minutes: minutes.nullable().optional().meta(NEXT_RESPONSE_MINUTES_DOC),
  business_hours_only: z.boolean().optional(),
  status: z.enum(SLA_POLICY_STATUSES).optional(),
  source: z.string().trim().min(1).max(100).optional(),
  source_type: z.enum(SOURCE_TYPES).optional(),
};

export const slaPolicyCreateSchema = z.strictObject(policyFields);
export const slaPolicyUpdateSchema = z.strictObject({
  ...policyFields,
  name: policyFields.name.optional(),
  applies_to: policyFields.applies_to.optional(),
  priority: policyFields.priority.optional(),
});
export type SlaPolicyCreateInput = z.input<typeof slaPolicyCreateSchema>;
export type SlaPolicyUpdateInput = z.input<typeof slaPolicyUpdateSchema>;


/** One value, two spellings: either may be sent; both must agree. */
function resolveSpelling(
  long: number | undefined,
  short: number | undefined,
  longName: string,
  shortName: string,
  required: boolean,
): { value: number | undefined; issue?: FieldIssue } {
  if (long !== undefined && short !== undefined && long !== short) {
    return { value: undefined, issue: { path: [shortName], message: `Must equal ${longName} (${long}) when both are sent` } };
  }
  const value = long ?? short;
  if (value === undefined && required) return { value, issue: { path: [longName], message: 'Required' } };
  return { value };
}

function parsePolicyInput<S extends z.ZodType>(schema: S, input: unknown, required: boolean) {
  const data = parseInput(schema, input, SLA_POLICY_SERVER_FIELDS) as z.output<typeof slaPolicyUpdateSchema>;
  const fr = resolveSpelling(data.first_response_minutes, data.first_response_mins, 'first_response_minutes', 'first_response_mins', required);
  const res = resolveSpelling(data.resolution_minutes, data.resolution_mins, 'resolution_minutes', 'resolution_mins', required);
  const issues = [fr.issue, res.issue].filter((i): i is FieldIssue => Boolean(i));
  if (issues.length) throw new ValidationError(issues);
  return { data, firstResponseMinutes: fr.value, resolutionMinutes: res.value };
}

/**
 * A business-hours target must be reachable in the tenant's calendar within the clock's
 * horizon, or every ticket it governs would fail to get a deadline: refused here instead.
 */
async function assertReachable(
  db: Db,
  tenantId: string,
  targets: { firstResponseMinutes: number; resolutionMinutes: number; nextResponseMinutes: number | null; businessHoursOnly: boolean },
  sent: z.output<typeof slaPolicyUpdateSchema>,
): Promise<void> {
  if (!targets.businessHoursOnly) return;
  const { businessCalendar } = await tenantTicketSettings(db, tenantId);
  const capacity = guaranteedBusinessMinutes(businessCalendar);
  const issues: FieldIssue[] = [];
  const check = (value: number, long: 'first_response_minutes' | 'resolution_minutes' | 'next_response_minutes', short?: 'first_response_mins' | 'resolution_mins') => {
    if (value <= capacity) return;
    const field = sent[long] !== undefined ? long : short && sent[short] !== undefined ? short : 'business_hours_only';
    issues.push({
      path: [field],
      message: `${value} business minutes cannot be counted in the workspace's business calendar, which guarantees only ${Math.floor(capacity)} within the ~100-year horizon; lower the target, widen the calendar's hours, or count 24x7`,
    });
  };
  check(targets.firstResponseMinutes, 'first_response_minutes', 'first_response_mins');
  check(targets.resolutionMinutes, 'resolution_minutes', 'resolution_mins');
  if (targets.nextResponseMinutes !== null) check(targets.nextResponseMinutes, 'next_response_minutes');
  if (issues.length) throw new ValidationError(issues);
}

export async function createSlaPolicy(db: Db, scope: Scope, input: unknown, ids: IdFactory = newId): Promise<SlaPolicy> {
  const { data, firstResponseMinutes, resolutionMinutes } = parsePolicyInput(slaPolicyCreateSchema, input, true);
  return guardActiveUniqueness(db, scope, data.priority!, () =>
    db.transaction(async (tx) => {
      await ensureTenant(tx, scope.tenantId, scope.now);
      await assertReachable(
        tx,
        scope.tenantId,
        {
          firstResponseMinutes: firstResponseMinutes!,
          resolutionMinutes: resolutionMinutes!,
          nextResponseMinutes: data.next_response_minutes ?? null,
          businessHoursOnly: data.business_hours_only ?? false,
        },
        data,
      );
      const [row] = await tx
        .insert(slaPolicies)
        .values({
          tenantId: scope.tenantId,
          id: ids('slaPolicy'),
          appId: scope.appId ?? null,
          createdAt: scope.now,
          updatedAt: scope.now,
          createdBy: scope.actorId,
          updatedBy: scope.actorId,
          source: data.source ?? 'edm',
          sourceType: data.source_type ?? scope.sourceType ?? 'api',
          name: data.name!,
          description: data.description ?? null,
          appliesTo: data.applies_to!,
          priority: data.priority!,
          firstResponseMinutes: firstResponseMinutes!,
          resolutionMinutes: resolutionMinutes!,
          nextResponseMinutes: data.next_response_minutes ?? null,
          businessHoursOnly: data.business_hours_only ?? false,
          status: data.status ?? 'active',
        })
        .returning();
      await recordConfigChange(tx, scope, { subject: 'sla_policy', subjectId: row!.id, action: 'create', changes: fieldChanges({}, auditedFields(row!), POLICY_AUDITED_FIELDS) }, ids);
      return row!;
    }),
  );
}

export async function updateSlaPolicy(
  db: Db,
  scope: Scope,
  id: string,
  input: unknown,
  options: { expectedRevision?: number | undefined; expectedId?: string | undefined } = {},
): Promise<SlaPolicy> {
  const { data, firstResponseMinutes, resolutionMinutes } = parsePolicyInput(slaPolicyUpdateSchema, input, false);
  const current = await getSlaPolicy(db, scope, id);
  await assertReachable(
    db,
    scope.tenantId,
    {
      firstResponseMinutes: firstResponseMinutes ?? current.firstResponseMinutes,
      resolutionMinutes: resolutionMinutes ?? current.resolutionMinutes,
      nextResponseMinutes: data.next_response_minutes !== undefined ? data.next_response_minutes : current.nextResponseMinutes,
      businessHoursOnly: data.business_hours_only ?? current.businessHoursOnly,
    },
    data,
  );
  return guardActiveUniqueness(db, scope, data.priority ?? current.priority, async () => {
    const staleId = options.expectedId !== undefined && options.expectedId !== current.id;
    if (staleId || (options.expectedRevision !== undefined && current.revision !== options.expectedRevision)) {
      throw new PreconditionFailedError(`SLA policy ${id} has changed since revision ${options.expectedRevision}`);
    }
    // The change and its audit record commit together.
    return db.transaction(async (tx) => {
      const [row] = await tx
        .update(slaPolicies)
        .set({
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.description !== undefined ? { description: data.description } : {}),
          ...(data.applies_to !== undefined ? { appliesTo: data.applies_to } : {}),
          ...(data.priority !== undefined ? { priority: data.priority } : {}),
          ...(firstResponseMinutes !== undefined ? { firstResponseMinutes } : {}),
          ...(resolutionMinutes !== undefined ? { resolutionMinutes } : {}),
          ...(data.next_response_minutes !== undefined ? { nextResponseMinutes: data.next_response_minutes } : {}),
          ...(data.business_hours_only !== undefined ? { businessHoursOnly: data.business_hours_only } : {}),
          ...(data.status !== undefined ? { status: data.status } : {}),
          ...(data.source !== undefined ? { source: data.source } : {}),
          ...(data.source_type !== undefined ? { sourceType: data.source_type } : {}),
          updatedAt: scope.now,
          updatedBy: scope.actorId,
          revision: sql`${slaPolicies.revision} + 1`,
        })
        .where(and(policyScope(scope), eq(slaPolicies.id, current.id), eq(slaPolicies.revision, current.revision)))
        .returning();
      if (!row) {
        throw new PreconditionFailedError(`SLA policy ${id} was changed by someone else meanwhile`);
      }
      const changes = fieldChanges(auditedFields(current), auditedFields(row), POLICY_AUDITED_FIELDS);
      if (Object.keys(changes).length > 0) {
        const action = changes.status?.to === 'inactive' ? 'deactivate' : changes.status?.to === 'active' ? 'activate' : 'update';
        await recordConfigChange(tx, scope, { subject: 'sla_policy', subjectId: row.id, action, changes });
      }
      return row;
    });
  });
}

/** What the audit trail compares of a policy, in the API's field names (the short spellings always equal the long ones). */
const POLICY_AUDITED_FIELDS = [
  'name',
  'description',
  'applies_to',
  'priority',
  'first_response_minutes',
  'resolution_minutes',
  'next_response_minutes',
  'business_hours_only',
  'status',
] as const;

function auditedFields(policy: SlaPolicy): Record<(typeof POLICY_AUDITED_FIELDS)[number], unknown> {
  return {
    name: policy.name,
    description: policy.description,
    applies_to: policy.appliesTo,
    priority: policy.priority,
    first_response_minutes: policy.firstResponseMinutes,
    resolution_minutes: policy.resolutionMinutes,
    next_response_minutes: policy.nextResponseMinutes,
    business_hours_only: policy.businessHoursOnly,
    status: policy.status,
  };
}

export function deactivateSlaPolicy(db: Db, scope: Scope, id: string): Promise<SlaPolicy> {
  return updateSlaPolicy(db, scope, id, { status: 'inactive' });
}

export async function getSlaPolicy(db: Db, scope: Scope, id: string): Promise<SlaPolicy> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(id)) throw new NotFoundError('SLA policy', id);
  const [row] = await db
    .select()
    .from(slaPolicies)
    .where(and(policyScope(scope), eq(slaPolicies.id, id), eq(slaPolicies.isDeleted, false)));
  if (!row) throw new NotFoundError('SLA policy', id);
  return row;
}

export const SLA_POLICY_SORTS = ['created_at', '-created_at', 'name', '-name', 'priority', '-priority'] as const;
export type SlaPolicySort = (typeof SLA_POLICY_SORTS)[number];

export const slaPolicyListSchema = z.strictObject({
  status: z.enum(SLA_POLICY_STATUSES).optional(),
  priority: z.enum(TICKET_PRIORITIES).optional(),
  /** Policies whose `applies_to` includes this ticket type. */
  type: z.enum(TICKET_TYPES).optional(),
  sort: z.enum(SLA_POLICY_SORTS).default('created_at'),
  limit: z.coerce.number().int('Must be a whole number').min(1).max(200, 'At most 200').default(50),
  /** Checked by `decodeCursor`: a cursor is not a field the client writes (a bad one is a 400). */
  cursor: z.string().optional(),
});
export type SlaPolicyListInput = z.input<typeof slaPolicyListSchema>;

export interface SlaPolicyPage {
  items: SlaPolicy[];
  next_cursor: string | null;
}

type PolicySortColumn = 'created_at' | 'name' | 'priority';
const POLICY_SORT_COLUMNS = {
  created_at: slaPolicies.createdAt,
  name: slaPolicies.name,
  priority: slaPolicies.priority,
} as const;

function policySortValue(policy: SlaPolicy, column: PolicySortColumn): CursorValue {
  return column === 'created_at' ? policy.createdAt.toISOString() : policy[column];
}

function isPolicyCursorValue(column: PolicySortColumn, value: unknown): boolean {
  if (column === 'created_at') return isIsoInstant(value);
  if (column === 'priority') return TICKET_PRIORITIES.includes(value as TicketPriority);
  return isTextKey(MAX_POLICY_NAME)(value);
}

/** Keyset-paged, filtered list of the caller's policies (deleted ones never show). */
export async function listSlaPolicies(db: Db, scope: Scope, input: SlaPolicyListInput = {}): Promise<SlaPolicyPage> {
  const query = parseInput(slaPolicyListSchema, input);
  const filters: SQL[] = [policyScope(scope), eq(slaPolicies.isDeleted, false)];
  if (query.status) filters.push(eq(slaPolicies.status, query.status));
  if (query.priority) filters.push(eq(slaPolicies.priority, query.priority));
  if (query.type) filters.push(sql`${slaPolicies.appliesTo} @> array[${query.type}]::ticket_type[]`);

  const descending = query.sort.startsWith('-');
  const column = query.sort.replace(/^-/, '') as PolicySortColumn;
  const sortColumn = POLICY_SORT_COLUMNS[column];
  if (query.cursor !== undefined) {
    const { value, id } = decodeCursor(query.cursor, query.sort, (v) => isPolicyCursorValue(column, v));
    const bound = column === 'created_at' ? new Date(value as string) : value;
    const beyond = descending ? lt : gt;
    filters.push(or(beyond(sortColumn, bound as never), and(eq(sortColumn, bound as never), beyond(slaPolicies.id, id)))!);
  }
  const order = descending ? desc : asc;
  const rows = await db
    .select()
    .from(slaPolicies)
    .where(and(...filters))
    .orderBy(order(sortColumn), order(slaPolicies.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const next_cursor =
    rows.length > query.limit && last ? encodeCursor(query.sort, policySortValue(last, column), last.id) : null;
  return { items, next_cursor };
}

/**
 * The policy governing tickets of this (type, priority): tenant-wide, whichever app
 * created it. The partial unique indexes guarantee there is at most one.
 */
const activePolicyStatement = preparedPer((db) =>
  db
    .select()
    .from(slaPolicies)
    .where(
      and(
        eq(slaPolicies.tenantId, sql.placeholder('tenantId')),
        eq(slaPolicies.priority, sql.placeholder('priority')),
        eq(slaPolicies.status, 'active'),
        eq(slaPolicies.isDeleted, false),
        sql`${slaPolicies.appliesTo} @> array[${sql.placeholder('type')}]::ticket_type[]`,
      ),
    )
    .limit(1)
    .prepare('active_sla_policy'),
);

export async function findActivePolicy(
  db: Db,
  tenantId: string,
  type: TicketType,
  priority: TicketPriority,
): Promise<SlaPolicy | undefined> {
  const [row] = await activePolicyStatement(db).execute({ tenantId, type, priority });
  return row;
}

/** Loads a ticket's policy by id, active or not: its targets still govern the ticket. */
export async function getPolicyById(db: Db, tenantId: string, id: string): Promise<SlaPolicy | undefined> {
  const [row] = await db
    .select()
    .from(slaPolicies)
    .where(and(eq(slaPolicies.tenantId, tenantId), eq(slaPolicies.id, id)));
  return row;
}

function policyScope(scope: Scope): SQL {
  const tenant = eq(slaPolicies.tenantId, scope.tenantId);
  return scope.appId ? and(tenant, eq(slaPolicies.appId, scope.appId))! : tenant;
}

/** Turns the database's uniqueness verdict into a conflict naming the policy in the way. */
async function guardActiveUniqueness<T>(
  db: Db,
  scope: Scope,
  priority: TicketPriority,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const pg = pgErrorOf(error);
    const type = pg?.code === PG_UNIQUE_VIOLATION && pg.constraint ? typeOfActivePolicyIndex(pg.constraint) : undefined;
    if (!type) throw error;
    const blocking = await findActivePolicy(db, scope.tenantId, type, priority);
    throw new ConflictError(
      blocking
        ? `SLA policy "${blocking.name}" (${blocking.id}) is already active for ${type} tickets of ${priority} priority`
        : `Another active SLA policy already covers ${type} tickets of this priority`,
      blocking?.id,
    );
  }
}
