import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slaAlerts } from '../../../../src/db/schema/index.js';
import { ACTION } from '../../../../src/slack/ids.js';
import { describeEachDatabase } from '../../../support/databases.js';
import { startSlackHarness, type SlackHarness } from '../../../support/slack-harness.js';
import { AGENT, AGENT_2, CHANNEL, STRANGER, slackWorkspaces } from '../../../support/slack-workspace.js';

const ALERT_TS = '1700000000.000900';

describeEachDatabase('Acknowledge on an SLA alert', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket, click } = slackWorkspaces(() => h, () => ctx.db);

  /** A ticket whose first-response breach was posted in the team's channel. */
  async function breached() {
    const { teamId, agent } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const id = `alr_${ticket.id.slice(4)}`;
    await ctx.db.insert(slaAlerts).values({
      tenantId: teamId,
      id,
      ticketId: ticket.id,
      clock: 'first_response',
      cycle: 1,
      kind: 'breach',
      status: 'delivered',
      channelId: CHANNEL,
      slackMessageTs: ALERT_TS,
      deadlineAt: new Date(),
      nextAttemptAt: new Date(),
      deliveredAt: new Date(),
      createdAt: new Date(),
    });
    return { teamId, agent, alertId: id };
  }

  it('records who acknowledged, says so in the alert thread, and tells a second agent who was first', async () => {
    const { teamId, agent, alertId } = await breached();
    let after = since();
    expect((await click(teamId, AGENT, ACTION.alertAck, alertId)).status).toBe(200);
    const line = await after('chat.postMessage', (c) => c.args.thread_ts === ALERT_TS);
    expect(line.args).toMatchObject({ channel: CHANNEL, text: `<@${AGENT}> acknowledged this alert — no further escalation` });
    const [row] = await ctx.db.select().from(slaAlerts).where(and(eq(slaAlerts.tenantId, teamId), eq(slaAlerts.id, alertId)));
    expect(row).toMatchObject({ acknowledgedBy: agent.id, escalateAt: null });

    after = since();
    await click(teamId, AGENT_2, ACTION.alertAck, alertId);
    const told = await after('response_url');
    expect(told.args.response_type).toBe('ephemeral');
    expect(String(told.args.text)).toContain(`Already acknowledged by <@${AGENT}>`);
  });

  it('refuses someone outside the team, and an alert of another workspace, privately, recording nothing', async () => {
    const { teamId, alertId } = await breached();
    const other = await workspace();
    const mark = h.fake.calls.length;
    let after = since();
    await click(teamId, STRANGER, ACTION.alertAck, alertId);
    expect(String((await after('response_url')).args.text)).toContain('Only the agents of IT desk');
    after = since();
    await click(other.teamId, AGENT, ACTION.alertAck, alertId);
    expect(String((await after('response_url')).args.text)).toMatch(/not found/i);
    await h.slack.idle();
    const [row] = await ctx.db.select().from(slaAlerts).where(and(eq(slaAlerts.tenantId, teamId), eq(slaAlerts.id, alertId)));
    expect(row!.acknowledgedAt).toBeNull();
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ALERT_TS)).toEqual([]);
  });
});
