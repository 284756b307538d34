import { afterAll, beforeAll, expect, it } from 'vitest';
import { slaAlerts } from '../../../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../../../src/domain/people.js';
import { updateTeam } from '../../../../src/domain/teams.js';
import { getTicket } from '../../../../src/domain/tickets/queries.js';
import { claimTicket } from '../../../../src/domain/tickets/tickets.js';
import { ACTION, assignBlockId, fieldsBlockId } from '../../../../src/slack/ids.js';
import { createSlaPolicy } from '../../../../src/domain/sla/policies.js';
import { describeEachDatabase, closedTestDatabase } from '../../../support/databases.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlackCall } from '../../../support/fake-slack.js';
import { scopeFor } from '../../../support/scope.js';
import { type SlackHarness, startSlackHarness } from '../../../support/slack-harness.js';
import { AGENT, AGENT_2, CHANNEL, REQUESTER, slackWorkspaces, STRANGER, textOf } from '../../../support/slack-workspace.js';

describeEachDatabase('buttons on tickets', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket, click } = slackWorkspaces(() => h, () => ctx.db);

  it('walks a ticket through claim, pending, resolve and close from buttons, telling the requester', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const stored = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    const onCard = (c: FakeSlackCall) => c.args.channel === CHANNEL && c.args.ts === stored.slackMessageTs;
    const inThread = (c: FakeSlackCall) => c.args.channel === CHANNEL && c.args.thread_ts === stored.slackMessageTs;

    let after = since();
    expect((await click(teamId, AGENT, ACTION.claim, ticket.id)).status).toBe(200);
    const claimedCard = await after('chat.update', onCard);
    expect(textOf(claimedCard)).toContain(`<@${AGENT}>`);
    expect(JSON.stringify(claimedCard.args.blocks)).not.toContain(ACTION.claim);
    expect((await after('chat.postMessage', inThread)).args.text).toContain(`<@${AGENT}>`);
    await after('chat.postMessage', (c) => c.args.channel === REQUESTER && textOf(c).includes(ticket.number));
    const claimed = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    expect(claimed).toMatchObject({ status: 'in_progress', firstResponseAt: expect.any(Date) });

    after = since();
    await click(teamId, AGENT, ACTION.setPending, ticket.id);
    await after('chat.update', (c) => onCard(c) && textOf(c).includes('Pending'));
    const pendingDm = await after('chat.postMessage', (c) => c.args.channel === REQUESTER);
    expect(textOf(pendingDm)).toContain(ticket.number);

    after = since();
    await click(teamId, AGENT, ACTION.resolve, ticket.id);
    const resolvedDm = await after('chat.postMessage', (c) => c.args.channel === REQUESTER);
    expect(JSON.stringify(resolvedDm.args.blocks)).toContain(ACTION.close);
    expect(JSON.stringify(resolvedDm.args.blocks)).toContain(ACTION.reopen);

    // The requester closes it from the DM.
    after = since();
    const closing = await h.sender.blockActions({ userId: REQUESTER, teamId, channelId: 'D0REQ', actions: [{ action_id: ACTION.close, value: ticket.id }] });
    expect(closing.status).toBe(200);
    const closedCard = await after('chat.update', onCard);
    expect(textOf(closedCard)).toContain('Closed');
    await h.slack.idle();
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('closed');
    expect(h.problems).toEqual([]);
  });

  it('lets one of two agents win a simultaneous claim and tells the other who has it', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const after = since();
    await Promise.all([click(teamId, AGENT, ACTION.claim, ticket.id), click(teamId, AGENT_2, ACTION.claim, ticket.id)]);
    const told = await after('response_url', (c) => String(c.args.text ?? '').includes('Already claimed'));
    await h.slack.idle();
    const winner = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    const winnerSlackId = winner.assignedToId === (await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT }, new Date())).id ? AGENT : AGENT_2;
    expect(String(told.args.text)).toContain(`<@${winnerSlackId}>`);
    expect(told.args.response_type).toBe('ephemeral');
  });

  it('refuses actions by people outside the team, privately, and changes nothing', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const after = since();
    await click(teamId, STRANGER, ACTION.resolve, ticket.id);
    const told = await after('response_url');
    expect(String(told.args.text)).toContain('Only the agents of IT desk');
    // The requester may not resolve either, only close/reopen.
    await click(teamId, REQUESTER, ACTION.claim, ticket.id);
    await after('response_url', (c) => c !== told);
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('open');
  });

  it('decides a click on the ticket as it is now, when it changed out of this process\'s sight', async () => {
    const { teamId, agent2 } = await workspace();
    const { ticket } = await fileTicket(teamId);
    // Claimed by another replica, say: this process hears nothing of it.
    await claimTicket(ctx.db, scopeFor(teamId, agent2.id, new Date()), ticket.id);
    const after = since();
    await click(teamId, AGENT, ACTION.claim, ticket.id);
    const told = await after('response_url');
    expect(String(told.args.text)).toContain(`Already claimed by <@${AGENT_2}>`);
    await h.slack.idle();
    const stored = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    expect(stored.assignedToId).toBe(agent2.id);
    expect(stored.revision).toBe(ticket.revision + 1);
  });

  it('refuses a click by someone who is no agent of the team any more', async () => {
    const { teamId, team, agent2, admin } = await workspace();
    const { ticket } = await fileTicket(teamId);
    await click(teamId, AGENT, ACTION.claim, ticket.id);
    await h.slack.idle();
    await updateTeam(ctx.db, admin, team.id, { agent_ids: [agent2.id] });
    const after = since();
    await click(teamId, AGENT, ACTION.resolve, ticket.id);
    const told = await after('response_url');
    expect(String(told.args.text)).toContain('Only the agents of IT desk');
    await h.slack.idle();
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('in_progress');
  });

  it('shows a breach on the card after a click', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    await click(teamId, AGENT, ACTION.claim, ticket.id);
    await h.slack.idle();
    await ctx.db.insert(slaAlerts).values({
      tenantId: teamId,
      id: `sla_${ticket.id}`,
      ticketId: ticket.id,
      clock: 'first_response',
      cycle: 1,
      kind: 'breach',
      status: 'delivered',
      deadlineAt: new Date(),
      nextAttemptAt: new Date(),
      createdAt: new Date(),
    });
    const after = since();
    await click(teamId, AGENT, ACTION.setPending, ticket.id);
    const card = await after('chat.update', (c) => textOf(c).includes(ticket.number));
    expect(textOf(card)).toContain('SLA breached');
    expect(textOf(card)).toContain('Pending');
  });

  it('keeps a click inside its own workspace', async () => {
    const a = await workspace();
    const b = await workspace();
    const { ticket } = await fileTicket(a.teamId);
    // The same Slack user id, in workspace B, clicks on A's ticket (a forged or misrouted payload).
    for (const action of [ACTION.resolve, ACTION.claim]) {
      const after = since();
      await click(b.teamId, AGENT, action, ticket.id);
      expect(String((await after('response_url')).args.text)).toMatch(/not found/i);
    }
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId: a.teamId }, ticket.id)).toMatchObject({ status: 'open', assignedToId: null, revision: ticket.revision });
  });

  it('assigns from the user picker and reopens a resolved ticket', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const after = since();
    await h.sender.blockActions({
      userId: AGENT,
      teamId,
      channelId: CHANNEL,
      actions: [{ action_id: ACTION.assign, block_id: assignBlockId(ticket.id), type: 'users_select', selected_user: AGENT_2 }],
    });
    const line = await after('chat.postMessage', (c) => c.args.thread_ts !== undefined && String(c.args.text).includes(`<@${AGENT_2}>`));
    expect(String(line.args.text)).toContain(`<@${AGENT}>`);
    await click(teamId, AGENT_2, ACTION.resolve, ticket.id);
    await after('chat.postMessage', (c) => c.args.channel === REQUESTER && JSON.stringify(c.args.blocks).includes(ACTION.reopen));
    await h.sender.blockActions({ userId: REQUESTER, teamId, channelId: 'D0REQ', actions: [{ action_id: ACTION.reopen, value: ticket.id }] });
    await after('chat.postMessage', (c) => c.args.thread_ts !== undefined && String(c.args.text).includes('reopened'));
    const reopened = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    expect(reopened).toMatchObject({ status: 'in_progress', slaCycle: 2 });
  });

  /** A choice in the card's type or priority picker, as Slack sends it. */
  const pick = (teamId: string, userId: string, ticketId: string, actionId: string, value: string) =>
    h.sender.blockActions({
      userId,
      teamId,
      channelId: CHANNEL,
      actions: [{ action_id: actionId, block_id: fieldsBlockId(ticketId), type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } }],
    });

  it('changes priority and type from the card\'s pickers: the SLA is re-matched, the card and its thread say so', async () => {
    const { teamId, admin } = await workspace();
    await createSlaPolicy(ctx.db, admin, { name: 'Urgent incidents', applies_to: ['incident'], priority: 'urgent', first_response_minutes: 10, resolution_minutes: 60 });
    const { ticket } = await fileTicket(teamId);
    expect(ticket.priority).toBe('high');
    const card = (c: FakeSlackCall) => c.args.channel === CHANNEL && c.args.ts === ticket.slackMessageTs;
    let after = since();
    expect((await pick(teamId, AGENT, ticket.id, ACTION.setPriority, 'urgent')).status).toBe(200);
    const line = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === ticket.slackMessageTs);
    expect(String(line.args.text)).toBe(`<@${AGENT}> updated priority from High to Urgent`);
    const updated = await after('chat.update', card);
    expect(JSON.stringify(updated.args.blocks)).toContain('"initial_option":{"text":{"type":"plain_text","text":"Urgent","emoji":true},"value":"urgent"}');
    const urgent = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    // Re-targeted from creation: 10 and 60 minutes instead of 30 and 240.
    expect(urgent.priority).toBe('urgent');
    expect(urgent.firstResponseDueAt!.getTime() - urgent.createdAt.getTime()).toBe(10 * 60_000);
    expect(urgent.dueAt!.getTime() - urgent.createdAt.getTime()).toBe(60 * 60_000);

    // A type no policy covers: no targets any more.
    after = since();
    await pick(teamId, AGENT_2, ticket.id, ACTION.setType, 'change');
    const typeLine = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === ticket.slackMessageTs);
    expect(String(typeLine.args.text)).toBe(`<@${AGENT_2}> updated type from Incident to Change`);
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).toMatchObject({ type: 'change', dueAt: null, firstResponseDueAt: null });
  });

  it('refuses the card\'s pickers to anyone but the team\'s agents, privately, and to values that are no type', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    let after = since();
    await pick(teamId, STRANGER, ticket.id, ACTION.setPriority, 'low');
    expect(String((await after('response_url')).args.text)).toContain('Only the agents of IT desk can edit');
    // The requester neither: they may only close and reopen.
    after = since();
    await pick(teamId, REQUESTER, ticket.id, ACTION.setType, 'problem');
    expect(String((await after('response_url')).args.text)).toContain('Only the agents of IT desk can edit');
    after = since();
    await pick(teamId, AGENT, ticket.id, ACTION.setType, 'bogus');
    expect(String((await after('response_url')).args.text)).toContain('Could not change the type');
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).toMatchObject({ type: 'incident', priority: 'high', revision: ticket.revision });
  });
});

describeEachDatabase('a button while the database is unreachable', (ctx) => {
  it('tells the person privately to try again, and logs one warning, not an error', async () => {
    const lost = await closedTestDatabase(ctx.kind);
    const h = await startSlackHarness({ db: lost.db });
    try {
      const res = await h.sender.blockActions({
        userId: AGENT,
        teamId: FAKE_SLACK_DEFAULTS.teamId,
        channelId: CHANNEL,
        actions: [{ action_id: ACTION.claim, value: 'tkt_01ANYTICKET0000000000000' }],
      });
      expect(res.status).toBe(200);
      const told = await h.fake.waitFor('response_url', () => true, 5000);
      expect(String(told.args.text)).toContain('cannot reach its database right now');
      expect(h.problems.filter((line) => line.includes('ERROR'))).toEqual([]);
      expect(h.problems.filter((line) => line.includes('WARN') && line.includes('database is unavailable'))).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
