import { and, asc, eq, gt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { COMMENT_VISIBILITIES, commentMessages, ticketComments, tickets, type CommentFile, type CommentSource } from '../../db/schema/index.js';
import { ForbiddenError, InvalidTransitionError, NotFoundError } from '../errors.js';
import { newId, type IdFactory } from '../ids.js';
import { isStorableText, parseInput } from '../input.js';
import { decodeCursor, encodeCursor, isIsoInstant } from '../keyset.js';
import { maySeeInternal, type Viewer } from '../roles.js';
import type { Scope } from '../scope.js';
import { enqueueCommentChange, enqueueNewComment } from './deliveries.js';
import { ticketColumns, ticketRefCondition, ticketScope, type Ticket } from './queries.js';
import { recordPublicComment, type TicketChangeEvent, type TicketChangeListener } from './tickets.js';

export type Comment = typeof ticketComments.$inferSelect;

/** The Slack message given to addComment is already some comment's: a redelivery. */
export class MessageAlreadyRecordedError extends Error {
  constructor() {
    super('That Slack message is already recorded as a comment');
    this.name = 'MessageAlreadyRecordedError';
  }
}

export type { Viewer };

/** What a listener hears after a comment write committed (the Slack side posts or edits its copies). */
export interface CommentEvent {
  kind: 'created' | 'edited' | 'deleted';
  comment: Comment;
  ticket: Ticket;
  scope: Scope;
}
export type CommentListener = (event: CommentEvent) => void;

export interface CommentDeps {
  ids?: IdFactory;
  /** Hears committed comment writes; nothing is sent to Slack from the domain itself. */
  onComment?: CommentListener | undefined;
  /** Hears the ticket change a comment causes (its first response). */
  onChange?: TicketChangeListener | undefined;
}

// ---------------------------------------------------------------------------
// Input

const MAX_BODY = 40_000;

const body = z
  .string()
  .max(MAX_BODY, 'At most 40,000 characters')
  .refine((value) => value.trim().length > 0, 'Required');

/** Stamped by the server; a client echoing a comment it fetched has them ignored. */
const COMMENT_SERVER_FIELDS = ['id', 'ticket_id', 'author_id', 'source', 'created_at', 'updated_at', 'edited_at'] as const;

export const commentCreateSchema = z.strictObject({
  body,
  visibility: z.enum(COMMENT_VISIBILITIES).default('public'),
});
export type CommentCreateInput = z.input<typeof commentCreateSchema>;

export const commentUpdateSchema = z.strictObject({ body });
export type CommentUpdateInput = z.input<typeof commentUpdateSchema>;

export const commentListSchema = z.strictObject({
  limit: z.coerce.number().int('Must be a whole number').min(1).max(200, 'At most 200').default(50),
  /** Checked by `decodeCursor`: a bad one is a 400, not a field error. */
  cursor: z.string().optional(),
});
export type CommentListInput = z.input<typeof commentListSchema>;

/** The one order of a conversation: oldest first, ids breaking ties. Part of every cursor. */
const COMMENT_SORT = 'created_at';

async function findTicket(db: Db, scope: Scope, ref: string, lock: boolean): Promise<Ticket> {
  // No record can have such an id; the database would refuse to even compare it.
  if (!isStorableText(ref)) throw new NotFoundError('Ticket', ref);
  const query = db
    .select(ticketColumns)
    .from(tickets)
    .where(and(ticketScope(scope), ticketRefCondition(ref), eq(tickets.isDeleted, false)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw new NotFoundError('Ticket', ref);
  return row;
}

function assertOpenForComments(ticket: Ticket): void {
  if (ticket.status === 'closed') {
    throw new InvalidTransitionError('closed', 'closed', `${ticket.number} is closed: a closed ticket is final and takes no new comments`);
  }
}

function emitSafely<E>(listener: ((event: E) => void) | undefined, event: E): void {
  try {
    listener?.(event);
  } catch {
    // A listener's failure must never turn a committed write into an error.
  }
}

// ---------------------------------------------------------------------------
// Operations

/**
 * Adds a comment to a ticket. A public comment by anyone but the requester is the ticket's
 * first response when it has none yet, and answers a requester waiting for the next
 * response; the requester's starts that wait. Recorded through `recordPublicComment` in the
 * same transaction, so the comment and the clocks commit together; listeners hear both after commit.
 */
export async function addComment(
  db: Db,
  scope: Scope,
  ticketRef: string,
  input: unknown,
  deps: CommentDeps & {
    source?: CommentSource;
    /**
     * The Slack message the comment comes from, recorded in the same transaction: a message
     * already recorded (Slack delivered it again) throws MessageAlreadyRecordedError and
     * nothing is written, even when two deliveries race.
     */
    slackMessage?: { channelId: string; threadTs: string; messageTs: string };
    /** Files shared with that Slack message (the body lists them too). */
    files?: CommentFile[];
  } = {},
): Promise<{ comment: Comment; ticket: Ticket }> {
  const data = parseInput(commentCreateSchema, input, COMMENT_SERVER_FIELDS);
  const ids = deps.ids ?? newId;
  const ticketEvents: TicketChangeEvent[] = [];
  const result = await db.transaction(async (tx) => {
    // Locked, so a close cannot slip in between the check and the insert.
    let ticket = await findTicket(tx, scope, ticketRef, true);
    assertOpenForComments(ticket);
    if (data.visibility === 'internal' && !(await maySeeInternal(tx, ticket, scope))) {
      throw new ForbiddenError(`Only the agents of ${ticket.number} can write internal comments`);
    }
    const [comment] = await tx
      .insert(ticketComments)
      .values({
        tenantId: scope.tenantId,
        id: ids('comment'),
        ticketId: ticket.id,
        authorId: scope.actorId,
        appId: scope.appId ?? null,
        visibility: data.visibility,
        body: data.body,
        source: deps.source ?? 'api',
        files: deps.files ?? [],
        createdAt: scope.now,
        updatedAt: scope.now,
      })
      .returning();
    if (deps.slackMessage) {
      const { channelId, threadTs, messageTs } = deps.slackMessage;
      const [recorded] = await tx
        .insert(commentMessages)
        .values({ tenantId: scope.tenantId, commentId: comment!.id, channelId, threadTs, messageTs })
        .onConflictDoNothing()
        .returning({ commentId: commentMessages.commentId });
      // Throwing rolls the comment back: the first delivery's comment is the only one.
      if (!recorded) throw new MessageAlreadyRecordedError();
    }
    // Its copies in the ticket's other threads: queued with the comment, so none is lost.
    await enqueueNewComment(tx, comment!, deps.slackMessage, scope.now);
    if (data.visibility === 'public') {
      // Events are collected, not emitted: the outer transaction has not committed yet.
      const byRequester = scope.actorId !== null && scope.actorId === ticket.submittedById;
      const response = await recordPublicComment(tx, scope, ticket.id, byRequester, { ids, onChange: (event) => ticketEvents.push(event) });
      ticket = response.ticket;
    }
    return { comment: comment!, ticket };
  });
  for (const event of ticketEvents) emitSafely(deps.onChange, event);
  emitSafely(deps.onComment, { kind: 'created', comment: result.comment, ticket: result.ticket, scope });
  return result;
}

/** What a ticket's card says of its conversation. */
export interface ConversationSummary {
  /** Comments not deleted, internal ones included (the card is the agents'). */
  comments: number;
  /** When the requester last wrote a public comment; null if never. */
  requesterLastWroteAt: Date | null;
}

export async function conversationSummary(db: Db, ticket: Pick<Ticket, 'tenantId' | 'id' | 'submittedById'>): Promise<ConversationSummary> {
  const requesterPublic = ticket.submittedById
    ? sql`${ticketComments.authorId} = ${ticket.submittedById} and ${ticketComments.visibility} = 'public'`
    : sql`false`;
  const [row] = await db
    .select({
      comments: sql<number>`count(*)::int`,
      // Epoch milliseconds: a raw aggregate skips drizzle's timestamp mapping, and a number parses the same on both drivers.
      last: sql<number | null>`(extract(epoch from max(${ticketComments.createdAt}) filter (where ${requesterPublic})) * 1000)::float8`,
    })
    .from(ticketComments)
    .where(and(eq(ticketComments.tenantId, ticket.tenantId), eq(ticketComments.ticketId, ticket.id), eq(ticketComments.isDeleted, false)));
  return { comments: row?.comments ?? 0, requesterLastWroteAt: row?.last != null ? new Date(Math.round(Number(row.last))) : null };
}

export interface CommentPage {
  items: Comment[];
  next_cursor: string | null;
}

/** A ticket's conversation, oldest first; internal comments only for those who may see them. */
export async function listComments(
  db: Db,
  scope: Scope,
  ticketRef: string,
  input: CommentListInput = {},
  viewer: Viewer = scope,
): Promise<CommentPage> {
  const query = parseInput(commentListSchema, input);
  const ticket = await findTicket(db, scope, ticketRef, false);
  const filters: SQL[] = [
    eq(ticketComments.tenantId, scope.tenantId),
    eq(ticketComments.ticketId, ticket.id),
    eq(ticketComments.isDeleted, false),
  ];
  if (!(await maySeeInternal(db, ticket, viewer))) filters.push(eq(ticketComments.visibility, 'public'));
  if (query.cursor !== undefined) {
    const { value, id } = decodeCursor(query.cursor, COMMENT_SORT, isIsoInstant);
    const after = new Date(value as string);
    filters.push(or(gt(ticketComments.createdAt, after), and(eq(ticketComments.createdAt, after), gt(ticketComments.id, id)))!);
  }
  const rows = await db
    .select()
    .from(ticketComments)
    .where(and(...filters))
    .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  const next_cursor = rows.length > query.limit && last ? encodeCursor(COMMENT_SORT, last.createdAt.toISOString(), last.id) : null;
  return { items, next_cursor };
}

/** One comment of the ticket; an internal one is missing to those who may not see it. */
export async function getComment(db: Db, scope: Scope, ticketRef: string, commentId: string, viewer: Viewer = scope): Promise<Comment> {
  const ticket = await findTicket(db, scope, ticketRef, false);
  const comment = await findComment(db, scope, ticket, commentId, false);
  if (!comment || (comment.visibility === 'internal' && !(await maySeeInternal(db, ticket, viewer)))) {
    throw new NotFoundError('Comment', commentId);
  }
  return comment;
}

async function findComment(db: Db, scope: Scope, ticket: Ticket, commentId: string, lock: boolean): Promise<Comment | undefined> {
  if (!isStorableText(commentId)) return undefined;
  const query = db
    .select()
    .from(ticketComments)
    .where(
      and(
        eq(ticketComments.tenantId, scope.tenantId),
        eq(ticketComments.ticketId, ticket.id),
        eq(ticketComments.id, commentId),
        eq(ticketComments.isDeleted, false),
      ),
    );
  const [row] = lock ? await query.for('update') : await query;
  return row;
}

/**
 * The comment, locked, for a change by its author. A comment the caller may not see is
 * missing to them; one they see but did not write is forbidden.
 */
async function commentForAuthor(tx: Db, scope: Scope, ticketRef: string, commentId: string): Promise<{ ticket: Ticket; comment: Comment }> {
  const ticket = await findTicket(tx, scope, ticketRef, true);
  const comment = await findComment(tx, scope, ticket, commentId, true);
  if (!comment || (comment.visibility === 'internal' && !(await maySeeInternal(tx, ticket, scope)))) {
    throw new NotFoundError('Comment', commentId);
  }
  // An integration's comment is its own: another app, or a person, is not its author.
  if (comment.authorId !== scope.actorId || (comment.appId ?? null) !== (scope.appId ?? null)) {
    throw new ForbiddenError('Only the author of a comment can change it');
  }
  assertOpenForComments(ticket);
  return { ticket, comment };
}

export async function editComment(
  db: Db,
  scope: Scope,
  ticketRef: string,
  commentId: string,
  input: unknown,
  deps: Pick<CommentDeps, 'onComment'> = {},
): Promise<Comment> {
  const data = parseInput(commentUpdateSchema, input, COMMENT_SERVER_FIELDS);
  const result = await db.transaction(async (tx) => {
    const { ticket, comment } = await commentForAuthor(tx, scope, ticketRef, commentId);
    if (comment.body === data.body) return { ticket, comment, changed: false };
    const [row] = await tx
      .update(ticketComments)
      .set({ body: data.body, editedAt: scope.now, updatedAt: scope.now })
      .where(and(eq(ticketComments.tenantId, scope.tenantId), eq(ticketComments.id, comment.id)))
      .returning();
    await enqueueCommentChange(tx, row!, scope.now);
    return { ticket, comment: row!, changed: true };
  });
  if (result.changed) emitSafely(deps.onComment, { kind: 'edited', comment: result.comment, ticket: result.ticket, scope });
  return result.comment;
}

/** Soft delete: the row stays (a first response it made stays made), out of every list. */
export async function deleteComment(
  db: Db,
  scope: Scope,
  ticketRef: string,
  commentId: string,
  deps: Pick<CommentDeps, 'onComment'> = {},
): Promise<Comment> {
  const result = await db.transaction(async (tx) => {
    const { ticket, comment } = await commentForAuthor(tx, scope, ticketRef, commentId);
    const [row] = await tx
      .update(ticketComments)
      .set({ isDeleted: true, deletedAt: scope.now, deletedBy: scope.actorId, updatedAt: scope.now })
      .where(and(eq(ticketComments.tenantId, scope.tenantId), eq(ticketComments.id, comment.id)))
      .returning();
    await enqueueCommentChange(tx, row!, scope.now);
    return { ticket, comment: row! };
  });
  emitSafely(deps.onComment, { kind: 'deleted', comment: result.comment, ticket: result.ticket, scope });
  return result.comment;
}
