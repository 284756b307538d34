import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ticketSources } from '../../../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../../../src/domain/people.js';
import { createSlaPolicy } from '../../../../src/domain/sla/policies.js';
import { updateTenantSettings } from '../../../../src/domain/tenants.js';
import { getTicket, listTickets } from '../../../../src/domain/tickets/queries.js';
import { listThreads } from '../../../../src/domain/tickets/threads.js';
import { ACTION } from '../../../../src/slack/ids.js';
import { describeEachDatabase } from '../../../support/databases.js';
import type { FakeSlackCall } from '../../../support/fake-slack.js';
import { startSlackHarness, type SlackHarness } from '../../../support/slack-harness.js';
import { AGENT, CHANNEL, REQUESTER, STRANGER, slackWorkspaces, textOf } from '../../../support/slack-workspace.js';

/** A channel the app is in where people ask for help; no team's channel. */
const GENERAL = 'C0GENERAL1';
const COLLEAGUE = 'UCOLLEAG1';

let seq = 0;
/** A person's message ts, unique in the file and apart from the fake's own (1700000000.…). */
const nextTs = () => `1800000000.${String(++seq).padStart(6, '0')}`;

describeEachDatabase('Reactions: a ticket from a message, and the agents\' shortcuts on a card', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    // No payload real Slack would refuse, and nothing went wrong quietly.
    expect(h?.refused() ?? []).toEqual([]);
    await h?.close();
  });

  const { since, workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  /** A person's message in a channel, as Slack keeps it (for conversations.history / .replies). */
  function say(channel: string, user: string, text: string, more: { thread_ts?: string; bot_id?: string; subtype?: string } = {}) {
    return h.fake.addMessage(channel, { ts: nextTs(), user, text, ...more });
  }

  /** A `reaction_added` event in Slack's shape (events/reaction_added). */
  async function react(teamId: string, who: string, reaction: string, item: { channel: string; ts: string; itemUser?: string }, more: { eventId?: string; retryNum?: number } = {}) {
    const res = await h.sender.event({
      teamId,
      ...more,
      event: {
        type: 'reaction_added',
        user: who,
        reaction,
        ...(item.itemUser ? { item_user: item.itemUser } : {}),
        item: { type: 'message', channel: item.channel, ts: item.ts, channel_type: 'channel' },
        event_ts: nextTs(),
      },
    });
    expect(res.status).toBe(200);
    return res;
  }

  const settle = async () => {
    await h.slack.idle();
  };
  const ticketsOf = async (teamId: string) => (await listTickets(ctx.db, { tenantId: teamId }, { sort: 'number' })).items;
  const answersIn = (channel: string, threadTs: string) =>
    h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.args.thread_ts === threadTs && c.error === undefined);

  it('makes a message a ticket: the author is the requester, the reactor raised it, the app answers in its thread', async () => {
    const ws = await workspace();
    const colleague = await upsertSlackPerson(ctx.db, ws.teamId, { slackUserId: COLLEAGUE }, new Date());
    // Intake tickets take the create defaults (incident, medium): a policy for those gives SLA targets.
    await createSlaPolicy(ctx.db, ws.admin, { name: 'Medium incidents', applies_to: ['incident'], priority: 'medium', first_response_minutes: 60, resolution_minutes: 480 });
    const longLine = `My laptop will not connect to the VPN since this morning and ${'the error keeps coming back '.repeat(8)}`.trim();
    const message = say(GENERAL, REQUESTER, `${longLine}\nSecond line with details: error 809.`);
    const after = since();
    await react(ws.teamId, COLLEAGUE, 'ticket', { channel: GENERAL, ts: message.ts, itemUser: REQUESTER });
    const answer = await after('chat.postMessage', (c) => c.args.channel === GENERAL && c.args.thread_ts === message.ts);
    await settle();

    const [ticket, ...others] = await ticketsOf(ws.teamId);
    expect(others).toEqual([]);
    const requester = await upsertSlackPerson(ctx.db, ws.teamId, { slackUserId: REQUESTER }, new Date());
    expect(ticket).toMatchObject({ submittedById: requester.id, createdBy: colleague.id, teamId: ws.team.id, type: 'incident', priority: 'medium', source: 'slack' });
    expect(ticket!.firstResponseDueAt).not.toBeNull();
    // The first line, cut at a word boundary.
    expect(ticket!.title.length).toBeLessThanOrEqual(200);
    expect(ticket!.title.endsWith('…')).toBe(true);
    expect(longLine.startsWith(ticket!.title.slice(0, -1))).toBe(true);
    expect(longLine[ticket!.title.length - 1]).toBe(' ');
    // The whole text, and the link to the message.
    expect(ticket!.description).toContain('Second line with details: error 809.');
    expect(ticket!.description).toContain(`https://fake-workspace.slack.com/archives/${GENERAL}/p${message.ts.replace('.', '')}`);
    const [source] = await ctx.db.select().from(ticketSources).where(eq(ticketSources.tenantId, ws.teamId));
    expect(source).toMatchObject({ channelId: GENERAL, messageTs: message.ts, ticketId: ticket!.id, raisedById: colleague.id, via: 'reaction' });

    // The answer, for the channel: number, team, targets, who raised it, and Close for the requester.
    const text = textOf(answer);
    expect(text).toContain(ticket!.number);
    expect(text).toContain('IT desk');
    expect(text).toContain('First response target');
    expect(text).toContain(`<@${REQUESTER}>`);
    expect(text).toContain(`raised by <@${COLLEAGUE}>`);
    const close = (answer.args.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ACTION.close);
    expect(close?.value).toBe(ticket!.id);

    // The card in the team's channel; the message's thread is the requester's side; no "ticket created" DM.
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined && textOf(c).includes(ticket!.id))).toBe(true);
    const threads = await listThreads(ctx.db, ws.teamId, ticket!.id);
    expect(threads.map((t) => [t.side, t.channelId, t.threadTs])).toContainEqual(['requester', GENERAL, message.ts]);
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === REQUESTER && textOf(c).includes(ticket!.number))).toBe(false);

    // The requester closes it from the thread's button; a bystander may not.
    const bystander = await h.sender.blockActions({ userId: STRANGER, teamId: ws.teamId, channelId: GENERAL, actions: [{ action_id: ACTION.close, value: ticket!.id }] });
    expect(bystander.status).toBe(200);
    await settle();
    expect((await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id)).status).toBe('open');
    await h.sender.blockActions({ userId: REQUESTER, teamId: ws.teamId, channelId: GENERAL, actions: [{ action_id: ACTION.close, value: ticket!.id }] });
    await settle();
    expect((await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id)).status).toBe('closed');
  });

  it('mirrors a reply in the message\'s thread to the card\'s thread', async () => {
    const ws = await workspace();
    const message = say(GENERAL, REQUESTER, 'Printer on floor 3 is jammed');
    await react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: message.ts });
    await settle();
    const [ticket] = await ticketsOf(ws.teamId);
    const after = since();
    const res = await h.sender.event({
      teamId: ws.teamId,
      event: { type: 'message', channel: GENERAL, channel_type: 'channel', user: REQUESTER, text: 'It is tray 2', ts: nextTs(), thread_ts: message.ts },
    });
    expect(res.status).toBe(200);
    const copy = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === ticket!.slackMessageTs);
    expect(copy.args.text).toBe(`<@${REQUESTER}>: It is tray 2`);
    await settle();
  });

  it('escapes a hostile message: no broadcast, no disguised link, in the answer or on the card', async () => {
    const ws = await workspace();
    const message = say(GENERAL, REQUESTER, '<!channel> urgent <https://evil.example/x|click here> &lt;b&gt; & <@U0BOSS>');
    const after = since();
    await react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: message.ts });
    const answer = await after('chat.postMessage', (c) => c.args.channel === GENERAL && c.args.thread_ts === message.ts);
    await settle();
    const [ticket] = await ticketsOf(ws.teamId);
    // Stored as plain words.
    expect(ticket!.title).toBe('@channel urgent click here (https://evil.example/x) <b> & @U0BOSS');
    const card = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === CHANNEL && textOf(c).includes(ticket!.id))!;
    for (const posted of [answer, card]) {
      const text = textOf(posted);
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<https://evil');
      // In mrkdwn, the message's own `<b>` shows as written (the header is plain_text, where it is inert).
      expect(text).toContain('&lt;b&gt;');
    }
  });

  it('raises one ticket per message: a second reaction, a retried delivery, and two reactions at once', async () => {
    const ws = await workspace();
    const first = say(GENERAL, REQUESTER, 'Wi-Fi is down in room 4');
    await react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: first.ts }, { eventId: 'Ev0RETRY01' });
    await settle();
    // Slack's redelivery of the same event, and someone else's reaction.
    await react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: first.ts }, { eventId: 'Ev0RETRY01', retryNum: 1 });
    await react(ws.teamId, COLLEAGUE, 'ticket', { channel: GENERAL, ts: first.ts });
    await settle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(1);
    expect(answersIn(GENERAL, first.ts)).toHaveLength(1);

    const second = say(GENERAL, REQUESTER, 'Projector in room 5 is dead');
    await Promise.all([
      react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: second.ts }),
      react(ws.teamId, COLLEAGUE, 'ticket', { channel: GENERAL, ts: second.ts }),
      react(ws.teamId, AGENT, 'ticket', { channel: GENERAL, ts: second.ts }),
    ]);
    await settle();
    const tickets = await ticketsOf(ws.teamId);
    expect(tickets).toHaveLength(2);
    // Numbers stay consecutive: the losers' tickets were rolled back, numbers and all.
    expect(tickets.map((t) => t.number)).toEqual(['TKT-0001', 'TKT-0002']);
    expect(answersIn(GENERAL, second.ts)).toHaveLength(1);
    const sources = await ctx.db.select().from(ticketSources).where(and(eq(ticketSources.tenantId, ws.teamId), eq(ticketSources.messageTs, second.ts)));
    expect(sources).toHaveLength(1);
  });

  it('raises a ticket from a reply in a thread, answering in that thread', async () => {
    const ws = await workspace();
    const parent = say(GENERAL, COLLEAGUE, 'Anyone else seeing the VPN drop?');
    const replyMessage = say(GENERAL, REQUESTER, 'Yes, every hour for me', { thread_ts: parent.ts });
    const after = since();
    await react(ws.teamId, AGENT, 'ticket', { channel: GENERAL, ts: replyMessage.ts });
    const answer = await after('chat.postMessage', (c) => c.args.channel === GENERAL && c.args.thread_ts === parent.ts);
    await settle();
    const [ticket] = await ticketsOf(ws.teamId);
    expect(ticket!.title).toBe('Yes, every hour for me');
    const requester = await upsertSlackPerson(ctx.db, ws.teamId, { slackUserId: REQUESTER }, new Date());
    expect(ticket!.submittedById).toBe(requester.id);
    expect(textOf(answer)).toContain(ticket!.number);
    expect(h.fake.callsTo('conversations.replies').some((c) => c.args.ts === replyMessage.ts)).toBe(true);
  });

  it('takes the configured emoji only: the default does nothing then, and neither does any other', async () => {
    const ws = await workspace();
    await updateTenantSettings(ctx.db, ws.admin, { intake_emoji: ':raising_hand:' });
    const message = say(GENERAL, REQUESTER, 'Need a new monitor');
    await react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: message.ts });
    await react(ws.teamId, REQUESTER, 'thumbsup', { channel: GENERAL, ts: message.ts });
    await settle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);
    expect(h.fake.callsTo('conversations.history').some((c) => c.args.latest === message.ts)).toBe(false);
    // A skin tone is the same emoji.
    await react(ws.teamId, REQUESTER, 'raising_hand::skin-tone-3', { channel: GENERAL, ts: message.ts });
    await settle();
    const [ticket] = await ticketsOf(ws.teamId);
    expect(ticket?.title).toBe('Need a new monitor');
  });

  it('makes no ticket of an app\'s message, and tells the reactor privately', async () => {
    const ws = await workspace();
    const message = say(GENERAL, 'U0SOMEBOT', 'Deploy finished', { bot_id: 'B0SOMEBOT', subtype: 'bot_message' });
    const after = since();
    await react(ws.teamId, REQUESTER, 'ticket', { channel: GENERAL, ts: message.ts });
    const note = await after('chat.postEphemeral', (c) => c.args.user === REQUESTER);
    expect(String(note.args.text)).toContain('posted by an app');
    await settle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);
  });

  it('DMs the reactor how to invite the app when it cannot read the channel', async () => {
    const ws = await workspace();
    const secret = 'G0SECRET01';
    h.fake.keepOut(secret);
    const after = since();
    await react(ws.teamId, REQUESTER, 'ticket', { channel: secret, ts: nextTs() });
    const dm = await after('chat.postMessage', (c) => c.args.channel === REQUESTER);
    expect(String(dm.args.text)).toContain('/invite @Helpdesk');
    expect(String(dm.args.text)).toContain(`<#${secret}>`);
    await settle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);
  });

  it('claims a ticket on 👀 and resolves it on ✅ by an agent of its team; anyone else\'s reaction changes nothing', async () => {
    const ws = await workspace();
    const { ticket } = await fileTicket(ws.teamId);
    const card = { channel: CHANNEL, ts: ticket.slackMessageTs! };
    const mark = h.fake.calls.length;
    await react(ws.teamId, STRANGER, 'eyes', card);
    await react(ws.teamId, STRANGER, 'white_check_mark', card);
    await settle();
    expect(await getTicket(ctx.db, { tenantId: ws.teamId }, ticket.id)).toMatchObject({ status: 'open', assignedToId: null, revision: ticket.revision });
    // Nothing said anywhere: no message, no ephemeral.
    expect(h.fake.calls.slice(mark).filter((c: FakeSlackCall) => c.method.startsWith('chat.'))).toEqual([]);

    await react(ws.teamId, AGENT, 'eyes', card);
    await settle();
    expect(await getTicket(ctx.db, { tenantId: ws.teamId }, ticket.id)).toMatchObject({ status: 'in_progress', assignedToId: ws.agent.id });
    // A claim on a claimed ticket (by the other agent) changes nothing.
    await react(ws.teamId, 'UAGENT002', 'eyes', card);
    await settle();
    expect((await getTicket(ctx.db, { tenantId: ws.teamId }, ticket.id)).assignedToId).toBe(ws.agent.id);
    await react(ws.teamId, AGENT, 'white_check_mark', card);
    await settle();
    expect((await getTicket(ctx.db, { tenantId: ws.teamId }, ticket.id)).status).toBe('resolved');
    // The card shows it, as after the buttons.
    expect(h.fake.callsTo('chat.update').some((c) => c.args.ts === card.ts && textOf(c).includes('Resolved'))).toBe(true);
  });

  it('ignores a 🎫 on a ticket card and reactions on things that are not messages', async () => {
    const ws = await workspace();
    const { ticket } = await fileTicket(ws.teamId);
    await react(ws.teamId, REQUESTER, 'ticket', { channel: CHANNEL, ts: ticket.slackMessageTs! });
    const res = await h.sender.event({ teamId: ws.teamId, event: { type: 'reaction_added', user: REQUESTER, reaction: 'ticket', item: { type: 'file', file: 'F0FILE' }, event_ts: nextTs() } });
    expect(res.status).toBe(200);
    await settle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(1);
  });
});
