import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_PREFIX } from '../../../src/http/app.js';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { getTicket, type Ticket } from '../../../src/domain/tickets/queries.js';
import { changeTicketStatus, createTicket } from '../../../src/domain/tickets/tickets.js';
import { ACTION, HOME_ACTION } from '../../../src/slack/ids.js';
import { closedTestDatabase, describeEachDatabase } from '../../support/databases.js';
import { FAKE_SLACK_DEFAULTS } from '../../support/fake-slack.js';
import { tokenFor } from '../../support/http-server.js';
import { scopeFor } from '../../support/scope.js';
import { startSlackHarness, type SlackHarness } from '../../support/slack-harness.js';
import { AGENT, AGENT_2, REQUESTER, slackWorkspaces, STRANGER } from '../../support/slack-workspace.js';

type Home = NonNullable<ReturnType<SlackHarness['fake']['homeOf']>>;

describeEachDatabase('the App Home', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  /** Opens the Home tab as Slack reports it, and returns the Home published for it. */
  async function openHome(teamId: string, userId: string): Promise<Home> {
    const shown = h.fake.homeOf(userId);
    const res = await h.sender.appHomeOpened({ teamId, userId, ...(shown ? { view: { ...shown, team_id: teamId, app_installed_team_id: teamId } } : {}) });
    expect(res.status).toBe(200);
    await h.slack.idle();
    const home = h.fake.homeOf(userId);
    expect(home).toBeDefined();
    return home!;
  }

  /** A click in the Home, as Slack sends it: from the view, with no response_url. */
  async function clickInHome(teamId: string, userId: string, actionId: string, value: string) {
    // Slack's view names the workspace the click comes from (the fake serves them all as one).
    const view = { ...(h.fake.homeOf(userId) ?? { id: 'V0NONE', type: 'home', private_metadata: '' }), team_id: teamId, app_installed_team_id: teamId };
    const res = await h.sender.blockActions({ userId, teamId, view: view as never, actions: [{ action_id: actionId, value }] });
    expect(res.status).toBe(200);
    await h.slack.idle();
    return h.fake.homeOf(userId)!;
  }

  const text = (home: Home) => JSON.stringify(home.blocks);
  /** The blocks of one list of the Home, from its title to the next divider. */
  function list(home: Home, title: string): string {
    const blocks = home.blocks as Array<{ type: string; text?: { text?: string } }>;
    const start = blocks.findIndex((b) => b.type === 'section' && b.text?.text?.startsWith(`*${title}*`));
    if (start < 0) return '';
    const end = blocks.findIndex((b, i) => i > start && b.type === 'divider');
    return JSON.stringify(blocks.slice(start, end < 0 ? undefined : end));
  }
  const publishesTo = (mark: number, userId: string) => h.fake.calls.slice(mark).filter((c) => c.method === 'views.publish' && c.args.user_id === userId).length;

  /** Tickets raised by the requester at given minutes in the past (no card: straight into the database). */
  async function raisedAgo(teamId: string, minutes: number, title: string): Promise<Ticket> {
    const requester = await upsertSlackPerson(ctx.db, teamId, { slackUserId: REQUESTER }, new Date());
    return createTicket(ctx.db, scopeFor(teamId, requester.id, new Date(Date.now() - minutes * 60_000)), { title, type: 'incident', priority: 'high' });
  }

  it("shows a requester their requests only, and nothing for the Messages tab", async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId, { title: 'Printer jammed' });
    const mark = h.fake.calls.length;
    await h.sender.appHomeOpened({ teamId, userId: REQUESTER, tab: 'messages' });
    await h.slack.idle();
    expect(publishesTo(mark, REQUESTER)).toBe(0);

    const home = await openHome(teamId, REQUESTER);
    expect(home.type).toBe('home');
    expect(list(home, 'My requests')).toContain('(1)');
    expect(list(home, 'My requests')).toContain(ticket.number);
    expect(list(home, 'My requests')).toContain('First response due <!date^');
    expect(text(home)).toContain(HOME_ACTION.newTicket);
    expect(text(home)).not.toContain('My queue');
    expect(h.problems).toEqual([]);
  });

  it("shows an agent their queue, their teams' unassigned tickets and those at risk, most urgent first", async () => {
    const { teamId } = await workspace();
    const late = await raisedAgo(teamId, 45, 'Late one');
    const risky = await raisedAgo(teamId, 25, 'Risky one');
    const fresh = await raisedAgo(teamId, 1, 'Fresh one');
    const home = await openHome(teamId, AGENT);
    expect(list(home, 'My queue')).toContain('Nothing waiting on you');
    const unassigned = list(home, 'Unassigned in my teams');
    expect(unassigned).toContain('(3)');
    expect(unassigned.indexOf(late.number)).toBeLessThan(unassigned.indexOf(risky.number));
    expect(unassigned.indexOf(risky.number)).toBeLessThan(unassigned.indexOf(fresh.number));
    expect(unassigned).toContain(ACTION.claim);
    const risk = list(home, 'At risk and breached');
    expect(risk).toContain('(2)');
    expect(risk).not.toContain(fresh.number);
    expect(risk).toMatch(/First response breached\*, 1[45]m late/);
    expect(risk).toMatch(/First response at risk\*, [45]m left/);
    expect(risk.indexOf(late.number)).toBeLessThan(risk.indexOf(risky.number));
  });

  it('claims from Home with the card\'s rule, and republishes the Home', async () => {
    const { teamId, agent } = await workspace();
    const ticket = await raisedAgo(teamId, 5, 'Claim me');
    await openHome(teamId, AGENT);
    const home = await clickInHome(teamId, AGENT, ACTION.claim, ticket.id);
    expect(await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).toMatchObject({ assignedToId: agent.id, status: 'in_progress' });
    expect(list(home, 'My queue')).toContain(ticket.number);
    expect(list(home, 'Unassigned in my teams')).toContain('(0)');
    expect(h.problems).toEqual([]);
  });

  it('refuses a Claim from Home by someone who is no agent, on their Home, and changes nothing', async () => {
    const { teamId } = await workspace();
    const ticket = await raisedAgo(teamId, 5, 'Not yours');
    await openHome(teamId, STRANGER);
    const mark = h.fake.calls.length;
    const home = await clickInHome(teamId, STRANGER, ACTION.claim, ticket.id);
    expect(text(home)).toContain(':warning: Only the agents of IT desk can claim');
    // Home has no response_url: nothing went anywhere else, and nothing broke.
    expect(h.fake.calls.slice(mark).filter((c) => c.method === 'response_url')).toEqual([]);
    expect(await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).toMatchObject({ assignedToId: null, status: 'open', revision: ticket.revision });
    expect(h.problems).toEqual([]);
    // The notice shows once: the next publish is the plain Home.
    expect(text(await openHome(teamId, STRANGER))).not.toContain(':warning:');
  });

  it('reopens and closes a resolved request from Home', async () => {
    const { teamId, agent } = await workspace();
    const ticket = await raisedAgo(teamId, 5, 'Fixed?');
    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'resolved');
    let home = await openHome(teamId, REQUESTER);
    const mine = list(home, 'My requests');
    expect(mine).toContain(ACTION.close);
    expect(mine).toContain(ACTION.reopen);

    home = await clickInHome(teamId, REQUESTER, ACTION.reopen, ticket.id);
    // Reopened with nobody on it: open again.
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('open');
    expect(list(home, 'My requests')).not.toContain(ACTION.reopen);

    await changeTicketStatus(ctx.db, scopeFor(teamId, agent.id, new Date()), ticket.id, 'resolved');
    home = await clickInHome(teamId, REQUESTER, ACTION.close, ticket.id);
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).status).toBe('closed');
    expect(list(home, 'My requests')).toContain('Closed');
    expect(list(home, 'My requests')).not.toContain(ACTION.close);
  });

  it('shows more of a list on request, and keeps it shown when a change republishes the Home', async () => {
    const { teamId, agent } = await workspace();
    const tickets: Ticket[] = [];
    for (let i = 0; i < 7; i += 1) tickets.push(await raisedAgo(teamId, 60 - i, `Request ${i}`));
    let home = await openHome(teamId, REQUESTER);
    expect(list(home, 'My requests')).toContain('Show more (2 more)');
    expect(list(home, 'My requests')).not.toContain(tickets[0]!.number);

    home = await clickInHome(teamId, REQUESTER, HOME_ACTION.more, 'requests');
    for (const t of tickets) expect(list(home, 'My requests')).toContain(t.number);
    expect(list(home, 'My requests')).not.toContain('Show more');

    // A change made through the REST API republishes it, still expanded.
    const mark = h.fake.calls.length;
    const res = await fetch(`${h.baseUrl}${API_PREFIX}/tickets/${tickets[0]!.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await tokenFor({ sub: agent.id, tenant_id: teamId })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'in_progress' }),
    });
    expect(res.status).toBe(200);
    await h.slack.idle();
    expect(publishesTo(mark, REQUESTER)).toBe(1);
    home = h.fake.homeOf(REQUESTER)!;
    expect(list(home, 'My requests')).toContain(tickets[0]!.number);
    expect(list(home, 'My requests')).toMatch(new RegExp(`${tickets[0]!.number}.*?In progress`));
  });

  it('republishes the Homes a change concerns, once per burst, and only of people who opened Home', async () => {
    const { teamId, agent } = await workspace();
    await openHome(teamId, REQUESTER);
    await openHome(teamId, AGENT);
    const mark = h.fake.calls.length;
    const { ticket } = await fileTicket(teamId, { title: 'Wifi down' });
    // The requester's Home, and the Home of the team's agent who opened it; AGENT_2 never did.
    expect(publishesTo(mark, REQUESTER)).toBe(1);
    expect(publishesTo(mark, AGENT)).toBe(1);
    expect(publishesTo(mark, AGENT_2)).toBe(0);
    expect(list(h.fake.homeOf(AGENT)!, 'Unassigned in my teams')).toContain(ticket.number);
    expect(list(h.fake.homeOf(REQUESTER)!, 'My requests')).toContain(ticket.number);

    // Assigned to the agent through the REST API: their queue and the requester's Home show it.
    const again = h.fake.calls.length;
    const res = await fetch(`${h.baseUrl}${API_PREFIX}/tickets/${ticket.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await tokenFor({ sub: agent.id, tenant_id: teamId })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ assigned_to_id: agent.id }),
    });
    expect(res.status).toBe(200);
    await h.slack.idle();
    expect([publishesTo(again, REQUESTER), publishesTo(again, AGENT), publishesTo(again, AGENT_2)]).toEqual([1, 1, 0]);
    expect(list(h.fake.homeOf(AGENT)!, 'My queue')).toContain(ticket.number);
    expect(list(h.fake.homeOf(REQUESTER)!, 'My requests')).toContain(`<@${AGENT}>`);
  });

  it("brings a ticket an SLA alert was just posted for into the team agents' At risk", async () => {
    const { teamId } = await workspace();
    await openHome(teamId, AGENT);
    // Time made it at risk: no change to hear, the alert's delivery is what tells.
    const ticket = await raisedAgo(teamId, 25, 'Getting late');
    const mark = h.fake.calls.length;
    h.slack.alerts.delivered!([
      { alert: { tenantId: teamId, kind: 'warning' } as never, channelId: 'C0ITDESK', ticket, minutes: 5, businessTime: false, escalationMax: 3 },
    ]);
    await h.slack.idle();
    expect(publishesTo(mark, AGENT)).toBe(1);
    expect(list(h.fake.homeOf(AGENT)!, 'At risk and breached')).toContain(ticket.number);
  });

  it("keeps a Home inside its workspace: another installation's Home shows nothing of this one", async () => {
    const a = await workspace();
    const b = await workspace();
    const { ticket } = await fileTicket(a.teamId, { title: 'Only in A' });
    const home = await openHome(b.teamId, REQUESTER);
    expect(text(home)).not.toContain(ticket.number);
    expect(list(home, 'My requests')).toContain('(0)');
    // A Claim from B's Home on A's ticket: not found there, nothing changes.
    const after = await clickInHome(b.teamId, AGENT, ACTION.claim, ticket.id);
    expect(text(after)).toMatch(/not found/i);
    expect(await getTicket(ctx.db, { tenantId: a.teamId }, ticket.id)).toMatchObject({ assignedToId: null, revision: ticket.revision });
  });

  it('escapes hostile ticket titles on Home', async () => {
    const { teamId } = await workspace();
    await fileTicket(teamId, { title: '<!channel> urgent <@U0BOSS> <https://evil.test|login>' });
    const home = await openHome(teamId, AGENT);
    expect(text(home)).toContain('&lt;!channel&gt; urgent &lt;@U0BOSS&gt;');
    expect(text(home)).not.toContain('<!channel>');
    expect(text(home)).not.toContain('<https://evil.test');
  });

  it('takes a Home click with unreadable page sizes or an unknown list as the first pages', async () => {
    const { teamId } = await workspace();
    await raisedAgo(teamId, 5, 'One');
    await openHome(teamId, REQUESTER);
    const view = { ...h.fake.homeOf(REQUESTER)!, team_id: teamId, app_installed_team_id: teamId, private_metadata: '{"pages":{"requests":"<!channel>"' };
    const res = await h.sender.blockActions({ userId: REQUESTER, teamId, view: view as never, actions: [{ action_id: HOME_ACTION.more, value: '__proto__' }] });
    expect(res.status).toBe(200);
    await h.slack.idle();
    expect(JSON.parse(h.fake.homeOf(REQUESTER)!.private_metadata)).toEqual({ pages: { requests: 5, queue: 5, unassigned: 5, risk: 5 } });
    expect(h.problems).toEqual([]);
  });

  it('opens the New ticket form from Home', async () => {
    const { teamId } = await workspace();
    const mark = h.fake.calls.length;
    await clickInHome(teamId, REQUESTER, HOME_ACTION.newTicket, 'new');
    const opened = h.fake.calls.slice(mark).find((c) => c.method === 'views.open');
    expect(opened).toBeDefined();
    expect(JSON.stringify(opened!.args.view)).toContain('ticket_create');
  });
});

describeEachDatabase('a Home click while the database is unreachable', (ctx) => {
  it('still tells the clicker, on a Home holding just that, with warnings and no error', async () => {
    const lost = await closedTestDatabase(ctx.kind);
    const h = await startSlackHarness({ db: lost.db });
    try {
      const view = { id: 'V0HOME', type: 'home', private_metadata: '', team_id: FAKE_SLACK_DEFAULTS.teamId, app_installed_team_id: FAKE_SLACK_DEFAULTS.teamId };
      const res = await h.sender.blockActions({ userId: AGENT, teamId: FAKE_SLACK_DEFAULTS.teamId, view, actions: [{ action_id: ACTION.claim, value: 'tkt_01ANYTICKET0000000000000' }] });
      expect(res.status).toBe(200);
      await h.slack.idle();
      const home = JSON.stringify(h.fake.homeOf(AGENT)?.blocks);
      expect(home).toContain('cannot reach its database right now');
      expect(home).toContain('could not be read just now');
      expect(h.problems.filter((line) => line.includes('ERROR'))).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
