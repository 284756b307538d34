import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slaAlerts } from '../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { getTicket, listTickets } from '../../src/domain/tickets/queries.js';
import { listThreads } from '../../src/domain/tickets/threads.js';
import { changeTicketStatus } from '../../src/domain/tickets/tickets.js';
import { startSlaScheduler, type SlaScheduler } from '../../src/jobs/sla.js';
import { createLogger } from '../../src/log.js';
import { SLA_ALERT_EVENT_TYPE } from '../../src/slack/alerts.js';
import { BLOCK, CALLBACK, INPUT_ACTION } from '../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { scopeFor, steppingClock } from '../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

// The next-response clock end to end: the requester's reply in their DM thread starts it, an
// agent's reply in the card's thread stops it, and a breach reaches the team channel as an
// alert like the first response's, through the real Bolt app and the fake Slack Web API.

const CHANNEL = 'C0NEXTRSP';
const REQUESTER = 'UREQ0001';
const AGENT = 'UAGENT001';

const textOf = (call: FakeSlackCall) => `${String(call.args.text ?? '')} ${JSON.stringify(call.args.blocks ?? [])}`;
const isAlert = (call: FakeSlackCall) => (call.args.metadata as { event_type?: string } | undefined)?.event_type === SLA_ALERT_EVENT_TYPE;
type Button = { type: string; action_id: string; value?: string; text: { text: string } };
const buttonsOf = (call: FakeSlackCall): Button[] =>
  (call.args.blocks as Array<{ type: string; elements?: Button[] }>).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

let seq = 0;
const nextTs = () => `1800000100.${String(++seq).padStart(6, '0')}`;

describeEachDatabase('Next-response SLA in Slack, end to end', (ctx) => {
  let h: SlackHarness;
  let sla: SlaScheduler;
  const clock = steppingClock('2026-03-02T10:00:00.000Z');

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db, now: clock.now });
    sla = startSlaScheduler({
      db: ctx.db,
      slack: h.slack.alerts,
      cron: null,
      log: createLogger('error', () => {}),
      now: clock.now,
      sweepAtStart: false,
      delivery: { pause: async () => {} },
    });
  });
  afterAll(async () => {
    await sla?.stop();
    await h?.close();
  });

  function since() {
    const mark = h.fake.calls.length;
    return (method: string, predicate: (call: FakeSlackCall) => boolean = () => true) =>
      h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= mark && predicate(call), 5000);
  }

  const at = (start: Date, minutes: number) => clock.set(new Date(start.getTime() + minutes * 60_000).toISOString());

  async function runAt(start: Date, minutes: number) {
    at(start, minutes);
    await sla.runNow();
    await h.slack.idle();
  }

  /** A person's message in a thread, as Slack delivers it. */
  async function reply(teamId: string, where: { channelId: string; threadTs: string }, user: string, text: string) {
    const res = await h.sender.event({
      teamId,
      event: {
        type: 'message',
        channel: where.channelId,
        channel_type: where.channelId.startsWith('D') ? 'im' : 'channel',
        user,
        text,
        ts: nextTs(),
        thread_ts: where.threadTs,
      },
    });
    expect(res.status).toBe(200);
    await h.slack.idle();
  }

  it("starts at the requester's DM reply, alerts the team channel when late, and stops at the agent's card-thread reply", async () => {
    const teamId = newTenantId();
    h.install(teamId);
    const admin = scopeFor(teamId, null, clock.now());
    const agent = await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT }, clock.now());
    const team = await createTeam(ctx.db, admin, { name: 'IT desk', slack_channel_id: CHANNEL, agent_ids: [agent.id] });
    await updateTenantSettings(ctx.db, admin, { default_team_id: team.id, escalation_interval_minutes: 60 });
    await createSlaPolicy(ctx.db, admin, {
      name: 'High',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 30,
      resolution_minutes: 480,
      next_response_minutes: 20,
    });
    const values = {
      [BLOCK.title]: { [INPUT_ACTION]: { type: 'plain_text_input', value: 'Mail is <down>' } },
      [BLOCK.type]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { value: 'incident' } } },
      [BLOCK.priority]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { value: 'high' } } },
    };
    let after = since();
    const start = clock.now();
    expect((await h.sender.viewSubmission({ userId: REQUESTER, teamId, view: { callback_id: CALLBACK.createTicketModal, state: { values } } })).status).toBe(200);
    await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined);
    await h.slack.idle();
    const [filed] = (await listTickets(ctx.db, { tenantId: teamId })).items;
    const threads = await listThreads(ctx.db, teamId, filed!.id);
    const cardThread = threads.find((t) => t.side === 'agents')!;
    const dmThread = threads.find((t) => t.side === 'requester')!;
    const ticketNow = () => getTicket(ctx.db, { tenantId: teamId }, filed!.id);
    const inChannel = (call: FakeSlackCall) => isAlert(call) && call.args.channel === CHANNEL;

    // The agent answers in the card's thread (the first response); the requester follows up in the DM.
    at(start, 5);
    await reply(teamId, cardThread, AGENT, 'Which client do you use?');
    at(start, 10);
    after = since();
    await reply(teamId, dmThread, REQUESTER, 'Outlook, on the laptop');
    expect(await ticketNow()).toMatchObject({ nextResponseStartedAt: at(start, 10), nextResponseDueAt: at(start, 30), nextResponseRound: 1 });
    const card = await after('chat.update', (c) => c.args.channel === CHANNEL);
    expect(textOf(card)).toContain('*Next response:* due');

    // 75% of 20 minutes: at risk at 25; breached at 30.
    after = since();
    await runAt(start, 25);
    const warning = await after('chat.postMessage', inChannel);
    expect(String(warning.args.text)).toBe(`${filed!.number} next response at risk: 5m left — Mail is &lt;down&gt;`);
    after = since();
    await runAt(start, 32);
    const breach = await after('chat.postMessage', inChannel);
    expect(String(breach.args.text)).toBe(`${filed!.number} next response breached: 2m late — Mail is &lt;down&gt;`);
    expect(textOf(breach)).toContain('Next response');
    const marked = await after('chat.update', (c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined);
    expect(textOf(marked)).toContain('SLA breached:* next response');

    // Acknowledged from the alert: no escalation an hour later.
    after = since();
    const ack = buttonsOf(breach).find((b) => b.text.text === 'Acknowledge')!;
    expect((await h.sender.blockActions({ userId: AGENT, teamId, channelId: CHANNEL, messageTs: '1700000000.000900', actions: [{ action_id: ack.action_id, value: ack.value! }] })).status).toBe(200);
    await after('chat.postMessage', (c) => c.args.thread_ts !== undefined && String(c.args.text).includes('acknowledged this alert'));
    const [row] = await ctx.db
      .select()
      .from(slaAlerts)
      .where(and(eq(slaAlerts.tenantId, teamId), eq(slaAlerts.clock, 'next_response'), eq(slaAlerts.kind, 'breach')));
    expect(row).toMatchObject({ cycle: 1, acknowledgedBy: agent.id, status: 'delivered' });

    // The agent answers in the card's thread: the clock stops, the card drops the breach.
    at(start, 40);
    after = since();
    await reply(teamId, cardThread, AGENT, 'Restarted your mailbox, try now');
    expect(await ticketNow()).toMatchObject({ nextResponseStartedAt: null, nextResponseDueAt: null });
    const answered = await after('chat.update', (c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined);
    expect(textOf(answered)).not.toContain('Next response');
    expect(textOf(answered)).not.toContain('SLA breached');
    let mark = h.fake.calls.length;
    await runAt(start, 100);
    expect(h.fake.calls.slice(mark).filter(inChannel)).toEqual([]);

    // Pending, then the requester answers: the ticket is back in progress and the clock runs again.
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, at(start, 110)), filed!.id, 'pending');
    at(start, 120);
    await reply(teamId, dmThread, REQUESTER, 'Works again, thanks. One more thing?');
    expect(await ticketNow()).toMatchObject({ status: 'in_progress', nextResponseStartedAt: at(start, 120), nextResponseDueAt: at(start, 140), nextResponseRound: 2 });
    at(start, 125);
    await reply(teamId, cardThread, AGENT, 'Sure, go ahead');
    mark = h.fake.calls.length;
    await runAt(start, 200);
    expect(h.fake.calls.slice(mark).filter(inChannel)).toEqual([]);

    // Resolved, then the requester writes again: the ticket reopens and the team owes an answer from then.
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, at(start, 210)), filed!.id, 'resolved');
    at(start, 220);
    await reply(teamId, dmThread, REQUESTER, 'It broke again');
    expect(await ticketNow()).toMatchObject({ slaCycle: 2, nextResponseStartedAt: at(start, 220), nextResponseDueAt: at(start, 240), nextResponseRound: 3 });
    after = since();
    await runAt(start, 241);
    const again = await after('chat.postMessage', inChannel);
    expect(String(again.args.text)).toBe(`${filed!.number} next response breached: 1m late — Mail is &lt;down&gt;`);
    expect(h.problems).toEqual([]);
  });
});
