import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenants } from '../../src/db/schema/index.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createTeam } from '../../src/domain/teams.js';
import { getTicket, listTickets } from '../../src/domain/tickets/queries.js';
import { createTicket, setSlackCard } from '../../src/domain/tickets/tickets.js';
import { ACTION, BLOCK, CALLBACK, COMMAND, INPUT_ACTION } from '../../src/slack/ids.js';
import { ForeignWorkspaceError, tenantOfRequest, workspaceClaims, type Installation } from '../../src/slack/installation.js';
import { describeEachDatabase, newTenantId } from '../support/databases.js';
import { FAKE_SLACK_DEFAULTS } from '../support/fake-slack.js';
import { scopeFor } from '../support/scope.js';
import { startSlackHarness, TEST_SIGNING_SECRET, type SlackHarness } from '../support/slack-harness.js';
import { createSlackSender, signSlackRequest, type SlackPost, type SlackSender } from '../support/slack-requests.js';

const HOME = FAKE_SLACK_DEFAULTS.teamId;
/** The victim's ticket card's ts. */
const VICTIM_CARD_TS = '1700000099.000100';
const AGENT = 'UAGENT001';
const CHANNEL = 'C0ITDESK';

const values = (title: string) => ({
  [BLOCK.title]: { [INPUT_ACTION]: { type: 'plain_text_input', value: title } },
  [BLOCK.type]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'incident' }, value: 'incident' } } },
  [BLOCK.priority]: { [INPUT_ACTION]: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'high' }, value: 'high' } } },
});

/**
 * A sender whose requests are rewritten before they leave, and signed again: what someone
 * holding the signing secret (or a replayed, edited request) could send.
 */
function tamperingSender(url: string, tamper: (payload: Record<string, unknown>) => void): SlackSender {
  const post: SlackPost = async (target, request) => {
    let body = request.body;
    if (request.headers['content-type'] === 'application/json') {
      const payload = JSON.parse(body) as Record<string, unknown>;
      tamper(payload);
      body = JSON.stringify(payload);
    } else {
      const form = new URLSearchParams(body);
      const inner = form.get('payload');
      if (inner) {
        const payload = JSON.parse(inner) as Record<string, unknown>;
        tamper(payload);
        form.set('payload', JSON.stringify(payload));
      } else {
        const fields = Object.fromEntries(form) as Record<string, unknown>;
        tamper(fields);
        body = new URLSearchParams(fields as Record<string, string>).toString();
      }
      if (inner) body = form.toString();
    }
    const timestamp = request.headers['x-slack-request-timestamp']!;
    const headers = { ...request.headers, 'x-slack-signature': signSlackRequest(TEST_SIGNING_SECRET, Number(timestamp), body) };
    const response = await fetch(target, { method: 'POST', headers, body });
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
  };
  return createSlackSender({ url, signingSecret: TEST_SIGNING_SECRET, post });
}

describe('the tenant of a Slack request', () => {
  const workspace: Installation = { teamId: 'T0HOME', enterpriseId: undefined, isEnterpriseInstall: false, botToken: 'xoxb-1' };
  const gridWorkspace: Installation = { ...workspace, enterpriseId: 'E0GRID' };
  const orgWide: Installation = { teamId: undefined, enterpriseId: 'E0GRID', isEnterpriseInstall: true, botToken: 'xoxb-1' };

  it('is the installation workspace, or its organization for an org-wide install', () => {
    expect(tenantOfRequest(workspace, workspaceClaims({ team_id: 'T0HOME' }))).toBe('T0HOME');
    expect(tenantOfRequest(gridWorkspace, workspaceClaims({ team: { id: 'T0HOME', enterprise_id: 'E0GRID' }, enterprise: { id: 'E0GRID' } }))).toBe('T0HOME');
    expect(tenantOfRequest(orgWide, workspaceClaims({ team: { id: 'T0ANY' }, enterprise: { id: 'E0GRID' }, is_enterprise_install: true }))).toBe('E0GRID');
  });

  it.each([
    ['another team_id', workspace, { team_id: 'T0OTHER' }],
    ['another team.id', workspace, { team: { id: 'T0OTHER' } }],
    ['another view.app_installed_team_id', workspace, { team: { id: 'T0HOME' }, view: { app_installed_team_id: 'T0OTHER' } }],
    ['an enterprise.id outside any organization', workspace, { team: { id: 'T0HOME' }, enterprise: { id: 'E0EVIL' } }],
    ['another organization', gridWorkspace, { team_id: 'T0HOME', enterprise_id: 'E0EVIL' }],
    ['is_enterprise_install on a workspace install', workspace, { team_id: 'T0HOME', is_enterprise_install: 'true' }],
    ['another organization on an org-wide install', orgWide, { team: { id: 'T0ANY' }, enterprise: { id: 'E0EVIL' } }],
    ['no workspace at all', workspace, {}],
    ['events for another workspace', workspace, { team_id: 'T0HOME', authorizations: [{ team_id: 'T0OTHER' }] }],
  ])('refuses %s', (_name, installation, body) => {
    expect(() => tenantOfRequest(installation, workspaceClaims(body))).toThrow(ForeignWorkspaceError);
  });
});

describeEachDatabase('Slack requests naming another workspace', (ctx) => {
  let h: SlackHarness;
  let forged: (tamper: (payload: Record<string, unknown>) => void) => SlackSender;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
    forged = (tamper) => tamperingSender(`${h.baseUrl}/slack/events`, tamper);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Another tenant's desk: a team whose agent is the attacker's user id too, and an open ticket. */
  async function victim() {
    const tenantId = newTenantId();
    const admin = scopeFor(tenantId, null, new Date());
    const agent = await upsertSlackPerson(ctx.db, tenantId, { slackUserId: AGENT }, new Date());
    const team = await createTeam(ctx.db, admin, { name: 'Victim desk', slack_channel_id: CHANNEL, agent_ids: [agent.id] });
    const created = await createTicket(ctx.db, admin, { title: 'Their ticket', team_id: team.id });
    // Its card, where a reaction would claim or resolve it.
    await setSlackCard(ctx.db, admin, created.id, { channelId: CHANNEL, messageTs: VICTIM_CARD_TS });
    const ticket = await getTicket(ctx.db, admin, created.id);
    return { tenantId, ticket };
  }

  const tenantExists = async (id: string) => (await ctx.db.select({ n: count() }).from(tenants).where(eq(tenants.tenantId, id)))[0]!.n > 0;
  const refusals = () => h.problems.filter((line) => line.includes('refused a Slack request for another workspace'));

  /** Sends one request and checks it was refused, with one warning, and Slack never called. */
  async function expectRefused(send: () => Promise<{ status: number }>) {
    await h.slack.idle(); // what earlier requests still post is theirs
    const warningsBefore = refusals().length;
    const callsBefore = h.fake.calls.length;
    const res = await send();
    expect(res.status).toBe(200); // acknowledged, so Slack does not retry; nothing else happens
    await h.slack.idle();
    expect(refusals().length).toBe(warningsBefore + 1);
    expect(h.fake.calls.slice(callsBefore).map((c) => c.method)).toEqual([]);
  }

  it('refuses every entry point for a workspace the app is not installed in, creating no tenant', async () => {
    const { tenantId, ticket } = await victim();
    const stranger = newTenantId();
    await expectRefused(() => h.sender.slashCommand({ command: COMMAND, text: 'Printer on fire', userId: AGENT, teamId: stranger, channelId: CHANNEL }));
    await expectRefused(() => h.sender.slashCommand({ command: COMMAND, text: 'list', userId: AGENT, teamId: tenantId, channelId: CHANNEL }));
    await expectRefused(() =>
      h.sender.viewSubmission({ userId: AGENT, teamId: stranger, view: { callback_id: CALLBACK.createTicketModal, state: { values: values('Forged') } } }),
    );
    await expectRefused(() =>
      h.sender.viewSubmission({ userId: AGENT, teamId: tenantId, view: { callback_id: CALLBACK.createTicketModal, state: { values: values('Forged') } } }),
    );
    await expectRefused(() =>
      h.sender.messageShortcut({ callbackId: CALLBACK.messageShortcut, userId: AGENT, teamId: stranger, channelId: CHANNEL, message: { ts: '1.2', text: 'x', user: AGENT } }),
    );
    // Every button and form the app registers (cards, DMs, alerts, Home, admin modals), from a message and from a view.
    expect(h.slack.registered.actions).toEqual(expect.arrayContaining(Object.values(ACTION)));
    for (const actionId of h.slack.registered.actions) {
      await expectRefused(() => h.sender.blockActions({ userId: AGENT, teamId: tenantId, channelId: CHANNEL, actions: [{ action_id: actionId, value: ticket.id }] }));
      await expectRefused(() =>
        h.sender.blockActions({
          userId: AGENT,
          teamId: stranger,
          view: { id: 'V0HOME', type: 'home', team_id: stranger, callback_id: '', private_metadata: '', blocks: [], state: { values: {} } },
          actions: [{ action_id: actionId, value: ticket.id }],
        }),
      );
    }
    for (const callbackId of h.slack.registered.views) {
      await expectRefused(() => h.sender.viewSubmission({ userId: AGENT, teamId: stranger, view: { callback_id: callbackId, private_metadata: ticket.id, state: { values: {} } } }));
    }
    await expectRefused(() => h.sender.event({ teamId: stranger, event: { type: 'app_mention', user: AGENT, text: 'hi', ts: '1.3', channel: CHANNEL } }));
    await expectRefused(() => h.sender.appHomeOpened({ userId: AGENT, teamId: stranger }));
    // Reactions: the intake emoji on a message, and an agent's shortcut on the victim's ticket's card.
    for (const reaction of ['ticket', 'eyes', 'white_check_mark']) {
      for (const teamId of [stranger, tenantId]) {
        await expectRefused(() =>
          h.sender.event({
            teamId,
            event: { type: 'reaction_added', user: AGENT, reaction, item_user: AGENT, item: { type: 'message', channel: CHANNEL, ts: VICTIM_CARD_TS }, event_ts: '1.7' },
          }),
        );
      }
    }

    expect(await tenantExists(stranger)).toBe(false);
    const after = await getTicket(ctx.db, { tenantId }, ticket.id);
    expect(after).toMatchObject({ status: 'open', assignedToId: null, revision: ticket.revision });
    expect((await listTickets(ctx.db, { tenantId })).items).toHaveLength(1);
  });

  it('refuses a request from the installed workspace that names another one anywhere in its payload', async () => {
    const { tenantId, ticket } = await victim();
    const tampered: Array<(p: Record<string, unknown>) => void> = [
      (p) => (p.enterprise = { id: 'E0EVIL', name: 'Evil' }),
      (p) => (p.is_enterprise_install = true),
      (p) => ((p.view as Record<string, unknown>).app_installed_team_id = tenantId),
    ];
    const submit = (tamper: (p: Record<string, unknown>) => void) =>
      forged(tamper).viewSubmission({ userId: AGENT, teamId: HOME, view: { callback_id: CALLBACK.createTicketModal, state: { values: values('Forged') } } });
    for (const tamper of tampered) await expectRefused(() => submit(tamper));
    await expectRefused(() => forged((p) => (p.enterprise_id = 'E0EVIL')).slashCommand({ command: COMMAND, text: 'list', userId: AGENT, teamId: HOME, channelId: CHANNEL }));
    await expectRefused(() =>
      forged((p) => ((p.team as Record<string, unknown>).enterprise_id = 'E0EVIL')).blockActions({
        userId: AGENT,
        teamId: HOME,
        channelId: CHANNEL,
        actions: [{ action_id: ACTION.claim, value: ticket.id }],
      }),
    );
    expect((await listTickets(ctx.db, { tenantId: HOME })).items.filter((t) => t.title === 'Forged')).toEqual([]);
    expect(await tenantExists('E0EVIL')).toBe(false);
  });

  it('claims nothing of another tenant from the installed workspace: its ids are not found there', async () => {
    const { tenantId, ticket } = await victim();
    const res = await h.sender.blockActions({ userId: AGENT, teamId: HOME, channelId: CHANNEL, actions: [{ action_id: ACTION.claim, value: ticket.id }] });
    expect(res.status).toBe(200);
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId }, ticket.id)).toMatchObject({ status: 'open', assignedToId: null });
  });

  it('serves an org-wide installation as one tenant across the organization’s workspaces', async () => {
    const org = `E${newTenantId().slice(1)}`;
    h.install(org, { isEnterpriseInstall: true });
    const orgWide = (p: Record<string, unknown>) => (p.is_enterprise_install = true);
    for (const [i, team] of ['T0ORGA', 'T0ORGB'].entries()) {
      const res = await forged(orgWide).viewSubmission({
        userId: AGENT,
        teamId: team,
        enterpriseId: org,
        view: { callback_id: CALLBACK.createTicketModal, state: { values: values(`Org ticket ${i}`) } },
      });
      expect(res.body).toBe('');
    }
    expect((await listTickets(ctx.db, { tenantId: org })).items.map((t) => t.title).sort()).toEqual(['Org ticket 0', 'Org ticket 1']);
    expect(await tenantExists('T0ORGA')).toBe(false);
    await expectRefused(() =>
      forged(orgWide).viewSubmission({ userId: AGENT, teamId: 'T0ORGA', enterpriseId: 'E0EVIL', view: { callback_id: CALLBACK.createTicketModal, state: { values: values('Forged') } } }),
    );
  });
});
