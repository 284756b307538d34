import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ticketComments } from '../../../src/db/schema/index.js';
import { privateNoteBody, receiveThreadMessage } from '../../../src/domain/tickets/conversation.js';
import { findCommentByMessage, linkThread } from '../../../src/domain/tickets/threads.js';
import { createTicket } from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-04-01T09:00:00.000Z';

it('tells a private note by its marker, and keeps its text without it', () => {
  expect(privateNoteBody('note: check the logs')).toBe('check the logs');
  expect(privateNoteBody('  Note:  VIP user')).toBe('VIP user');
  expect(privateNoteBody(':lock: secret')).toBe('secret');
  expect(privateNoteBody('🔒 secret')).toBe('secret');
  expect(privateNoteBody('note:')).toBe('note:');
  expect(privateNoteBody('a note: not at the start')).toBeUndefined();
  expect(privateNoteBody('notes are great')).toBeUndefined();
});

describeEachDatabase('a ticket conversation in Slack threads', (ctx) => {
  async function linked() {
    const tenant = newTenantId();
    const requester = scopeFor(tenant, 'per_requester', T0);
    const ticket = await createTicket(ctx.db, requester, { title: 'VPN' });
    await linkThread(ctx.db, requester, ticket.id, { side: 'agents', channel_id: 'C0DESK', thread_ts: '1712345679.000200' });
    await linkThread(ctx.db, requester, ticket.id, { side: 'requester', channel_id: 'D0DM', thread_ts: '1712345678.000100' });
    return { tenant, ticket, agent: scopeFor(tenant, 'per_agent', T0) };
  }

  it('stores one comment when two deliveries of a message race (the message is unique, not the listener\'s order)', async () => {
    const { tenant, agent } = await linked();
    const message = { channelId: 'C0DESK', threadTs: '1712345679.000200', messageTs: '1712345700.000300', text: 'On it' };
    const outcomes = await Promise.all([receiveThreadMessage(ctx.db, agent, message), receiveThreadMessage(ctx.db, agent, message)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['comment', 'duplicate']);
    const comments = await ctx.db.select().from(ticketComments).where(eq(ticketComments.tenantId, tenant));
    expect(comments).toHaveLength(1);
    expect((await findCommentByMessage(ctx.db, tenant, 'C0DESK', '1712345700.000300'))?.comment.id).toBe(comments[0]!.id);
  });

  it('mirrors a public reply to every other side, and a private note to none', async () => {
    const { agent } = await linked();
    const reply = await receiveThreadMessage(ctx.db, agent, { channelId: 'C0DESK', threadTs: '1712345679.000200', messageTs: '1712345700.000400', text: 'Try again' });
    expect(reply.kind === 'comment' && reply.mirrorTo.map((t) => [t.side, t.channelId])).toEqual([['requester', 'D0DM']]);
    const note = await receiveThreadMessage(ctx.db, agent, { channelId: 'C0DESK', threadTs: '1712345679.000200', messageTs: '1712345700.000500', text: 'note: hmm' });
    expect(note.kind === 'comment' && [note.comment.visibility, note.mirrorTo]).toEqual(['internal', []]);
  });

  it('ignores a thread of no ticket', async () => {
    const { agent } = await linked();
    expect(await receiveThreadMessage(ctx.db, agent, { channelId: 'C0DESK', threadTs: '1712000000.000100', messageTs: '1712345700.000600', text: 'hi' })).toEqual({ kind: 'ignored' });
  });
});
