import { afterAll, beforeAll, expect, it } from 'vitest';
import { listConfigChanges } from '../../../src/domain/audit.js';
import { getPeople, upsertSlackPerson } from '../../../src/domain/people.js';
import { createTeam, getTeam, listTeams } from '../../../src/domain/teams.js';
import { getTenantSettings, updateTenantSettings } from '../../../src/domain/tenants.js';
import { ADMIN_CONFIG_ACTION, ADMIN_CONFIG_BLOCK as B, ADMIN_CONFIG_CALLBACK, INPUT_ACTION } from '../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import type { FakeSlackCall } from '../../support/fake-slack.js';
import { scopeFor } from '../../support/scope.js';
import { type SlackHarness, startSlackHarness } from '../../support/slack-harness.js';
import { AGENT, AGENT_2, STRANGER } from '../../support/slack-workspace.js';

/** A workspace admin in Slack (users.info `is_admin`): a helpdesk admin in every workspace the fake serves. */
const WORKSPACE_ADMIN = 'U0WSADMIN1';
/** Listed in `admin_ids` by the tests that need a helpdesk admin who is no workspace admin. */
const LISTED_ADMIN = 'U0LISTED01';
const ON_CALL = 'U0ONCALL01';
const PUBLIC_CHANNEL = 'C0PUBLIC01';
const PRIVATE_INVITED = 'C0PRIVIN01';
const PRIVATE_OUT = 'C0PRIVOUT1';

type Values = Record<string, Record<string, Record<string, unknown>>>;

const text = (value: string | null) => ({ [INPUT_ACTION]: { type: 'plain_text_input', value } });
const users = (ids: string[]) => ({ [INPUT_ACTION]: { type: 'multi_users_select', selected_users: ids } });
const choice = (value: string | null) => ({
  [INPUT_ACTION]: { type: 'static_select', selected_option: value ? { text: { type: 'plain_text', text: value }, value } : null },
});
const number = (value: string | null) => ({ [INPUT_ACTION]: { type: 'number_input', value } });

function teamValues(fields: { name: string; channel?: string | null; agents?: string[]; contacts?: string[]; reply?: string }): Values {
  return {
    [B.teamName]: text(fields.name),
    [B.teamChannel]: { [INPUT_ACTION]: { type: 'conversations_select', selected_conversation: fields.channel ?? null } },
    [B.teamAgents]: users(fields.agents ?? []),
    [B.teamEscalation]: users(fields.contacts ?? []),
    [B.teamReplyDefault]: { [INPUT_ACTION]: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'x' }, value: fields.reply ?? 'public' } } },
  };
}

function settingsValues(fields: { defaultTeam?: string | null; warning: string; interval: string; max: string; emoji?: string }): Values {
  return {
    ...(fields.defaultTeam !== undefined ? { [B.defaultTeam]: choice(fields.defaultTeam) } : {}),
    ...(fields.emoji !== undefined ? { [B.intakeEmoji]: { [INPUT_ACTION]: { type: 'plain_text_input', value: fields.emoji } } } : {}),
    [B.warningPercent]: number(fields.warning),
    [B.escalationInterval]: number(fields.interval),
    [B.escalationMax]: number(fields.max),
  };
}

describeEachDatabase('admin in Slack: teams, settings and helpdesk admins', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
    h.fake.addUser({ id: WORKSPACE_ADMIN, name: 'wsadmin', real_name: 'Workspace Admin', tz: 'UTC', tz_offset: 0, is_admin: true });
    h.fake.inviteTo(PRIVATE_INVITED);
    h.fake.keepOut(PRIVATE_OUT);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Marks the calls made so far, so a wait only matches what comes after. */
  function since() {
    const mark = h.fake.calls.length;
    return {
      wait: (method: string, predicate: (call: FakeSlackCall) => boolean = () => true) =>
        h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= mark && predicate(call), 5000),
      calls: (method: string) => h.fake.calls.slice(mark).filter((c) => c.method === method),
    };
  }

  async function tenant() {
    const teamId = newTenantId();
    h.install(teamId);
    return teamId;
  }

  /** A button on the App Home, as Slack sends it; returns the modal the app opened. */
  async function clickHome(teamId: string, userId: string, actionId: string, value: string, extra: Record<string, unknown> = {}) {
    const after = since();
    const res = await h.sender.blockActions({
      userId,
      teamId,
      view: { id: `VHOME${userId}`, type: 'home', team_id: teamId, callback_id: '', private_metadata: '', blocks: [], state: { values: {} } },
      actions: [{ action_id: actionId, value, ...extra }],
    });
    expect(res.status).toBe(200);
    const opened = await after.wait('views.open');
    expect(opened.error, JSON.stringify(opened.refused)).toBeUndefined();
    return opened.args.view as { callback_id?: string; title: { text: string }; blocks: Array<Record<string, unknown>>; private_metadata?: string };
  }

  function submit(teamId: string, userId: string, callbackId: string, values: Values, privateMetadata?: string) {
    return h.sender.viewSubmission({
      userId,
      teamId,
      view: { callback_id: callbackId, state: { values }, ...(privateMetadata ? { private_metadata: privateMetadata } : {}) },
    });
  }

  const elementOf = (view: { blocks: Array<Record<string, unknown>> }, blockId: string) =>
    view.blocks.find((b) => b.block_id === blockId)?.element as Record<string, unknown> | undefined;

  it('lets a workspace admin create a team from Home: team, agents, escalation contacts, channel joined, change recorded', async () => {
    const teamId = await tenant();
    const view = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.teamCreate, 'new');
    expect(view).toMatchObject({ callback_id: ADMIN_CONFIG_CALLBACK.team, title: { text: 'New team' } });
    expect(elementOf(view, B.teamChannel)).toMatchObject({
      type: 'conversations_select',
      filter: { include: ['public', 'private'], exclude_bot_users: true },
    });
    expect(elementOf(view, B.teamAgents)).toMatchObject({ type: 'multi_users_select' });

    const after = since();
    const res = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'IT desk', channel: PUBLIC_CHANNEL, agents: [AGENT, AGENT_2], contacts: [ON_CALL], reply: 'internal' }));
    expect(res).toMatchObject({ status: 200, body: '' });
    // Written before the ack.
    const [team] = await listTeams(ctx.db, teamId);
    expect(team).toMatchObject({ name: 'IT desk', slackChannelId: PUBLIC_CHANNEL, agentReplyDefault: 'internal' });
    const slackIds = async (ids: string[]) => (await getPeople(ctx.db, teamId, ids)).map((p) => p.slackUserId).sort();
    expect(await slackIds(team!.agentIds)).toEqual([AGENT, AGENT_2].sort());
    expect(await slackIds(team!.escalationContactIds)).toEqual([ON_CALL]);

    await after.wait('conversations.join', (c) => c.args.channel === PUBLIC_CHANNEL);
    await h.slack.idle();
    expect(after.calls('chat.postMessage')).toEqual([]);

    const [change] = await listConfigChanges(ctx.db, teamId);
    const [admin] = await getPeople(ctx.db, teamId, [change!.actorId!]);
    expect(admin!.slackUserId).toBe(WORKSPACE_ADMIN);
    expect(change).toMatchObject({ subject: 'team', subjectId: team!.id, action: 'create', changes: { name: { from: null, to: 'IT desk' } } });
  });

  it('tells the admin by DM how to invite the app to a private channel it is not in, and nothing when it was invited', async () => {
    const teamId = await tenant();
    let after = since();
    expect(await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Security', channel: PRIVATE_OUT }))).toMatchObject({ body: '' });
    const dm = await after.wait('chat.postMessage', (c) => c.args.channel === WORKSPACE_ADMIN);
    expect(String(dm.args.text)).toContain('/invite @Helpdesk');
    expect(String(dm.args.text)).toContain(`<#${PRIVATE_OUT}>`);
    expect(String(dm.args.text)).toContain('*Security*');
    expect(await listTeams(ctx.db, teamId)).toHaveLength(1);

    after = since();
    expect(await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'HR', channel: PRIVATE_INVITED }))).toMatchObject({ body: '' });
    await after.wait('conversations.info', (c) => c.args.channel === PRIVATE_INVITED);
    await h.slack.idle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(after.calls('chat.postMessage')).toEqual([]);
  });

  it('tells the admin when the app cannot join the channel for another reason, and keeps the team', async () => {
    const teamId = await tenant();
    h.fake.failNext('conversations.join', { error: 'is_archived' });
    const after = since();
    expect(await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Old desk', channel: PUBLIC_CHANNEL }))).toMatchObject({ body: '' });
    const dm = await after.wait('chat.postMessage', (c) => c.args.channel === WORKSPACE_ADMIN);
    expect(String(dm.args.text)).toContain('could not join');
    expect(String(dm.args.text)).toContain('is_archived');
    expect((await listTeams(ctx.db, teamId)).map((t) => t.name)).toEqual(['Old desk']);
  });

  it('shows invalid values as field errors in the team modal and writes nothing', async () => {
    const teamId = await tenant();
    await createTeam(ctx.db, scopeFor(teamId, null, new Date()), { name: 'IT desk' });
    const before = await listConfigChanges(ctx.db, teamId);

    const empty = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: '   ', channel: PUBLIC_CHANNEL }));
    expect(empty.body).toEqual({ response_action: 'errors', errors: { [B.teamName]: 'Required' } });
    const duplicate = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'IT desk', channel: PUBLIC_CHANNEL }));
    expect(duplicate.body).toEqual({ response_action: 'errors', errors: { [B.teamName]: 'A team named "IT desk" already exists' } });
    const badReply = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Other', reply: 'shouting' }));
    expect(badReply.body).toMatchObject({ response_action: 'errors', errors: { [B.teamReplyDefault]: expect.any(String) } });

    expect((await listTeams(ctx.db, teamId)).map((t) => t.name)).toEqual(['IT desk']);
    expect(await listConfigChanges(ctx.db, teamId)).toEqual(before);
  });

  it('sets request channels and the intake type and priority from the team modal: joined, shown, each refusal under its field', async () => {
    const teamId = await tenant();
    const scope = scopeFor(teamId, null, new Date());
    await createTeam(ctx.db, scope, { name: 'HR', request_channel_ids: ['C0ASKHR01'] });
    const intake = (channels: string[], type: string | null, priority: string | null): Values => ({
      [B.teamRequestChannels]: { [INPUT_ACTION]: { type: 'multi_conversations_select', selected_conversations: channels } },
      [B.teamIntakeType]: choice(type),
      [B.teamIntakePriority]: choice(priority),
    });
    const before = await listConfigChanges(ctx.db, teamId);
    const taken = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, { ...teamValues({ name: 'IT desk' }), ...intake([PUBLIC_CHANNEL, 'C0ASKHR01'], 'incident', 'high') });
    expect(taken.body).toEqual({ response_action: 'errors', errors: { [B.teamRequestChannels]: expect.stringContaining('C0ASKHR01 is already a request channel of the team "HR"') } });
    const badType = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, { ...teamValues({ name: 'IT desk' }), ...intake([], 'question', 'urgentest') });
    expect(badType.body).toEqual({ response_action: 'errors', errors: { [B.teamIntakeType]: expect.any(String), [B.teamIntakePriority]: expect.any(String) } });
    expect((await listTeams(ctx.db, teamId)).map((t) => t.name)).toEqual(['HR']);
    expect(await listConfigChanges(ctx.db, teamId)).toEqual(before);

    // Saved: the app joins the public request channel, and tells the admin about the private one it is not in.
    const after = since();
    const ok = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, { ...teamValues({ name: 'IT desk' }), ...intake([PUBLIC_CHANNEL, PRIVATE_OUT], 'service_request', 'high') });
    expect(ok).toMatchObject({ status: 200, body: '' });
    await after.wait('conversations.join', (c) => c.args.channel === PUBLIC_CHANNEL);
    const dm = await after.wait('chat.postMessage', (c) => c.args.channel === WORKSPACE_ADMIN);
    expect(String(dm.args.text)).toContain(`<#${PRIVATE_OUT}>`);
    expect(String(dm.args.text)).toContain('/invite @Helpdesk');
    expect(String(dm.args.text)).not.toContain(`<#${PUBLIC_CHANNEL}>`);
    const desk = (await listTeams(ctx.db, teamId)).find((t) => t.name === 'IT desk')!;
    expect(desk).toMatchObject({ requestChannelIds: [PUBLIC_CHANNEL, PRIVATE_OUT], intakeType: 'service_request', intakePriority: 'high' });

    // The edit form shows them as they are.
    const view = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.teamEdit, desk.id);
    expect(elementOf(view, B.teamRequestChannels)).toMatchObject({ type: 'multi_conversations_select', initial_conversations: [PUBLIC_CHANNEL, PRIVATE_OUT] });
    expect(elementOf(view, B.teamIntakeType)).toMatchObject({ initial_option: { value: 'service_request' } });
    expect(elementOf(view, B.teamIntakePriority)).toMatchObject({ initial_option: { value: 'high' } });
    await h.slack.idle();
  });

  it('shows and saves the skip prefix in the settings modal; emptied, there is none', async () => {
    const teamId = await tenant();
    const scope = scopeFor(teamId, null, new Date());
    const view = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.settingsEdit, 'settings');
    expect(elementOf(view, B.intakeSkipPrefix)).toMatchObject({ type: 'plain_text_input', initial_value: '[no-ticket]' });
    const prefix = (value: string | null) => ({ ...settingsValues({ warning: '75', interval: '60', max: '3' }), [B.intakeSkipPrefix]: text(value) });
    const long = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.settings, prefix('x'.repeat(31)));
    expect(long.body).toEqual({ response_action: 'errors', errors: { [B.intakeSkipPrefix]: expect.any(String) } });
    expect((await getTenantSettings(ctx.db, scope)).intake_skip_prefix).toBe('[no-ticket]');
    expect((await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.settings, prefix('!'))).body).toBe('');
    expect((await getTenantSettings(ctx.db, scope)).intake_skip_prefix).toBe('!');
    expect((await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.settings, prefix(null))).body).toBe('');
    expect((await getTenantSettings(ctx.db, scope)).intake_skip_prefix).toBe('');
    const again = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.settingsEdit, 'settings');
    expect(elementOf(again, B.intakeSkipPrefix)).not.toHaveProperty('initial_value');
  });

  it('edits a team from its Edit button: the modal shows it as it is, and a save changes it and is recorded', async () => {
    const teamId = await tenant();
    const scope = scopeFor(teamId, null, new Date());
    const team = await createTeam(ctx.db, scope, { name: 'IT desk', slack_channel_id: PUBLIC_CHANNEL, agent_ids: [AGENT], escalation_contact_ids: [ON_CALL] });
    const view = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.teamEdit, team.id);
    expect(view.title.text).toBe('Edit team');
    expect(elementOf(view, B.teamName)).toMatchObject({ initial_value: 'IT desk' });
    expect(elementOf(view, B.teamChannel)).toMatchObject({ initial_conversation: PUBLIC_CHANNEL });
    expect(elementOf(view, B.teamAgents)).toMatchObject({ initial_users: [AGENT] });
    expect(elementOf(view, B.teamEscalation)).toMatchObject({ initial_users: [ON_CALL] });

    // The picker Home shows past ten teams opens the same form.
    const picked = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.teamPick, 'unused', {
      type: 'static_select',
      selected_option: { text: { type: 'plain_text', text: 'IT desk' }, value: team.id },
    });
    expect(picked).toMatchObject({ title: { text: 'Edit team' }, private_metadata: view.private_metadata });

    const res = await submit(
      teamId,
      WORKSPACE_ADMIN,
      ADMIN_CONFIG_CALLBACK.team,
      teamValues({ name: 'IT help', channel: PUBLIC_CHANNEL, agents: [AGENT, AGENT_2], contacts: [] }),
      view.private_metadata,
    );
    expect(res).toMatchObject({ status: 200, body: '' });
    const saved = await getTeam(ctx.db, teamId, team.id);
    expect(saved).toMatchObject({ name: 'IT help', escalationContactIds: [] });
    expect(saved.agentIds).toHaveLength(2);
    expect(await listTeams(ctx.db, teamId)).toHaveLength(1);
    const [change] = await listConfigChanges(ctx.db, teamId, { subject: 'team', action: 'update' });
    expect(Object.keys(change!.changes).sort()).toEqual(['agent_ids', 'escalation_contact_ids', 'name']);
  });

  it('opens the settings with their values and saves them; each invalid value is an error under its field, nothing written', async () => {
    const teamId = await tenant();
    const scope = scopeFor(teamId, null, new Date());
    const desk = await createTeam(ctx.db, scope, { name: 'IT desk' });
    const view = await clickHome(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.settingsEdit, 'settings');
    expect(view.callback_id).toBe(ADMIN_CONFIG_CALLBACK.settings);
    expect(elementOf(view, B.warningPercent)).toMatchObject({ type: 'number_input', initial_value: '75' });
    expect(elementOf(view, B.intakeEmoji)).toMatchObject({ type: 'plain_text_input', initial_value: 'ticket' });
    expect(elementOf(view, B.defaultTeam)).toMatchObject({ options: [{ value: desk.id }] });

    const before = await getTenantSettings(ctx.db, scope);
    for (const [fields, block] of [
      [{ warning: '0', interval: '60', max: '3' }, B.warningPercent],
      [{ warning: '100', interval: '60', max: '3' }, B.warningPercent],
      [{ warning: '80', interval: '0', max: '3' }, B.escalationInterval],
      [{ warning: '80', interval: '60', max: '101' }, B.escalationMax],
      [{ warning: '7.5', interval: '60', max: '3' }, B.warningPercent],
      [{ warning: '80', interval: '60', max: '3', emoji: 'not an emoji!' }, B.intakeEmoji],
    ] as const) {
      const res = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.settings, settingsValues({ ...fields, defaultTeam: desk.id }));
      expect(res.body, JSON.stringify(fields)).toEqual({ response_action: 'errors', errors: { [block]: expect.any(String) } });
    }
    expect(await getTenantSettings(ctx.db, scope)).toEqual(before);
    expect(await listConfigChanges(ctx.db, teamId, { subject: 'settings' })).toEqual([]);

    const ok = await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.settings, settingsValues({ defaultTeam: desk.id, warning: '80', interval: '30', max: '2', emoji: ':raising_hand:' }));
    expect(ok).toMatchObject({ status: 200, body: '' });
    expect(await getTenantSettings(ctx.db, scope)).toMatchObject({ default_team_id: desk.id, sla_warning_percent: 80, escalation_interval_minutes: 30, escalation_max: 2, intake_emoji: 'raising_hand' });
    const [change] = await listConfigChanges(ctx.db, teamId, { subject: 'settings' });
    expect(change!.changes).toMatchObject({ sla_warning_percent: { from: 75, to: 80 }, default_team_id: { from: null, to: desk.id } });

    // Clearing the default team.
    await submit(teamId, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.settings, settingsValues({ defaultTeam: null, warning: '80', interval: '30', max: '2' }));
    expect((await getTenantSettings(ctx.db, scope)).default_team_id).toBeNull();
  });

  it('lets an admin add and remove helpdesk admins, keeping admins set through the API; the list decides at once', async () => {
    const teamId = await tenant();
    const scope = scopeFor(teamId, null, new Date());
    await updateTenantSettings(ctx.db, scope, { admin_ids: [LISTED_ADMIN, 'api-admin-sub'] });
    // LISTED_ADMIN is no workspace admin: the list makes them one.
    const view = await clickHome(teamId, LISTED_ADMIN, ADMIN_CONFIG_ACTION.adminsEdit, 'admins');
    expect(view.callback_id).toBe(ADMIN_CONFIG_CALLBACK.admins);
    expect(elementOf(view, B.admins)).toMatchObject({ initial_users: [LISTED_ADMIN] });
    expect(JSON.stringify(view.blocks)).toContain('1 admin(s) added through the API');

    // Add AGENT, remove LISTED_ADMIN (themselves).
    const res = await submit(teamId, LISTED_ADMIN, ADMIN_CONFIG_CALLBACK.admins, { [B.admins]: users([AGENT]) });
    expect(res).toMatchObject({ status: 200, body: '' });
    const [agent] = (await getTenantSettings(ctx.db, scope)).admin_ids;
    expect((await getPeople(ctx.db, teamId, [agent!]))[0]!.slackUserId).toBe(AGENT);
    expect((await getTenantSettings(ctx.db, scope)).admin_ids).toEqual([agent, 'api-admin-sub']);

    // AGENT may now open the settings; LISTED_ADMIN no longer can.
    expect((await clickHome(teamId, AGENT, ADMIN_CONFIG_ACTION.settingsEdit, 'settings')).callback_id).toBe(ADMIN_CONFIG_CALLBACK.settings);
    expect((await clickHome(teamId, LISTED_ADMIN, ADMIN_CONFIG_ACTION.settingsEdit, 'settings')).title.text).toBe('Admins only');
    const [change] = await listConfigChanges(ctx.db, teamId, { subject: 'settings' });
    expect(Object.keys(change!.changes)).toEqual(['admin_ids']);
  });

  it('refuses every admin button and every admin modal to a non-admin, and changes nothing', async () => {
    const teamId = await tenant();
    const scope = scopeFor(teamId, null, new Date());
    const team = await createTeam(ctx.db, scope, { name: 'IT desk', slack_channel_id: PUBLIC_CHANNEL });
    const settings = await getTenantSettings(ctx.db, scope);
    const changes = await listConfigChanges(ctx.db, teamId);
    const stranger = await upsertSlackPerson(ctx.db, teamId, { slackUserId: STRANGER }, new Date());

    for (const actionId of Object.values(ADMIN_CONFIG_ACTION)) {
      const extra = actionId === ADMIN_CONFIG_ACTION.teamPick ? { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'IT desk' }, value: team.id } } : {};
      const view = await clickHome(teamId, STRANGER, actionId, team.id, extra);
      expect(view.title.text, actionId).toBe('Admins only');
      expect(view.callback_id, actionId).toBeUndefined();
      expect(JSON.stringify(view.blocks), actionId).toContain('Only helpdesk admins');
    }
    const submissions: Array<[string, Values, string, string | undefined]> = [
      [ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Hijacked', channel: PUBLIC_CHANNEL, agents: [STRANGER] }), B.teamName, undefined],
      [ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Hijacked', channel: PUBLIC_CHANNEL, agents: [STRANGER] }), B.teamName, JSON.stringify({ team_id: team.id })],
      [ADMIN_CONFIG_CALLBACK.settings, settingsValues({ warning: '10', interval: '5', max: '50' }), B.warningPercent, undefined],
      [ADMIN_CONFIG_CALLBACK.admins, { [B.admins]: users([STRANGER]) }, B.admins, undefined],
    ];
    expect(new Set(submissions.map(([callback]) => callback))).toEqual(new Set(Object.values(ADMIN_CONFIG_CALLBACK)));
    for (const [callback, values, block, metadata] of submissions) {
      const res = await submit(teamId, STRANGER, callback, values, metadata);
      expect(res.body, callback).toEqual({ response_action: 'errors', errors: { [block]: expect.stringContaining('Only helpdesk admins') } });
    }
    expect(await listTeams(ctx.db, teamId)).toEqual([await getTeam(ctx.db, teamId, team.id)]);
    expect((await getTeam(ctx.db, teamId, team.id)).name).toBe('IT desk');
    expect(await getTenantSettings(ctx.db, scope)).toEqual(settings);
    expect((await getTenantSettings(ctx.db, scope)).admin_ids).not.toContain(stranger.id);
    expect(await listConfigChanges(ctx.db, teamId)).toEqual(changes);
    // A refusal is an answer, not a problem to log.
    expect(h.problems).toEqual([]);
  });

  it("cannot reach another workspace's team: its id in a payload of this installation is not found, and nothing changes", async () => {
    const victim = await tenant();
    const team = await createTeam(ctx.db, scopeFor(victim, null, new Date()), { name: 'Victim desk', slack_channel_id: PUBLIC_CHANNEL });
    const attacker = await tenant();
    // A workspace admin of the attacker's workspace: an admin there, and nowhere else.
    const view = await clickHome(attacker, WORKSPACE_ADMIN, ADMIN_CONFIG_ACTION.teamEdit, team.id);
    expect(view.callback_id).toBeUndefined();
    expect(JSON.stringify(view.blocks)).toContain('was not found');
    const res = await submit(attacker, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Owned', channel: PUBLIC_CHANNEL }), JSON.stringify({ team_id: team.id }));
    expect(res.body).toMatchObject({ response_action: 'errors', errors: { [B.teamName]: expect.stringContaining('was not found') } });
    // A forged id as long as private_metadata allows: refused in a message of a field's length.
    const forged = await submit(attacker, WORKSPACE_ADMIN, ADMIN_CONFIG_CALLBACK.team, teamValues({ name: 'Owned' }), JSON.stringify({ team_id: `grp_${'x'.repeat(2900)}` }));
    expect(String((forged.body as { errors: Record<string, string> }).errors[B.teamName]).length).toBeLessThanOrEqual(2000);
    expect(await getTeam(ctx.db, victim, team.id)).toMatchObject({ name: 'Victim desk' });
    expect(await listTeams(ctx.db, attacker)).toEqual([]);
    expect(await listConfigChanges(ctx.db, victim)).toHaveLength(1);
    expect(await listConfigChanges(ctx.db, attacker)).toEqual([]);
  });
});
