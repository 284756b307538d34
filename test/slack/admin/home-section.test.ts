import { afterAll, beforeAll, expect, it } from 'vitest';
import { upsertSlackPerson } from '../../../src/domain/people.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../../src/domain/sla/calendar.js';
import { createSlaPolicy } from '../../../src/domain/sla/policies.js';
import { saveBusinessHours, skipSlaPolicies } from '../../../src/domain/sla/setup.js';
import { createTeam, updateTeam } from '../../../src/domain/teams.js';
import { updateTenantSettings } from '../../../src/domain/tenants.js';
import type { KnownBlock } from '../../../src/slack/blocks/elements.js';
import { adminHomeBlocks, ADMIN_HOME_MAX_BLOCKS, HOME_TEAMS_LISTED } from '../../../src/slack/admin/home-section.js';
import { ADMIN_CONFIG_ACTION, ADMIN_SLA_ACTION } from '../../../src/slack/ids.js';
import { describeEachDatabase, newTenantId } from '../../support/databases.js';
import { scopeFor } from '../../support/scope.js';
import { type SlackHarness, startSlackHarness } from '../../support/slack-harness.js';

const ADMIN = 'U0ADMIN001';
const PING = '<!channel> <@U0VICTIM1> <https://evil.test|click> &amp;';

/** Every action id of the blocks, with the value it carries. */
function actionsOf(blocks: KnownBlock[]): Array<{ action_id: string; value?: string }> {
  const found: Array<{ action_id: string; value?: string }> = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.action_id === 'string') found.push({ action_id: record.action_id, ...(typeof record.value === 'string' ? { value: record.value } : {}) });
      Object.values(record).forEach(walk);
    }
  };
  walk(blocks);
  return found;
}

describeEachDatabase("the admin part of an admin's Home", (ctx) => {
  let h: SlackHarness;
  const now = () => new Date('2026-06-01T12:00:00Z');

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    // Fails the file if any published Home broke a limit real Slack enforces.
    await h?.close();
  });

  /** Publishes the blocks as a Home tab, so the fake Slack checks them as Slack would; every button has its listener. */
  async function publish(blocks: KnownBlock[]) {
    for (const { action_id } of actionsOf(blocks)) expect(h.slack.registered.actions, action_id).toContain(action_id);
    const published = await h.slack.client.views.publish({ user_id: ADMIN, view: { type: 'home', blocks } });
    expect(published.ok).toBe(true);
  }

  it('shows the setup checklist while the desk has no team: step 1 to do, with its button', async () => {
    const tenantId = newTenantId();
    const blocks = await adminHomeBlocks({ db: ctx.db, now }, tenantId);
    const text = JSON.stringify(blocks);
    expect(text).toContain('Set up your helpdesk');
    expect(text).toContain('*1. Create a team*\\n:white_circle: To do');
    expect(actionsOf(blocks).map((a) => a.action_id)).toEqual([
      ADMIN_CONFIG_ACTION.teamCreate,
      ADMIN_SLA_ACTION.openSuggested,
      ADMIN_SLA_ACTION.openBusinessHours,
      ADMIN_CONFIG_ACTION.adminsEdit,
    ]);
    expect(text).toContain('*2. SLA policies*');
    expect(text).toContain('*3. Business hours*');
    expect(text).not.toContain('*Teams*');
    await publish(blocks);
  });

  it('lists teams, settings, helpdesk admins and the last changes once there is a team, escaping every name', async () => {
    const tenantId = newTenantId();
    const admin = await upsertSlackPerson(ctx.db, tenantId, { slackUserId: ADMIN }, now());
    const scope = scopeFor(tenantId, admin.id, now());
    const team = await createTeam(ctx.db, scope, { name: `Desk ${PING}`, slack_channel_id: 'C0DESK0001', agent_ids: ['U0AGENT001', 'U0AGENT002'], escalation_contact_ids: ['U0ONCALL01'] });
    await updateTenantSettings(ctx.db, scope, { default_team_id: team.id, sla_warning_percent: 80, admin_ids: [ADMIN, 'api-sub'] });
    await saveBusinessHours(ctx.db, scope, DEFAULT_BUSINESS_CALENDAR);
    await updateTeam(ctx.db, scope, team.id, { request_channel_ids: ['C0ASK0001', 'C0ASK0002'], intake_type: 'service_request', intake_priority: 'high' });
    await updateTeam(ctx.db, scopeFor(tenantId, 'someone-via-api', now()), team.id, { agent_reply_default: 'internal' });
    await createSlaPolicy(ctx.db, scope, { name: `P ${PING}`, applies_to: ['incident'], priority: 'high', first_response_minutes: 30, resolution_minutes: 240 });

    const blocks = await adminHomeBlocks({ db: ctx.db, now }, tenantId);
    const text = JSON.stringify(blocks);
    expect(text).not.toContain('Set up your helpdesk');
    // Names escaped: no broadcast, mention or link can form from them.
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0VICTIM1>');
    expect(text).not.toContain('<https://evil.test');
    expect(text).toContain('Desk &lt;!channel&gt; &lt;@U0VICTIM1&gt; &lt;https://evil.test|click&gt; &amp;amp;');
    // The channel is an id: a real channel mention.
    expect(text).toContain('<#C0DESK0001>');
    expect(text).toContain('2 agents · 1 escalation contact');
    expect(text).toContain("An agent's plain reply is internal");
    expect(text).toContain('Requests from <#C0ASK0001>, <#C0ASK0002> · tickets from messages: service request, high');
    expect(text).toContain('[no-ticket]');
    expect(text).toContain('80% of the target');
    expect(text).toContain(`<@${ADMIN}>`);
    expect(text).toContain('`api-sub`');
    // Who changed what: the admin by mention, the API caller as such, newest first.
    expect(text).toContain('Last changes');
    expect(text).toMatch(/Someone via the API changed team \*Desk &lt;!channel&gt;[^\n]*: reply default/);
    expect(text).toContain(`<@${ADMIN}> created SLA policy *P &lt;!channel&gt;`);
    expect(actionsOf(blocks)).toEqual(
      expect.arrayContaining([
        { action_id: ADMIN_CONFIG_ACTION.teamCreate, value: 'new' },
        { action_id: ADMIN_CONFIG_ACTION.teamEdit, value: team.id },
        { action_id: ADMIN_CONFIG_ACTION.settingsEdit, value: 'settings' },
        { action_id: ADMIN_CONFIG_ACTION.adminsEdit, value: 'admins' },
      ]),
    );
    expect(blocks.length).toBeLessThanOrEqual(ADMIN_HOME_MAX_BLOCKS);
    await publish(blocks);
  });

  it('keeps the checklist above the admin section while a step is to do, each step done or to do', async () => {
    const tenantId = newTenantId();
    const admin = await upsertSlackPerson(ctx.db, tenantId, { slackUserId: ADMIN }, now());
    const scope = scopeFor(tenantId, admin.id, now());
    await createTeam(ctx.db, scope, { name: 'Desk' });
    let text = JSON.stringify(await adminHomeBlocks({ db: ctx.db, now }, tenantId));
    expect(text).toContain('*1. Create a team*\\n:white_check_mark: Done — 1 team');
    expect(text).toContain('*Teams* (1)');
    expect(text).toMatch(/2\. SLA policies\*[^"]*To do|To do[^"]*2\. SLA policies/);
    await skipSlaPolicies(ctx.db, scope);
    await saveBusinessHours(ctx.db, scope, DEFAULT_BUSINESS_CALENDAR);
    const blocks = await adminHomeBlocks({ db: ctx.db, now }, tenantId);
    text = JSON.stringify(blocks);
    // All three done: the checklist gives way to the admin section, which says who confirmed what.
    expect(text).not.toContain('Set up your helpdesk');
    expect(text).toContain(`<@${ADMIN}> skipped SLA policies`);
    expect(text).toContain(`<@${ADMIN}> confirmed business hours`);
    await publish(blocks);
  });

  it('stays within its share of the Home with many teams: the first listed, all of them in a picker', async () => {
    const tenantId = newTenantId();
    const scope = scopeFor(tenantId, null, now());
    for (let i = 0; i < HOME_TEAMS_LISTED + 2; i++) await createTeam(ctx.db, scope, { name: `Team ${String(i).padStart(3, '0')} ${'x'.repeat(70)}` });
    const blocks = await adminHomeBlocks({ db: ctx.db, now }, tenantId);
    expect(blocks.length).toBeLessThanOrEqual(ADMIN_HOME_MAX_BLOCKS);
    const actions = actionsOf(blocks);
    expect(actions.filter((a) => a.action_id === ADMIN_CONFIG_ACTION.teamEdit)).toHaveLength(HOME_TEAMS_LISTED);
    expect(actions.filter((a) => a.action_id === ADMIN_CONFIG_ACTION.teamPick)).toHaveLength(1);
    await publish(blocks);
  });
});
