import { and, eq, getTableColumns, sql, type Placeholder } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorOf } from '../../db/errors.js';
import { preparedPer } from '../../db/prepared.js';
import { slaPolicies, ticketEvents, tickets, tenants, type FieldChanges, type TicketStatus } from '../../db/schema/index.js';
import { ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { newId, type IdFactory } from '../ids.js';
import type { Scope } from '../scope.js';
import { closePause, computeDeadlines, openPause, slaInstantNowDue, type SlaTargets } from '../sla/clock.js';
import { findActivePolicy, getPolicyById } from '../sla/policies.js';
import { nextTicketNumber, rewindSlaSweep, tenantTicketSettings } from '../tenants.js';
import { mayActOnTicket, type TicketAction } from './permissions.js';
import { ticketColumns, ticketRefCondition, ticketScope, type Ticket } from './queries.js';
import { isStorableText } from '../input.js';
import { assigneeSchema, parseTicketCreate, parseTicketUpdate, statusSchema } from './schemas.js';
import { assertTransition } from './status.js';

/** The columns a domain operation may change; everything else is stamped here. */
type TicketChange = Partial<
  Pick<
    Ticket,
    | 'title'
    | 'description'
    | 'type'
    | 'status'
    | 'priority'
    | 'category'
    | 'submittedById'
    | 'assignedToId'
    | 'teamId'
    | 'slaPolicyId'
    | 'firstResponseAt'
    | 'resolvedAt'
    | 'closedAt'
    | 'dueAt'
    | 'firstResponseDueAt'
    | 'firstResponseWarnAt'
    | 'resolutionWarnAt'
    | 'slaCycle'
    | 'slaCycleStartedAt'
    | 'slaPauses'
    | 'nextResponseStartedAt'
    | 'nextResponseDueAt'
    | 'nextResponseWarnAt'
    | 'nextResponseRound'
    | 'relatedAssetId'
    | 'relatedVulnerabilityId'
    | 'tags'
    | 'source'
    | 'sourceType'
    | 'isDeleted'
    | 'deletedAt'
    | 'deletedBy'
    | 'slackChannelId'
    | 'slackMessageTs'
  >
>;

/** Wire (snake_case) names for the audit trail, so events read like the API. */
const WIRE_NAMES: Record<keyof TicketChange, string> = {
  title: 'title',
  description: 'description',
  type: 'type',
  status: 'status',
  priority: 'priority',
  category: 'category',
  submittedById: 'submitted_by_id',
  assignedToId: 'assigned_to_id',
  teamId: 'team_id',
  slaPolicyId: 'sla_policy',
  firstResponseAt: 'first_response_at',
  resolvedAt: 'resolved_at',
  closedAt: 'closed_at',
  dueAt: 'due_at',
  firstResponseDueAt: 'first_response_due_at',
  firstResponseWarnAt: 'first_response_warn_at',
  resolutionWarnAt: 'resolution_warn_at',
  slaCycle: 'sla_cycle',
  slaCycleStartedAt: 'sla_cycle_started_at',
  slaPauses: 'sla_pauses',
  nextResponseStartedAt: 'next_response_started_at',
  nextResponseDueAt: 'next_response_due_at',
  nextResponseWarnAt: 'next_response_warn_at',
  nextResponseRound: 'next_response_round',
  relatedAssetId: 'related_asset_id',
  relatedVulnerabilityId: 'related_vulnerability_id',
  tags: 'tags',
  source: 'source',
  sourceType: 'source_type',
  isDeleted: 'is_deleted',
  deletedAt: 'deleted_at',
  deletedBy: 'deleted_by',
  slackChannelId: 'slack_channel_id',
  slackMessageTs: 'slack_message_ts',
};

export type TicketEventKind =
  | 'created'
  | 'updated'
  | 'status_changed'
  | 'claimed'
  | 'assigned'
  | 'responded'
  /** The requester wrote a public comment after the first response: the next-response clock started. */
  | 'requester_replied'
  | 'resolved'
  | 'closed'
  | 'reopened'
  | 'deleted'
  /** Closed because its requester deleted the message it was raised from, before anyone answered. */
  | 'withdrawn'
  | 'slack_card_posted';

export interface WriteOptions {
  /** Optimistic concurrency: the revision the caller last saw (from an ETag). */
  expectedRevision?: number | undefined;
  /** With `expectedRevision`: the record the caller's ETag was for. */
  expectedId?: string | undefined;
  /**
   * A person acting from a surface (Slack, the REST API): may they do this to this ticket (see mayActOnTicket)?
   * Decided under the ticket's lock, on the ticket as it is, before the change.
   */
  permission?: TicketAction | undefined;
}

export interface TicketWriteResult {
  ticket: Ticket;
  /** False when the request changed nothing (no event recorded, no stamp). */
  changed: boolean;
}

/** What a listener hears after a ticket write committed (and changed something). */
export interface TicketChangeEvent {
  kind: TicketEventKind;
  ticket: Ticket;
  /** The ticket before the change; null for a create. */
  previous: Ticket | null;
  /** Wire field name -> { from, to }, as recorded in the ticket's history. */
  changes: FieldChanges;
  scope: Scope;
}

/**
 * Called after commit, synchronously; it must not throw and should only enqueue work
 * (the Slack notifier renders the card from it, whichever surface made the change).
 */
export type TicketChangeListener = (event: TicketChangeEvent) => void;

export interface TicketDeps {
  ids?: IdFactory;
  onChange?: TicketChangeListener | undefined;
}

export type TicketWriteOptions = WriteOptions & TicketDeps;

function emit(listener: TicketChangeListener | undefined, event: TicketChangeEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // A listener's failure must never turn a committed write into an error.
  }
}

// ---------------------------------------------------------------------------
// Create

export async function createTicket(db: Db, scope: Scope, input: unknown, deps: TicketDeps = {}): Promise<Ticket> {
  const ids = deps.ids ?? newId;
  const data = parseTicketCreate(input);
  const now = scope.now;

  // One read, outside any lock (the FKs catch a team or policy deleted meanwhile): the
  // tenant's settings and the policy that governs this (type, priority).
  const [context] = await createContextStatement(db).execute({ tenantId: scope.tenantId, type: data.type, priority: data.priority });
  const tenant = context?.tenant ?? (await tenantTicketSettings(db, scope.tenantId));
  const policy = context?.policy ?? undefined;
  const deadlines = computeDeadlines(
    { createdAt: now, cycleStartedAt: now, pauses: [] },
    policy ?? null,
    tenant.businessCalendar,
    tenant.slaWarningPercent,
  );
  const assignedToId = data.assigned_to_id ?? null;
  const values = {
    tenantId: scope.tenantId,
    id: ids('ticket'),
    appId: scope.appId ?? null,
    createdAt: now,
    updatedAt: now,
    createdBy: scope.actorId,
    updatedBy: scope.actorId,
    source: data.source ?? 'edm',
    sourceType: data.source_type ?? scope.sourceType ?? 'api',
    title: data.title,
    description: data.description ?? null,
    type: data.type,
    status: assignedToId ? ('in_progress' as const) : ('open' as const),
    priority: data.priority,
    category: data.category ?? null,
    submittedById: data.submitted_by_id ?? scope.actorId,
    assignedToId,
    teamId: data.team_id !== undefined ? data.team_id : tenant.defaultTeamId,
    slaPolicyId: policy?.id ?? null,
    dueAt: deadlines.dueAt,
    firstResponseDueAt: deadlines.firstResponseDueAt,
    firstResponseWarnAt: deadlines.firstResponseWarnAt,
    resolutionWarnAt: deadlines.resolutionWarnAt,
    slaCycle: 1,
    slaCycleStartedAt: now,
    slaPauses: [],
    relatedAssetId: data.related_asset_id ?? null,
    relatedVulnerabilityId: data.related_vulnerability_id ?? null,
    tags: data.tags ?? [],
  } satisfies Omit<typeof tickets.$inferInsert, 'numberSeq'>;

  const changes = initialChanges(values);
  const ticket = await guardReferences(async () => {
    const [row] = await createStatement(db).execute({
      ...values,
      eventId: ids('ticketEvent'),
      actorId: scope.actorId,
      eventSourceType: scope.sourceType ?? 'api',
      changes,
      // Nullable instants go in as text: drizzle's date encoder does not take null.
      dueAt: values.dueAt?.toISOString() ?? null,
      firstResponseDueAt: values.firstResponseDueAt?.toISOString() ?? null,
      firstResponseWarnAt: values.firstResponseWarnAt?.toISOString() ?? null,
      resolutionWarnAt: values.resolutionWarnAt?.toISOString() ?? null,
    } satisfies Record<CreatePlaceholder, unknown>);
    return row!;
  });
  emit(deps.onChange, { kind: 'created', ticket, previous: null, changes, scope });
  return ticket;
}

/** A create's context in one round trip: no row when the tenant is new (then no policy either). */
const createContextStatement = preparedPer((db) =>
  db
    .select({
      tenant: {
        businessCalendar: tenants.businessCalendar,
        defaultTeamId: tenants.defaultTeamId,
        slaWarningPercent: tenants.slaWarningPercent,
      },
      policy: getTableColumns(slaPolicies),
    })
    .from(tenants)
    .leftJoin(
      slaPolicies,
      and(
        eq(slaPolicies.tenantId, tenants.tenantId),
        eq(slaPolicies.priority, sql.placeholder('priority')),
        eq(slaPolicies.status, 'active'),
        eq(slaPolicies.isDeleted, false),
        sql`${slaPolicies.appliesTo} @> array[${sql.placeholder('type')}]::ticket_type[]`,
      ),
    )
    .where(eq(tenants.tenantId, sql.placeholder('tenantId')))
    .limit(1)
    .prepare('create_ticket_context'),
);

/** The columns a create writes, each filled from the placeholder of the same name. */
const CREATE_COLUMNS = [
  'tenantId', 'id', 'appId', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'source', 'sourceType',
  'title', 'description', 'type', 'status', 'priority', 'category', 'submittedById', 'assignedToId', 'teamId',
  'slaPolicyId', 'slaCycle', 'slaCycleStartedAt', 'slaPauses',
  'relatedAssetId', 'relatedVulnerabilityId', 'tags',
] as const satisfies ReadonlyArray<keyof typeof tickets.$inferInsert>;
/** Nullable instants, sent as text (see the create). */
const CREATE_INSTANTS = ['dueAt', 'firstResponseDueAt', 'firstResponseWarnAt', 'resolutionWarnAt'] as const;
type CreatePlaceholder = (typeof CREATE_COLUMNS)[number] | (typeof CREATE_INSTANTS)[number] | 'eventId' | 'actorId' | 'eventSourceType' | 'changes';

/**
 * One statement takes the number, inserts the ticket and its 'created' event: atomic
 * without a transaction, and the tenant's counter row is locked for this statement only
 * (the event's foreign key to the ticket is checked at the end of the statement).
 * Prepared once per database handle.
 */
const createStatement = preparedPer((db) => {
  const p = sql.placeholder;
  const number = nextTicketNumber(db);
  const event = db.$with('created_event').as(
    db.insert(ticketEvents).values({
      tenantId: p('tenantId'),
      id: p('eventId'),
      ticketId: p('id'),
      kind: 'created',
      actorId: p('actorId'),
      appId: p('appId'),
      sourceType: p('eventSourceType'),
      slaCycle: 1,
      at: p('createdAt'),
      changes: p('changes'),
    }),
  );
  const columns = Object.fromEntries(CREATE_COLUMNS.map((column) => [column, p(column)])) as Record<(typeof CREATE_COLUMNS)[number], Placeholder>;
  const instants = Object.fromEntries(CREATE_INSTANTS.map((column) => [column, sql`${p(column)}::timestamptz`]));
  return db
    .with(number, event)
    .insert(tickets)
    .values({
      ...columns,
      ...instants,
      numberSeq: sql`(select ${number.ticketSeq} from ${number})`,
    })
    .returning(ticketColumns)
    .prepare('create_ticket');
});

function initialChanges(ticket: TicketChange): FieldChanges {
  const changes: FieldChanges = {};
  for (const [key, wire] of Object.entries(WIRE_NAMES) as Array<[keyof TicketChange, string]>) {
    const value = ticket[key];
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    changes[wire] = { from: null, to: toJson(value) };
  }
  return changes;
}

// ---------------------------------------------------------------------------
// The one write path for existing tickets

/** A closed ticket is final; only its deletion and Slack bookkeeping still write. */
const CHANGES_ALLOWED_WHEN_CLOSED = new Set<TicketEventKind>(['deleted', 'slack_card_posted']);

/** Computes the change from the locked ticket; `tx` is the write's transaction, for any read it needs. */
type Decide = (current: Ticket, tx: Db) => TicketChange | Promise<TicketChange>;

/**
 * Locks the ticket, lets `decide` compute the change, re-matches the SLA policy when
 * type or priority moved, recomputes the deadlines, stamps, writes and records the
 * event, all in one transaction. A change that changes nothing writes nothing.
 */
async function changeTicket(
  db: Db,
  scope: Scope,
  ref: string,
  kind: TicketEventKind,
  decide: Decide,
  options: TicketWriteOptions = {},
): Promise<TicketWriteResult> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(ref)) throw new NotFoundError('Ticket', ref);
  const result = await guardReferences(() =>
    db.transaction(async (tx): Promise<TicketWriteResult & { previous?: Ticket; diff?: FieldChanges }> => {
      const [current] = await tx
        .select(ticketColumns)
        .from(tickets)
        .where(and(ticketScope(scope), ticketRefCondition(ref), eq(tickets.isDeleted, false)))
        .for('update');
      if (!current) throw new NotFoundError('Ticket', ref);
      const staleId = options.expectedId !== undefined && options.expectedId !== current.id;
      if (staleId || (options.expectedRevision !== undefined && options.expectedRevision !== current.revision)) {
        throw new PreconditionFailedError(`Ticket ${current.number} has changed since you last read it`);
      }

      if (options.permission) {
        const permitted = await mayActOnTicket(tx, current, scope, options.permission);
        if (!permitted.allowed) throw new ForbiddenError(permitted.reason);
      }
      const change = await decide(current, tx);
      await applySla(tx, scope, current, change);
      const diff = diffChange(current, change);
      if (Object.keys(diff).length === 0) return { ticket: current, changed: false };
      if (current.status === 'closed' && !CHANGES_ALLOWED_WHEN_CLOSED.has(kind)) {
        throw new InvalidTransitionError('closed', current.status, 'A closed ticket is final and cannot be changed');
      }

      const [row] = await tx
        .update(tickets)
        .set({
          ...pickChanged(change, diff),
          updatedAt: scope.now,
          updatedBy: scope.actorId,
          revision: sql`${tickets.revision} + 1`,
        })
        .where(and(eq(tickets.tenantId, current.tenantId), eq(tickets.id, current.id)))
        .returning(ticketColumns);
      const ticket = row!;
      await recordEvent(tx, scope, ticket, kind, diff, options.ids ?? newId);
      // An alert instant that is already due (a priority change, a pause that ended late):
      // the sweep must look behind its watermark for it.
      const overdue = slaInstantNowDue(current, ticket, scope.now);
      if (overdue) await rewindSlaSweep(tx, scope.tenantId, overdue);
      return { ticket, changed: true, previous: current, diff };
    }),
  );
  if (result.changed && result.previous && result.diff) {
    emit(options.onChange, { kind, ticket: result.ticket, previous: result.previous, changes: result.diff, scope });
  }
  return { ticket: result.ticket, changed: result.changed };
}

/** Re-match the policy when type or priority moved, then recompute the deadlines from the original starts. */
async function applySla(db: Db, scope: Scope, current: Ticket, change: TicketChange): Promise<void> {
  const next = { ...current, ...change };
  const rematch = next.type !== current.type || next.priority !== current.priority;
  if (rematch) {
    const policy = await findActivePolicy(db, scope.tenantId, next.type, next.priority);
    change.slaPolicyId = policy?.id ?? null;
    next.slaPolicyId = change.slaPolicyId;
  }
  const clockMoved =
    rematch ||
    next.slaCycleStartedAt.getTime() !== current.slaCycleStartedAt.getTime() ||
    next.nextResponseStartedAt?.getTime() !== current.nextResponseStartedAt?.getTime() ||
    JSON.stringify(next.slaPauses) !== JSON.stringify(current.slaPauses);
  if (!clockMoved) return;

  const policy = next.slaPolicyId ? await getPolicyById(db, scope.tenantId, next.slaPolicyId) : undefined;
  const targets: SlaTargets | null = policy ?? null;
  const [tenant] = await db.select().from(tenants).where(eq(tenants.tenantId, scope.tenantId));
  Object.assign(
    change,
    computeDeadlines(
      {
        createdAt: current.createdAt,
        cycleStartedAt: next.slaCycleStartedAt,
        pauses: next.slaPauses,
        nextResponseStartedAt: next.nextResponseStartedAt,
      },
      targets,
      tenant!.businessCalendar,
      tenant!.slaWarningPercent,
    ),
  );
}

function diffChange(current: Ticket, change: TicketChange): FieldChanges {
  const diff: FieldChanges = {};
  for (const key of Object.keys(change) as Array<keyof TicketChange>) {
    const before = toJson(current[key]);
    const after = toJson(change[key]);
    if (JSON.stringify(before) !== JSON.stringify(after)) diff[WIRE_NAMES[key]] = { from: before, to: after };
  }
  return diff;
}

function pickChanged(change: TicketChange, diff: FieldChanges): TicketChange {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(change) as Array<keyof TicketChange>) {
    if (WIRE_NAMES[key] in diff) picked[key] = change[key];
  }
  return picked as TicketChange;
}

function toJson(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

function eventValues(
  scope: Scope,
  ticket: Pick<Ticket, 'id' | 'slaCycle'>,
  kind: TicketEventKind,
  changes: FieldChanges,
  ids: IdFactory,
): typeof ticketEvents.$inferInsert {
  return {
    tenantId: scope.tenantId,
    id: ids('ticketEvent'),
    ticketId: ticket.id,
    kind,
    actorId: scope.actorId,
    appId: scope.appId ?? null,
    sourceType: scope.sourceType ?? 'api',
    slaCycle: ticket.slaCycle,
    at: scope.now,
    changes,
  };
}

async function recordEvent(
  db: Db,
  scope: Scope,
  ticket: Ticket,
  kind: TicketEventKind,
  changes: FieldChanges,
  ids: IdFactory,
): Promise<void> {
  await db.insert(ticketEvents).values(eventValues(scope, ticket, kind, changes, ids));
}

/** Foreign keys are the tenancy-safe existence check; their violation is a field error. */
async function guardReferences<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const pg = pgErrorOf(error);
    if (pg?.code === PG_FOREIGN_KEY_VIOLATION && pg.constraint?.includes('team_id')) {
      throw new ValidationError([{ path: ['team_id'], message: 'No such team' }]);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Rules shared by the operations

/**
 * The fields a status move touches: pauses of the resolution (and next-response) clock,
 * resolved/closed stamps. Resolving or closing ends any wait for an answer: the ticket's
 * outcome is the answer.
 */
function statusChange(current: Ticket, to: TicketStatus, now: Date): TicketChange {
  if (to === current.status) return {};
  assertTransition(current.status, to);
  const change: TicketChange = { status: to };
  if (to === 'pending') change.slaPauses = openPause(current.slaPauses, now);
  if (current.status === 'pending') change.slaPauses = closePause(current.slaPauses, now);
  if (to === 'resolved') change.resolvedAt = now;
  if (to === 'closed') change.closedAt = now;
  if (to === 'resolved' || to === 'closed') Object.assign(change, NEXT_RESPONSE_STOPPED);
  return change;
}

/** Nobody waits for an answer anymore (applySla clears the instants with the start). */
const NEXT_RESPONSE_STOPPED = { nextResponseStartedAt: null } as const satisfies TicketChange;

/** Statuses in which a requester's message starts a wait; it runs only while open or in progress. */
const NEXT_RESPONSE_STARTS_IN = new Set<TicketStatus>(['open', 'in_progress', 'pending', 'resolved']);

/**
 * A public comment's effect on the next-response clock. The requester's starts a wait, once
 * the first response was given (before it, the first-response clock covers the wait), when
 * none is running and the ticket's policy sets a next-response target. Anyone else's (the
 * same rule as the first response: an agent, a colleague, an integration) answers it.
 */
async function nextResponseChange(db: Db, scope: Scope, current: Ticket): Promise<TicketChange> {
  if (!scope.actorId) return {};
  if (scope.actorId !== current.submittedById) return current.nextResponseStartedAt ? { ...NEXT_RESPONSE_STOPPED } : {};
  if (current.nextResponseStartedAt || !current.firstResponseAt || !NEXT_RESPONSE_STARTS_IN.has(current.status)) return {};
  const policy = current.slaPolicyId ? await getPolicyById(db, scope.tenantId, current.slaPolicyId) : undefined;
  if (!policy?.nextResponseMinutes) return {};
  return { nextResponseStartedAt: scope.now, nextResponseRound: current.nextResponseRound + 1 };
}

/** The first public action of someone other than the submitter is the first response. */
function firstResponse(current: Ticket, scope: Scope): TicketChange {
  if (current.firstResponseAt || !scope.actorId || scope.actorId === current.submittedById) return {};
  return { firstResponseAt: scope.now };
}

/** Assigning someone starts work; unassigning returns the ticket to the queue. */
function assignmentChange(current: Ticket, assigneeId: string | null, now: Date): TicketChange {
  if (assigneeId === current.assignedToId) return {};
  const change: TicketChange = { assignedToId: assigneeId };
  if (assigneeId && current.status === 'open') Object.assign(change, statusChange(current, 'in_progress', now));
  if (!assigneeId && current.status === 'in_progress') Object.assign(change, statusChange(current, 'open', now));
  return change;
}

function assertWorkable(current: Ticket, action: string): void {
  if (current.status === 'resolved' || current.status === 'closed') {
    throw new InvalidTransitionError(current.status, current.status, `A ${current.status} ticket cannot be ${action}`);
  }
}

// ---------------------------------------------------------------------------
// Operations

export async function updateTicket(
  db: Db,
  scope: Scope,
  ref: string,
  input: unknown,
  options: WriteOptions & TicketDeps = {},
): Promise<TicketWriteResult> {
  const data = parseTicketUpdate(input);
  const onlyStatus = Object.keys(data).length === 1 && data.status !== undefined;

  return changeTicket(
    db,
    scope,
    ref,
    onlyStatus ? 'status_changed' : 'updated',
    (current) => {
      const change: TicketChange = {
        ...(data.title !== undefined ? { title: data.title } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(data.type !== undefined ? { type: data.type } : {}),
        ...(data.priority !== undefined ? { priority: data.priority } : {}),
        ...(data.category !== undefined ? { category: data.category } : {}),
        ...(data.submitted_by_id !== undefined ? { submittedById: data.submitted_by_id } : {}),
        ...(data.team_id !== undefined ? { teamId: data.team_id } : {}),
        ...(data.related_asset_id !== undefined ? { relatedAssetId: data.related_asset_id } : {}),
        ...(data.related_vulnerability_id !== undefined ? { relatedVulnerabilityId: data.related_vulnerability_id } : {}),
        ...(data.tags !== undefined ? { tags: data.tags } : {}),
        ...(data.source !== undefined ? { source: data.source } : {}),
        ...(data.source_type !== undefined ? { sourceType: data.source_type } : {}),
      };
      if (data.assigned_to_id !== undefined && data.assigned_to_id !== current.assignedToId) {
        assertWorkable(current, 'reassigned');
        // An explicit status wins over the status an assignment implies.
        Object.assign(
          change,
          data.status !== undefined
            ? { assignedToId: data.assigned_to_id }
            : assignmentChange(current, data.assigned_to_id, scope.now),
        );
      }
      if (data.status !== undefined) Object.assign(change, statusChange(current, data.status, scope.now));
      if ('assignedToId' in change || 'status' in change) Object.assign(change, firstResponse(current, scope));
      return change;
    },
    options,
  );
}

/** An agent takes an unassigned ticket. Two agents at once: the row lock lets one win. */
export async function claimTicket(db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}): Promise<TicketWriteResult> {
  const actorId = scope.actorId;
  if (!actorId) throw new ValidationError([{ path: ['actor'], message: 'Claiming needs a person' }]);
  return changeTicket(
    db,
    scope,
    ref,
    'claimed',
    (current) => {
      assertWorkable(current, 'claimed');
      if (current.assignedToId && current.assignedToId !== actorId) {
        throw new ConflictError(`Ticket ${current.number} is already claimed by ${current.assignedToId}`, current.assignedToId);
      }
      return { ...assignmentChange(current, actorId, scope.now), ...firstResponse(current, scope) };
    },
    options,
  );
}

export async function assignTicket(
  db: Db,
  scope: Scope,
  ref: string,
  assigneeId: string | null,
  options: TicketWriteOptions = {},
): Promise<TicketWriteResult> {
  const parsed = assigneeSchema.safeParse(assigneeId);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, ['assigned_to_id']);
  return changeTicket(
    db,
    scope,
    ref,
    'assigned',
    (current) => {
      assertWorkable(current, 'assigned');
      const change = assignmentChange(current, assigneeId, scope.now);
      return Object.keys(change).length ? { ...change, ...firstResponse(current, scope) } : change;
    },
    options,
  );
}

export async function changeTicketStatus(
  db: Db,
  scope: Scope,
  ref: string,
  status: TicketStatus,
  options: TicketWriteOptions = {},
): Promise<TicketWriteResult> {
  const parsed = statusSchema.safeParse(status);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, ['status']);
  const kind: TicketEventKind = status === 'resolved' ? 'resolved' : status === 'closed' ? 'closed' : 'status_changed';
  return changeTicket(
    db,
    scope,
    ref,
    kind,
    (current) => {
      const change = statusChange(current, status, scope.now);
      return Object.keys(change).length ? { ...change, ...firstResponse(current, scope) } : change;
    },
    options,
  );
}

export const resolveTicket = (db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}) =>
  changeTicketStatus(db, scope, ref, 'resolved', options);

export const closeTicket = (db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}) =>
  changeTicketStatus(db, scope, ref, 'closed', options);

/** A resolved ticket comes back: a new resolution cycle starts now; the history stays. */
export async function reopenTicket(db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}): Promise<TicketWriteResult> {
  return changeTicket(
    db,
    scope,
    ref,
    'reopened',
    (current) => {
      if (current.status !== 'resolved') {
        throw new InvalidTransitionError(
          current.status,
          'open',
          current.status === 'closed' ? 'A closed ticket is final and cannot be reopened' : 'Only a resolved ticket can be reopened',
        );
      }
      return {
        status: current.assignedToId ? 'in_progress' : 'open',
        resolvedAt: null,
        slaCycle: current.slaCycle + 1,
        slaCycleStartedAt: scope.now,
        slaPauses: [],
        // A requester's message that came while it was resolved is waiting from now on.
        ...(current.nextResponseStartedAt ? { nextResponseStartedAt: scope.now } : {}),
      };
    },
    options,
  );
}

/** An explicit response (no comment): the first response if none yet, and it answers a waiting requester. */
export async function recordResponse(db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}): Promise<TicketWriteResult> {
  return changeTicket(
    db,
    scope,
    ref,
    'responded',
    (current) => {
      if (!scope.actorId || scope.actorId === current.submittedById) return {};
      return { ...firstResponse(current, scope), ...(current.nextResponseStartedAt ? NEXT_RESPONSE_STOPPED : {}) };
    },
    options,
  );
}

/**
 * What a public comment does to the ticket's clocks: anyone but the requester gives the first
 * response (if none yet) and answers a waiting requester; the requester's starts the
 * next-response clock (see nextResponseChange). `byRequester` names the event: the caller
 * holds the ticket's lock already and knows who wrote.
 */
export async function recordPublicComment(
  db: Db,
  scope: Scope,
  ref: string,
  byRequester: boolean,
  options: TicketWriteOptions = {},
): Promise<TicketWriteResult> {
  return changeTicket(
    db,
    scope,
    ref,
    byRequester ? 'requester_replied' : 'responded',
    async (current, tx) => ({ ...firstResponse(current, scope), ...(await nextResponseChange(tx, scope, current)) }),
    options,
  );
}

/**
 * The requester edited the message the ticket was raised from: its title and description
 * follow, as long as nobody has answered yet (no first response) and it is not closed;
 * afterwards the edit changes nothing (`changed: false`). Decided under the ticket's lock.
 */
export async function reviseFromSource(
  db: Db,
  scope: Scope,
  ref: string,
  text: { title: string; description: string },
  options: TicketWriteOptions = {},
): Promise<TicketWriteResult> {
  const data = parseTicketUpdate(text);
  return changeTicket(
    db,
    scope,
    ref,
    'updated',
    (current) => (current.firstResponseAt || current.status === 'closed' ? {} : { title: data.title!, description: data.description! }),
    options,
  );
}

/**
 * The requester deleted the message the ticket was raised from before anyone answered: the
 * ticket is closed, recorded as `withdrawn`. After a first response (or once closed) it stays
 * as it is (`changed: false`): the conversation has started and is kept.
 */
export async function withdrawTicket(db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}): Promise<TicketWriteResult> {
  return changeTicket(
    db,
    scope,
    ref,
    'withdrawn',
    (current) => (current.firstResponseAt || current.status === 'closed' ? {} : statusChange(current, 'closed', scope.now)),
    options,
  );
}

/** Soft delete: the row stays (and its history), out of default lists. */
export async function deleteTicket(db: Db, scope: Scope, ref: string, options: TicketWriteOptions = {}): Promise<TicketWriteResult> {
  return changeTicket(
    db,
    scope,
    ref,
    'deleted',
    () => ({ isDeleted: true, deletedAt: scope.now, deletedBy: scope.actorId }),
    options,
  );
}

/**
 * Where the ticket's Slack card lives, so later changes update it in place. Bookkeeping,
 * not a change of the ticket: no revision bump (a client's ETag stays valid), no event.
 */
export async function setSlackCard(
  db: Db,
  scope: Pick<Scope, 'tenantId'>,
  ticketId: string,
  card: { channelId: string; messageTs: string },
): Promise<void> {
  await setSlackCardStatement(db).execute({ tenantId: scope.tenantId, ticketId, channelId: card.channelId, messageTs: card.messageTs });
}

/** Written once per card posted: built and prepared once per database handle. */
const setSlackCardStatement = preparedPer((db) =>
  db
    .update(tickets)
    .set({ slackChannelId: sql`${sql.placeholder('channelId')}`, slackMessageTs: sql`${sql.placeholder('messageTs')}` })
    .where(and(eq(tickets.tenantId, sql.placeholder('tenantId')), eq(tickets.id, sql.placeholder('ticketId'))))
    .prepare('set_slack_card'),
);

export async function listTicketEvents(db: Db, scope: Pick<Scope, 'tenantId' | 'appId'>, ticketId: string) {
  return db
    .select()
    .from(ticketEvents)
    .where(and(eq(ticketEvents.tenantId, scope.tenantId), eq(ticketEvents.ticketId, ticketId)))
    .orderBy(ticketEvents.at, ticketEvents.id);
}
