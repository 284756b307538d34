import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ticketSources } from '../../../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../../../src/domain/people.js';
import { createSlaPolicy } from '../../../../src/domain/sla/policies.js';
import { createTeam, updateTeam } from '../../../../src/domain/teams.js';
import { updateTenantSettings } from '../../../../src/domain/tenants.js';
import { getTicket, listTickets } from '../../../../src/domain/tickets/queries.js';
import { listThreads } from '../../../../src/domain/tickets/threads.js';
import { listTicketEvents } from '../../../../src/domain/tickets/tickets.js';
import { ACTION } from '../../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../../support/databases.js';
import { FAKE_SLACK_DEFAULTS } from '../../../support/fake-slack.js';
import { scopeFor } from '../../../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../../../support/slack-harness.js';
import { AGENT, CHANNEL, REQUESTER, slackWorkspaces, textOf } from '../../../support/slack-workspace.js';

/** The IT desk's request channel, where people ask. */
const ASK = 'C0ASKIT01';
const COLLEAGUE = 'UCOLLEAG1';

let seq = 0;
/** A message ts, unique in the file and apart from the fake's own (1700000000.…). */
const nextTs = () => `1810000000.${String(++seq).padStart(6, '0')}`;

describeEachDatabase('Request channels: a new message there is a ticket of its team', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    // No payload real Slack would refuse, and nothing went wrong quietly.
    expect(h?.refused() ?? []).toEqual([]);
    await h?.close();
  });

  const { since, workspace } = slackWorkspaces(() => h, () => ctx.db);

  /** The IT desk with #ask-it as its request channel, intake tickets as service requests of high priority. */
  async function desk() {
    const ws = await workspace();
    const team = await updateTeam(ctx.db, ws.admin, ws.team.id, { request_channel_ids: [ASK], intake_type: 'service_request', intake_priority: 'high' });
    await createSlaPolicy(ctx.db, ws.admin, { name: 'High requests', applies_to: ['service_request'], priority: 'high', first_response_minutes: 30, resolution_minutes: 480 });
    return { ...ws, team };
  }

  /** A `message` event in a channel, in Slack's shape (events/message, channel_type `channel`). */
  async function post(
    teamId: string,
    fields: { user?: string; text: string; channel?: string; ts?: string; thread_ts?: string; subtype?: string; bot_id?: string },
    more: { eventId?: string; retryNum?: number } = {},
  ) {
    const ts = fields.ts ?? nextTs();
    const res = await h.sender.event({
      teamId,
      ...more,
      event: { type: 'message', channel: ASK, channel_type: 'channel', ...fields, ts, event_ts: ts },
    });
    expect(res.status).toBe(200);
    await h.slack.idle();
    return ts;
  }

  /** message_changed / message_deleted of a top-level message, as Slack sends them. */
  async function change(teamId: string, original: { user: string; ts: string; text: string }, edit: { text: string } | 'deleted', more: { eventId?: string; retryNum?: number } = {}) {
    const at = nextTs();
    const event =
      edit === 'deleted'
        ? { type: 'message', subtype: 'message_deleted', hidden: true, channel: ASK, channel_type: 'channel', ts: at, event_ts: at, deleted_ts: original.ts, previous_message: { type: 'message', ...original } }
        : {
            type: 'message',
            subtype: 'message_changed',
            hidden: true,
            channel: ASK,
            channel_type: 'channel',
            ts: at,
            event_ts: at,
            message: { type: 'message', ...original, text: edit.text, edited: { user: original.user, ts: at } },
            previous_message: { type: 'message', ...original },
          };
    expect((await h.sender.event({ teamId, event, ...more })).status).toBe(200);
    await h.slack.idle();
  }

  const ticketsOf = async (teamId: string) => (await listTickets(ctx.db, { tenantId: teamId }, { sort: 'number' })).items;
  const answersIn = (threadTs: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ASK && c.args.thread_ts === threadTs && c.error === undefined);

  /** An agent's public reply in the card's thread: the ticket's first response. */
  async function agentReplies(teamId: string, cardTs: string) {
    await post(teamId, { channel: CHANNEL, user: AGENT, text: 'Looking into it', thread_ts: cardTs });
  }

  it('makes a new message a ticket of the team, with its intake type and priority, answered in its thread', async () => {
    const ws = await desk();
    const after = since();
    const ts = await post(ws.teamId, { user: REQUESTER, text: 'Need access to the finance share\nFor the quarterly close.' });
    const answer = await after('chat.postMessage', (c) => c.args.channel === ASK && c.args.thread_ts === ts);

    const [ticket, ...others] = await ticketsOf(ws.teamId);
    expect(others).toEqual([]);
    const requester = await upsertSlackPerson(ctx.db, ws.teamId, { slackUserId: REQUESTER }, new Date());
    expect(ticket).toMatchObject({
      title: 'Need access to the finance share',
      submittedById: requester.id,
      createdBy: requester.id,
      teamId: ws.team.id,
      type: 'service_request',
      priority: 'high',
      source: 'slack',
    });
    expect(ticket!.description).toContain('For the quarterly close.');
    expect(ticket!.firstResponseDueAt).not.toBeNull();
    const [source] = await ctx.db.select().from(ticketSources).where(eq(ticketSources.tenantId, ws.teamId));
    expect(source).toMatchObject({ channelId: ASK, messageTs: ts, ticketId: ticket!.id, raisedById: requester.id, via: 'request_channel' });

    // The reaction path's answer: number, team, targets, Close; the author raised it, so no "raised by".
    const text = textOf(answer);
    expect(text).toContain(ticket!.number);
    expect(text).toContain('IT desk');
    expect(text).toContain('First response target');
    expect(text).not.toContain('raised by');
    expect(JSON.stringify(answer.args.blocks)).toContain(ACTION.close);
    // The card goes to the team's channel; the message's thread is the requester's side.
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined && textOf(c).includes(ticket!.id))).toBe(true);
    const threads = await listThreads(ctx.db, ws.teamId, ticket!.id);
    expect(threads.map((t) => [t.side, t.channelId, t.threadTs])).toContainEqual(['requester', ASK, ts]);

    // A reply in its thread is conversation (thread-message.ts), not a new ticket.
    await post(ws.teamId, { user: REQUESTER, text: 'It is for the Q3 folder', thread_ts: ts });
    expect(await ticketsOf(ws.teamId)).toHaveLength(1);
  });

  it('makes no ticket of the team\'s agents\' messages, bots\', joins, the skip prefix, thread replies, or other channels', async () => {
    const ws = await desk();
    const mark = h.fake.calls.length;
    await post(ws.teamId, { user: AGENT, text: 'Reminder: the VPN maintenance is tonight' });
    await post(ws.teamId, { subtype: 'bot_message', bot_id: 'B0DEPLOY', text: 'Deploy finished' });
    await post(ws.teamId, { user: 'U0HASBOT', bot_id: 'B0WORKFLOW', text: 'A workflow posted this' });
    await post(ws.teamId, { subtype: 'channel_join', user: COLLEAGUE, text: `<@${COLLEAGUE}> has joined the channel` });
    await post(ws.teamId, { subtype: 'channel_topic', user: COLLEAGUE, text: 'set the channel topic: IT help' });
    await post(ws.teamId, { user: COLLEAGUE, text: '[no-ticket] thanks all, it works again' });
    await post(ws.teamId, { user: COLLEAGUE, text: '  [NO-TICKET] case does not matter' });
    const parent = await post(ws.teamId, { user: AGENT, text: 'Office Wi-Fi password changes Monday' });
    await post(ws.teamId, { user: COLLEAGUE, text: 'What is the new one?', thread_ts: parent });
    // The app's own message.
    await post(ws.teamId, { user: FAKE_SLACK_DEFAULTS.botUserId, bot_id: FAKE_SLACK_DEFAULTS.botId, text: 'a copy' });
    // A channel that is no request channel.
    await post(ws.teamId, { channel: 'C0RANDOM1', user: COLLEAGUE, text: 'lunch?' });
    expect(await ticketsOf(ws.teamId)).toEqual([]);
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage')).toEqual([]);

    // Another prefix, chosen by an admin; the old one is then a ticket like any message. Empty: none is skipped.
    await updateTenantSettings(ctx.db, ws.admin, { intake_skip_prefix: '!' });
    await post(ws.teamId, { user: COLLEAGUE, text: '! just chatting' });
    await post(ws.teamId, { user: COLLEAGUE, text: '[no-ticket] printer is out of toner' });
    await updateTenantSettings(ctx.db, ws.admin, { intake_skip_prefix: '' });
    await post(ws.teamId, { user: COLLEAGUE, text: '! screen flickers' });
    expect((await ticketsOf(ws.teamId)).map((t) => t.title)).toEqual(['[no-ticket] printer is out of toner', '! screen flickers']);
  });

  it('raises one ticket for a retried delivery (same event_id, X-Slack-Retry-Num) and answers once', async () => {
    const ws = await desk();
    const ts = nextTs();
    const message = { user: REQUESTER, text: 'Monitor stays black', ts };
    await post(ws.teamId, message, { eventId: 'Ev0REQCH01' });
    await post(ws.teamId, message, { eventId: 'Ev0REQCH01', retryNum: 1 });
    // Deliveries at once, too.
    await Promise.all([1, 2].map((retryNum) => h.sender.event({ teamId: ws.teamId, eventId: 'Ev0REQCH01', retryNum, event: { type: 'message', channel: ASK, channel_type: 'channel', ...message, event_ts: ts } })));
    await h.slack.idle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(1);
    expect(answersIn(ts)).toHaveLength(1);
  });

  it('follows the author\'s edits until an agent answers; later edits change nothing', async () => {
    const ws = await desk();
    const ts = await post(ws.teamId, { user: REQUESTER, text: 'Laptop is slow' });
    const [ticket] = await ticketsOf(ws.teamId);
    await change(ws.teamId, { user: REQUESTER, ts, text: 'Laptop is slow' }, { text: 'Laptop is very slow since the update\nModel: X1' });
    let now = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    expect(now.title).toBe('Laptop is very slow since the update');
    expect(now.description).toContain('Model: X1');
    expect(now.description).toContain(`/archives/${ASK}/p${ts.replace('.', '')}`);
    const requester = await upsertSlackPerson(ctx.db, ws.teamId, { slackUserId: REQUESTER }, new Date());
    const edits = (await listTicketEvents(ctx.db, { tenantId: ws.teamId }, ticket!.id)).filter((e) => e.kind === 'updated');
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ actorId: requester.id, changes: { title: { from: 'Laptop is slow', to: 'Laptop is very slow since the update' } } });
    expect(now.firstResponseAt).toBeNull();

    await agentReplies(ws.teamId, now.slackMessageTs!);
    now = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    expect(now.firstResponseAt).not.toBeNull();
    await change(ws.teamId, { user: REQUESTER, ts, text: 'Laptop is very slow since the update' }, { text: 'never mind, something else entirely' });
    const later = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    expect(later).toMatchObject({ title: 'Laptop is very slow since the update', revision: now.revision });
  });

  it('withdraws the ticket when the message is deleted before anyone answered, and says so in the card\'s thread', async () => {
    const ws = await desk();
    const ts = await post(ws.teamId, { user: REQUESTER, text: 'Cannot print' });
    const [ticket] = await ticketsOf(ws.teamId);
    const after = since();
    await change(ws.teamId, { user: REQUESTER, ts, text: 'Cannot print' }, 'deleted', { eventId: 'Ev0REQDEL1' });
    const line = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === ticket!.slackMessageTs);
    expect(textOf(line)).toContain('withdrawn');
    const now = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    expect(now).toMatchObject({ status: 'closed' });
    expect(now.closedAt).not.toBeNull();
    const events = await listTicketEvents(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    expect(events.filter((e) => e.kind === 'withdrawn')).toHaveLength(1);
    expect(events.find((e) => e.kind === 'withdrawn')!.changes).toMatchObject({ status: { from: 'open', to: 'closed' } });
    // Its redelivery changes nothing more.
    await change(ws.teamId, { user: REQUESTER, ts, text: 'Cannot print' }, 'deleted', { eventId: 'Ev0REQDEL1', retryNum: 1 });
    expect((await listTicketEvents(ctx.db, { tenantId: ws.teamId }, ticket!.id)).filter((e) => e.kind === 'withdrawn')).toHaveLength(1);
  });

  it('keeps the ticket when the message is deleted after an agent answered', async () => {
    const ws = await desk();
    const ts = await post(ws.teamId, { user: REQUESTER, text: 'Keyboard missing keys' });
    const [ticket] = await ticketsOf(ws.teamId);
    await agentReplies(ws.teamId, (await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id)).slackMessageTs!);
    const answered = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    await change(ws.teamId, { user: REQUESTER, ts, text: 'Keyboard missing keys' }, 'deleted');
    const now = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    expect(now).toMatchObject({ status: answered.status, revision: answered.revision });
    expect((await listTicketEvents(ctx.db, { tenantId: ws.teamId }, ticket!.id)).some((e) => e.kind === 'withdrawn')).toBe(false);
  });

  it('leaves a reaction\'s ticket alone when its message is edited or deleted', async () => {
    const ws = await desk();
    const message = h.fake.addMessage('C0GENERAL1', { ts: nextTs(), user: REQUESTER, text: 'Mouse is broken' });
    await h.sender.event({ teamId: ws.teamId, event: { type: 'reaction_added', user: COLLEAGUE, reaction: 'ticket', item: { type: 'message', channel: 'C0GENERAL1', ts: message.ts }, event_ts: nextTs() } });
    await h.slack.idle();
    const [ticket] = await ticketsOf(ws.teamId);
    expect(ticket).toMatchObject({ title: 'Mouse is broken', type: 'service_request', priority: 'high' });
    const deleted = { type: 'message', subtype: 'message_deleted', hidden: true, channel: 'C0GENERAL1', channel_type: 'channel', ts: nextTs(), deleted_ts: message.ts, previous_message: { type: 'message', user: REQUESTER, ts: message.ts, text: 'Mouse is broken' } };
    expect((await h.sender.event({ teamId: ws.teamId, event: deleted })).status).toBe(200);
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id)).toMatchObject({ status: 'open', revision: ticket!.revision });
  });

  it('takes the tenant from the installation: a foreign workspace\'s message is refused, another tenant\'s request channel means nothing here', async () => {
    const ws = await desk();
    // Another tenant (not installed) whose team has a request channel: its messages are refused.
    const victimId = newTenantId();
    const victimAdmin = scopeFor(victimId, null, new Date());
    const victimTeam = await createTeam(ctx.db, victimAdmin, { name: 'Victim desk', request_channel_ids: ['C0VICTIM1'] });
    expect(victimTeam.requestChannelIds).toEqual(['C0VICTIM1']);
    const refusals = () => h.problems.filter((line) => line.includes('refused a Slack request for another workspace')).length;
    const before = refusals();
    await post(victimId, { channel: 'C0VICTIM1', user: REQUESTER, text: 'Forged request' });
    expect(refusals()).toBe(before + 1);
    expect(await ticketsOf(victimId)).toEqual([]);
    // The installed workspace delivers a message in a channel that is the other tenant's request channel: no team of its own, no ticket.
    await post(ws.teamId, { channel: 'C0VICTIM1', user: REQUESTER, text: 'Here it is no request channel' });
    expect(await ticketsOf(ws.teamId)).toEqual([]);
    expect(await ticketsOf(victimId)).toEqual([]);
    // And that channel id is free for this tenant's team.
    const own = await updateTeam(ctx.db, ws.admin, ws.team.id, { request_channel_ids: [ASK, 'C0VICTIM1'] });
    expect(own.requestChannelIds).toEqual([ASK, 'C0VICTIM1']);
    await post(ws.teamId, { channel: 'C0VICTIM1', user: REQUESTER, text: 'Now it is' });
    const [ticket] = await ticketsOf(ws.teamId);
    expect(ticket).toMatchObject({ title: 'Now it is', teamId: ws.team.id });
    const sources = await ctx.db.select().from(ticketSources).where(and(eq(ticketSources.tenantId, victimId)));
    expect(sources).toEqual([]);
  });
});
