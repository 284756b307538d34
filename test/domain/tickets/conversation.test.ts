import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { ticketComments } from '../../../src/db/schema/index.js';
import { agentMessage, changeThreadMessage, privateNoteBody, publicReplyBody, receiveThreadMessage } from '../../../src/domain/tickets/conversation.js';
import { createTeam, updateTeam } from '../../../src/domain/teams.js';
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

it('tells an agent\'s message by its marker first, then by the team\'s default', () => {
  expect(publicReplyBody('reply: try rebooting')).toBe('try rebooting');
  expect(publicReplyBody('  Reply:done')).toBe('done');
  expect(publicReplyBody('my reply: later')).toBeUndefined();
  expect(agentMessage('note: VIP', 'public')).toEqual({ body: 'VIP', visibility: 'internal' });
  expect(agentMessage(':lock: VIP', 'internal')).toEqual({ body: 'VIP', visibility: 'internal' });
  expect(agentMessage('reply: fixed', 'internal')).toEqual({ body: 'fixed', visibility: 'public' });
  // `reply:` means the same in a team whose replies are public anyway: the marker is dropped.
  expect(agentMessage('reply: fixed', 'public')).toEqual({ body: 'fixed', visibility: 'public' });
  expect(agentMessage('checking logs', 'internal')).toEqual({ body: 'checking logs', visibility: 'internal' });
  expect(agentMessage('checking logs', 'public')).toEqual({ body: 'checking logs', visibility: 'public' });
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

  it('follows the team\'s default for an agent\'s plain message: internal keeps it with the agents, `reply:` reaches the requester', async () => {
    const tenant = newTenantId();
    const admin = scopeFor(tenant, null, T0);
    const team = await createTeam(ctx.db, admin, { name: 'Security', agent_reply_default: 'internal' });
    const ticket = await createTicket(ctx.db, scopeFor(tenant, 'per_requester', T0), { title: 'Phishing?', team_id: team.id });
    await linkThread(ctx.db, admin, ticket.id, { side: 'agents', channel_id: 'C0SEC', thread_ts: '1712345679.000200' });
    await linkThread(ctx.db, admin, ticket.id, { side: 'requester', channel_id: 'D0DM', thread_ts: '1712345678.000100' });
    const agent = scopeFor(tenant, 'per_agent', T0);
    const at = (n: number, text: string, channelId = 'C0SEC', threadTs = '1712345679.000200') => ({ channelId, threadTs, messageTs: `1712345700.00010${n}`, text });

    const plain = await receiveThreadMessage(ctx.db, agent, at(1, 'looks like a real phish'));
    expect(plain.kind === 'comment' && [plain.comment.visibility, plain.comment.body, plain.mirrorTo]).toEqual(['internal', 'looks like a real phish', []]);
    expect(plain.kind === 'comment' && plain.ticket.firstResponseAt).toBeNull();

    const reply = await receiveThreadMessage(ctx.db, agent, at(2, 'reply: Do not click it, we are on it'));
    expect(reply.kind === 'comment' && [reply.comment.visibility, reply.comment.body, reply.mirrorTo.map((t) => t.channelId)]).toEqual(['public', 'Do not click it, we are on it', ['D0DM']]);
    expect(reply.kind === 'comment' && reply.ticket.firstResponseAt).toEqual(new Date(T0));

    // The requester's side knows no default: what they write is public, a `reply:` in it stays as written.
    const requester = await receiveThreadMessage(ctx.db, scopeFor(tenant, 'per_requester', T0), at(3, 'reply: thanks', 'D0DM', '1712345678.000100'));
    expect(requester.kind === 'comment' && [requester.comment.visibility, requester.comment.body]).toEqual(['public', 'reply: thanks']);

    // An edit of the `reply:` keeps its marker out of the comment.
    const edited = await changeThreadMessage(ctx.db, agent, { channelId: 'C0SEC', messageTs: '1712345700.000102' }, { kind: 'edited', text: 'reply: Do not click it; deleted it for you' });
    expect(edited.kind === 'changed' && edited.comment.body).toBe('Do not click it; deleted it for you');

    // The team flips back: a plain message reaches the requester again.
    await updateTeam(ctx.db, admin, team.id, { agent_reply_default: 'public' });
    const after = await receiveThreadMessage(ctx.db, agent, at(4, 'all clear'));
    expect(after.kind === 'comment' && after.comment.visibility).toBe('public');
  });
});
