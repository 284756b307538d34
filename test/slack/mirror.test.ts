import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commentMessages, ticketComments } from '../../src/db/schema/index.js';
import { addComment } from '../../src/domain/tickets/comments.js';
import { claimCommentDeliveries, listCommentDeliveries } from '../../src/domain/tickets/deliveries.js';
import { linkThread, listThreads } from '../../src/domain/tickets/threads.js';
import { createTicket } from '../../src/domain/tickets/tickets.js';
import { API_PREFIX } from '../../src/http/app.js';
import { FILES_NOTE } from '../../src/slack/blocks/messages.js';
import { describeEachDatabase } from '../support/databases.js';
import { FAKE_SLACK_SCOPES, fakeAvatar, type FakeSlackCall } from '../support/fake-slack.js';
import { tokenFor } from '../support/http-server.js';
import { scopeFor } from '../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { AGENT, CHANNEL, REQUESTER, slackWorkspaces } from '../support/slack-workspace.js';

/** The requester's DM with the app, as the fake names it. */
const DM = `D${REQUESTER}`;

let seq = 0;
const nextTs = () => `1810000000.${String(++seq).padStart(6, '0')}`;

/**
 * The comment mirror end to end: the REST API and signed Slack events write comments, the
 * outbox queues their copies, the deliverer posts them into the fake Slack, paced, retried and
 * reported, and a restarted app (or another replica) finishes what a crashed one left.
 */
describeEachDatabase('Comment copies in Slack threads: the outbox and its deliverer', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    // No background poll: every delivery here is woken by a write, a retry timer, or a (re)start.
    h = await startSlackHarness({ db: ctx.db, mirror: { pollMs: 60_000, retry: { baseMs: 200, maxMs: 1_000 } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  async function conversation() {
    const ws = await workspace();
    const { ticket } = await fileTicket(ws.teamId);
    const threads = await listThreads(ctx.db, ws.teamId, ticket.id);
    const token = await tokenFor({ sub: ws.agent.id, tenant_id: ws.teamId });
    return { ...ws, ticket, token, agents: threads.find((t) => t.side === 'agents')!, requester: threads.find((t) => t.side === 'requester')! };
  }

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${h.baseUrl}${API_PREFIX}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.ok).toBe(true);
    return (res.status === 204 ? {} : await res.json()) as { id: string; body: string };
  }

  /** Resolves once `check` holds (polled), failing after `timeoutMs`. */
  async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  /** The fake answers after recording, so a call's outcome is known once the next one arrived or the jobs settled. */
  const settled = async (teamId: string, commentId: string) =>
    waitUntil(async () => (await listCommentDeliveries(ctx.db, teamId, commentId)).every((j) => j.status !== 'pending'));

  /** The app's posts into the requester's DM thread since `mark`. */
  const dmPosts = (mark: number, threadTs: string) =>
    h.fake.calls.slice(mark).filter((c: FakeSlackCall) => c.method === 'chat.postMessage' && c.args.channel === DM && c.args.thread_ts === threadTs);
  const copiesOf = (teamId: string, commentId: string) =>
    ctx.db.select().from(commentMessages).where(and(eq(commentMessages.tenantId, teamId), eq(commentMessages.commentId, commentId)));
  /** Drops the warnings a test provoked on purpose, after checking them. */
  const expectProblems = (from: number, ...patterns: string[]) => {
    expect(h.problems.slice(from)).toEqual(patterns.map((p) => expect.stringContaining(p)));
    h.problems.splice(from);
  };

  it('paces copies into one channel: at least a second apart, in the order the comments were written', async () => {
    const { teamId, ticket, token, requester } = await conversation();
    // The product's pacing, not the harness's shortened one; this app writes (and so wakes its own mirror).
    const real = await startSlackHarness({ db: ctx.db, reuseFake: h.fake, mirror: { pollMs: 60_000, channelIntervalMs: 1_000 } });
    try {
      const mark = h.fake.calls.length;
      for (const body of ['one', 'two', 'three']) {
        const res = await fetch(`${real.baseUrl}${API_PREFIX}/tickets/${ticket.id}/comments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ body }),
        });
        expect(res.status).toBe(201);
      }
      await real.slack.idle();
      const posts = dmPosts(mark, requester.threadTs);
      expect(posts.map((c) => c.args.text)).toEqual([`<@${AGENT}>: one`, `<@${AGENT}>: two`, `<@${AGENT}>: three`]);
      const gaps = posts.slice(1).map((c, i) => c.at.getTime() - posts[i]!.at.getTime());
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
      expect((await listCommentDeliveries(ctx.db, teamId)).map((j) => j.status)).toEqual(Array(6).fill('delivered'));
      expect(real.problems).toEqual([]);
    } finally {
      await real.close();
    }
  });

  it('waits out a 429\'s Retry-After for that channel, then delivers the copy once', async () => {
    const { teamId, ticket, token, requester } = await conversation();
    const problems = h.problems.length;
    const mark = h.fake.calls.length;
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1, (args) => args.channel === DM);
    const { id } = await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Try now' });
    await settled(teamId, id);
    await h.slack.idle();
    const attempts = dmPosts(mark, requester.threadTs);
    expect(attempts.map((c) => c.error ?? 'ok')).toEqual(['ratelimited', 'ok']);
    expect(attempts[1]!.at.getTime() - attempts[0]!.at.getTime()).toBeGreaterThanOrEqual(1000);
    expect((await copiesOf(teamId, id)).map((c) => c.channelId).sort()).toEqual([CHANNEL, DM].sort());
    const jobs = await listCommentDeliveries(ctx.db, teamId, id);
    expect(jobs.map((j) => j.status)).toEqual(['delivered', 'delivered']);
    expectProblems(problems, 'not delivered yet; it is retried');
  });

  it('retries a transient failure (HTTP 500) with backoff; nothing is lost', async () => {
    const { teamId, ticket, token, requester } = await conversation();
    const problems = h.problems.length;
    const mark = h.fake.calls.length;
    h.fake.failNext('chat.postMessage', { status: 500 }, 2, (args) => args.channel === DM);
    const { id } = await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Third time lucky' });
    await settled(teamId, id);
    await h.slack.idle();
    expect(dmPosts(mark, requester.threadTs).map((c) => c.error ?? c.args.text)).toEqual(['http_500', 'http_500', `<@${AGENT}>: Third time lucky`]);
    expect((await listCommentDeliveries(ctx.db, teamId, id)).every((j) => j.status === 'delivered')).toBe(true);
    expectProblems(problems, 'not delivered yet', 'not delivered yet');
  });

  it('coalesces edits of a copy not posted yet: one post of the latest text, no update', async () => {
    const { teamId, ticket, token, requester } = await conversation();
    const problems = h.problems.length;
    const mark = h.fake.calls.length;
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1, (args) => args.channel === DM);
    const { id } = await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'draft' });
    await waitUntil(() => dmPosts(mark, requester.threadTs).length === 1);
    // The DM's copy waits for Retry-After; two edits come in meanwhile.
    await api(token, 'PATCH', `/tickets/${ticket.id}/comments/${id}`, { body: 'second draft' });
    await api(token, 'PATCH', `/tickets/${ticket.id}/comments/${id}`, { body: 'final' });
    const jobs = await listCommentDeliveries(ctx.db, teamId, id);
    expect(jobs.find((j) => j.channelId === DM)).toMatchObject({ status: 'pending', generation: 3 });
    await settled(teamId, id);
    await h.slack.idle();
    expect(dmPosts(mark, requester.threadTs).map((c) => c.error ?? c.args.text)).toEqual(['ratelimited', `<@${AGENT}>: final`]);
    const dmCopy = (await copiesOf(teamId, id)).find((c) => c.channelId === DM)!;
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'chat.update' && c.args.ts === dmCopy.messageTs)).toEqual([]);
    expect((await listCommentDeliveries(ctx.db, teamId, id)).map((j) => j.status)).toEqual(['delivered', 'delivered']);
    expectProblems(problems, 'not delivered yet');
  });

  it('never posts a copy whose comment was deleted before its turn came', async () => {
    const { teamId, ticket, token, requester } = await conversation();
    const problems = h.problems.length;
    const mark = h.fake.calls.length;
    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1, (args) => args.channel === DM);
    const { id } = await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'oops, wrong ticket' });
    await waitUntil(() => dmPosts(mark, requester.threadTs).length === 1);
    await api(token, 'DELETE', `/tickets/${ticket.id}/comments/${id}`);
    // The retry timer fires after Retry-After and finds nothing to post.
    await settled(teamId, id);
    await h.slack.idle();
    expect(dmPosts(mark, requester.threadTs).map((c) => c.error ?? 'posted')).toEqual(['ratelimited']);
    const jobs = await listCommentDeliveries(ctx.db, teamId, id);
    expect(jobs.find((j) => j.channelId === DM)?.status).toBe('delivered');
    expect((await copiesOf(teamId, id)).map((c) => c.channelId)).toEqual([CHANNEL]);
    expectProblems(problems, 'not delivered yet');
  });

  it('reports a Slack reply\'s copy that Slack refuses for good once in the card\'s thread; the author\'s edit tries again', async () => {
    const { teamId, agents, requester } = await conversation();
    const problems = h.problems.length;
    const mark = h.fake.calls.length;
    h.fake.failNext('chat.postMessage', { error: 'msg_too_long' }, 1, (args) => args.channel === DM);
    const ts = nextTs();
    const message = { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text: 'Long story', ts, thread_ts: agents.threadTs };
    expect((await h.sender.event({ teamId, event: message })).status).toBe(200);
    await h.slack.idle();
    const notices = h.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL && c.args.thread_ts === agents.threadTs);
    expect(notices.map((c) => c.args.text)).toEqual([expect.stringContaining("could not be copied into the requester's thread: Slack answered `msg_too_long`")]);
    const [comment] = await ctx.db.select().from(ticketComments).where(eq(ticketComments.tenantId, teamId));
    expect((await listCommentDeliveries(ctx.db, teamId, comment!.id)).map((j) => [j.status, j.lastError])).toEqual([['failed', 'msg_too_long']]);
    expectProblems(problems, 'could not be delivered');
    // The author shortens it: the job runs again and the copy goes out.
    const edit = { type: 'message', subtype: 'message_changed', hidden: true, channel: CHANNEL, message: { ...message, text: 'Short story', edited: { user: AGENT, ts: nextTs() } }, previous_message: message };
    expect((await h.sender.event({ teamId, event: edit })).status).toBe(200);
    await h.slack.idle();
    expect(dmPosts(mark, requester.threadTs).map((c) => c.error ?? c.args.text)).toEqual(['msg_too_long', `<@${AGENT}>: Short story`]);
    expect((await listCommentDeliveries(ctx.db, teamId, comment!.id)).map((j) => j.status)).toEqual(['delivered']);
  });

  it('delivers, after a restart, the copies a stopped process had only written to the outbox', async () => {
    const { teamId, ticket, agent, requester } = await conversation();
    const mark = h.fake.calls.length;
    // A write whose process died before its deliverer ran: the comment and its jobs, no wake.
    const { comment } = await addComment(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, { body: 'Written just before the crash' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(dmPosts(mark, requester.threadTs)).toEqual([]);
    expect((await listCommentDeliveries(ctx.db, teamId, comment.id)).map((j) => j.status)).toEqual(['pending', 'pending']);
    const restarted = await startSlackHarness({ db: ctx.db, reuseFake: h.fake, mirror: { pollMs: 60_000 } });
    try {
      await restarted.slack.idle();
      await settled(teamId, comment.id);
      expect(dmPosts(mark, requester.threadTs).map((c) => c.args.text)).toEqual([`<@${AGENT}>: Written just before the crash`]);
      expect((await listCommentDeliveries(ctx.db, teamId, comment.id)).map((j) => j.status)).toEqual(['delivered', 'delivered']);
      expect(restarted.problems).toEqual([]);
    } finally {
      await restarted.close();
    }
  });

  it('takes over the jobs a crashed replica had claimed once its lease runs out', async () => {
    const { teamId, ticket, agent, requester } = await conversation();
    const mark = h.fake.calls.length;
    const { comment } = await addComment(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, { body: 'Claimed by a replica that died' });
    const claimedAt = Date.now();
    const claimed = await claimCommentDeliveries(ctx.db, teamId, 'replica-that-died', new Date(), 1_000, 10);
    expect(claimed).toHaveLength(2);
    const other = await startSlackHarness({ db: ctx.db, reuseFake: h.fake, mirror: { pollMs: 200 } });
    try {
      const copy = await h.fake.waitFor('chat.postMessage', (c) => h.fake.calls.indexOf(c) >= mark && c.args.channel === DM && c.args.thread_ts === requester.threadTs, 15_000);
      expect(copy.at.getTime() - claimedAt).toBeGreaterThanOrEqual(1_000);
      await other.slack.idle();
      await settled(teamId, comment.id);
      expect(dmPosts(mark, requester.threadTs)).toHaveLength(1);
      expect((await listCommentDeliveries(ctx.db, teamId, comment.id)).map((j) => [j.status, j.claimedBy])).toEqual([
        ['delivered', expect.not.stringMatching(/died/)],
        ['delivered', expect.not.stringMatching(/died/)],
      ]);
    } finally {
      await other.close();
    }
  });

  it('copies into a thread linked later the comments written before it existed', async () => {
    const ws = await workspace();
    const at = new Date();
    // A ticket whose requester's thread is linked only after a comment was written (the DM is posted asynchronously).
    const ticket = await createTicket(ctx.db, scopeFor(ws.teamId, ws.agent.id, at), { title: 'Linked late' });
    const { comment } = await addComment(ctx.db, scopeFor(ws.teamId, ws.agent.id, at), ticket.id, { body: 'Before the DM' });
    const internal = await addComment(ctx.db, scopeFor(ws.teamId, ws.agent.id, at), ticket.id, { body: 'Agents only', visibility: 'internal' });
    expect(await listCommentDeliveries(ctx.db, ws.teamId)).toEqual([]);
    const threadTs = nextTs();
    const mark = h.fake.calls.length;
    await linkThread(ctx.db, scopeFor(ws.teamId, null, at), ticket.id, { side: 'requester', channel_id: DM, thread_ts: threadTs });
    // Linking again (Slack retried, the notifier re-ran) queues nothing more.
    await linkThread(ctx.db, scopeFor(ws.teamId, null, at), ticket.id, { side: 'requester', channel_id: DM, thread_ts: threadTs });
    h.slack.mirror.wake();
    await h.slack.idle();
    expect(dmPosts(mark, threadTs).map((c) => c.args.text)).toEqual([`<@${AGENT}>: Before the DM`]);
    expect((await listCommentDeliveries(ctx.db, ws.teamId)).map((j) => [j.commentId, j.status, j.generation])).toEqual([[comment.id, 'delivered', 1]]);
    expect(internal.comment.visibility).toBe('internal');
  });

  it('posts copies under the author\'s name and avatar when the token may (chat:write.customize), else as "Name: …"', async () => {
    const { ticket, token, requester } = await conversation();
    h.fake.addUser({ id: AGENT, name: 'ada', real_name: 'Ada Lovelace', display_name: '', tz: 'Europe/London', tz_offset: 0 });
    try {
      h.fake.setScopes([...FAKE_SLACK_SCOPES, 'chat:write.customize']);
      let mark = h.fake.calls.length;
      const { id } = await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Reboot <the> router' });
      await h.slack.idle();
      expect(dmPosts(mark, requester.threadTs).map((c) => [c.args.username, c.args.icon_url, c.args.text])).toEqual([
        ['Ada Lovelace', fakeAvatar(AGENT, 72), 'Reboot &lt;the&gt; router'],
      ]);
      // An edit follows in the text; the name and avatar stay as posted.
      mark = h.fake.calls.length;
      await api(token, 'PATCH', `/tickets/${ticket.id}/comments/${id}`, { body: 'Reboot the router twice' });
      await h.slack.idle();
      const update = h.fake.calls.slice(mark).find((c) => c.method === 'chat.update' && c.args.channel === DM)!;
      expect([update.args.text, update.args.username]).toEqual(['Reboot the router twice', undefined]);

      // Without the scope: the name leads the text (a mention would ping the author in every copy).
      h.fake.setScopes(FAKE_SLACK_SCOPES);
      mark = h.fake.calls.length;
      await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Done' });
      await h.slack.idle();
      expect(dmPosts(mark, requester.threadTs).map((c) => [c.args.username, c.args.text])).toEqual([[undefined, 'Ada Lovelace: Done']]);

      // Without users:read (an older install): the author's mention still names them.
      h.fake.setScopes(FAKE_SLACK_SCOPES.filter((s) => s !== 'users:read'));
      mark = h.fake.calls.length;
      await api(token, 'POST', `/tickets/${ticket.id}/comments`, { body: 'Closing soon' });
      await h.slack.idle();
      expect(dmPosts(mark, requester.threadTs).map((c) => c.args.text)).toEqual([`<@${AGENT}>: Closing soon`]);
      // One look-up per copy (the card's thread and the DM), each refused.
      expect(h.fake.calls.slice(mark).filter((c) => c.method === 'users.info').map((c) => c.error)).toEqual(['missing_scope', 'missing_scope']);
    } finally {
      h.fake.setScopes(FAKE_SLACK_SCOPES);
      h.fake.users.delete(AGENT);
    }
  });

  it('mirrors files shared in a thread as their names and permalinks, saying not everyone may open them', async () => {
    const { teamId, ticket, agents, requester } = await conversation();
    const files = [
      { id: 'F0SHOT1', name: 'screenshot.png', title: 'screenshot.png', permalink: 'https://fake-workspace.slack.com/files/UAGENT001/F0SHOT1/screenshot.png' },
      { id: 'F0LOG2', name: 'vpn <!channel> [log].txt', title: 'vpn log', permalink: 'https://fake-workspace.slack.com/files/UAGENT001/F0LOG2/vpn.txt' },
    ];
    const mark = h.fake.calls.length;
    const send = async (text: string, shared: typeof files) => {
      const res = await h.sender.event({
        teamId,
        event: { type: 'message', subtype: 'file_share', channel: CHANNEL, channel_type: 'channel', user: AGENT, text, ts: nextTs(), thread_ts: agents.threadTs, files: shared, upload: false },
      });
      expect(res.status).toBe(200);
      await h.slack.idle();
    };
    await send('Here is what I see', files);
    await send('', files.slice(0, 1));
    // Malformed file entries are skipped; the text still arrives.
    await send('Odd files', [null, { name: 'no link' }, { name: 'x', permalink: 'javascript:alert(1)' }] as never);
    const posts = dmPosts(mark, requester.threadTs).map((c) => c.args.text);
    expect(posts).toEqual([
      [
        `<@${AGENT}>: Here is what I see`,
        ':paperclip: <https://fake-workspace.slack.com/files/UAGENT001/F0SHOT1/screenshot.png|screenshot.png>',
        ':paperclip: <https://fake-workspace.slack.com/files/UAGENT001/F0LOG2/vpn.txt|vpn &lt;!channel&gt; [log].txt>',
        FILES_NOTE,
      ].join('\n'),
      [`<@${AGENT}>: :paperclip: <https://fake-workspace.slack.com/files/UAGENT001/F0SHOT1/screenshot.png|screenshot.png>`, FILES_NOTE].join('\n'),
      `<@${AGENT}>: Odd files`,
    ]);
    const comments = await ctx.db.select().from(ticketComments).where(eq(ticketComments.tenantId, teamId)).orderBy(ticketComments.createdAt);
    expect(comments.map((c) => c.body)).toEqual([
      'Here is what I see\n\n- [screenshot.png](https://fake-workspace.slack.com/files/UAGENT001/F0SHOT1/screenshot.png)\n- [vpn <!channel> \\[log\\].txt](https://fake-workspace.slack.com/files/UAGENT001/F0LOG2/vpn.txt)',
      '- [screenshot.png](https://fake-workspace.slack.com/files/UAGENT001/F0SHOT1/screenshot.png)',
      'Odd files',
    ]);
    expect(comments[2]!.files).toEqual([]);
    expect(comments[1]!.files).toEqual([{ name: 'screenshot.png', permalink: files[0]!.permalink }]);
    // The API shows the same body, links included.
    const token = await tokenFor({ sub: 'per_reader', tenant_id: teamId });
    const res = await fetch(`${h.baseUrl}${API_PREFIX}/tickets/${ticket.id}/comments`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { items: Array<{ body: string }> }).items.map((c) => c.body)).toEqual(comments.map((c) => c.body));
  });
});
