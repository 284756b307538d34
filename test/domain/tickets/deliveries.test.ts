import { expect, it } from 'vitest';
import { addComment, deleteComment, editComment } from '../../../src/domain/tickets/comments.js';
import { receiveThreadMessage } from '../../../src/domain/tickets/conversation.js';
import {
  bodyWithFiles,
  bodyWithoutFiles,
  claimCommentDeliveries,
  listCommentDeliveries,
  markDeliveryDone,
  markDeliveryFailed,
  mirrorTargets,
  threadQueueHead,
} from '../../../src/domain/tickets/deliveries.js';
import { linkThread } from '../../../src/domain/tickets/threads.js';
import { createTicket } from '../../../src/domain/tickets/tickets.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';

const T0 = '2026-04-01T09:00:00.000Z';
const AGENTS = { side: 'agents', channelId: 'C0DESK', threadTs: '1712345679.000200' } as const;
const DM = { side: 'requester', channelId: 'D0DM', threadTs: '1712345678.000100' } as const;

it('sends a public comment everywhere but where it was written, an API note to the agents, a Slack note nowhere', () => {
  const threads = [AGENTS, DM];
  const at = (ts: { channelId: string }[]) => ts.map((t) => t.channelId);
  expect(at(mirrorTargets({ visibility: 'public', source: 'api' }, threads))).toEqual(['C0DESK', 'D0DM']);
  expect(at(mirrorTargets({ visibility: 'public', source: 'slack' }, threads, DM))).toEqual(['C0DESK']);
  expect(at(mirrorTargets({ visibility: 'internal', source: 'api' }, threads))).toEqual(['C0DESK']);
  expect(at(mirrorTargets({ visibility: 'internal', source: 'slack' }, threads, AGENTS))).toEqual([]);
});

it('lists files as Markdown links after the text, and takes them off again', () => {
  const files = [{ name: 'shot [1].png', permalink: 'https://x.slack.com/files/U/F1/shot (1).png' }];
  const body = bodyWithFiles('See this', files);
  expect(body).toBe('See this\n\n- [shot \\[1\\].png](https://x.slack.com/files/U/F1/shot%20%281%29.png)');
  expect(bodyWithoutFiles(body, files)).toBe('See this');
  expect(bodyWithFiles('', files)).toBe('- [shot \\[1\\].png](https://x.slack.com/files/U/F1/shot%20%281%29.png)');
  expect(bodyWithoutFiles(bodyWithFiles('', files), files)).toBe('');
  // Edited by hand through the API: the body no longer ends with the list, and is shown whole.
  expect(bodyWithoutFiles('rewritten', files)).toBe('rewritten');
  expect(bodyWithFiles('plain', [])).toBe('plain');
});

describeEachDatabase('the comment outbox', (ctx) => {
  async function linked() {
    const tenant = newTenantId();
    const requester = scopeFor(tenant, 'per_requester', T0);
    const ticket = await createTicket(ctx.db, requester, { title: 'VPN' });
    await linkThread(ctx.db, requester, ticket.id, { side: 'agents', channel_id: AGENTS.channelId, thread_ts: AGENTS.threadTs });
    await linkThread(ctx.db, requester, ticket.id, { side: 'requester', channel_id: DM.channelId, thread_ts: DM.threadTs });
    return { tenant, ticket, agent: scopeFor(tenant, 'per_agent', T0) };
  }

  it('queues a job per target thread with the comment, and coalesces its edits and deletion into the same jobs', async () => {
    const { tenant, ticket, agent } = await linked();
    const { comment } = await addComment(ctx.db, agent, ticket.id, { body: 'v1' });
    let jobs = await listCommentDeliveries(ctx.db, tenant, comment.id);
    expect(jobs.map((j) => [j.channelId, j.status, j.generation])).toEqual([
      ['C0DESK', 'pending', 1],
      ['D0DM', 'pending', 1],
    ]);
    await editComment(ctx.db, agent, ticket.id, comment.id, { body: 'v2' });
    await editComment(ctx.db, agent, ticket.id, comment.id, { body: 'v2' }); // unchanged: nothing queued
    await deleteComment(ctx.db, agent, ticket.id, comment.id);
    jobs = await listCommentDeliveries(ctx.db, tenant, comment.id);
    expect(jobs.map((j) => [j.channelId, j.status, j.generation])).toEqual([
      ['C0DESK', 'pending', 2 + 1],
      ['D0DM', 'pending', 3],
    ]);
  });

  it('queues nothing for a private note written in Slack, and only the other side for a Slack reply', async () => {
    const { tenant, agent } = await linked();
    const note = await receiveThreadMessage(ctx.db, agent, { channelId: 'C0DESK', threadTs: AGENTS.threadTs, messageTs: '1712345700.000100', text: 'note: hmm' });
    const reply = await receiveThreadMessage(ctx.db, agent, { channelId: 'C0DESK', threadTs: AGENTS.threadTs, messageTs: '1712345700.000200', text: 'Try again' });
    expect(note.kind === 'comment' && (await listCommentDeliveries(ctx.db, tenant, note.comment.id))).toEqual([]);
    expect(reply.kind === 'comment' && (await listCommentDeliveries(ctx.db, tenant, reply.comment.id)).map((j) => j.channelId)).toEqual(['D0DM']);
  });

  it('closes a job only for the generation it ran; a write meanwhile sends it back to the queue', async () => {
    const { tenant, ticket, agent } = await linked();
    const { comment } = await addComment(ctx.db, agent, ticket.id, { body: 'v1' });
    const at = new Date();
    const claimed = await claimCommentDeliveries(ctx.db, tenant, 'r1', at, 60_000, 10);
    expect(claimed).toHaveLength(2);
    // Claimed jobs are nobody else's until the lease runs out.
    expect(await claimCommentDeliveries(ctx.db, tenant, 'r2', at, 60_000, 10)).toEqual([]);
    expect(await claimCommentDeliveries(ctx.db, tenant, 'r2', new Date(at.getTime() + 60_000), 60_000, 10)).toHaveLength(2);
    const mine = await claimCommentDeliveries(ctx.db, tenant, 'r1', new Date(at.getTime() + 120_000), 60_000, 10);
    await editComment(ctx.db, agent, ticket.id, comment.id, { body: 'v2' });
    const [desk, dm] = mine;
    expect(await markDeliveryDone(ctx.db, desk!, 'r1', at)).toBe(false);
    expect(await markDeliveryFailed(ctx.db, dm!, 'r1', 'is_archived', at)).toBe(false);
    const jobs = await listCommentDeliveries(ctx.db, tenant, comment.id);
    expect(jobs.map((j) => [j.status, j.generation, j.claimedBy])).toEqual([
      ['pending', 2, null],
      ['pending', 2, null],
    ]);
    // Run again with the newer comment: now it closes.
    const again = await claimCommentDeliveries(ctx.db, tenant, 'r1', new Date(at.getTime() + 180_000), 60_000, 10);
    expect(await markDeliveryDone(ctx.db, again[0]!, 'r1', at)).toBe(true);
    expect(await markDeliveryFailed(ctx.db, again[1]!, 'r1', 'is_archived', at)).toBe(true);
    expect((await listCommentDeliveries(ctx.db, tenant, comment.id)).map((j) => [j.status, j.lastError])).toEqual([
      ['delivered', null],
      ['failed', 'is_archived'],
    ]);
  });

  it('keeps each thread\'s queue in the order the comments were written', async () => {
    const { tenant, ticket, agent } = await linked();
    const first = await addComment(ctx.db, agent, ticket.id, { body: 'first' });
    await addComment(ctx.db, { ...agent, now: new Date('2026-04-01T09:00:01.000Z') }, ticket.id, { body: 'second' });
    const head = await threadQueueHead(ctx.db, tenant, DM.channelId, DM.threadTs);
    const jobs = await listCommentDeliveries(ctx.db, tenant, first.comment.id);
    expect(head).toBe(jobs.find((j) => j.channelId === DM.channelId)!.id);
  });

  it('queues, for a thread linked later, the comments it should show and has no copy of', async () => {
    const tenant = newTenantId();
    const requester = scopeFor(tenant, 'per_requester', T0);
    const agent = scopeFor(tenant, 'per_agent', T0);
    const ticket = await createTicket(ctx.db, requester, { title: 'Late' });
    const pub = await addComment(ctx.db, agent, ticket.id, { body: 'public' });
    const note = await addComment(ctx.db, agent, ticket.id, { body: 'API note', visibility: 'internal' });
    const gone = await addComment(ctx.db, agent, ticket.id, { body: 'deleted' });
    await deleteComment(ctx.db, agent, ticket.id, gone.comment.id);
    expect(await listCommentDeliveries(ctx.db, tenant)).toEqual([]);
    await linkThread(ctx.db, requester, ticket.id, { side: 'requester', channel_id: DM.channelId, thread_ts: DM.threadTs });
    await linkThread(ctx.db, requester, ticket.id, { side: 'agents', channel_id: AGENTS.channelId, thread_ts: AGENTS.threadTs });
    const jobs = await listCommentDeliveries(ctx.db, tenant);
    expect(jobs.map((j) => [j.commentId, j.channelId]).sort()).toEqual(
      [
        [pub.comment.id, 'D0DM'],
        [pub.comment.id, 'C0DESK'],
        [note.comment.id, 'C0DESK'],
      ].sort(),
    );
  });
});
