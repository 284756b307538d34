import { afterAll, beforeAll, expect, it } from 'vitest';
import { getTicket } from '../../../../src/domain/tickets/queries.js';
import { ACTION } from '../../../../src/slack/ids.js';
import { describeEachDatabase } from '../../../support/databases.js';
import { type SlackHarness, startSlackHarness } from '../../../support/slack-harness.js';
import { AGENT, slackWorkspaces } from '../../../support/slack-workspace.js';

describeEachDatabase('actions by id', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { workspace, fileTicket, click } = slackWorkspaces(() => h, () => ctx.db);

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
});
