import { and, asc, desc, eq, getTableColumns, gt, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { TICKET_PRIORITIES, tickets, type TicketPriority } from '../../db/schema/index.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { decodeCursor, encodeCursor, isIsoInstant, isSerial, type CursorValue } from '../keyset.js';
import { isStorableText, parseInput } from '../input.js';
import type { Scope } from '../scope.js';
import { ticketListSchema, type TicketListInput, type TicketSort } from './schemas.js';

const { searchVector: _searchVector, ...ticketColumns } = getTableColumns(tickets);
/** Every column but the search vector, which only the database needs. */
export { ticketColumns };
export type Ticket = Omit<typeof tickets.$inferSelect, 'searchVector'>;

const NUMBER_PATTERN = /^(?:TKT-)?0*(\d{1,9})$/i;

/** `TKT-0042` (or `tkt-42`) -> 42; anything else is treated as an id. */
export function parseTicketNumber(ref: string): number | undefined {
  const match = NUMBER_PATTERN.exec(ref.trim());
  if (!match || !/^TKT-/i.test(ref.trim())) return undefined;
  const value = Number(match[1]);
  return value > 0 ? value : undefined;
}

/** Tenant (and app, for integration keys) boundary: part of every ticket query. */
export function ticketScope(scope: Pick<Scope, 'tenantId' | 'appId'>): SQL {
  const tenant = eq(tickets.tenantId, scope.tenantId);
  return scope.appId ? and(tenant, eq(tickets.appId, scope.appId))! : tenant;
}

export function ticketRefCondition(ref: string): SQL {
  const number = parseTicketNumber(ref);
  return number !== undefined ? eq(tickets.numberSeq, number) : eq(tickets.id, ref);
}

/** The ticket whose card is this Slack message (a reaction on it names channel and ts), if any. */
export async function findTicketIdByCard(db: Db, tenantId: string, channelId: string, messageTs: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: tickets.id })
    .from(tickets)
    .where(and(eq(tickets.tenantId, tenantId), eq(tickets.slackChannelId, channelId), eq(tickets.slackMessageTs, messageTs), eq(tickets.isDeleted, false)))
    .limit(1);
  return row?.id;
}

export async function getTicket(
  db: Db,
  scope: Pick<Scope, 'tenantId' | 'appId'>,
  ref: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Ticket> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(ref)) throw new NotFoundError('Ticket', ref);
  const filters = [ticketScope(scope), ticketRefCondition(ref)];
  if (!options.includeDeleted) filters.push(eq(tickets.isDeleted, false));
  const [row] = await db.select(ticketColumns).from(tickets).where(and(...filters));
  if (!row) throw new NotFoundError('Ticket', ref);
  return row;
}

export interface TicketPage {
  items: Ticket[];
  next_cursor: string | null;
}

type SortColumn = 'created_at' | 'updated_at' | 'number' | 'priority';

const SORT_COLUMNS = {
  created_at: tickets.createdAt,
  updated_at: tickets.updatedAt,
  number: tickets.numberSeq,
  priority: tickets.priority,
} as const;

function sortValue(row: Ticket, column: SortColumn): CursorValue {
  switch (column) {
    case 'created_at':
      return row.createdAt.toISOString();
    case 'updated_at':
      return row.updatedAt.toISOString();
    case 'number':
      return row.numberSeq;
    case 'priority':
      return row.priority;
  }
}

function isCursorValue(column: SortColumn, value: unknown): boolean {
  if (column === 'number') return isSerial(value);
  if (column === 'priority') return TICKET_PRIORITIES.includes(value as TicketPriority);
  return isIsoInstant(value);
}

/** Keyset condition "after (value, id)" in the list's order; ids break ties. */
function afterCursor(column: SortColumn, descending: boolean, value: CursorValue, id: string): SQL {
  const col = SORT_COLUMNS[column];
  const bound = column === 'created_at' || column === 'updated_at' ? new Date(value as string) : value;
  const beyond = descending ? lt : gt;
  return or(beyond(col, bound as never), and(eq(col, bound as never), beyond(tickets.id, id)))!;
}

function searchCondition(q: string): SQL {
  const text = sql`${tickets.searchVector} @@ websearch_to_tsquery('english', ${q})`;
  const number = NUMBER_PATTERN.exec(q);
  return number ? or(text, eq(tickets.numberSeq, Number(number[1])))! : text;
}

function idFilter(column: typeof tickets.teamId | typeof tickets.assignedToId, value: string): SQL {
  return value === 'none' ? isNull(column) : eq(column, value);
}

export async function listTickets(db: Db, scope: Pick<Scope, 'tenantId' | 'appId'>, input: TicketListInput = {}): Promise<TicketPage> {
  const { query, statement } = listTicketsQuery(db, scope, input);
  const rows = await statement;
  const column = query.sort.replace(/^-/, '') as SortColumn;
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const next_cursor =
    rows.length > query.limit && last ? encodeCursor(query.sort, sortValue(last, column), last.id) : null;
  return { items, next_cursor };
}

/** The list's SQL, built but not run (the benchmark prints its plan). */
export function listTicketsQuery(db: Db, scope: Pick<Scope, 'tenantId' | 'appId'>, input: TicketListInput = {}) {
  const query = parseInput(ticketListSchema, input);

  const filters: SQL[] = [ticketScope(scope)];
  if (!query.include_deleted) filters.push(eq(tickets.isDeleted, false));
  if (query.status) filters.push(inArray(tickets.status, query.status));
  if (query.priority) filters.push(inArray(tickets.priority, query.priority));
  if (query.type) filters.push(inArray(tickets.type, query.type));
  if (query.team_id) filters.push(idFilter(tickets.teamId, query.team_id));
  if (query.assigned_to_id) filters.push(idFilter(tickets.assignedToId, query.assigned_to_id));
  if (query.submitted_by_id) filters.push(eq(tickets.submittedById, query.submitted_by_id));
  if (query.category) filters.push(eq(tickets.category, query.category));
  if (query.tag) filters.push(sql`${tickets.tags} @> array[${query.tag}]::text[]`);
  if (query.created_after) filters.push(gte(tickets.createdAt, query.created_after));
  if (query.created_before) filters.push(lt(tickets.createdAt, query.created_before));
  if (query.updated_after) filters.push(gte(tickets.updatedAt, query.updated_after));
  if (query.updated_before) filters.push(lt(tickets.updatedAt, query.updated_before));
  if (query.q) filters.push(searchCondition(query.q));

  const descending = query.sort.startsWith('-');
  const column = query.sort.replace(/^-/, '') as SortColumn;
  if (query.cursor !== undefined) {
    const { value, id } = decodeCursor(query.cursor, query.sort, (v) => isCursorValue(column, v));
    filters.push(afterCursor(column, descending, value, id));
  }
  const order = descending ? desc : asc;
  const statement = db
    .select(ticketColumns)
    .from(tickets)
    .where(and(...filters))
    .orderBy(order(SORT_COLUMNS[column]), order(tickets.id))
    .limit(query.limit + 1);
  return { query, statement };
}

/** What a requester still has on the desk: their tickets not yet closed, newest first. */
export const MY_OPEN_STATUSES = ['open', 'in_progress', 'pending', 'resolved'] as const;

export function listMyOpenTickets(db: Db, scope: Pick<Scope, 'tenantId' | 'appId' | 'actorId'>, limit = 50): Promise<TicketPage> {
  if (!scope.actorId) throw new ValidationError([{ path: ['actor'], message: 'Listing your tickets needs a person' }]);
  return listTickets(db, scope, { submitted_by_id: scope.actorId, status: [...MY_OPEN_STATUSES], limit });
}
