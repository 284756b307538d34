import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { slaAlerts } from '../../src/db/schema/index.js';
import { createTeam, updateTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { getTicket, listTickets } from '../../src/domain/tickets/queries.js';
import { changeTicketStatus, claimTicket } from '../../src/domain/tickets/tickets.js';
import { ACTION, BLOCK, CALLBACK, INPUT_ACTION, assignBlockId } from '../../src/slack/ids.js';
import { describeEachDatabase, newTenantId, openTestDatabase } from '../support/databases.js';
import { FAKE_SLACK_DEFAULTS, type FakeSlackCall } from '../support/fake-slack.js';
import { tokenFor } from '../support/http-server.js';
import { scopeFor } from '../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { signSlackRequest } from '../support/slack-requests.js';

const CHANNEL = 'C0ITDESK';
const REQUESTER = 'UREQ0001';
const AGENT = 'UAGENT001';
const AGENT_2 = 'UAGENT002';
const STRANGER = 'USTRANGE1';

type Values = Record<string, Record<string, Record<string, unknown>>>;

/** A modal state as Slack submits it. */
function modalValues(fields: { title?: string; description?: string; type?: string; priority?: string; team?: string; category?: string }): Values {
  const text = (value: string | undefined) => ({ [INPUT_ACTION]: { type: 'plain_text_input', value: value ?? null } });
  const select = (value: string | undefined) => ({
    [INPUT_ACTION]: { type: 'static_select', selected_option: value ? { text: { type: 'plain_text', text: value }, value } : null },
  });
  return {
    [BLOCK.title]: text(fields.title),
    [BLOCK.description]: text(fields.description),
    [BLOCK.type]: select(fields.type ?? 'incident'),
    [BLOCK.priority]: select(fields.priority ?? 'high'),
    ...(fields.team ? { [BLOCK.team]: select(fields.team) } : {}),
    [BLOCK.category]: text(fields.category),
  };
}

const textOf = (call: FakeSlackCall) => `${String(call.args.text ?? '')} ${JSON.stringify(call.args.blocks ?? [])}`;

describeEachDatabase('Slack app end to end', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A workspace with a team (two agents) whose channel gets the cards, and an SLA policy. */
  async function workspace() {
    const teamId = newTenantId();
    h.install(teamId);
    const admin = scopeFor(teamId, null, new Date());
    const agent = await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT }, new Date());
    const agent2 = await upsertSlackPerson(ctx.db, teamId, { slackUserId: AGENT_2 }, new Date());
    const team = await createTeam(ctx.db, admin, { name: 'IT desk', slack_channel_id: CHANNEL, agent_ids: [agent.id, agent2.id] });
    await updateTenantSettings(ctx.db, admin, { default_team_id: team.id });
    await createSlaPolicy(ctx.db, admin, {
      name: 'High incidents',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 30,
      resolution_minutes: 240,
    });
    return { teamId, team, agent, agent2, admin };
  }

  /** Marks the calls made so far, so a wait only matches what comes after. */
  function since() {
    const mark = h.fake.calls.length;
    return (method: string, predicate: (call: FakeSlackCall) => boolean = () => true) =>
      h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= mark && predicate(call), 5000);
  }

  async function fileTicket(teamId: string, fields: Parameters<typeof modalValues>[0] = { title: 'VPN drops every hour' }) {
    const after = since();
    const res = await h.sender.viewSubmission({
      userId: REQUESTER,
      teamId,
      view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues(fields) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    await h.slack.idle();
    const [ticket] = (await listTickets(ctx.db, { tenantId: teamId }, { sort: '-number', limit: 1 })).items;
    expect(ticket).toBeDefined();
    const card = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined && textOf(c).includes(ticket!.id));
    return { ticket: ticket!, card };
  }

  async function click(teamId: string, userId: string, actionId: string, ticketId: string) {
    return h.sender.blockActions({
      userId,
      teamId,
      channelId: CHANNEL,
      messageTs: '1700000000.000100',
      actions: [{ action_id: actionId, value: ticketId }],
    });
  }

  it('in a burst of changes, posts each ticket\'s card update, thread lines and DMs, in the order of its changes', async () => {
    const { teamId, agent } = await workspace();
    const filed = [];
    for (let i = 0; i < 6; i++) filed.push((await fileTicket(teamId, { title: `Burst ${i}` })).ticket);
    const cards = await Promise.all(filed.map((t) => getTicket(ctx.db, { tenantId: teamId }, t.id)));
    const mark = h.fake.calls.length;
    const onChange = h.slack.notifier.onTicketChange;
    // Every ticket claimed and then set pending at once, as fast as the writes go.
    await Promise.all(
      cards.map(async (t) => {
        await claimTicket(ctx.db, scopeFor(teamId, agent.id, new Date()), t.id, { onChange });
        await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), t.id, 'pending', { onChange });
      }),
    );
    await h.slack.idle();
    const calls = h.fake.calls.slice(mark);
    for (const t of cards) {
      const mine = calls.filter((c) => c.args.ts === t.slackMessageTs || c.args.thread_ts === t.slackMessageTs || (c.args.channel === REQUESTER && textOf(c).includes(t.number)));
      const order = mine.map((c) =>
        c.method === 'chat.update'
          ? `card:${/Pending/.test(textOf(c)) ? 'pending' : 'claimed'}`
          : c.args.thread_ts
            ? `line:${/pending/i.test(textOf(c)) ? 'pending' : 'claimed'}`
            : `dm:${/needs your input/.test(textOf(c)) ? 'pending' : 'claimed'}`,
      );
      // The claim's card update comes before its line and DM; the pending change's after the claim's.
      expect(order.filter((o) => o.startsWith('line:'))).toEqual(['line:claimed', 'line:pending']);
      expect(order.filter((o) => o.startsWith('dm:'))).toEqual(['dm:claimed', 'dm:pending']);
      expect(order.indexOf('card:claimed')).toBeLessThan(order.indexOf('line:claimed'));
      expect(order.indexOf('line:claimed')).toBeLessThan(order.indexOf('dm:claimed'));
      expect(order.lastIndexOf('card:pending')).toBeGreaterThan(order.indexOf('card:claimed'));
    }
  });

  it('opens the create modal for /ticket, prefilled with its words and the default team', async () => {
    const { teamId, team } = await workspace();
    const after = since();
    const res = await h.sender.slashCommand({ command: '/ticket', text: 'Printer on fire', userId: REQUESTER, teamId, channelId: 'C0GENERAL', triggerId: 'trig-1' });
    expect(res.status).toBe(200);
    const open = await after('views.open');
    expect(open.args.trigger_id).toBe('trig-1');
    const view = open.args.view as { callback_id: string; blocks: Array<{ block_id?: string; element?: Record<string, unknown> }> };
    expect(view.callback_id).toBe(CALLBACK.createTicketModal);
    const block = (id: string) => view.blocks.find((b) => b.block_id === id)!;
    expect(block(BLOCK.title).element!.initial_value).toBe('Printer on fire');
    expect((block(BLOCK.team).element!.initial_option as { value: string }).value).toBe(team.id);
  });

  it('creates the ticket from the modal: card in the team channel, DM to the requester with SLA targets', async () => {
    const { teamId, team } = await workspace();
    const { ticket, card } = await fileTicket(teamId, { title: 'VPN drops every hour', description: 'Since Monday', category: 'network' });
    expect(ticket).toMatchObject({ title: 'VPN drops every hour', description: 'Since Monday', category: 'network', type: 'incident', priority: 'high', teamId: team.id, source: 'slack' });
    expect(ticket.firstResponseDueAt).not.toBeNull();

    expect(textOf(card)).toContain(ticket.number);
    expect(textOf(card)).toContain(`<@${REQUESTER}>`);
    expect(JSON.stringify(card.args.blocks)).toContain(ACTION.claim);
    const stored = await getTicket(ctx.db, { tenantId: teamId }, ticket.id);
    expect(stored.slackChannelId).toBe(CHANNEL);
    expect(stored.slackMessageTs).toMatch(/^\d+\.\d+$/);

    // By id: every workspace's first ticket is TKT-0001.
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === REQUESTER && textOf(c).includes(ticket.id))!;
    expect(dm).toBeDefined();
    // Deadlines in each reader's own time zone: Slack date tokens with the deadline's unix time.
    const unix = Math.floor(ticket.firstResponseDueAt!.getTime() / 1000);
    expect(textOf(dm)).toContain(`<!date^${unix}^`);
    expect(textOf(dm)).toContain('https://fake-workspace.slack.com/archives/');
  });

  it('shows field errors inside the modal and creates nothing for invalid input', async () => {
    const { teamId } = await workspace();
    const res = await h.sender.viewSubmission({
      userId: REQUESTER,
      teamId,
      view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues({ title: '   ', type: 'outage' }) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ response_action: 'errors', errors: { [BLOCK.title]: expect.any(String), [BLOCK.type]: expect.any(String) } });
    expect((await listTickets(ctx.db, { tenantId: teamId })).items).toEqual([]);
  });

  it('keeps the form open with the reason when the ticket cannot be written, so nothing typed is lost', async () => {
    const { teamId } = await workspace();
    const res = await h.sender.viewSubmission({
      userId: REQUESTER,
      teamId,
      view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues({ title: 'Keep my words', description: 'Long story', team: 'grp_01DELETEDTEAM0000000000000' }) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ response_action: 'errors', errors: { [BLOCK.team]: 'No such team' } });
    expect((await listTickets(ctx.db, { tenantId: teamId })).items).toEqual([]);
  });

  it('acknowledges a submission only once its ticket is committed', async () => {
    const { teamId } = await workspace();
    const res = await h.sender.viewSubmission({
      userId: REQUESTER,
      teamId,
      view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues({ title: 'Committed before the ack' }) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    // No waiting for background work: the ack itself says the ticket exists.
    const { items } = await listTickets(ctx.db, { tenantId: teamId });
    expect(items.map((t) => t.title)).toEqual(['Committed before the ack']);
  });

  it('shows "please try again" in the open form when the database cannot be reached', async () => {
    const lost = await openTestDatabase(ctx.kind);
    const broken = await startSlackHarness({ db: lost.db });
    try {
      await lost.close();
      const res = await broken.sender.viewSubmission({
        userId: REQUESTER,
        teamId: FAKE_SLACK_DEFAULTS.teamId,
        view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues({ title: 'Database is down' }) } },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response_action: 'errors', errors: { [BLOCK.title]: "Couldn't save your ticket, please try again." } });
    } finally {
      await broken.close();
    }
  });

  it('creates one ticket when Slack delivers the same submission twice', async () => {
    const { teamId } = await workspace();
    const submission = {
      userId: REQUESTER,
      teamId,
      view: { id: 'VDUPLICATE1', callback_id: CALLBACK.createTicketModal, state: { values: modalValues({ title: 'Delivered twice' }) } },
    };
    const after = since();
    const answers = await Promise.all([h.sender.viewSubmission(submission), h.sender.viewSubmission(submission)]);
    await after('chat.postMessage', (c) => c.args.channel === CHANNEL);
    await h.sender.viewSubmission(submission);
    // Each answer comes after its write: a second ticket would be there by now.
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect((await listTickets(ctx.db, { tenantId: teamId })).items).toHaveLength(1);
  });

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

  /** AGENT's agent check of the workspace's team is remembered after one click of theirs. */
  async function clickedOnce(teamId: string) {
    const { ticket } = await fileTicket(teamId, { title: 'Warm-up' });
    await click(teamId, AGENT, ACTION.claim, ticket.id);
    await h.slack.idle();
  }

  it('decides a click on a remembered ticket afresh when the ticket changed out of its sight', async () => {
    const { teamId, agent, agent2 } = await workspace();
    await clickedOnce(teamId);
    const { ticket } = await fileTicket(teamId);
    expect(h.slack.memory.recall(teamId, ticket.id, agent.id)?.ticket.revision).toBe(ticket.revision);
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
    // What the click read is what is remembered now.
    expect(h.slack.memory.recall(teamId, ticket.id, agent.id)?.ticket).toEqual(stored);
  });

  it('refuses a click by someone who is no agent of the team any more, though remembered as one', async () => {
    const { teamId, team, agent, agent2, admin } = await workspace();
    const { ticket } = await fileTicket(teamId);
    await click(teamId, AGENT, ACTION.claim, ticket.id);
    await h.slack.idle();
    expect(h.slack.memory.recall(teamId, ticket.id, agent.id)?.agents).toEqual({ total: 2, mine: 1 });
    await updateTeam(ctx.db, admin, team.id, { agent_ids: [agent2.id] });
    const after = since();
    await click(teamId, AGENT, ACTION.resolve, ticket.id);
    const told = await after('response_url');
    expect(String(told.args.text)).toContain('Only the agents of IT desk');
    await h.slack.idle();
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('in_progress');
  });

  it('shows a breach on the card after a click decided on a remembered ticket', async () => {
    const { teamId, agent } = await workspace();
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
    expect(h.slack.memory.recall(teamId, ticket.id, agent.id)).toBeDefined();
    const after = since();
    await click(teamId, AGENT, ACTION.setPending, ticket.id);
    const card = await after('chat.update', (c) => textOf(c).includes(ticket.number));
    expect(textOf(card)).toContain('SLA breached');
    expect(textOf(card)).toContain('Pending');
  });

  it("keeps a click inside its own workspace, whatever this process remembers of another's tickets", async () => {
    const a = await workspace();
    const b = await workspace();
    await clickedOnce(b.teamId);
    const { ticket } = await fileTicket(a.teamId);
    expect(h.slack.memory.recall(a.teamId, ticket.id, a.agent.id)).toBeUndefined(); // A's agent never clicked
    await clickedOnce(a.teamId);
    expect(h.slack.memory.recall(a.teamId, ticket.id, a.agent.id)).toBeDefined();
    // The same Slack user id, in workspace B, clicks on A's ticket (a forged or misrouted payload).
    for (const action of [ACTION.resolve, ACTION.claim]) {
      const after = since();
      await click(b.teamId, AGENT, action, ticket.id);
      expect(String((await after('response_url')).args.text)).toMatch(/not found/i);
    }
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId: a.teamId }, ticket.id)).toMatchObject({ status: 'open', assignedToId: null, revision: ticket.revision });
  });

  it('acknowledges a button that is not one of its own, and does nothing else', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    await h.slack.idle();
    const mark = h.fake.calls.length;
    const res = await click(teamId, AGENT, 'someone_elses_button', ticket.id);
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    // A real click after it is handled as usual, so nothing of the first one can still be on its way.
    await click(teamId, AGENT, ACTION.claim, ticket.id);
    await h.slack.idle();
    const after = h.fake.calls.slice(mark);
    expect(after.filter((c) => c.method === 'response_url')).toEqual([]);
    expect(after.filter((c) => c.method === 'chat.update')).toHaveLength(1);
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('in_progress');
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

  it('updates the card when the ticket changes through the REST API', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const after = since();
    const token = await tokenFor({ sub: 'per_integration', tenant_id: teamId });
    const res = await fetch(`${h.baseUrl}/api/v1/helpdesk/tickets/${ticket.number}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ priority: 'urgent', title: 'VPN down for everyone' }),
    });
    expect(res.status).toBe(200);
    const update = await after('chat.update');
    expect(textOf(update)).toContain('VPN down for everyone');
    expect(textOf(update)).toContain('Urgent');
    const line = await after('chat.postMessage', (c) => c.args.thread_ts !== undefined);
    expect(String(line.args.text)).toMatch(/priority|title/);
    // The card bookkeeping did not invalidate the client's ETag.
    const etag = res.headers.get('etag')!;
    const again = await fetch(`${h.baseUrl}/api/v1/helpdesk/tickets/${ticket.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-match': etag },
      body: JSON.stringify({ category: 'network' }),
    });
    expect(again.status).toBe(200);
  });

  it('answers /ticket help, list, a ticket number, unknown words and a missing ticket, privately', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId, { title: 'Mine' });
    const help = await h.sender.slashCommand({ command: '/ticket', text: 'help', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    expect(help.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(help.body)).toContain('/ticket list');
    const typo = await h.sender.slashCommand({ command: '/ticket', text: 'lsit', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    expect(JSON.stringify(typo.body)).toContain('lsit');

    let after = since();
    await h.sender.slashCommand({ command: '/ticket', text: 'list', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    const list = await after('response_url');
    expect(list.args.response_type).toBe('ephemeral');
    expect(textOf(list)).toContain(ticket.number);

    after = since();
    await h.sender.slashCommand({ command: '/ticket', text: ticket.number, userId: STRANGER, teamId, channelId: 'C0GENERAL' });
    expect(textOf(await after('response_url'))).toContain('Mine');

    after = since();
    await h.sender.slashCommand({ command: '/ticket', text: 'TKT-9999', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    expect(textOf(await after('response_url'))).toContain('TKT-9999');
  });

  it('opens the modal from the message shortcut, prefilled with the message and its link', async () => {
    const { teamId } = await workspace();
    const after = since();
    await h.sender.messageShortcut({
      callbackId: CALLBACK.messageShortcut,
      userId: REQUESTER,
      teamId,
      channelId: 'C0GENERAL',
      message: { ts: '1700000123.000200', text: 'Laptop will not boot\nTried twice', user: 'UOTHER01' },
    });
    const open = await after('views.open');
    const json = JSON.stringify(open.args.view);
    expect(json).toContain('Laptop will not boot');
    expect(json).toContain('Tried twice');
    expect(json).toContain('https://fake-workspace.slack.com/archives/C0GENERAL/');
  });

  it('refuses unsigned, wrongly signed and stale requests, and survives malformed ones', async () => {
    const body = 'command=%2Fticket&text=&team_id=T1&user_id=U1&trigger_id=x';
    const form = 'application/x-www-form-urlencoded';
    expect((await h.sender.raw({ body, contentType: form, signature: 'v0=deadbeef' })).status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 10 * 60;
    expect((await h.sender.raw({ body, contentType: form, timestamp: stale, signature: signSlackRequest('test-signing-secret', stale, body) })).status).toBe(401);
    const garbage = await h.sender.raw({ body: 'payload=%7Bnot-json', contentType: form });
    expect(garbage.status).toBeGreaterThanOrEqual(400);
    expect(garbage.status).toBeLessThan(500);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
