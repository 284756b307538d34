import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { ForbiddenError } from '../../../domain/errors.js';
import { receiveThreadMessage } from '../../../domain/tickets/conversation.js';
import { recordCommentMessage } from '../../../domain/tickets/threads.js';
import { closedTicketReply, mirroredComment, reopenedByReply } from '../../blocks/messages.js';
import { chainUnder } from '../../limit.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** The fields of a message event this listener reads (Bolt types it as a union of subtypes). */
interface MessageFields {
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
}

/**
 * A person's reply in a ticket's thread (the card's, or the requester's DM): the domain stores
 * it as a comment and says where it goes; this posts the copies and the app's own answers.
 * Everything else is ignored: top-level messages, threads of no ticket, bots' messages (the
 * app's own copies above all), and every subtype (broadcasts, joins, edits, files).
 */
export function handleThreadMessage(deps: ListenerDeps) {
  // Messages of one thread are applied one after another, in the order they arrived.
  const threads = new Map<string, Promise<void>>();

  return async ({ event, context, client }: MessageArgs): Promise<void> => {
    const message = event as unknown as MessageFields;
    if (message.subtype !== undefined || message.bot_id !== undefined) return;
    if (!message.user || message.user === context.botUserId) return;
    if (!message.thread_ts || message.thread_ts === message.ts || !message.text?.trim()) return;
    const tenantId = tenantOf(context);
    const author = message.user;
    const key = `${tenantId}/${message.channel}/${message.thread_ts}`;

    const apply = async () => {
      const { scope } = await actingAs(deps, tenantId, { id: author });
      let outcome;
      try {
        outcome = await receiveThreadMessage(
          deps.db,
          scope,
          { channelId: message.channel, threadTs: message.thread_ts!, messageTs: message.ts, text: message.text! },
          { onChange: deps.onChange },
        );
      } catch (error) {
        if (!(error instanceof ForbiddenError)) throw error;
        // A private note from someone who is not one of the ticket's agents: stored nowhere, they are told.
        await client.chat.postEphemeral({ channel: message.channel, user: author, thread_ts: message.thread_ts, text: error.message });
        return;
      }
      switch (outcome.kind) {
        case 'ignored':
        case 'duplicate':
          return;
        case 'closed':
          await client.chat.postMessage({ channel: message.channel, thread_ts: message.thread_ts, ...closedTicketReply(outcome.ticket) });
          return;
        case 'comment': {
          const { comment } = outcome;
          if (comment.visibility === 'internal') {
            // Marks the note as private where the agents see it; it goes nowhere else.
            await client.reactions.add({ channel: message.channel, timestamp: message.ts, name: 'lock' });
            return;
          }
          for (const thread of outcome.mirrorTo) {
            const copy = await client.chat.postMessage({
              channel: thread.channelId,
              thread_ts: thread.threadTs,
              ...mirroredComment(author, message.text!),
              unfurl_links: false,
            });
            // Where the copy lives, so an edit or delete of the original can follow it.
            if (copy.ts) await recordCommentMessage(deps.db, scope, comment.id, { channel_id: thread.channelId, thread_ts: thread.threadTs, message_ts: copy.ts });
          }
          if (outcome.reopened) {
            await client.chat.postMessage({ channel: message.channel, thread_ts: message.thread_ts, ...reopenedByReply(outcome.ticket) });
          }
          return;
        }
      }
    };

    await new Promise<void>((resolve, reject) => chainUnder(threads, key, () => apply().then(resolve, reject)));
  };
}
