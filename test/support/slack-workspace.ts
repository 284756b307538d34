import { expect } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { upsertSlackPerson } from '../../src/domain/people.js';
import { createSlaPolicy } from '../../src/domain/sla/policies.js';
import { createTeam } from '../../src/domain/teams.js';
import { updateTenantSettings } from '../../src/domain/tenants.js';
import { listTickets } from '../../src/domain/tickets/queries.js';
import { BLOCK, CALLBACK, INPUT_ACTION } from '../../src/slack/ids.js';
import { newTenantId } from './databases.js';
import type { FakeSlackCall } from './fake-slack.js';
import { scopeFor } from './scope.js';
import type { SlackHarness } from './slack-harness.js';

export const CHANNEL = 'C0ITDESK';
export const REQUESTER = 'UREQ0001';
export const AGENT = 'UAGENT001';
export const AGENT_2 = 'UAGENT002';
export const STRANGER = 'USTRANGE1';

type Values = Record<string, Record<string, Record<string, unknown>>>;

export interface ModalFields {
  title?: string;
  description?: string;
  type?: string;
  priority?: string;
  team?: string;
  category?: string;
}

/** A modal state as Slack submits it. */
export function modalValues(fields: ModalFields): Values {
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

/** A call's text and blocks as one string, to search. */
export const textOf = (call: FakeSlackCall) => `${String(call.args.text ?? '')} ${JSON.stringify(call.args.blocks ?? [])}`;

/**
 * A workspace of its own per test (installed in the harness), with a team of two agents whose
 * channel gets the cards and an SLA policy; and the requests people make in it.
 */
export function slackWorkspaces(harness: () => SlackHarness, db: () => Db) {
  /** Marks the calls made so far, so a wait only matches what comes after. */
  function since() {
    const h = harness();
    const mark = h.fake.calls.length;
    return (method: string, predicate: (call: FakeSlackCall) => boolean = () => true) =>
      h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= mark && predicate(call), 5000);
  }

  async function workspace() {
    const teamId = newTenantId();
    harness().install(teamId);
    const admin = scopeFor(teamId, null, new Date());
    const agent = await upsertSlackPerson(db(), teamId, { slackUserId: AGENT }, new Date());
    const agent2 = await upsertSlackPerson(db(), teamId, { slackUserId: AGENT_2 }, new Date());
    const team = await createTeam(db(), admin, { name: 'IT desk', slack_channel_id: CHANNEL, agent_ids: [agent.id, agent2.id] });
    await updateTenantSettings(db(), admin, { default_team_id: team.id });
    await createSlaPolicy(db(), admin, {
      name: 'High incidents',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 30,
      resolution_minutes: 240,
    });
    return { teamId, team, agent, agent2, admin };
  }

  /** Submits the form as REQUESTER; returns the ticket and its card once posted. */
  async function fileTicket(teamId: string, fields: ModalFields = { title: 'VPN drops every hour' }) {
    const h = harness();
    const after = since();
    const res = await h.sender.viewSubmission({
      userId: REQUESTER,
      teamId,
      view: { callback_id: CALLBACK.createTicketModal, state: { values: modalValues(fields) } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    await h.slack.idle();
    const [ticket] = (await listTickets(db(), { tenantId: teamId }, { sort: '-number', limit: 1 })).items;
    expect(ticket).toBeDefined();
    const card = await after('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined && textOf(c).includes(ticket!.id));
    return { ticket: ticket!, card };
  }

  /** A button click on the ticket's card. */
  async function click(teamId: string, userId: string, actionId: string, value: string) {
    return harness().sender.blockActions({
      userId,
      teamId,
      channelId: CHANNEL,
      messageTs: '1700000000.000100',
      actions: [{ action_id: actionId, value }],
    });
  }

  return { since, workspace, fileTicket, click };
}
