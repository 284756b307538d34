import { afterAll, beforeAll, expect, it } from 'vitest';
import { CALLBACK } from '../../../../src/slack/ids.js';
import { describeEachDatabase } from '../../../support/databases.js';
import { type SlackHarness, startSlackHarness } from '../../../support/slack-harness.js';
import { REQUESTER, slackWorkspaces } from '../../../support/slack-workspace.js';

describeEachDatabase('the message shortcut', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace } = slackWorkspaces(() => h, () => ctx.db);

  it('opens the modal from the message shortcut, prefilled with the message and its link', async () => {
    const { teamId } = await workspace();
    const after = since();
    await h.sender.messageShortcut({
      callbackId: CALLBACK.messageShortcut,
      userId: REQUESTER,
      teamId,
      channelId: 'C0GENERAL',
      message: { ts: '1700000123.000200', text: 'Laptop will not boot\nTried twice', user: 'UOTHER01' },
    });
    const open = await after('views.open');
    const json = JSON.stringify(open.args.view);
    expect(json).toContain('Laptop will not boot');
    expect(json).toContain('Tried twice');
    expect(json).toContain('https://fake-workspace.slack.com/archives/C0GENERAL/');
  });
});
