import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slaAlerts } from '../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { getTicket, listTickets } from '../../src/domain/tickets/queries.js';
import { startSlaScheduler, type SlaScheduler } from '../../src/jobs/sla.js';
import { createLogger } from '../../src/log.js';
import { SLA_ALERT_EVENT_TYPE } from '../../src/slack/alerts.js';
import { ACTION, BLOCK, CALLBACK, INPUT_ACTION } from '../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import type { FakeSlackCall } from '../support/fake-slack.js';
import { scopeFor, steppingClock } from '../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

/** Each test's workspace posts to its own channel (the scheduler sweeps every workspace of the database). */
const CHANNELS = ['C0ALERT1', 'C0ALERT2', 'C0ALERT3'] as const;
const REQUESTER = 'UREQ0001';
const AGENT = 'UAGENT001';
const AGENT_2 = 'UAGENT002';
const ON_CALL = 'UONCALL01';
const STRANGER = 'USTRANGE1';

const textOf = (call: FakeSlackCall) => `${String(call.args.text ?? '')} ${JSON.stringify(call.args.blocks ?? [])}`;
const isAlert = (call: FakeSlackCall) => (call.args.metadata as { event_type?: string } | undefined)?.event_type === SLA_ALERT_EVENT_TYPE;
type Button = { type: string; action_id: string; value?: string; url?: string; text: { text: string } };
const buttonsOf = (call: FakeSlackCall): Button[] =>
  (call.args.blocks as Array<{ type: string; elements?: Button[] }>).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

describeEachDatabase('SLA alerts in Slack, end to end', (ctx) => {
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

  /** A workspace: a team with two agents and an on-call contact, a 30/240-minute policy, and a ticket filed from Slack. */
  async function ticketInSlack(channel: (typeof CHANNELS)[number]) {
    const teamId = newTenantId();
    h.install(teamId);
    const admin = scopeFor(teamId, null, clock.now());
    const agents = [await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT }, clock.now()), await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT_2 }, clock.now())];
    const team = await createTeam(ctx.db, admin, {
      name: 'IT desk',
      slack_channel_id: channel,
      agent_ids: agents.map((a) => a.id),
      escalation_contact_ids: [ON_CALL],
    });
    await updateTenantSettings(ctx.db, admin, { default_team_id: team.id, escalation_interval_minutes: 60 });
    await createSlaPolicy(ctx.db, admin, { name: 'High', applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 240 });
    const values = {
      [BLOCK.title]: { [INPUT_ACTION]: { type: 'plain_text_input', value: 'Mail is down' } },
      [BLOCK.type]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { value: 'incident' } } },
      [BLOCK.priority]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { value: 'high' } } },
    };
    const mark = h.fake.calls.length;
    const res = await h.sender.viewSubmission({ userId: REQUESTER, teamId, view: { callback_id: CALLBACK.createTicketModal, state: { values } } });
    expect(res.status).toBe(200);
    // The modal is acknowledged first; the card is posted once the ticket is written.
    await h.fake.waitFor('chat.postMessage', (c) => h.fake.calls.indexOf(c) >= mark && c.args.channel === channel, 5000);
    await h.slack.idle();
    const [ticket] = (await listTickets(ctx.db, { tenantId: teamId })).items;
    const inChannel = (call: FakeSlackCall) => isAlert(call) && call.args.channel === channel;
    return { teamId, ticket: ticket!, start: clock.now(), inChannel, channel };
  }

  function since() {
    const mark = h.fake.calls.length;
    return (method: string, predicate: (call: FakeSlackCall) => boolean = () => true) =>
      h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= mark && predicate(call), 5000);
  }

  async function runAt(minutesAfter: Date, minutes: number) {
    clock.set(new Date(minutesAfter.getTime() + minutes * 60_000).toISOString());
    await sla.runNow();
    await h.slack.idle();
  }

  async function click(teamId: string, userId: string, alert: FakeSlackCall, label: string) {
    const channelId = String(alert.args.channel);
    const button = buttonsOf(alert).find((b) => b.text.text === label);
    expect(button, `a [${label}] button`).toBeDefined();
    return h.sender.blockActions({
      userId,
      teamId,
      channelId,
      messageTs: '1700000000.000900',
      actions: [{ action_id: button!.action_id, value: button!.value! }],
    });
  }

  it('posts a warning, then the breach with Claim, Acknowledge and a link to the card, and marks the card', async () => {
    const { ticket, start, inChannel, channel } = await ticketInSlack('C0ALERT1');
    let after = since();
    await runAt(start, 23);
    const warning = await after('chat.postMessage', inChannel);
    expect(String(warning.args.text)).toBe(`${ticket.number} first response at risk: 7m left — Mail is down`);

    after = since();
    await runAt(start, 45);
    const breach = await after('chat.postMessage', inChannel);
    expect(String(breach.args.text)).toBe(`${ticket.number} first response breached: 15m late — Mail is down`);
    expect(buttonsOf(breach).map((b) => [b.text.text, b.action_id])).toEqual([
      ['Claim', ACTION.alertClaim],
      ['Acknowledge', ACTION.alertAck],
      ['View ticket', ACTION.openLink],
    ]);
    expect(buttonsOf(breach)[2]!.url).toContain('https://fake-workspace.slack.com/archives/');
    expect(textOf(breach)).toContain('_unassigned_');
    const card = await after('chat.update', (c) => c.args.channel === channel);
    expect(textOf(card)).toContain('SLA breached:* first response');
    // Nothing more on the next sweeps.
    const mark = h.fake.calls.length;
    await runAt(start, 46);
    await runAt(start, 47);
    expect(h.fake.calls.slice(mark).filter(inChannel)).toEqual([]);
  });

  it('acknowledges from the alert: records who, says so in the thread, stops the escalation', async () => {
    const { teamId, ticket, start, inChannel, channel } = await ticketInSlack('C0ALERT2');
    let after = since();
    await runAt(start, 31);
    const breach = await after('chat.postMessage', inChannel);

    // Someone outside the team may not.
    after = since();
    await click(teamId, STRANGER, breach, 'Acknowledge');
    expect(String((await after('response_url')).args.text)).toContain('Only the agents of IT desk');

    after = since();
    expect((await click(teamId, AGENT, breach, 'Acknowledge')).status).toBe(200);
    const line = await after('chat.postMessage', (c) => c.args.thread_ts !== undefined);
    expect(line.args).toMatchObject({ channel, text: `<@${AGENT}> acknowledged this alert — no further escalation` });
    const [row] = await ctx.db
      .select()
      .from(slaAlerts)
      .where(and(eq(slaAlerts.tenantId, teamId), eq(slaAlerts.ticketId, ticket.id), eq(slaAlerts.kind, 'breach')));
    const agent = await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT }, clock.now());
    expect(row).toMatchObject({ acknowledgedBy: agent.id, acknowledgedAt: clock.now(), slackMessageTs: line.args.thread_ts });

    after = since();
    await click(teamId, AGENT_2, breach, 'Acknowledge');
    expect(String((await after('response_url')).args.text)).toContain(`Already acknowledged by <@${AGENT}>`);

    // An hour later: no escalation.
    const mark = h.fake.calls.length;
    await runAt(start, 31 + 61);
    expect(h.fake.calls.slice(mark).filter(inChannel)).toEqual([]);
  });

  it('escalates an unacknowledged breach, mentioning the escalation contacts, and claims from the alert', async () => {
    const { teamId, ticket, start, inChannel, channel } = await ticketInSlack('C0ALERT3');
    let after = since();
    await runAt(start, 31);
    await after('chat.postMessage', inChannel);
    after = since();
    await runAt(start, 31 + 60);
    const escalation = await after('chat.postMessage', inChannel);
    expect(String(escalation.args.text)).toMatch(new RegExp(`^Escalation 1 of 3: ${ticket.number} first response breached: 1h 1m late`));
    expect(textOf(escalation)).toContain(`cc <@${ON_CALL}>`);

    after = since();
    expect((await click(teamId, AGENT_2, escalation, 'Claim')).status).toBe(200);
    // The card, rendered from what the click read beside the ticket, still shows the breach.
    const card = await after('chat.update', (c) => c.args.channel === channel);
    expect(textOf(card)).toContain('SLA breached:* first response');
    expect(textOf(card)).toContain(`<@${AGENT_2}>`);
    await after('chat.postMessage', (c) => c.args.thread_ts !== undefined && String(c.args.text).includes('claimed'));
    await h.slack.idle();
    const claimed = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    const agent2 = await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT_2 }, clock.now());
    expect(claimed).toMatchObject({ assignedToId: agent2.id, status: 'in_progress' });
    // Responded: the first-response breach escalates no further (the resolution clock is not due yet).
    const mark = h.fake.calls.length;
    await runAt(start, 31 + 125);
    expect(h.fake.calls.slice(mark).filter(inChannel)).toEqual([]);
    expect(h.problems).toEqual([]);
  });
});
