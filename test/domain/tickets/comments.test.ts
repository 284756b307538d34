import { expect, it } from 'vitest';
import {
  ForbiddenError,
  InvalidCursorError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
} from '../../../src/domain/errors.js';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { createTeam } from '../../../src/domain/teams.js';
import {
  addComment,
  deleteComment,
  editComment,
  listComments,
  type CommentEvent,
} from '../../../src/domain/tickets/comments.js';
import { getTicket } from '../../../src/domain/tickets/queries.js';
import {
  closeTicket,
  createTicket,
  listTicketEvents,
  type TicketChangeEvent,
} from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-04-01T09:00:00.000Z';
const T1 = '2026-04-01T09:05:00.000Z';
const T2 = '2026-04-01T09:10:00.000Z';

async function expectError<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describeEachDatabase('ticket comments', (ctx) => {
  /** A ticket of a team with one listed agent (ada); bob is a bystander of the same tenant. */
  async function desk() {
    const tenant = newTenantId();
    const ada = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UADA' }, new Date(T0));
    const bob = await upsertSlackPerson(ctx.db, tenant, { slackUserId: 'UBOB' }, new Date(T0));
    const team = await createTeam(ctx.db, scopeFor(tenant, 'per_admin', T0), { name: 'Desk', agent_ids: [ada.id] });
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Printer on fire', team_id: team.id });
    return {
      tenant,
      ticket,
      agent: scopeFor(tenant, ada.id, T1),
      bystander: scopeFor(tenant, bob.id, T1),
      requester: scopeFor(tenant, 'per_requester', T1),
    };
  }

  it('stores a comment with its stamps and makes an agent’s public reply the first response, in one write', async () => {
    const { ticket, agent, requester } = await desk();
    const ticketEvents: TicketChangeEvent[] = [];
    const commentEvents: CommentEvent[] = [];

    // The requester's own comment is no response.
    const own = await addComment(ctx.db, requester, ticket.number, { body: 'Still burning' });
    expect(own.comment).toMatchObject({ authorId: 'per_requester', visibility: 'public', source: 'api', editedAt: null, isDeleted: false });
    expect(own.comment.id).toMatch(/^cmt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(own.ticket.firstResponseAt).toBeNull();

    const { comment, ticket: after } = await addComment(
      ctx.db,
      agent,
      ticket.id,
      { body: 'On my way with **water**', id: 'cmt_FORGED', created_at: T0 },
      { onChange: (e) => ticketEvents.push(e), onComment: (e) => commentEvents.push(e) },
    );
    expect(comment.id).not.toBe('cmt_FORGED');
    expect(comment.createdAt.toISOString()).toBe(T1);
    expect(comment.body).toBe('On my way with **water**');
    expect(after.firstResponseAt?.toISOString()).toBe(T1);
    expect((await getTicket(ctx.db, agent, ticket.id)).firstResponseAt?.toISOString()).toBe(T1);
    expect(ticketEvents.map((e) => e.kind)).toEqual(['responded']);
    expect(commentEvents).toMatchObject([{ kind: 'created', comment: { id: comment.id } }]);

    // Only the first: a later reply stamps nothing and records no further event.
    await addComment(ctx.db, { ...agent, now: new Date(T2) }, ticket.id, { body: 'Done' });
    expect((await getTicket(ctx.db, agent, ticket.id)).firstResponseAt?.toISOString()).toBe(T1);
    expect((await listTicketEvents(ctx.db, agent, ticket.id)).filter((e) => e.kind === 'responded')).toHaveLength(1);
  });

  it('does not count an internal note as the first response', async () => {
    const { ticket, agent } = await desk();
    const { ticket: after } = await addComment(ctx.db, agent, ticket.id, { body: 'Looks like toner', visibility: 'internal' });
    expect(after.firstResponseAt).toBeNull();
  });

  it('shows internal comments only to the team’s agents and to integrations', async () => {
    const { tenant, ticket, agent, bystander, requester } = await desk();
    await addComment(ctx.db, requester, ticket.id, { body: 'Help' });
    await addComment(ctx.db, agent, ticket.id, { body: 'Requester is in building B', visibility: 'internal' });

    const bodies = async (scope: typeof agent) => (await listComments(ctx.db, scope, ticket.id)).items.map((c) => c.body);
    expect(await bodies(agent)).toEqual(['Help', 'Requester is in building B']);
    expect(await bodies(scopeFor(tenant, 'per_bot', T1, { appId: null }))).toEqual(['Help']);
    expect(await bodies(requester)).toEqual(['Help']);
    expect(await bodies(bystander)).toEqual(['Help']);

    // Someone else's view can be asked for explicitly (a Slack surface rendering for a user).
    expect((await listComments(ctx.db, agent, ticket.id, {}, { actorId: 'per_requester', appId: null })).items).toHaveLength(1);

    // Non-agents cannot write internal comments either.
    await expectError(addComment(ctx.db, bystander, ticket.id, { body: 'psst', visibility: 'internal' }), ForbiddenError);
    await expectError(addComment(ctx.db, requester, ticket.id, { body: 'psst', visibility: 'internal' }), ForbiddenError);
  });

  it('lets an integration token see internal comments of its own app’s tickets only', async () => {
    const tenant = newTenantId();
    const app = scopeFor(tenant, 'per_bot', T0, { appId: 'app_x' });
    const ticket = await createTicket(ctx.db, app, { title: 'From monitoring' });
    await addComment(ctx.db, app, ticket.id, { body: 'Disk at 99%', visibility: 'internal' });
    expect((await listComments(ctx.db, app, ticket.id)).items).toMatchObject([{ body: 'Disk at 99%', appId: 'app_x', authorId: 'per_bot' }]);
    await expectError(listComments(ctx.db, scopeFor(tenant, 'per_bot', T0, { appId: 'app_y' }), ticket.id), NotFoundError);
    await expectError(addComment(ctx.db, scopeFor(tenant, 'per_bot', T0, { appId: 'app_y' }), ticket.id, { body: 'x' }), NotFoundError);
  });

  it('pages oldest first with strict cursors', async () => {
    const { ticket, agent } = await desk();
    // Two comments share an instant: the id breaks the tie, and paging neither skips nor repeats.
    const times = [T1, T1, T2, '2026-04-01T09:15:00.000Z', '2026-04-01T09:20:00.000Z'];
    const written: string[] = [];
    for (const [i, at] of times.entries()) {
      written.push((await addComment(ctx.db, { ...agent, now: new Date(at) }, ticket.id, { body: `#${i}` })).comment.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listComments(ctx.db, agent, ticket.id, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((c) => c.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(written);
    expect(pages).toBe(3);

    const first = await listComments(ctx.db, agent, ticket.id, { limit: 2 });
    const forged = Buffer.from(JSON.stringify(['created_at', '1999-13-45', written[0]])).toString('base64url');
    const otherSort = Buffer.from(JSON.stringify(['-created_at', T1, written[0]])).toString('base64url');
    for (const cursor of [forged, otherSort, `${first.next_cursor}x`, 'not a cursor']) {
      await expectError(listComments(ctx.db, agent, ticket.id, { cursor }), InvalidCursorError);
    }
    const bad = await expectError(listComments(ctx.db, agent, ticket.id, { limit: 0 }), ValidationError);
    expect(bad.issues[0]!.path).toEqual(['limit']);
  });

  it('refuses bad bodies with field paths, and comments on a closed ticket', async () => {
    const { ticket, agent } = await desk();
    for (const [input, path] of [
      [{ body: '   ' }, 'body'],
      [{ body: 'x'.repeat(40_001) }, 'body'],
      [{ body: 'nul \u0000' }, 'body'],
      [{ body: 'lone \ud800' }, 'body'],
      [{ body: 'ok', visibility: 'secret' }, 'visibility'],
      [{ body: 'ok', colour: 'red' }, 'colour'],
      [{}, 'body'],
    ] as Array<[Record<string, unknown>, string]>) {
      const error = await expectError(addComment(ctx.db, agent, ticket.id, input), ValidationError);
      expect(error.issues.map((i) => i.path.join('.')), JSON.stringify(input).slice(0, 40)).toContain(path);
    }
    expect((await addComment(ctx.db, agent, ticket.id, { body: 'x'.repeat(40_000) })).comment.body).toHaveLength(40_000);

    await closeTicket(ctx.db, agent, ticket.id);
    const closed = await expectError(addComment(ctx.db, agent, ticket.id, { body: 'Too late' }), InvalidTransitionError);
    expect(closed.message).toContain('closed');
    expect((await listComments(ctx.db, agent, ticket.id)).items).toHaveLength(1);
    await expectError(addComment(ctx.db, agent, 'tkt_01J0000000000000000000000', { body: 'x' }), NotFoundError);
  });

  it('lets only the author edit or soft-delete, and keeps the row', async () => {
    const { ticket, agent, bystander } = await desk();
    const events: CommentEvent[] = [];
    const { comment } = await addComment(ctx.db, agent, ticket.id, { body: 'Frist' });
    await expectError(editComment(ctx.db, bystander, ticket.id, comment.id, { body: 'Mine now' }), ForbiddenError);
    // Through an integration token the same person reaches only that app's tickets: this one is missing.
    await expectError(editComment(ctx.db, { ...agent, appId: 'app_x' }, ticket.id, comment.id, { body: 'x' }), NotFoundError);

    const edited = await editComment(ctx.db, { ...agent, now: new Date(T2) }, ticket.id, comment.id, { body: 'First' }, { onComment: (e) => events.push(e) });
    expect(edited).toMatchObject({ body: 'First', createdAt: new Date(T1), editedAt: new Date(T2) });
    await expectError(editComment(ctx.db, agent, ticket.id, comment.id, { body: '' }), ValidationError);

    await expectError(deleteComment(ctx.db, bystander, ticket.id, comment.id), ForbiddenError);
    const deleted = await deleteComment(ctx.db, agent, ticket.id, comment.id, { onComment: (e) => events.push(e) });
    expect(deleted).toMatchObject({ isDeleted: true, deletedBy: agent.actorId, body: 'First' });
    expect(events.map((e) => e.kind)).toEqual(['edited', 'deleted']);
    expect((await listComments(ctx.db, agent, ticket.id)).items).toEqual([]);
    await expectError(deleteComment(ctx.db, agent, ticket.id, comment.id), NotFoundError);
    await expectError(editComment(ctx.db, agent, ticket.id, comment.id, { body: 'Back' }), NotFoundError);
  });

  it('keeps internal comments hidden from those who cannot see them, even by id', async () => {
    const { ticket, agent, requester } = await desk();
    const { comment } = await addComment(ctx.db, agent, ticket.id, { body: 'note', visibility: 'internal' });
    await expectError(deleteComment(ctx.db, requester, ticket.id, comment.id), NotFoundError);
  });

  it('never crosses tenants', async () => {
    const { ticket, agent } = await desk();
    const { comment } = await addComment(ctx.db, agent, ticket.id, { body: 'ours' });
    const stranger = scopeFor(newTenantId(), agent.actorId, T1);
    for (const ref of [ticket.id, ticket.number]) {
      await expectError(listComments(ctx.db, stranger, ref), NotFoundError);
      await expectError(addComment(ctx.db, stranger, ref, { body: 'theirs' }), NotFoundError);
      await expectError(editComment(ctx.db, stranger, ref, comment.id, { body: 'theirs' }), NotFoundError);
      await expectError(deleteComment(ctx.db, stranger, ref, comment.id), NotFoundError);
    }
    expect((await listComments(ctx.db, agent, ticket.id)).items).toMatchObject([{ body: 'ours', isDeleted: false }]);
  });
});
