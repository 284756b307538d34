import { expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../src/domain/errors.js';
import { addComment } from '../../../src/domain/tickets/comments.js';
import { createTicket } from '../../../src/domain/tickets/tickets.js';
import {
  findCommentByMessage,
  findThread,
  linkThread,
  listThreads,
  recordCommentMessage,
} from '../../../src/domain/tickets/threads.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-04-01T09:00:00.000Z';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describeEachDatabase('ticket threads and comment copies', (ctx) => {
  it('links an agents’ thread and any number of requester threads; a thread belongs to one ticket', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_requester', T0);
    const ticket = await createTicket(ctx.db, scope, { title: 'VPN' });
    const other = await createTicket(ctx.db, scope, { title: 'Other' });

    await linkThread(ctx.db, scope, ticket.id, { side: 'requester', channel_id: 'D0DM', thread_ts: '1712345678.000100' });
    await linkThread(ctx.db, scope, ticket.id, { side: 'agents', channel_id: 'C0DESK', thread_ts: '1712345679.000200' });
    await linkThread(ctx.db, scope, ticket.id, { side: 'requester', channel_id: 'C0GENERAL', thread_ts: '1712345600.000001' });
    // Slack retries: linking the same thread again changes nothing.
    await linkThread(ctx.db, scope, ticket.id, { side: 'requester', channel_id: 'D0DM', thread_ts: '1712345678.000100' });

    const threads = await listThreads(ctx.db, tenant, ticket.id);
    expect(threads.map((t) => [t.side, t.channelId])).toEqual([['agents', 'C0DESK'], ['requester', 'C0GENERAL'], ['requester', 'D0DM']]);
    expect((await findThread(ctx.db, tenant, 'D0DM', '1712345678.000100'))?.ticketId).toBe(ticket.id);
    // Other tenants do not see it, even with the same channel and ts.
    expect(await findThread(ctx.db, newTenantId(), 'D0DM', '1712345678.000100')).toBeUndefined();

    const taken = await rejection(linkThread(ctx.db, scope, other.id, { side: 'requester', channel_id: 'D0DM', thread_ts: '1712345678.000100' }));
    expect(taken).toBeInstanceOf(ConflictError);
    expect((taken as ConflictError).conflictingId).toBe(ticket.id);
    const bad = await rejection(linkThread(ctx.db, scope, ticket.id, { side: 'requester', channel_id: 'nope', thread_ts: '17.x' }));
    expect((bad as ValidationError).issues.map((i) => i.path.join('.')).sort()).toEqual(['channel_id', 'thread_ts']);
    // Unstorable text is refused before the schema runs, with its field named.
    const nul = await rejection(linkThread(ctx.db, scope, ticket.id, { side: 'requester', channel_id: 'D0DM', thread_ts: '1.1\u0000' }));
    expect((nul as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['thread_ts']);
  });

  it('records every Slack copy of a comment and finds the comment from any of them', async () => {
    const tenant = newTenantId();
    const scope = scopeFor(tenant, 'per_requester', T0);
    const ticket = await createTicket(ctx.db, scope, { title: 'VPN' });
    const { comment } = await addComment(ctx.db, scope, ticket.id, { body: 'Still down' }, { source: 'slack' });
    expect(comment.source).toBe('slack');
    await recordCommentMessage(ctx.db, scope, comment.id, { channel_id: 'D0DM', thread_ts: '1712345678.000100', message_ts: '1712345690.000300' });
    await recordCommentMessage(ctx.db, scope, comment.id, { channel_id: 'C0DESK', thread_ts: '1712345679.000200', message_ts: '1712345691.000400' });
    await recordCommentMessage(ctx.db, scope, comment.id, { channel_id: 'C0DESK', thread_ts: '1712345679.000200', message_ts: '1712345691.000400' });

    const found = await findCommentByMessage(ctx.db, tenant, 'C0DESK', '1712345691.000400');
    expect(found?.comment.id).toBe(comment.id);
    expect(found?.copies.map((c) => [c.channelId, c.messageTs])).toEqual([
      ['C0DESK', '1712345691.000400'],
      ['D0DM', '1712345690.000300'],
    ]);
    expect(await findCommentByMessage(ctx.db, newTenantId(), 'C0DESK', '1712345691.000400')).toBeUndefined();
    expect(await findCommentByMessage(ctx.db, tenant, 'C0DESK', '1712345691.000401')).toBeUndefined();
  });
});
