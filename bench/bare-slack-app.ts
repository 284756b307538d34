/**
 * The baseline of bench/slack.ts, run as a process of its own like the product: a Bolt app
 * in HTTP mode (ExpressReceiver at /slack/events) that only acks and makes the one Web API
 * call each case needs (a Home opened: one views.publish of a static Home; Bolt acks events itself). Reads SLACK_SIGNING_SECRET and SLACK_API_URL, listens on a free port
 * of 127.0.0.1 and logs "listening on http://127.0.0.1:<port>".
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import { COMMAND } from '../src/slack/ids.js';

export const BARE_CALLBACK = 'bench_modal';
export const BARE_ACTION = 'bench_claim';
/** The bare app's Home tab: static, the same for everyone. */
export const BARE_HOME = {
  type: 'home' as const,
  blocks: [
    { type: 'header' as const, text: { type: 'plain_text' as const, text: 'Helpdesk' } },
    { type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'Nothing to show.' } },
  ],
};

async function main(): Promise<void> {
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  const slackApiUrl = process.env.SLACK_API_URL;
  if (!signingSecret || !slackApiUrl) throw new Error('SLACK_SIGNING_SECRET and SLACK_API_URL are required');

  const receiver = new ExpressReceiver({ signingSecret, endpoints: '/slack/events', logLevel: LogLevel.ERROR, processBeforeResponse: false });
  const app = new App({ token: 'xoxb-bare-token', receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl } });
  const modal = {
    type: 'modal' as const,
    callback_id: BARE_CALLBACK,
    title: { type: 'plain_text' as const, text: 'New ticket' },
    submit: { type: 'plain_text' as const, text: 'Create' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'title',
        label: { type: 'plain_text' as const, text: 'Title' },
        element: { type: 'plain_text_input' as const, action_id: 'value' },
      },
    ],
  };
  app.command(COMMAND, async ({ ack, body, client }) => {
    await ack();
    await client.views.open({ trigger_id: body.trigger_id, view: modal });
  });
  app.view(BARE_CALLBACK, async ({ ack }) => {
    await ack();
  });
  app.action(BARE_ACTION, async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: 'Claimed',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Claimed by <@${body.user.id}>` } }],
    });
  });
  app.event('app_home_opened', async ({ event, client }) => {
    await client.views.publish({ user_id: event.user, view: BARE_HOME });
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = receiver.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  console.log(`bare Bolt app listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

// Run as a script (bench/slack.ts starts it); imported, it only lends its constants.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
