import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { messageSourceMetadata } from '../../blocks/form.js';
import { openTicketForm, tell, tenantOf, type ListenerDeps } from '../shared.js';

/**
 * The message shortcut: the ticket form, prefilled with the message and a link to it. The
 * form carries the message's thread (its own, or the one it is a reply in), which becomes a
 * requester's side of the ticket once it is created.
 */
export function handleTicketFromMessage(deps: ListenerDeps) {
  return async ({ ack, shortcut, client, context, respond }: SlackShortcutMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    try {
      const tenantId = tenantOf(context);
      const link = await client.chat
        .getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts })
        .then((r) => r.permalink)
        .catch(() => undefined);
      const messageText = shortcut.message.text ?? '';
      const firstLine = messageText.split('\n').find((line) => line.trim() !== '') ?? '';
      // Uncut: the form cuts them to its inputs' limits, whole graphemes only.
      const source = messageSourceMetadata({ channel_id: shortcut.channel.id, thread_ts: shortcut.message.thread_ts ?? shortcut.message.ts });
      await openTicketForm(deps, client, shortcut.trigger_id, tenantId, { title: firstLine, description: messageText }, link, source);
    } catch (error) {
      await tell(deps, respond, error, 'open the ticket form');
    }
  };
}
