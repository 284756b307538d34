import { afterAll, beforeAll, expect, it } from 'vitest';
import { getTicket, listTickets } from '../../../../src/domain/tickets/queries.js';
import { ACTION, BLOCK, CALLBACK } from '../../../../src/slack/ids.js';
import { describeEachDatabase, closedTestDatabase } from '../../../support/databases.js';
import { FAKE_SLACK_DEFAULTS } from '../../../support/fake-slack.js';
import { type SlackHarness, startSlackHarness } from '../../../support/slack-harness.js';
import { CHANNEL, modalValues, REQUESTER, slackWorkspaces, textOf } from '../../../support/slack-workspace.js';

describeEachDatabase('the ticket form submitted', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

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
    const lost = await closedTestDatabase(ctx.kind);
    const broken = await startSlackHarness({ db: lost.db });
    try {
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
});
