import { afterAll, beforeAll, expect, it } from 'vitest';
import { listConfigChanges } from '../../../src/domain/audit.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../../src/domain/sla/calendar.js';
import { createSlaPolicy, getSlaPolicy, listSlaPolicies, updateSlaPolicy } from '../../../src/domain/sla/policies.js';
import { slaSetupStatus } from '../../../src/domain/sla/setup.js';
import { getTenantSettings, updateTenantSettings } from '../../../src/domain/tenants.js';
import { slaAdminBlocks, slaChecklistBlocks } from '../../../src/slack/admin/sla-home.js';
import { HOURS_BLOCK, POLICY_BLOCK, SUGGESTED_BLOCK } from '../../../src/slack/blocks/admin-sla.js';
import { ADMIN_SLA_ACTION, ADMIN_SLA_CALLBACK, INPUT_ACTION } from '../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import type { FakeSlackCall } from '../../support/fake-slack.js';
import { type SlackHarness, startSlackHarness } from '../../support/slack-harness.js';
import type { BlockAction } from '../../support/slack-requests.js';
import { scopeFor } from '../../support/scope.js';

/** Friday 4 December 2026, 17:00 in Berlin. */
const NOW = new Date('2026-12-04T16:00:00Z');
const ADMIN = 'UADMIN0001';
const MEMBER = 'UMEMBER001';

type Values = Record<string, Record<string, Record<string, unknown>>>;
interface SlackView {
  id: string;
  hash: string;
  type: string;
  callback_id: string;
  private_metadata: string;
  blocks: Array<Record<string, any>>;
}

/** The Home tab an admin clicks on (block_actions from a view of type home). */
const HOME = { id: 'VHOME00001', type: 'home', callback_id: '', hash: '1700000000.home', private_metadata: '', blocks: [], state: { values: {} } };

/** A view's input blocks as Slack reports their state when nobody changed them: their initial values. */
function stateOf(view: SlackView): Values {
  const values: Values = {};
  for (const block of view.blocks) {
    if (block.type !== 'input') continue;
    const e = block.element;
    const state =
      e.type === 'checkboxes'
        ? { type: e.type, selected_options: e.initial_options ?? [] }
        : e.type === 'static_select'
          ? { type: e.type, selected_option: e.initial_option ?? null }
          : { type: e.type, value: e.initial_value ?? null };
    values[block.block_id] = { [e.action_id]: state };
  }
  return values;
}

const text = (value: string | null, type = 'plain_text_input') => ({ type, value });
const checked = (...values: string[]) => ({ type: 'checkboxes', selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value }, value })) });
const selected = (value: string) => ({ type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } });

describeEachDatabase('admin in Slack: SLA policies and business hours', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db, now: () => NOW });
    h.fake.addUser({ id: ADMIN, name: 'margaret', real_name: 'Margaret Hamilton', tz: 'Europe/Berlin', tz_offset: 3600, is_admin: true });
    h.fake.addUser({ id: MEMBER, name: 'ada', real_name: 'Ada Lovelace', tz: 'Europe/London', tz_offset: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  function tenant(): string {
    const teamId = newTenantId();
    h.install(teamId);
    return teamId;
  }
  const scope = (teamId: string) => scopeFor(teamId, null, NOW);
  const policies = async (teamId: string) => (await listSlaPolicies(ctx.db, scope(teamId), { limit: 200 })).items;

  function since() {
    const mark = h.fake.calls.length;
    return (method: string, predicate: (call: FakeSlackCall) => boolean = () => true) =>
      h.fake.waitFor(method, (call) => h.fake.calls.indexOf(call) >= mark && predicate(call), 5000);
  }

  /** A view as Slack shows it in the workspace (the fake Web API answers for its own workspace only). */
  function inWorkspace(view: Record<string, unknown>, teamId: string): Record<string, unknown> & { id?: string } {
    return { ...view, team_id: teamId, app_installed_team_id: teamId };
  }

  /** An action inside an open modal, with the modal's state. */
  function act(teamId: string, userId: string, view: Record<string, unknown>, action: BlockAction) {
    return h.sender.blockActions({ userId, teamId, view: inWorkspace(view, teamId), actions: [action] });
  }

  /** The call's answer, once the fake has sent it (calls are recorded on arrival). */
  async function answered(call: FakeSlackCall): Promise<Record<string, any>> {
    for (let i = 0; i < 500 && !call.reply; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(call.reply).toMatchObject({ ok: true });
    return call.reply!;
  }

  /** A click on the admin's Home (or, with `from`, inside an open modal); resolves with the view it opens or pushes. */
  async function click(teamId: string, userId: string, action: BlockAction, from: Record<string, unknown> = HOME, method = from === HOME ? 'views.open' : 'views.push'): Promise<SlackView> {
    const after = since();
    const res = await h.sender.blockActions({ userId, teamId, view: inWorkspace(from, teamId), actions: [{ value: 'open', ...action }] });
    expect(res.status).toBe(200);
    const reply = await answered(await after(method));
    return reply.view as SlackView;
  }

  /** Submits the modal; field errors must name input blocks of it, or Slack would not show them. */
  async function submit(teamId: string, userId: string, view: SlackView, values: Values) {
    const res = await h.sender.viewSubmission({
      userId,
      teamId,
      view: { id: view.id, hash: view.hash, callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values }, blocks: view.blocks },
    });
    const errors = (res.body as { errors?: Record<string, string> }).errors;
    const inputs = view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id as string);
    for (const [block, message] of Object.entries(errors ?? {})) {
      expect(inputs).toContain(block);
      expect(message.length).toBeGreaterThan(0);
    }
    return res;
  }

  const overflow = (value: string): BlockAction => ({
    action_id: ADMIN_SLA_ACTION.policyMenu,
    type: 'overflow',
    selected_option: { text: { type: 'plain_text', text: value.split(':')[0]! }, value },
  });

  async function existingPolicy(teamId: string, extra: Record<string, unknown> = {}) {
    return createSlaPolicy(ctx.db, scopeFor(teamId, null, NOW), {
      name: 'High incidents',
      applies_to: ['incident'],
      priority: 'high',
      first_response_minutes: 30,
      resolution_minutes: 240,
      ...extra,
    });
  }

  it('creates the suggested set as edited, once even when Slack delivers the submission twice; step 2 is then done', async () => {
    const teamId = tenant();
    expect(JSON.stringify(await slaChecklistBlocks({ db: ctx.db, now: () => NOW }, teamId))).toContain('To do');
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openSuggested });
    expect(modal.callback_id).toBe(ADMIN_SLA_CALLBACK.suggestedPolicies);

    const values = stateOf(modal);
    values[SUGGESTED_BLOCK.first('urgent')]![INPUT_ACTION] = text('15', 'number_input');
    // Low is left out; medium counts 24x7 instead of business hours.
    values[SUGGESTED_BLOCK.options('low')]![INPUT_ACTION] = checked('business_hours_only');
    values[SUGGESTED_BLOCK.options('medium')]![INPUT_ACTION] = checked('create');
    const answers = await Promise.all([submit(teamId, ADMIN, modal, values), submit(teamId, ADMIN, modal, values)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.every((a) => a.body === '')).toBe(true);
    await submit(teamId, ADMIN, modal, values);

    const created = await policies(teamId);
    expect(created.map((p) => [p.priority, p.firstResponseMinutes, p.resolutionMinutes, p.businessHoursOnly, p.status]).sort()).toEqual([
      ['high', 60, 480, false, 'active'],
      ['medium', 240, 1440, false, 'active'],
      ['urgent', 15, 240, false, 'active'],
    ]);
    expect(created.every((p) => p.appliesTo.length === 4 && p.sourceType === 'frontend')).toBe(true);
    expect(await slaSetupStatus(ctx.db, teamId)).toMatchObject({ policies: true });
    const checklist = JSON.stringify(await slaChecklistBlocks({ db: ctx.db, now: () => NOW }, teamId));
    expect(checklist).toContain('Done — 3 policies');
  });

  it('shows the suggested set\'s invalid rows as field errors and creates none of it', async () => {
    const teamId = tenant();
    await existingPolicy(teamId);
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openSuggested });
    const values = stateOf(modal);
    values[SUGGESTED_BLOCK.first('urgent')]![INPUT_ACTION] = text('0', 'number_input');
    values[SUGGESTED_BLOCK.resolution('low')]![INPUT_ACTION] = text('-5', 'number_input');
    const res = await submit(teamId, ADMIN, modal, values);
    expect(res.body).toMatchObject({
      response_action: 'errors',
      errors: {
        [SUGGESTED_BLOCK.first('urgent')]: 'Must be at least 1 minute',
        [SUGGESTED_BLOCK.resolution('low')]: 'Must be at least 1 minute',
        // The existing high policy covers incidents already.
        [SUGGESTED_BLOCK.options('high')]: expect.stringContaining('"High incidents"'),
      },
    });
    expect((await policies(teamId)).map((p) => p.name)).toEqual(['High incidents']);

    values[SUGGESTED_BLOCK.options('urgent')]![INPUT_ACTION] = checked();
    values[SUGGESTED_BLOCK.options('high')]![INPUT_ACTION] = checked();
    values[SUGGESTED_BLOCK.options('medium')]![INPUT_ACTION] = checked();
    values[SUGGESTED_BLOCK.options('low')]![INPUT_ACTION] = checked('business_hours_only');
    const none = await submit(teamId, ADMIN, modal, values);
    expect(none.body).toEqual({ response_action: 'errors', errors: { [SUGGESTED_BLOCK.options('urgent')]: expect.stringContaining('No SLA policies') } });
  });

  it('records "no SLA policies" from the modal, which completes step 2 and says so in the modal', async () => {
    const teamId = tenant();
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openSuggested });
    const after = since();
    await act(teamId, ADMIN, { ...modal, state: { values: stateOf(modal) } }, { action_id: ADMIN_SLA_ACTION.skipPolicies, value: 'skip' });
    const update = await after('views.update');
    expect(update.args).toMatchObject({ view_id: modal.id, hash: modal.hash });
    expect(JSON.stringify(update.args.view)).toContain('no SLA policies');
    await answered(update);
    expect(await slaSetupStatus(ctx.db, teamId)).toEqual({ policies: true, businessHours: false });
    expect(await listConfigChanges(ctx.db, teamId, { subject: 'setup' })).toMatchObject([{ action: 'skip', subjectId: 'sla_policies' }]);
    expect(await policies(teamId)).toEqual([]);
  });

  it('edits a policy from the grid: every invalid value is a field error and nothing is written', async () => {
    const teamId = tenant();
    const policy = await existingPolicy(teamId);
    const home = JSON.stringify(await slaAdminBlocks({ db: ctx.db, now: () => NOW }, teamId));
    expect(home).toContain(`edit:${policy.id}`);
    const modal = await click(teamId, ADMIN, overflow(`edit:${policy.id}`));
    expect(modal.callback_id).toBe(ADMIN_SLA_CALLBACK.policy);
    const values = stateOf(modal);
    expect(values[POLICY_BLOCK.first]![INPUT_ACTION]).toEqual(text('30', 'number_input'));

    values[POLICY_BLOCK.name]![INPUT_ACTION] = text('   ');
    values[POLICY_BLOCK.types]![INPUT_ACTION] = checked();
    values[POLICY_BLOCK.first]![INPUT_ACTION] = text('0', 'number_input');
    values[POLICY_BLOCK.resolution]![INPUT_ACTION] = text('-30', 'number_input');
    values[POLICY_BLOCK.next]![INPUT_ACTION] = text('1.5', 'number_input');
    const res = await submit(teamId, ADMIN, modal, values);
    expect(res.body).toEqual({
      response_action: 'errors',
      errors: {
        [POLICY_BLOCK.name]: 'Required',
        [POLICY_BLOCK.types]: 'Name at least one ticket type',
        [POLICY_BLOCK.first]: 'Must be at least 1 minute',
        [POLICY_BLOCK.resolution]: 'Must be at least 1 minute',
        [POLICY_BLOCK.next]: 'Must be a whole number of minutes',
      },
    });
    expect(await getSlaPolicy(ctx.db, scope(teamId), policy.id)).toEqual(policy);
  });

  it('refuses a business-hours target the calendar cannot reach, in its field', async () => {
    const teamId = tenant();
    await updateTenantSettings(ctx.db, scope(teamId), { business_calendar: { timezone: 'UTC', hours: { mon: [['09:00', '10:00']] }, holidays: [] } });
    const policy = await existingPolicy(teamId);
    const modal = await click(teamId, ADMIN, overflow(`edit:${policy.id}`));
    const values = stateOf(modal);
    values[POLICY_BLOCK.resolution]![INPUT_ACTION] = text('1000000', 'number_input');
    values[POLICY_BLOCK.options]![INPUT_ACTION] = checked('business_hours_only', 'active');
    const res = await submit(teamId, ADMIN, modal, values);
    expect(res.body).toEqual({ response_action: 'errors', errors: { [POLICY_BLOCK.resolution]: expect.stringContaining('cannot be counted in the workspace\'s business calendar') } });
    expect((await getSlaPolicy(ctx.db, scope(teamId), policy.id)).revision).toBe(policy.revision);
  });

  it('saves an edit made on the current revision, and refuses one whose policy changed meanwhile', async () => {
    const teamId = tenant();
    const policy = await existingPolicy(teamId);
    const stale = await click(teamId, ADMIN, overflow(`edit:${policy.id}`));
    await updateSlaPolicy(ctx.db, scope(teamId), policy.id, { resolution_minutes: 300 });
    const values = stateOf(stale);
    values[POLICY_BLOCK.name]![INPUT_ACTION] = text('Critical incidents');
    const refused = await submit(teamId, ADMIN, stale, values);
    expect(refused.body).toEqual({ response_action: 'errors', errors: { [POLICY_BLOCK.name]: expect.stringContaining('Someone changed this policy') } });
    expect((await getSlaPolicy(ctx.db, scope(teamId), policy.id)).name).toBe('High incidents');

    const fresh = await click(teamId, ADMIN, overflow(`edit:${policy.id}`));
    const next = stateOf(fresh);
    next[POLICY_BLOCK.name]![INPUT_ACTION] = text('Critical incidents');
    next[POLICY_BLOCK.priority]![INPUT_ACTION] = selected('urgent');
    next[POLICY_BLOCK.types]![INPUT_ACTION] = checked('incident', 'problem');
    next[POLICY_BLOCK.next]![INPUT_ACTION] = text('60', 'number_input');
    const saved = await submit(teamId, ADMIN, fresh, next);
    expect(saved.body).toBe('');
    expect(await getSlaPolicy(ctx.db, scope(teamId), policy.id)).toMatchObject({
      name: 'Critical incidents',
      priority: 'urgent',
      appliesTo: ['incident', 'problem'],
      firstResponseMinutes: 30,
      resolutionMinutes: 300,
      nextResponseMinutes: 60,
      status: 'active',
      revision: policy.revision + 2,
    });
  });

  it('creates a new policy, and shows a conflict with an active one in the priority field', async () => {
    const teamId = tenant();
    await existingPolicy(teamId);
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.newPolicy });
    const values = stateOf(modal);
    values[POLICY_BLOCK.name]![INPUT_ACTION] = text('Everything high');
    values[POLICY_BLOCK.priority]![INPUT_ACTION] = selected('high');
    values[POLICY_BLOCK.first]![INPUT_ACTION] = text('45', 'number_input');
    values[POLICY_BLOCK.resolution]![INPUT_ACTION] = text('480', 'number_input');
    const conflict = await submit(teamId, ADMIN, modal, values);
    expect(conflict.body).toEqual({ response_action: 'errors', errors: { [POLICY_BLOCK.priority]: expect.stringContaining('"High incidents"') } });
    expect(await policies(teamId)).toHaveLength(1);

    values[POLICY_BLOCK.types]![INPUT_ACTION] = checked('change', 'service_request');
    expect((await submit(teamId, ADMIN, modal, values)).body).toBe('');
    const created = (await policies(teamId)).find((p) => p.name === 'Everything high');
    expect(created).toMatchObject({ appliesTo: ['change', 'service_request'], priority: 'high', firstResponseMinutes: 45, resolutionMinutes: 480, status: 'active', source: 'slack' });
  });

  it('deactivates and activates a policy from its menu on Home; a refused activation is explained', async () => {
    const teamId = tenant();
    const policy = await existingPolicy(teamId);
    await act(teamId, ADMIN, HOME, overflow(`deactivate:${policy.id}`));
    await h.slack.idle();
    await expect.poll(async () => (await getSlaPolicy(ctx.db, scope(teamId), policy.id)).status).toBe('inactive');
    expect(JSON.stringify(await slaAdminBlocks({ db: ctx.db, now: () => NOW }, teamId))).toContain(`activate:${policy.id}`);

    // Another policy took its place meanwhile: activating it again would give incidents two.
    await existingPolicy(teamId, { name: 'Replacement' });
    const notice = await click(teamId, ADMIN, overflow(`activate:${policy.id}`));
    expect(JSON.stringify(notice.blocks)).toContain('Replacement');
    expect((await getSlaPolicy(ctx.db, scope(teamId), policy.id)).status).toBe('inactive');
  });

  it('sets business hours with several intervals a day and holidays; the preview follows the typing', async () => {
    const teamId = tenant();
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openBusinessHours });
    expect(modal.callback_id).toBe(ADMIN_SLA_CALLBACK.businessHours);
    // The default calendar (UTC, Mon-Fri 09:00-17:00): 4 hours from Friday 16:00 UTC is Monday 12:00.
    expect(JSON.stringify(modal.blocks)).toContain('is due *Mon 7 Dec, 12:00*, UTC time');

    const values = stateOf(modal);
    values[HOURS_BLOCK.timezone]![ADMIN_SLA_ACTION.hoursInput] = selected('Europe/Berlin');
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) values[HOURS_BLOCK.day(day as 'mon')]![ADMIN_SLA_ACTION.hoursInput] = text('09:00-12:00, 13:00-17:30');
    values[HOURS_BLOCK.holidays]![ADMIN_SLA_ACTION.hoursInput] = text('2026-12-07 Founders day\n2026-12-25 Christmas');
    const after = since();
    await act(teamId, ADMIN, { ...modal, state: { values } }, { action_id: ADMIN_SLA_ACTION.hoursInput, block_id: HOURS_BLOCK.holidays, type: 'plain_text_input', value: '2026-12-07 Founders day\n2026-12-25 Christmas' });
    const update = await after('views.update');
    await answered(update);
    expect(update.args).toMatchObject({ view_id: modal.id, hash: modal.hash });
    // Friday 17:00 in Berlin: half an hour left that day, Monday is a holiday, then 3 h on Tuesday morning and 30 min after lunch.
    expect(JSON.stringify(update.args.view)).toContain('raised now (Fri 4 Dec, 17:00) is due *Tue 8 Dec, 13:30*, Europe/Berlin time');
    expect(await slaSetupStatus(ctx.db, teamId)).toMatchObject({ businessHours: false });

    const res = await submit(teamId, ADMIN, { ...modal, ...(update.reply!.view as SlackView) }, values);
    expect(res.body).toBe('');
    const { business_calendar: saved } = await getTenantSettings(ctx.db, scope(teamId));
    expect(saved).toEqual({
      timezone: 'Europe/Berlin',
      hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '12:00'], ['13:00', '17:30']]])),
      holidays: ['2026-12-07', '2026-12-25'],
    });
    expect(await slaSetupStatus(ctx.db, teamId)).toMatchObject({ businessHours: true });
    expect(JSON.stringify(await slaChecklistBlocks({ db: ctx.db, now: () => NOW }, teamId))).toContain('Europe/Berlin · Mon–Fri 09:00–12:00, 13:00–17:30 · 2 holidays');
  });

  it('says why there is no preview while the hours are wrong, and ignores an update overtaken by newer typing', async () => {
    const teamId = tenant();
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openBusinessHours });
    const values = stateOf(modal);
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) values[HOURS_BLOCK.day(day as 'mon')]![ADMIN_SLA_ACTION.hoursInput] = text('');
    const type = (hash: string) =>
      act(teamId, ADMIN, { ...modal, hash, state: { values } }, { action_id: ADMIN_SLA_ACTION.hoursInput, type: 'plain_text_input', value: '' });
    let after = since();
    await type(modal.hash);
    const update = await after('views.update');
    await answered(update);
    expect(JSON.stringify(update.args.view)).toContain('none yet, At least one weekday needs a business-hours interval');
    const closed = await submit(teamId, ADMIN, modal, values);
    expect(closed.body).toEqual({ response_action: 'errors', errors: { [HOURS_BLOCK.day('mon')]: expect.stringMatching(/^At least one weekday needs a business-hours interval/) } });

    // A keystroke's action carrying the hash from before the last update: Slack refuses it, and nobody is bothered.
    after = since();
    await type(modal.hash);
    const conflict = await after('views.update');
    await h.slack.idle();
    for (let i = 0; i < 100 && !conflict.error; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(conflict.error).toBe('hash_conflict');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.fake.calls.filter((c) => h.fake.calls.indexOf(c) > h.fake.calls.indexOf(conflict) && c.method.startsWith('views.'))).toEqual([]);
  });

  it('shows invalid hours as field errors naming what was typed, and saves nothing', async () => {
    const teamId = tenant();
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openBusinessHours });
    const values = stateOf(modal);
    values[HOURS_BLOCK.day('mon')]![ADMIN_SLA_ACTION.hoursInput] = text('9am-5pm');
    values[HOURS_BLOCK.day('tue')]![ADMIN_SLA_ACTION.hoursInput] = text('17:00-09:00');
    values[HOURS_BLOCK.day('wed')]![ADMIN_SLA_ACTION.hoursInput] = text('09:00-13:00, 12:00-17:00');
    values[HOURS_BLOCK.holidays]![ADMIN_SLA_ACTION.hoursInput] = text('2026-02-30 Not a day');
    const res = await submit(teamId, ADMIN, modal, values);
    expect(res.body).toMatchObject({ response_action: 'errors' });
    const errors = (res.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual([HOURS_BLOCK.day('mon'), HOURS_BLOCK.day('tue'), HOURS_BLOCK.day('wed'), HOURS_BLOCK.holidays].sort());
    expect(errors[HOURS_BLOCK.day('mon')]).toContain('"9am-5pm": Opening time must be "HH:MM"');
    expect(errors[HOURS_BLOCK.day('tue')]).toContain('must close after it opens');
    expect(errors[HOURS_BLOCK.day('wed')]).toContain('overlaps');
    expect(errors[HOURS_BLOCK.holidays]).toContain('"2026-02-30": Holiday must be a real calendar date');
    expect((await getTenantSettings(ctx.db, scope(teamId))).business_calendar).toEqual(DEFAULT_BUSINESS_CALENDAR);
    expect(await slaSetupStatus(ctx.db, teamId)).toMatchObject({ businessHours: false });
  });

  it('refuses hours too thin for a business-hours policy, naming the policy', async () => {
    const teamId = tenant();
    await existingPolicy(teamId, { name: 'Slow burn', priority: 'low', resolution_minutes: 1_000_000, business_hours_only: true });
    const modal = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openBusinessHours });
    const values = stateOf(modal);
    for (const day of ['tue', 'wed', 'thu', 'fri']) values[HOURS_BLOCK.day(day as 'mon')]![ADMIN_SLA_ACTION.hoursInput] = text('');
    values[HOURS_BLOCK.day('mon')]![ADMIN_SLA_ACTION.hoursInput] = text('09:00-10:00');
    const res = await submit(teamId, ADMIN, modal, values);
    expect(res.body).toEqual({ response_action: 'errors', errors: { [HOURS_BLOCK.day('mon')]: expect.stringContaining('SLA policy "Slow burn"') } });
    expect((await getTenantSettings(ctx.db, scope(teamId))).business_calendar).toEqual(DEFAULT_BUSINESS_CALENDAR);
  });

  it('refuses every admin button and form to someone who is not an admin, and changes nothing', async () => {
    const teamId = tenant();
    const policy = await existingPolicy(teamId);
    const opens: Array<[BlockAction, Record<string, unknown>?]> = [
      [{ action_id: ADMIN_SLA_ACTION.openSuggested }],
      [{ action_id: ADMIN_SLA_ACTION.newPolicy }],
      [{ action_id: ADMIN_SLA_ACTION.openBusinessHours }],
      [overflow(`edit:${policy.id}`)],
      [overflow(`deactivate:${policy.id}`)],
      [{ action_id: ADMIN_SLA_ACTION.pickPolicy, type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'x' }, value: policy.id } }],
    ];
    // Each as the admin would see it, to try the forms too.
    const suggested = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openSuggested });
    const edit = await click(teamId, ADMIN, overflow(`edit:${policy.id}`));
    const hours = await click(teamId, ADMIN, { action_id: ADMIN_SLA_ACTION.openBusinessHours });
    opens.push(
      [{ action_id: ADMIN_SLA_ACTION.skipPolicies, value: 'skip' }, { ...suggested, state: { values: stateOf(suggested) } }],
      [{ action_id: ADMIN_SLA_ACTION.hoursInput, type: 'plain_text_input', value: '' }, { ...hours, state: { values: stateOf(hours) } }],
    );
    for (const [action, from] of opens) {
      const notice = await click(teamId, MEMBER, action, from);
      expect((notice as SlackView & { title: unknown }).title).toMatchObject({ text: 'Admins only' });
      expect(JSON.stringify(notice.blocks)).toContain('Only helpdesk admins');
    }
    const values = stateOf(edit);
    values[POLICY_BLOCK.options]![INPUT_ACTION] = checked();
    const hoursValues = stateOf(hours);
    hoursValues[HOURS_BLOCK.timezone]![ADMIN_SLA_ACTION.hoursInput] = selected('Asia/Tokyo');
    for (const [view, state, block] of [
      [suggested, stateOf(suggested), SUGGESTED_BLOCK.first('urgent')],
      [edit, values, POLICY_BLOCK.name],
      [{ ...edit, private_metadata: '{}' }, values, POLICY_BLOCK.name],
      [hours, hoursValues, HOURS_BLOCK.timezone],
    ] as const) {
      const res = await submit(teamId, MEMBER, view, state);
      expect(res.body).toEqual({ response_action: 'errors', errors: { [block]: expect.stringContaining('Only helpdesk admins') } });
    }
    expect(await policies(teamId)).toEqual([policy]);
    expect((await getTenantSettings(ctx.db, scope(teamId))).business_calendar).toEqual(DEFAULT_BUSINESS_CALENDAR);
    expect(await listConfigChanges(ctx.db, teamId, { subject: 'setup' })).toEqual([]);
    expect(h.fake.callsTo('views.update').filter((c) => c.args.view_id === hours.id || c.args.view_id === suggested.id)).toEqual([]);
  });

  it('keeps each workspace to its own policies and hours: another installation cannot touch them', async () => {
    const teamId = tenant();
    const policy = await existingPolicy(teamId);
    const intruder = tenant();
    // The same Slack user is an admin of the other workspace, where the app is installed too.
    const notice = await click(intruder, ADMIN, overflow(`deactivate:${policy.id}`));
    expect(JSON.stringify(notice.blocks)).toContain('was not found');
    const edit = await click(teamId, ADMIN, overflow(`edit:${policy.id}`));
    const values = stateOf(edit);
    values[POLICY_BLOCK.options]![INPUT_ACTION] = checked();
    const res = await submit(intruder, ADMIN, edit, values);
    expect(res.body).toEqual({ response_action: 'errors', errors: { [POLICY_BLOCK.name]: expect.stringContaining('no longer exists') } });
    const hours = await click(intruder, ADMIN, { action_id: ADMIN_SLA_ACTION.openBusinessHours });
    const hoursValues = stateOf(hours);
    hoursValues[HOURS_BLOCK.timezone]![ADMIN_SLA_ACTION.hoursInput] = selected('Asia/Tokyo');
    expect((await submit(intruder, ADMIN, hours, hoursValues)).body).toBe('');

    expect(await getSlaPolicy(ctx.db, scope(teamId), policy.id)).toEqual(policy);
    expect((await getTenantSettings(ctx.db, scope(teamId))).business_calendar).toEqual(DEFAULT_BUSINESS_CALENDAR);
    expect((await getTenantSettings(ctx.db, scope(intruder))).business_calendar.timezone).toBe('Asia/Tokyo');
    expect(await policies(intruder)).toEqual([]);
  });

  it('logged no warning or error on the way', () => {
    expect(h.problems).toEqual([]);
  });
});
