import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commentMessages } from '../../src/db/schema/index.js';
import { API_PREFIX } from '../../src/http/app.js';
import { listCommentDeliveries } from '../../src/domain/tickets/deliveries.js';
import { listThreads } from '../../src/domain/tickets/threads.js';
import { describeEachDatabase } from '../support/databases.js';
import { tokenFor } from '../support/http-server.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { AGENT, CHANNEL, REQUESTER, slackWorkspaces } from '../support/slack-workspace.js';

/** The requester's DM with the app, as the fake names it. */
const DM = `D${REQUESTER}`;

describeEachDatabase('Comments written through the REST API, in Slack', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  async function conversation() {
    const ws = await workspace();
    const { ticket } = await fileTicket(ws.teamId);
    const threads = await listThreads(ctx.db, ws.teamId, ticket.id);
    return { ...ws, ticket, agents: threads.find((t) => t.side === 'agents')!, requester: threads.find((t) => t.side === 'requester')! };
  }

  async function comment(token: string, ticketId: string, body: unknown) {
    const res = await fetch(`${h.baseUrl}${API_PREFIX}/tickets/${ticketId}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string };
    await h.slack.idle();
    return created;
  }

  /** The app's posts in the ticket's threads since `mark`. */
  const threadPosts = (mark: number, threads: { channelId: string; threadTs: string }[]) =>
    h.fake.calls
      .slice(mark)
      .filter((c) => c.method === 'chat.postMessage' && threads.some((t) => c.args.channel === t.channelId && c.args.thread_ts === t.threadTs))
      .map((c) => ({ channel: c.args.channel, thread_ts: c.args.thread_ts, text: c.args.text }));

  it('posts a public comment into both threads under its author\'s mention, escaped, and records each copy', async () => {
    const { teamId, ticket, agent, agents, requester } = await conversation();
    const token = await tokenFor({ sub: agent.id, tenant_id: teamId });
    const mark = h.fake.calls.length;
    const { id } = await comment(token, ticket.id, { body: 'Rebooted the <!channel> router & **fixed** it' });
    const text = `<@${AGENT}>: Rebooted the &lt;!channel&gt; router &amp; **fixed** it`;
    expect(threadPosts(mark, [agents, requester]).sort((a, b) => String(a.channel).localeCompare(String(b.channel)))).toEqual([
      { channel: CHANNEL, thread_ts: agents.threadTs, text },
      { channel: DM, thread_ts: requester.threadTs, text },
    ]);
    const copies = await ctx.db.select().from(commentMessages).where(and(eq(commentMessages.tenantId, teamId), eq(commentMessages.commentId, id)));
    expect(copies.map((c) => c.channelId).sort()).toEqual([CHANNEL, DM].sort());
    // The card counts it (an agent's comment: the requester has not written).
    const update = h.fake.calls.slice(mark).filter((c) => c.method === 'chat.update' && c.args.ts === ticket.slackMessageTs).at(-1);
    expect(JSON.stringify(update?.args.blocks)).toMatch(/:speech_balloon: 1 comment"/);
    expect(h.problems).toEqual([]);
  });

  it('follows an API edit and delete on every copy it posted (chat.update, then chat.delete)', async () => {
    const { teamId, ticket, agent } = await conversation();
    const token = await tokenFor({ sub: agent.id, tenant_id: teamId });
    const { id } = await comment(token, ticket.id, { body: 'Reboot the router' });
    const copies = await ctx.db.select().from(commentMessages).where(and(eq(commentMessages.tenantId, teamId), eq(commentMessages.commentId, id)));
    const where = copies.map((c) => [c.channelId, c.messageTs]).sort();
    expect(where).toHaveLength(2);
    const send = async (method: string, body?: unknown) => {
      const res = await fetch(`${h.baseUrl}${API_PREFIX}/tickets/${ticket.id}/comments/${id}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(res.ok).toBe(true);
      await h.slack.idle();
    };
    let mark = h.fake.calls.length;
    await send('PATCH', { body: 'Reboot the router <!here>' });
    const updates = h.fake.calls.slice(mark).filter((c) => c.method === 'chat.update' && c.args.ts !== ticket.slackMessageTs);
    expect(updates.map((c) => [c.args.channel, c.args.ts]).sort()).toEqual(where);
    expect(updates.map((c) => c.args.text)).toEqual([`<@${AGENT}>: Reboot the router &lt;!here&gt;`, `<@${AGENT}>: Reboot the router &lt;!here&gt;`]);
    mark = h.fake.calls.length;
    await send('DELETE');
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'chat.delete').map((c) => [c.args.channel, c.args.ts]).sort()).toEqual(where);
    expect(h.problems).toEqual([]);
  });

  it('posts an internal comment only into the agents\' thread, marked as internal', async () => {
    const { teamId, ticket, agent, agents, requester } = await conversation();
    const token = await tokenFor({ sub: agent.id, tenant_id: teamId });
    const mark = h.fake.calls.length;
    await comment(token, ticket.id, { body: 'Looks like the toner', visibility: 'internal' });
    expect(threadPosts(mark, [agents, requester])).toEqual([
      { channel: CHANNEL, thread_ts: agents.threadTs, text: `:lock: _Internal note_ · <@${AGENT}>: Looks like the toner` },
    ]);
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === DM)).toEqual([]);
  });

  it('names an author who is not a Slack person as "Someone via the API"', async () => {
    const { teamId, ticket, agents, requester } = await conversation();
    const token = await tokenFor({ sub: 'per_integration', tenant_id: teamId });
    const mark = h.fake.calls.length;
    await comment(token, ticket.id, { body: 'Status page updated' });
    expect(threadPosts(mark, [agents]).map((p) => p.text)).toEqual(['Someone via the API: Status page updated']);
    expect(threadPosts(mark, [requester]).map((p) => p.text)).toEqual(['Someone via the API: Status page updated']);
  });

  it('answers the API call when Slack refuses a copy for good: the job fails, the error is logged, the agents are told once', async () => {
    const { teamId, ticket, agent, agents, requester } = await conversation();
    const token = await tokenFor({ sub: agent.id, tenant_id: teamId });
    const problems = h.problems.length;
    const mark = h.fake.calls.length;
    h.fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 1, (args) => args.channel === DM);
    const { id } = await comment(token, ticket.id, { body: 'Still on it' });
    expect(threadPosts(mark, [agents]).map((p) => p.text)).toEqual([
      `<@${AGENT}>: Still on it`,
      ":warning: A comment could not be copied into the requester's thread: Slack answered `channel_not_found`. It is kept on the ticket; people in that thread have not seen it.",
    ]);
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === DM).map((c) => c.error)).toEqual(['channel_not_found']);
    const jobs = await listCommentDeliveries(ctx.db, teamId, id);
    expect(jobs.map((j) => [j.channelId, j.status, j.lastError])).toEqual(
      expect.arrayContaining([
        [agents.channelId, 'delivered', null],
        [requester.channelId, 'failed', 'channel_not_found'],
      ]),
    );
    expect(h.problems.slice(problems)).toEqual([expect.stringContaining('a comment copy could not be delivered')]);
    expect(h.problems.slice(problems)[0]).toContain(requester.channelId);
    h.problems.splice(problems);
  });
});
