import { afterAll, beforeAll, expect, it } from 'vitest';
import { getTenantSettings } from '../../src/domain/tenants.js';
import { getTicket } from '../../src/domain/tickets/queries.js';
import { ACTION } from '../../src/slack/ids.js';
import { describeEachDatabase } from '../support/databases.js';
import { tokenFor } from '../support/http-server.js';
import { scopeFor } from '../support/scope.js';
import { type SlackHarness, startSlackHarness } from '../support/slack-harness.js';
import { slackWorkspaces, STRANGER } from '../support/slack-workspace.js';

/** A workspace admin in Slack who is no agent of any team. */
const WORKSPACE_ADMIN = 'U0WSADMIN1';

/**
 * One rule per action, whichever surface the person uses: the same Slack user clicks a
 * button in Slack and calls the REST API with a token naming their Slack user id.
 */
describeEachDatabase('roles across Slack and the REST API', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
    h.fake.addUser({ id: WORKSPACE_ADMIN, name: 'wsadmin', real_name: 'Workspace Admin', tz: 'UTC', tz_offset: 0, is_admin: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket, click } = slackWorkspaces(() => h, () => ctx.db);

  const api = async (teamId: string, slackUserId: string, method: string, path: string, body: unknown) => {
    const token = await tokenFor({ sub: slackUserId, tenant_id: teamId });
    const response = await fetch(`${h.baseUrl}/api/v1/helpdesk${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('refuses a non-agent the same way on a card button and through the API, and changes nothing', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    for (const who of [STRANGER, WORKSPACE_ADMIN]) {
      const after = since();
      await click(teamId, who, ACTION.resolve, ticket.id);
      const told = await after('response_url');
      expect(String(told.args.text), who).toContain(`Only the agents of IT desk can resolve ${ticket.number}.`);
      const patched = await api(teamId, who, 'PATCH', `/tickets/${ticket.id}`, { status: 'resolved' });
      expect(patched, who).toMatchObject({ status: 403, body: { code: 'forbidden', detail: `Only the agents of IT desk can edit ${ticket.number}.` } });
    }
    await h.slack.idle();
    expect(await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).toMatchObject({ status: 'open', revision: ticket.revision });
  });

  it('lets a workspace admin (as Slack says) configure the desk through the API, and nobody else', async () => {
    const { teamId } = await workspace();
    const before = await getTenantSettings(ctx.db, scopeFor(teamId, null, new Date()));
    const refused = await api(teamId, STRANGER, 'PUT', '/settings', { sla_warning_percent: 90 });
    expect(refused).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await getTenantSettings(ctx.db, scopeFor(teamId, null, new Date()))).toEqual(before);

    const asked = h.fake.count('users.info');
    const allowed = await api(teamId, WORKSPACE_ADMIN, 'PUT', '/settings', { sla_warning_percent: 90 });
    expect(allowed).toMatchObject({ status: 200, body: { sla_warning_percent: 90 } });
    expect(h.fake.count('users.info')).toBe(asked + 1);
    expect(h.fake.callsTo('users.info').at(-1)!.args.user).toBe(WORKSPACE_ADMIN);
    // Slack not knowing STRANGER (user_not_found) was an answer, not a problem to log.
    expect(h.problems).toEqual([]);
  });
});
