import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { commentMessages, ticketComments } from '../../../../src/db/schema/index.js';
import { getTicket, listTickets } from '../../../../src/domain/tickets/queries.js';
import { listThreads } from '../../../../src/domain/tickets/threads.js';
import { changeTicketStatus } from '../../../../src/domain/tickets/tickets.js';
import { updateTeam } from '../../../../src/domain/teams.js';
import { CALLBACK } from '../../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../../support/databases.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlackCall } from '../../../support/fake-slack.js';
import { scopeFor } from '../../../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../../../support/slack-harness.js';
import { AGENT, CHANNEL, modalValues, REQUESTER, STRANGER, slackWorkspaces, textOf } from '../../../support/slack-workspace.js';

/** The requester's DM with the app, as Slack names it in events (the fake answers postMessage to U… with D…). */
const DM = `D${REQUESTER}`;

let seq = 0;
/** A person's message ts, unique in the file and apart from the fake's own (1700000000.…). */
const nextTs = () => `1800000000.${String(++seq).padStart(6, '0')}`;

describeEachDatabase('Replies in a ticket\'s Slack threads', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  /** A filed ticket and the two threads of its conversation. */
  async function conversation() {
    const ws = await workspace();
    const { ticket } = await fileTicket(ws.teamId);
    const threads = await listThreads(ctx.db, ws.teamId, ticket.id);
    const agents = threads.find((t) => t.side === 'agents')!;
    const requester = threads.find((t) => t.side === 'requester')!;
    return { ...ws, ticket, agents, requester };
  }

  /** A message event in a thread, as Slack delivers it; returns the message's ts. */
  async function reply(
    teamId: string,
    where: { channelId: string; threadTs: string },
    user: string,
    text: string,
    more: { eventId?: string; retryNum?: number; ts?: string; fields?: Record<string, unknown> } = {},
  ) {
    const ts = more.ts ?? nextTs();
    const res = await h.sender.event({
      teamId,
      eventId: more.eventId,
      retryNum: more.retryNum,
      event: {
        type: 'message',
        channel: where.channelId,
        channel_type: where.channelId.startsWith('D') ? 'im' : 'channel',
        user,
        text,
        ts,
        thread_ts: where.threadTs,
        ...more.fields,
      },
    });
    expect(res.status).toBe(200);
    await h.slack.idle();
    return ts;
  }

  const commentsOf = (teamId: string) => ctx.db.select().from(ticketComments).where(eq(ticketComments.tenantId, teamId));
  const copiesOf = (teamId: string, commentId: string) =>
    ctx.db.select().from(commentMessages).where(and(eq(commentMessages.tenantId, teamId), eq(commentMessages.commentId, commentId)));
  /** Calls after `mark` (an index into the fake's calls). */
  const callsSince = (mark: number, method: string) => h.fake.calls.slice(mark).filter((c: FakeSlackCall) => c.method === method);

  it('links the card\'s thread (agents) and the requester\'s "ticket created" DM (requester) when the ticket is filed', async () => {
    const { agents, requester, ticket } = await conversation();
    expect(agents).toMatchObject({ channelId: CHANNEL, threadTs: ticket.slackMessageTs });
    expect(requester.channelId).toBe(DM);
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === REQUESTER && String(c.args.text).includes(ticket.number));
    expect(dm).toBeDefined();
    expect(requester.threadTs).not.toBe(agents.threadTs);
  });

  it('mirrors an agent\'s reply into the requester\'s thread, stores it public, and stamps the first response', async () => {
    const { teamId, ticket, agents, requester, agent } = await conversation();
    const after = since();
    const ts = await reply(teamId, agents, AGENT, 'Have you tried *turning it off* and on? See <https://kb.example.com|the KB>');
    const copy = await after('chat.postMessage', (c) => c.args.channel === DM);
    expect(copy.args).toMatchObject({
      thread_ts: requester.threadTs,
      text: `<@${AGENT}>: Have you tried *turning it off* and on? See <https://kb.example.com|the KB>`,
    });
    const [comment, ...more] = await commentsOf(teamId);
    expect(more).toEqual([]);
    expect(comment).toMatchObject({ ticketId: ticket.id, authorId: agent.id, visibility: 'public', source: 'slack' });
    // The original and its copy: where an edit or delete of either would be found.
    const copies = await copiesOf(teamId, comment!.id);
    expect(copies.map((c) => c.channelId).sort()).toEqual([CHANNEL, DM].sort());
    expect(copies.find((c) => c.channelId === CHANNEL)?.messageTs).toBe(ts);
    const now = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    expect(now.firstResponseAt).not.toBeNull();
  });

  it('mirrors the requester\'s reply into the card\'s thread; it is no first response', async () => {
    const { teamId, ticket, agents, requester } = await conversation();
    const after = since();
    await reply(teamId, requester, REQUESTER, 'It drops at :00 every hour');
    const copy = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === agents.threadTs);
    expect(copy.args.text).toBe(`<@${REQUESTER}>: It drops at :00 every hour`);
    const [comment] = await commentsOf(teamId);
    expect(comment).toMatchObject({ visibility: 'public', body: 'It drops at :00 every hour' });
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).firstResponseAt).toBeNull();
  });

  it('re-renders the card after a reply: its comment count and when the requester last wrote', async () => {
    const { teamId, ticket, agents, requester } = await conversation();
    const after = since();
    await reply(teamId, requester, REQUESTER, 'Still dropping');
    const update = await after('chat.update', (c) => c.args.channel === CHANNEL && c.args.ts === ticket.slackMessageTs && JSON.stringify(c.args.blocks).includes(':speech_balloon:'));
    const [comment] = await commentsOf(teamId);
    const unix = Math.floor(comment!.createdAt.getTime() / 1000);
    expect(JSON.stringify(update.args.blocks)).toContain(`:speech_balloon: 1 comment · requester last wrote <!date^${unix}^`);
    // An agent's note counts; the requester's last message stays the requester's.
    const next = since();
    await reply(teamId, agents, AGENT, 'note: checking the logs');
    const second = await next('chat.update', (c) => c.args.ts === ticket.slackMessageTs && JSON.stringify(c.args.blocks).includes('2 comments'));
    expect(JSON.stringify(second.args.blocks)).toContain(`requester last wrote <!date^${unix}^`);
  });

  it('keeps a private note on the agents\' side: stored internal, marked with a lock, never mirrored', async () => {
    const { teamId, ticket, agents } = await conversation();
    const mark = h.fake.calls.length;
    const first = await reply(teamId, agents, AGENT, 'note: the VPN concentrator is flapping');
    const second = await reply(teamId, agents, AGENT, ':lock: user is a VIP');
    const reactions = callsSince(mark, 'reactions.add');
    expect(reactions.map(({ args: { channel, timestamp, name } }) => ({ channel, timestamp, name }))).toEqual([
      { channel: CHANNEL, timestamp: first, name: 'lock' },
      { channel: CHANNEL, timestamp: second, name: 'lock' },
    ]);
    expect(callsSince(mark, 'chat.postMessage')).toEqual([]);
    const comments = await commentsOf(teamId);
    expect(comments.map((c) => [c.visibility, c.body]).sort()).toEqual([
      ['internal', 'the VPN concentrator is flapping'],
      ['internal', 'user is a VIP'],
    ]);
    // A private note tells the requester nothing: it is no first response.
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).firstResponseAt).toBeNull();
  });

  it('keeps an agent\'s plain reply with the agents when the team says so; `reply:` reaches the requester, without the marker', async () => {
    const ws = await workspace();
    await updateTeam(ctx.db, ws.admin, ws.team.id, { agent_reply_default: 'internal' });
    const { ticket, card } = await fileTicket(ws.teamId);
    // The card says how its thread works for this team.
    expect(textOf(card)).toContain('Replies in this thread stay with the agents; start with `reply:` to reach the requester.');
    expect(textOf(card)).not.toContain('Replies in this thread reach the requester');
    const threads = await listThreads(ctx.db, ws.teamId, ticket.id);
    const agents = threads.find((t) => t.side === 'agents')!;
    const requester = threads.find((t) => t.side === 'requester')!;

    let mark = h.fake.calls.length;
    const plain = await reply(ws.teamId, agents, AGENT, 'Looks like the VPN concentrator again');
    expect(callsSince(mark, 'reactions.add').map((c) => [c.args.timestamp, c.args.name])).toEqual([[plain, 'lock']]);
    expect(callsSince(mark, 'chat.postMessage')).toEqual([]);
    expect((await getTicket(ctx.db, { tenantId: ws.teamId }, ticket.id)).firstResponseAt).toBeNull();

    mark = h.fake.calls.length;
    const after = since();
    await reply(ws.teamId, agents, AGENT, 'reply: We are on it, back within the hour');
    const copy = await after('chat.postMessage', (c) => c.args.channel === DM);
    expect(copy.args).toMatchObject({ thread_ts: requester.threadTs, text: `<@${AGENT}>: We are on it, back within the hour` });
    expect(callsSince(mark, 'reactions.add')).toEqual([]);
    const comments = await commentsOf(ws.teamId);
    expect(comments.map((c) => [c.visibility, c.body]).sort()).toEqual([
      ['internal', 'Looks like the VPN concentrator again'],
      ['public', 'We are on it, back within the hour'],
    ]);
    expect((await getTicket(ctx.db, { tenantId: ws.teamId }, ticket.id)).firstResponseAt).not.toBeNull();
    // The requester's own messages are public whatever the team's default.
    const next = since();
    await reply(ws.teamId, requester, REQUESTER, 'Thanks!');
    await next('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === agents.threadTs && c.args.text === `<@${REQUESTER}>: Thanks!`);

    // Someone who is no agent of the team, writing plainly there, is told how to reach the requester.
    mark = h.fake.calls.length;
    await reply(ws.teamId, agents, STRANGER, 'Is it the VPN?');
    const told = callsSince(mark, 'chat.postEphemeral');
    expect(told.map((c) => [c.args.user, c.args.text])).toEqual([
      [STRANGER, `Only the agents of ${ticket.number} can write internal comments; in this team, replies in a card's thread stay with the agents unless they start with \`reply:\``],
    ]);
    expect(callsSince(mark, 'chat.postMessage')).toEqual([]);
    expect(await commentsOf(ws.teamId)).toHaveLength(3);
  });

  it('refuses a private note from someone who is not one of the ticket\'s agents, telling only them', async () => {
    const { teamId, agents } = await conversation();
    const mark = h.fake.calls.length;
    await reply(teamId, agents, STRANGER, 'note: I can see this?');
    expect(await commentsOf(teamId)).toEqual([]);
    const told = callsSince(mark, 'chat.postEphemeral');
    expect(told).toHaveLength(1);
    expect(told[0]!.args).toMatchObject({ channel: CHANNEL, user: STRANGER, thread_ts: agents.threadTs });
    expect(callsSince(mark, 'chat.postMessage')).toEqual([]);
  });

  it('ignores the app\'s own messages, other bots\', broadcasts, joins, top-level messages and threads of no ticket', async () => {
    const { teamId, agents, requester } = await conversation();
    const mark = h.fake.calls.length;
    // The app's own copy, as Slack echoes it back.
    await reply(teamId, requester, FAKE_SLACK_DEFAULTS.botUserId, `<@${AGENT}>: hello`, { fields: { bot_id: FAKE_SLACK_DEFAULTS.botId, app_id: FAKE_SLACK_DEFAULTS.appId } });
    await reply(teamId, agents, 'U0OTHERBOT', 'Deploy finished', { fields: { subtype: 'bot_message', bot_id: 'B0OTHERBOT' } });
    await reply(teamId, agents, 'U0WORKFLOW', 'A workflow says hi', { fields: { bot_id: 'B0WORKFLOW' } });
    await reply(teamId, agents, AGENT, 'Also sent to the channel', { fields: { subtype: 'thread_broadcast' } });
    await reply(teamId, agents, AGENT, '<@UAGENT001> has joined the channel', { fields: { subtype: 'channel_join' } });
    // Top level (thread_ts = ts) and a thread no ticket owns.
    const ts = nextTs();
    await reply(teamId, { channelId: CHANNEL, threadTs: ts }, AGENT, 'a new conversation', { ts });
    await reply(teamId, { channelId: CHANNEL, threadTs: '1600000000.000100' }, AGENT, 'some other thread');
    expect(await commentsOf(teamId)).toEqual([]);
    expect(h.fake.calls.slice(mark).map((c) => c.method)).toEqual([]);
  });

  it('applies a redelivered event once (same event_id, X-Slack-Retry-Num), and a second message with the same ts once', async () => {
    const { teamId, agents } = await conversation();
    const mark = h.fake.calls.length;
    const eventId = `Ev${newTenantId()}`;
    const ts = await reply(teamId, agents, AGENT, 'On it', { eventId });
    await reply(teamId, agents, AGENT, 'On it', { eventId, ts, retryNum: 1 });
    await reply(teamId, agents, AGENT, 'On it', { eventId, ts, retryNum: 2 });
    expect(await commentsOf(teamId)).toHaveLength(1);
    expect(callsSince(mark, 'chat.postMessage').filter((c) => c.args.channel === DM)).toHaveLength(1);
  });

  it('applies two deliveries of one message racing each other once', async () => {
    const { teamId, agents } = await conversation();
    const mark = h.fake.calls.length;
    const ts = nextTs();
    const event = { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text: 'Racing', ts, thread_ts: agents.threadTs };
    const answers = await Promise.all([h.sender.event({ teamId, event }), h.sender.event({ teamId, event, retryNum: 1 })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await h.slack.idle();
    expect(await commentsOf(teamId)).toHaveLength(1);
    expect(callsSince(mark, 'chat.postMessage').filter((c) => c.args.channel === DM)).toHaveLength(1);
  });

  it('puts a pending ticket back in progress when the requester replies', async () => {
    const { teamId, ticket, requester, agent } = await conversation();
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'in_progress');
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'pending');
    await reply(teamId, requester, REQUESTER, 'Here is the log you asked for');
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('in_progress');
  });

  it('reopens a resolved ticket when the requester replies, and tells both threads', async () => {
    const { teamId, ticket, agents, requester, agent } = await conversation();
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'resolved');
    const after = since();
    await reply(teamId, requester, REQUESTER, 'Still broken, sorry');
    const now = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    expect(now.status).toBe('open');
    expect(now.slaCycle).toBe(ticket.slaCycle + 1);
    await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.text === `<@${REQUESTER}>: Still broken, sorry`);
    const agentsTold = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === agents.threadTs && /reopened/i.test(String(c.args.text)));
    expect(agentsTold.args.text).toContain(`<@${REQUESTER}>`);
    const requesterTold = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === requester.threadTs);
    expect(String(requesterTold.args.text)).toContain(`Your reply reopened *${ticket.number}*`);
  });

  it('tells the requester a closed ticket takes no replies, and passes nothing on', async () => {
    const { teamId, ticket, requester, agent } = await conversation();
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'closed');
    const mark = h.fake.calls.length;
    await reply(teamId, requester, REQUESTER, 'One more thing');
    const posted = callsSince(mark, 'chat.postMessage');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.args).toMatchObject({ channel: DM, thread_ts: requester.threadTs });
    expect(String(posted[0]!.args.text)).toMatch(/is closed.*raise a new ticket with \/ticket/);
    expect(await commentsOf(teamId)).toEqual([]);
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('closed');
  });

  it('tells an agent privately that a closed ticket takes no replies, storing and mirroring nothing', async () => {
    const { teamId, ticket, agents, agent } = await conversation();
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'closed');
    const mark = h.fake.calls.length;
    await reply(teamId, agents, AGENT, 'One more thing for the requester');
    await reply(teamId, agents, AGENT, 'note: and one for us');
    expect(callsSince(mark, 'chat.postMessage')).toEqual([]);
    const told = callsSince(mark, 'chat.postEphemeral');
    expect(told.map((c) => [c.args.channel, c.args.user, c.args.thread_ts])).toEqual([
      [CHANNEL, AGENT, agents.threadTs],
      [CHANNEL, AGENT, agents.threadTs],
    ]);
    expect(String(told[0]!.args.text)).toBe(`*${ticket.number}* · ${ticket.title} is closed, so this message was not recorded or passed on to the requester. A closed ticket is final.`);
    expect(await commentsOf(teamId)).toEqual([]);
    expect(h.problems).toEqual([]);
  });

  it('applies the messages of one thread in the order they arrived', async () => {
    const { teamId, agents, requester } = await conversation();
    const texts = ['first', 'second', 'third', 'fourth', 'fifth'];
    // Each delivery is acknowledged at once; the work after the ack is chained per thread.
    for (const text of texts) {
      const res = await h.sender.event({ teamId, event: { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text, ts: nextTs(), thread_ts: agents.threadTs } });
      expect(res.status).toBe(200);
    }
    await h.slack.idle();
    const copies = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === DM && c.args.thread_ts === requester.threadTs);
    expect(copies.map((c) => c.args.text)).toEqual(texts.map((t) => `<@${AGENT}>: ${t}`));
  });

  it('works the same when the team\'s channel is private (message.groups)', async () => {
    const ws = await workspace();
    const PRIVATE = 'G0PRIVDESK';
    await updateTeam(ctx.db, ws.admin, ws.team.id, { slack_channel_id: PRIVATE });
    const res = await h.sender.viewSubmission({ userId: REQUESTER, teamId: ws.teamId, view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues({ title: 'Private desk' }) } } });
    expect(res.status).toBe(200);
    await h.slack.idle();
    const [ticket] = (await listTickets(ctx.db, { tenantId: ws.teamId }, { sort: '-number', limit: 1 })).items;
    const threads = await listThreads(ctx.db, ws.teamId, ticket!.id);
    const agents = threads.find((t) => t.side === 'agents')!;
    const requester = threads.find((t) => t.side === 'requester')!;
    expect(agents.channelId).toBe(PRIVATE);
    const after = since();
    await h.sender.event({ teamId: ws.teamId, event: { type: 'message', channel: PRIVATE, channel_type: 'group', user: AGENT, text: 'Looking', ts: nextTs(), thread_ts: agents.threadTs } });
    await h.slack.idle();
    await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === requester.threadTs && c.args.text === `<@${AGENT}>: Looking`);
    const next = since();
    await reply(ws.teamId, requester, REQUESTER, 'Thanks');
    await next('chat.postMessage', (c) => c.args.channel === PRIVATE && c.args.thread_ts === agents.threadTs && c.args.text === `<@${REQUESTER}>: Thanks`);
  });

  it('never lets a mirrored message ping a whole channel or group', async () => {
    const { teamId, agents, requester } = await conversation();
    const after = since();
    await reply(teamId, requester, REQUESTER, 'Help <!channel> <!here|here> <!everyone> <!subteam^S0123ABCD|@it-team>, ask <@UAGENT002>');
    const copy = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === agents.threadTs);
    const text = String(copy.args.text);
    expect(text).not.toMatch(/<!/);
    expect(text).toBe(`<@${REQUESTER}>: Help @channel @here @everyone @it-team, ask <@UAGENT002>`);
    expect(copy.args.link_names).toBeUndefined();
  });

  it('does nothing for a workspace the app is not installed in, even naming a linked thread', async () => {
    const { teamId, agents } = await conversation();
    const mark = h.fake.calls.length;
    await h.sender.event({
      teamId: `T${newTenantId().slice(1)}`,
      event: { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text: 'from elsewhere', ts: nextTs(), thread_ts: agents.threadTs },
    });
    await h.slack.idle();
    expect(await commentsOf(teamId)).toEqual([]);
    expect(h.fake.calls.slice(mark)).toEqual([]);
    expect(h.problems.some((line) => line.includes('has no installation of this app'))).toBe(true);
    h.problems.length = 0;
  });
  /** message_changed / message_deleted of a person's thread reply, as Slack sends them. */
  async function change(teamId: string, channel: string, original: { user: string; ts: string; thread_ts: string; text: string }, edit: { text: string } | 'deleted', eventId?: string) {
    const event =
      edit === 'deleted'
        ? { type: 'message', subtype: 'message_deleted', hidden: true, channel, deleted_ts: original.ts, previous_message: { type: 'message', ...original } }
        : {
            type: 'message',
            subtype: 'message_changed',
            hidden: true,
            channel,
            message: { type: 'message', ...original, text: edit.text, edited: { user: original.user, ts: nextTs() } },
            previous_message: { type: 'message', ...original },
          };
    expect((await h.sender.event({ teamId, event, eventId })).status).toBe(200);
    await h.slack.idle();
  }

  it('follows the author\'s edit and delete of a reply on its copy, once per delivery', async () => {
    const { teamId, agents } = await conversation();
    const ts = await reply(teamId, agents, AGENT, 'Reboot the router');
    const [comment] = await commentsOf(teamId);
    const copy = (await copiesOf(teamId, comment!.id)).find((c) => c.channelId === DM)!;
    const original = { user: AGENT, ts, thread_ts: agents.threadTs, text: 'Reboot the router' };

    let mark = h.fake.calls.length;
    await change(teamId, CHANNEL, original, { text: 'Reboot the router <!here>, then the laptop' });
    const updates = callsSince(mark, 'chat.update');
    expect(updates.map((c) => [c.args.channel, c.args.ts, c.args.text])).toEqual([[DM, copy.messageTs, `<@${AGENT}>: Reboot the router @here, then the laptop`]]);
    const [edited] = await commentsOf(teamId);
    expect(edited).toMatchObject({ body: 'Reboot the router <!here>, then the laptop' });
    expect(edited!.editedAt).not.toBeNull();

    mark = h.fake.calls.length;
    const eventId = `Ev${newTenantId()}`;
    await change(teamId, CHANNEL, original, 'deleted', eventId);
    await change(teamId, CHANNEL, original, 'deleted', eventId);
    expect(callsSince(mark, 'chat.delete').map((c) => [c.args.channel, c.args.ts])).toEqual([[DM, copy.messageTs]]);
    const [deleted] = await commentsOf(teamId);
    expect(deleted!.isDeleted).toBe(true);
  });

  it('keeps an edited private note private: stored without its marker, no copy touched', async () => {
    const { teamId, agents } = await conversation();
    const ts = await reply(teamId, agents, AGENT, 'note: first thought');
    const mark = h.fake.calls.length;
    await change(teamId, CHANNEL, { user: AGENT, ts, thread_ts: agents.threadTs, text: 'note: first thought' }, { text: 'note: second thought' });
    const [note] = await commentsOf(teamId);
    expect(note).toMatchObject({ visibility: 'internal', body: 'second thought' });
    expect(h.fake.calls.slice(mark)).toEqual([]);
  });

  it('ignores edits of messages that are no comment, and of the app\'s own copies', async () => {
    const { teamId, agents, requester } = await conversation();
    await reply(teamId, agents, AGENT, 'Reboot');
    const [comment] = await commentsOf(teamId);
    const copy = (await copiesOf(teamId, comment!.id)).find((c) => c.channelId === DM)!;
    const mark = h.fake.calls.length;
    await change(teamId, CHANNEL, { user: AGENT, ts: '1600000000.000200', thread_ts: agents.threadTs, text: 'never a comment' }, { text: 'edited' });
    // The app's own copy, edited by the app: Slack sends it with the bot's ids.
    const own = { type: 'message', subtype: 'message_changed', hidden: true, channel: DM, message: { type: 'message', user: FAKE_SLACK_DEFAULTS.botUserId, bot_id: FAKE_SLACK_DEFAULTS.botId, ts: copy.messageTs, thread_ts: requester.threadTs, text: 'x' } };
    expect((await h.sender.event({ teamId, event: own })).status).toBe(200);
    await h.slack.idle();
    expect(h.fake.calls.slice(mark)).toEqual([]);
    expect((await commentsOf(teamId))[0]!.body).toBe('Reboot');
  });
});
