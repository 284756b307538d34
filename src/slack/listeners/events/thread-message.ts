import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { ForbiddenError } from '../../../domain/errors.js';
import { changeThreadMessage, receiveThreadMessage } from '../../../domain/tickets/conversation.js';
import { recordCommentMessage } from '../../../domain/tickets/threads.js';
import { closedTicketAgentReply, closedTicketReply, mirroredComment, reopenedByReply } from '../../blocks/messages.js';
import { chainUnder } from '../../limit.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** The fields of a message this listener reads (Bolt types events as a union of subtypes). */
interface MessageFields {
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
}

interface MessageEvent extends MessageFields {
  channel: string;
  /** message_changed: the message as it is now. */
  message?: MessageFields;
  /** message_deleted: the message as it was. */
  previous_message?: MessageFields;
}

/** A person's message in a thread (not the thread's parent), or undefined. */
function personsReply(message: MessageFields | undefined, botUserId: string | undefined): (MessageFields & { user: string; thread_ts: string }) | undefined {
  if (!message || message.bot_id !== undefined || !message.user || message.user === botUserId) return undefined;
  if (!message.thread_ts || message.thread_ts === message.ts) return undefined;
  return message as MessageFields & { user: string; thread_ts: string };
}

/**
 * A person's reply in a ticket's thread (the card's, or the requester's DM): the domain stores
 * it as a comment and says where it goes; this posts the copies and the app's own answers.
 * Its author's edit or delete is followed on the copies. Everything else is ignored: top-level
 * messages, threads of no ticket, bots' messages (the app's own copies above all), and every
 * other subtype (broadcasts, joins, files).
 */
export function handleThreadMessage(deps: ListenerDeps) {
  // Messages of one thread are applied one after another, in the order they arrived.
  const threads = new Map<string, Promise<void>>();
  const inOrder = (key: string, work: () => Promise<void>) =>
    new Promise<void>((resolve, reject) => chainUnder(threads, key, () => work().then(resolve, reject)));

  return async ({ event, context, client }: MessageArgs): Promise<void> => {
    const raw = event as unknown as MessageEvent;
    if (raw.subtype === 'message_changed' || raw.subtype === 'message_deleted') {
      const edited = raw.subtype === 'message_changed';
      const original = personsReply(edited ? raw.message : raw.previous_message, context.botUserId);
      if (!original || (edited && !original.text?.trim())) return;
      const tenantId = tenantOf(context);
      await inOrder(`${tenantId}/${raw.channel}/${original.thread_ts}`, async () => {
        const { scope } = await actingAs(deps, tenantId, { id: original.user });
        const outcome = await changeThreadMessage(
          deps.db,
          scope,
          { channelId: raw.channel, messageTs: original.ts },
          edited ? { kind: 'edited', text: original.text! } : { kind: 'deleted' },
          { onComment: deps.onComment },
        );
        if (outcome.kind === 'ignored') return;
        for (const copy of outcome.copies) {
          if (edited) await client.chat.update({ channel: copy.channelId, ts: copy.messageTs, ...mirroredComment(original.user, outcome.comment.body) });
          else await client.chat.delete({ channel: copy.channelId, ts: copy.messageTs });
        }
      });
      return;
    }
    if (raw.subtype !== undefined) return;
    const message = personsReply(raw, context.botUserId);
    if (!message || !message.text?.trim()) return;
    const channel = raw.channel;
    const tenantId = tenantOf(context);
    const author = message.user;

    const apply = async () => {
      const { scope } = await actingAs(deps, tenantId, { id: author });
      let outcome;
      try {
        outcome = await receiveThreadMessage(
          deps.db,
          scope,
          { channelId: channel, threadTs: message.thread_ts, messageTs: message.ts, text: message.text! },
          { onChange: deps.onChange, onComment: deps.onComment },
        );
      } catch (error) {
        if (!(error instanceof ForbiddenError)) throw error;
        // A private note from someone who is not one of the ticket's agents: stored nowhere, they are told.
        await client.chat.postEphemeral({ channel, user: author, thread_ts: message.thread_ts, text: error.message });
        return;
      }
      switch (outcome.kind) {
        case 'ignored':
        case 'duplicate':
          return;
        case 'closed':
          // The requester's thread is told in the open (how to raise a new ticket); an agent, privately.
          if (outcome.thread.side === 'requester') await client.chat.postMessage({ channel, thread_ts: message.thread_ts, ...closedTicketReply(outcome.ticket) });
          else await client.chat.postEphemeral({ channel, user: author, thread_ts: message.thread_ts, ...closedTicketAgentReply(outcome.ticket) });
          return;
        case 'comment': {
          const { comment } = outcome;
          if (comment.visibility === 'internal') {
            // Marks the note as private where the agents see it; it goes nowhere else.
            await client.reactions.add({ channel, timestamp: message.ts, name: 'lock' });
            return;
          }
          for (const thread of outcome.mirrorTo) {
            const copy = await client.chat.postMessage({
              channel: thread.channelId,
              thread_ts: thread.threadTs,
              // The comment's body: what was written, without a `reply:` marker.
              ...mirroredComment(author, comment.body),
              unfurl_links: false,
            });
            // Where the copy lives, so an edit or delete of the original can follow it.
            if (copy.ts) await recordCommentMessage(deps.db, scope, comment.id, { channel_id: thread.channelId, thread_ts: thread.threadTs, message_ts: copy.ts });
          }
          if (outcome.reopened) {
            await client.chat.postMessage({ channel, thread_ts: message.thread_ts, ...reopenedByReply(outcome.ticket) });
          }
          return;
        }
      }
    };

    await inOrder(`${tenantId}/${channel}/${message.thread_ts}`, apply);
  };
}
