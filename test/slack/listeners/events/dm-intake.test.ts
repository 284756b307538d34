import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { intakePrompts, ticketSources } from '../../../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../../../src/domain/people.js';
import { createSlaPolicy } from '../../../../src/domain/sla/policies.js';
import { createTeam } from '../../../../src/domain/teams.js';
import { getTicket, listTickets } from '../../../../src/domain/tickets/queries.js';
import { listThreads } from '../../../../src/domain/tickets/threads.js';
import { INTAKE_ACTION, INTAKE_BLOCK } from '../../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../../support/databases.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlackCall } from '../../../support/fake-slack.js';
import { startSlackHarness, type SlackHarness } from '../../../support/slack-harness.js';
import { AGENT, CHANNEL, REQUESTER, STRANGER, slackWorkspaces, textOf } from '../../../support/slack-workspace.js';

/** The requester's DM with the app (the fake answers a DM to REQUESTER in this conversation). */
const DM = `D${REQUESTER}`;
const OTHER_CHANNEL = 'C0HARDWARE';

let seq = 0;
/** A person's message ts, unique in the file and apart from the fake's own (1700000000.…). */
const nextTs = () => `1800000000.${String(++seq).padStart(6, '0')}`;

describeEachDatabase('DMs to the app: "Create a ticket from this?"', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    // No payload real Slack would refuse, and nothing went wrong quietly.
    expect(h?.refused() ?? []).toEqual([]);
    // Only the refusal of the workspace the app is not installed in (see the tenancy test below).
    expect((h?.problems ?? []).filter((line) => !line.includes('refused a Slack request for another workspace'))).toEqual([]);
    await h?.close();
  });

  const { since, workspace } = slackWorkspaces(() => h, () => ctx.db);

  /**
   * A person's top-level message in their DM with the app, as Slack delivers it (a `message`
   * event with `channel_type: 'im'`), and as Slack keeps it (for conversations.history).
   */
  async function dm(teamId: string, text: string, more: { user?: string; channel?: string; eventId?: string; retryNum?: number; ts?: string; event?: Record<string, unknown> } = {}) {
    const channel = more.channel ?? DM;
    const user = more.user ?? REQUESTER;
    const ts = more.ts ?? nextTs();
    h.fake.addMessage(channel, { ts, user, text });
    const res = await h.sender.event({
      teamId,
      ...(more.eventId ? { eventId: more.eventId } : {}),
      ...(more.retryNum !== undefined ? { retryNum: more.retryNum } : {}),
      event: { type: 'message', channel, channel_type: 'im', user, text, ts, event_ts: ts, ...more.event },
    });
    expect(res.status).toBe(200);
    return ts;
  }

  const promptsFor = (ts: string, channel = DM) =>
    h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.args.thread_ts === ts && textOf(c).includes('Create a ticket from this?'));

  /** The ts Slack gave the posted prompt (the call is recorded before it is answered). */
  const tsOf = (prompt: FakeSlackCall) => vi.waitFor(() => {
    const ts = (prompt.reply as { ts?: string } | undefined)?.ts;
    if (!ts) throw new Error('not answered yet');
    return ts;
  });

  /** A click on the prompt's button, from the DM it is in. */
  async function clickPrompt(teamId: string, prompt: FakeSlackCall, actionId: string, messageTs: string, more: { userId?: string; channelId?: string; team?: string } = {}) {
    const promptTs = await tsOf(prompt);
    return h.sender.blockActions({
      userId: more.userId ?? REQUESTER,
      teamId,
      channelId: more.channelId ?? DM,
      messageTs: promptTs,
      actions: [{ action_id: actionId, block_id: INTAKE_BLOCK.buttons, value: messageTs }],
      ...(more.team
        ? { state: { values: { [INTAKE_BLOCK.team]: { [INTAKE_ACTION.team]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'team' }, value: more.team } } } } } }
        : {}),
    });
  }

  const ticketsOf = async (teamId: string) => (await listTickets(ctx.db, { tenantId: teamId }, { sort: 'number' })).items;

  it('prompts once under a top-level DM message, even when Slack delivers it again', async () => {
    const ws = await workspace();
    const after = since();
    const ts = await dm(ws.teamId, 'My screen flickers', { eventId: 'Ev0DMRETRY1' });
    const prompt = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts);
    // One team: it is named, no picker; Create and Not now carry the message's ts.
    expect(textOf(prompt)).toContain('IT desk');
    expect(textOf(prompt)).not.toContain('static_select');
    const blocks = JSON.stringify(prompt.args.blocks);
    expect(blocks).toContain(INTAKE_ACTION.create);
    expect(blocks).toContain(INTAKE_ACTION.dismiss);
    await dm(ws.teamId, 'My screen flickers', { ts, eventId: 'Ev0DMRETRY1', retryNum: 1 });
    // Another delivery of the same message under an event id of its own: the database's claim, not the event id, decides.
    await dm(ws.teamId, 'My screen flickers', { ts });
    await h.slack.idle();
    expect(promptsFor(ts)).toHaveLength(1);
    const rows = await ctx.db.select().from(intakePrompts).where(eq(intakePrompts.tenantId, ws.teamId));
    expect(rows).toMatchObject([{ channelId: DM, messageTs: ts, promptTs: await tsOf(prompt) }]);
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);
  });

  it('creates the ticket on Create: the DM thread is the requester\'s side, the card goes to the team, replies are mirrored', async () => {
    const ws = await workspace();
    await createSlaPolicy(ctx.db, ws.admin, { name: 'Medium incidents', applies_to: ['incident'], priority: 'medium', first_response_minutes: 60, resolution_minutes: 480 });
    let after = since();
    const ts = await dm(ws.teamId, 'The VPN drops every hour\nError 809 each time.');
    const prompt = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts);

    after = since();
    expect((await clickPrompt(ws.teamId, prompt, INTAKE_ACTION.create, ts)).status).toBe(200);
    const promptTs = await tsOf(prompt);
    const updated = await after('chat.update', (c) => c.args.channel === DM && c.args.ts === promptTs);
    const answer = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts && textOf(c).includes('TKT-'));
    await h.slack.idle();

    const [ticket, ...others] = await ticketsOf(ws.teamId);
    expect(others).toEqual([]);
    const requester = await upsertSlackPerson(ctx.db, ws.teamId, { slackUserId: REQUESTER }, new Date());
    expect(ticket).toMatchObject({ title: 'The VPN drops every hour', submittedById: requester.id, createdBy: requester.id, teamId: ws.team.id, type: 'incident', priority: 'medium' });
    expect(ticket!.description).toContain('Error 809 each time.');
    expect(ticket!.firstResponseDueAt).not.toBeNull();
    const [source] = await ctx.db.select().from(ticketSources).where(eq(ticketSources.tenantId, ws.teamId));
    expect(source).toMatchObject({ channelId: DM, messageTs: ts, ticketId: ticket!.id, via: 'dm' });

    // The prompt says which ticket, and has no buttons left; the answer is in the thread.
    expect(textOf(updated)).toContain(ticket!.number);
    expect(JSON.stringify(updated.args.blocks)).not.toContain(INTAKE_ACTION.create);
    expect(textOf(answer)).toContain('First response target');
    // The card in the team's channel; the DM thread is the requester's side; no separate "ticket created" DM.
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined && textOf(c).includes(ticket!.id))).toBe(true);
    const threads = await listThreads(ctx.db, ws.teamId, ticket!.id);
    expect(threads.map((t) => [t.side, t.channelId, t.threadTs])).toContainEqual(['requester', DM, ts]);
    expect(h.fake.callsTo('chat.postMessage').some((c) => (c.args.channel === REQUESTER || c.args.channel === DM) && c.args.thread_ts === undefined && textOf(c).includes(ticket!.number))).toBe(false);

    // A reply in the DM thread reaches the card's thread, and an agent's answer comes back.
    after = since();
    const stored = await getTicket(ctx.db, { tenantId: ws.teamId }, ticket!.id);
    await h.sender.event({ teamId: ws.teamId, event: { type: 'message', channel: DM, channel_type: 'im', user: REQUESTER, text: 'Still happening', ts: nextTs(), thread_ts: ts } });
    const copy = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === stored.slackMessageTs);
    expect(copy.args.text).toBe(`<@${REQUESTER}>: Still happening`);
    await h.sender.event({ teamId: ws.teamId, event: { type: 'message', channel: CHANNEL, channel_type: 'channel', user: AGENT, text: 'Which client version?', ts: nextTs(), thread_ts: stored.slackMessageTs } });
    const back = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts && String(c.args.text).includes('Which client version?'));
    expect(back).toBeDefined();
    await h.slack.idle();
    // A reply in the thread is conversation: it gets no prompt of its own.
    expect(h.fake.callsTo('chat.postMessage').filter((c) => textOf(c).includes('Create a ticket from this?'))).toHaveLength(
      h.fake.callsTo('chat.postMessage').filter((c) => textOf(c).includes('Create a ticket from this?') && c.args.thread_ts !== ts).length + 1,
    );
  });

  it('offers the teams to choose from, the default chosen, and raises the ticket for the team picked', async () => {
    const ws = await workspace();
    const hardware = await createTeam(ctx.db, ws.admin, { name: 'Hardware', slack_channel_id: OTHER_CHANNEL });
    let after = since();
    const ts = await dm(ws.teamId, 'Need a new keyboard');
    const prompt = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts);
    const picker = (prompt.args.blocks as Array<{ block_id?: string; accessory?: { type: string; options: Array<{ value: string }>; initial_option?: { value: string } } }>).find(
      (b) => b.block_id === INTAKE_BLOCK.team,
    )!.accessory!;
    expect(picker.type).toBe('static_select');
    expect(picker.options.map((o) => o.value).sort()).toEqual([ws.team.id, hardware.id].sort());
    expect(picker.initial_option?.value).toBe(ws.team.id);

    after = since();
    await clickPrompt(ws.teamId, prompt, INTAKE_ACTION.create, ts, { team: hardware.id });
    await after('chat.postMessage', (c) => c.args.channel === OTHER_CHANNEL && c.args.thread_ts === undefined);
    await h.slack.idle();
    const [ticket] = await ticketsOf(ws.teamId);
    expect(ticket?.teamId).toBe(hardware.id);
  });

  it('creates nothing on Not now, and one ticket however often Create is pressed', async () => {
    const ws = await workspace();
    let after = since();
    const declined = await dm(ws.teamId, 'Just saying hi');
    const first = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === declined);
    const firstTs = await tsOf(first);
    after = since();
    await clickPrompt(ws.teamId, first, INTAKE_ACTION.dismiss, declined);
    const dismissed = await after('chat.update', (c) => c.args.ts === firstTs);
    expect(textOf(dismissed)).toContain('OK, no ticket');
    expect(JSON.stringify(dismissed.args.blocks)).not.toContain(INTAKE_ACTION.create);
    await h.slack.idle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);

    after = since();
    const wanted = await dm(ws.teamId, 'Printer out of toner');
    const second = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === wanted);
    const secondTs = await tsOf(second);
    await Promise.all([clickPrompt(ws.teamId, second, INTAKE_ACTION.create, wanted), clickPrompt(ws.teamId, second, INTAKE_ACTION.create, wanted)]);
    await h.slack.idle();
    await clickPrompt(ws.teamId, second, INTAKE_ACTION.create, wanted);
    await h.slack.idle();
    const tickets = await ticketsOf(ws.teamId);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.number).toBe('TKT-0001');
    const answers = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === DM && c.args.thread_ts === wanted && textOf(c).includes('TKT-0001'));
    expect(answers).toHaveLength(1);
    // The later clicks say which ticket the message already is.
    const updates = h.fake.callsTo('chat.update').filter((c) => c.args.ts === secondTs);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.every((c) => textOf(c).includes('TKT-0001'))).toBe(true);
  });

  it('does not prompt on bots\', the app\'s own, channel messages or thread replies', async () => {
    const ws = await workspace();
    const mark = h.fake.calls.length;
    await dm(ws.teamId, 'Deploy done', { user: 'U0SOMEBOT', event: { bot_id: 'B0SOMEBOT', subtype: 'bot_message' } });
    await dm(ws.teamId, 'I am the app', { user: FAKE_SLACK_DEFAULTS.botUserId, event: { bot_id: FAKE_SLACK_DEFAULTS.botId } });
    await dm(ws.teamId, 'A question in a channel', { channel: 'C0GENERAL1', event: { channel_type: 'channel' } });
    await dm(ws.teamId, 'A reply', { event: { thread_ts: '1800000000.999999' } });
    await dm(ws.teamId, 'joined', { event: { subtype: 'channel_join' } });
    await h.slack.idle();
    expect(h.fake.calls.slice(mark).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
    expect(await ctx.db.select().from(intakePrompts).where(eq(intakePrompts.tenantId, ws.teamId))).toEqual([]);
  });

  it('keeps prompts in their workspace and DM: a workspace the app is not in, another person, another workspace\'s click', async () => {
    const ws = await workspace();
    const stranger = newTenantId();
    const mark = h.fake.calls.length;
    const foreignTs = await dm(stranger, 'Forged from elsewhere');
    await h.slack.idle();
    expect(promptsFor(foreignTs)).toEqual([]);
    expect(h.fake.calls.slice(mark).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
    expect(await ctx.db.select().from(intakePrompts).where(eq(intakePrompts.tenantId, stranger))).toEqual([]);

    let after = since();
    const ts = await dm(ws.teamId, 'Laptop battery swollen');
    const prompt = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts);

    // Someone else clicking with the requester's DM and ts in the payload; the same ids clicked from another DM.
    const refusals = () => h.fake.callsTo('response_url').filter((c) => String(c.args.text).includes('not one of yours')).length;
    const before = refusals();
    await clickPrompt(ws.teamId, prompt, INTAKE_ACTION.create, ts, { userId: STRANGER });
    await clickPrompt(ws.teamId, prompt, INTAKE_ACTION.create, ts, { channelId: `D${STRANGER}` });
    await vi.waitFor(() => expect(refusals()).toBe(before + 2));
    // Another workspace where the app is installed, naming this one's DM and message.
    const other = await workspace();
    await clickPrompt(other.teamId, prompt, INTAKE_ACTION.create, ts);
    await h.slack.idle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);
    expect(await ticketsOf(other.teamId)).toHaveLength(0);
    const sources = await ctx.db.select().from(ticketSources).where(and(eq(ticketSources.channelId, DM), eq(ticketSources.messageTs, ts)));
    expect(sources).toEqual([]);

    // The requester still can.
    await clickPrompt(ws.teamId, prompt, INTAKE_ACTION.create, ts);
    await h.slack.idle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(1);
  });

  it('says the message is gone when it was deleted before Create', async () => {
    const ws = await workspace();
    const after = since();
    const ts = `1800000001.${String(++seq).padStart(6, '0')}`;
    // Delivered, but no longer in the DM's history when the button is pressed.
    await h.sender.event({ teamId: ws.teamId, event: { type: 'message', channel: DM, channel_type: 'im', user: REQUESTER, text: 'Oops', ts } });
    const prompt = await after('chat.postMessage', (c) => c.args.channel === DM && c.args.thread_ts === ts);
    const promptTs = await tsOf(prompt);
    await clickPrompt(ws.teamId, prompt, INTAKE_ACTION.create, ts);
    const updated = await after('chat.update', (c) => c.args.ts === promptTs);
    expect(textOf(updated)).toContain('gone');
    await h.slack.idle();
    expect(await ticketsOf(ws.teamId)).toHaveLength(0);
  });
});
