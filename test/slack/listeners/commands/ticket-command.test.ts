import { afterAll, beforeAll, expect, it } from 'vitest';
import { BLOCK, CALLBACK } from '../../../../src/slack/ids.js';
import { describeEachDatabase } from '../../../support/databases.js';
import { type SlackHarness, startSlackHarness } from '../../../support/slack-harness.js';
import { REQUESTER, slackWorkspaces, STRANGER, textOf } from '../../../support/slack-workspace.js';

describeEachDatabase('/ticket', (ctx) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ db: ctx.db });
  });
  afterAll(async () => {
    await h?.close();
  });

  const { since, workspace, fileTicket } = slackWorkspaces(() => h, () => ctx.db);

  it('opens the create modal for /ticket, prefilled with its words and the default team', async () => {
    const { teamId, team } = await workspace();
    const after = since();
    const res = await h.sender.slashCommand({ command: '/ticket', text: 'Printer on fire', userId: REQUESTER, teamId, channelId: 'C0GENERAL', triggerId: 'trig-1' });
    expect(res.status).toBe(200);
    const open = await after('views.open');
    expect(open.args.trigger_id).toBe('trig-1');
    const view = open.args.view as { callback_id: string; blocks: Array<{ block_id?: string; element?: Record<string, unknown> }> };
    expect(view.callback_id).toBe(CALLBACK.createTicketModal);
    const block = (id: string) => view.blocks.find((b) => b.block_id === id)!;
    expect(block(BLOCK.title).element!.initial_value).toBe('Printer on fire');
    expect((block(BLOCK.team).element!.initial_option as { value: string }).value).toBe(team.id);
  });

  it('answers /ticket help, list, a ticket number, unknown words and a missing ticket, privately', async () => {
    const { teamId } = await workspace();
    const { ticket } = await fileTicket(teamId, { title: 'Mine' });
    const help = await h.sender.slashCommand({ command: '/ticket', text: 'help', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    expect(help.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(help.body)).toContain('/ticket list');
    const typo = await h.sender.slashCommand({ command: '/ticket', text: 'lsit', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    expect(JSON.stringify(typo.body)).toContain('lsit');

    let after = since();
    await h.sender.slashCommand({ command: '/ticket', text: 'list', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    const list = await after('response_url');
    expect(list.args.response_type).toBe('ephemeral');
    expect(textOf(list)).toContain(ticket.number);

    after = since();
    await h.sender.slashCommand({ command: '/ticket', text: ticket.number, userId: STRANGER, teamId, channelId: 'C0GENERAL' });
    expect(textOf(await after('response_url'))).toContain('Mine');

    after = since();
    await h.sender.slashCommand({ command: '/ticket', text: 'TKT-9999', userId: REQUESTER, teamId, channelId: 'C0GENERAL' });
    expect(textOf(await after('response_url'))).toContain('TKT-9999');
  });
});
