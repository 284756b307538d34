import { afterAll, beforeAll, expect, it } from 'vitest';
import { getTicket } from '../../../../src/domain/tickets/queries.js';
import { ACTION } from '../../../../src/slack/ids.js';
import { describeEachDatabase } from '../../../support/databases.js';
import { startSlackHarness, type SlackHarness } from '../../../support/slack-harness.js';
import { REQUESTER, slackWorkspaces } from '../../../support/slack-workspace.js';

describeEachDatabase('the "View ticket" link button', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { workspace, fileTicket, click } = slackWorkspaces(() => h, () => ctx.db);

  it('is acknowledged, and changes and posts nothing', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId);
    const mark = h.fake.calls.length;
    const res = await click(teamId, REQUESTER, ACTION.openLink, ticket.id);
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    await h.slack.idle();
    expect(h.fake.calls.slice(mark)).toEqual([]);
    expect((await getTicket(ctx.db, { tenantId: teamId }, ticket.id)).revision).toBe(ticket.revision);
    expect(h.problems).toEqual([]);
  });
});
