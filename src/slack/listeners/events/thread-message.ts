import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { ForbiddenError } from '../../../domain/errors.js';
import { changeThreadMessage, receiveThreadMessage } from '../../../domain/tickets/conversation.js';
import type { CommentFile } from '../../../db/schema/index.js';
import { closedTicketAgentReply, closedTicketReply, reopenedByReply } from '../../blocks/messages.js';
import { chainUnder } from '../../limit.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';
import { promptDmIntake } from './dm-intake.js';
import { handleRequestChannelMessage } from './request-channel.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** The fields of a message this listener reads (Bolt types events as a union of subtypes). */
interface MessageFields {
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  /** Files shared with the message (subtype `file_share`); `name` and `permalink` are what copies link. */
  files?: Array<{ name?: string; title?: string; permalink?: string }>;
}

interface MessageEvent extends MessageFields {
  channel: string;
  /** `im` in a DM with the app, `channel` / `group` elsewhere. */
  channel_type?: string;
  /** message_changed: the message as it is now. */
  message?: MessageFields;
  /** message_deleted: the message as it was. */
  previous_message?: MessageFields;
}

/** Longest file name and permalink kept (Slack's own are far shorter). */
const FILE_NAME_MAX = 255;
const PERMALINK_MAX = 2000;

/** The files of a message that can be linked (Slack leaves out what the app may not see); anything malformed is skipped. */
function filesOf(message: MessageFields): CommentFile[] {
  if (!Array.isArray(message.files)) return [];
  return message.files.flatMap((f) => {
    if (!f || typeof f !== 'object') return [];
    const name = typeof f.name === 'string' && f.name ? f.name : typeof f.title === 'string' ? f.title : '';
    const permalink = typeof f.permalink === 'string' ? f.permalink : '';
    const usable = name && !name.includes('\u0000') && name.length <= FILE_NAME_MAX && /^https:\/\/\S+$/.test(permalink) && permalink.length <= PERMALINK_MAX;
    return usable ? [{ name, permalink }] : [];
  });
}

/** Something to store: text, or files. */
const hasContent = (message: MessageFields) => Boolean(message.text?.trim()) || filesOf(message).length > 0;

/** A person's message in a thread (not the thread's parent), or undefined. */
function personsReply(message: MessageFields | undefined, botUserId: string | undefined): (MessageFields & { user: string; thread_ts: string }) | undefined {
  if (!message || message.bot_id !== undefined || !message.user || message.user === botUserId) return undefined;
  if (!message.thread_ts || message.thread_ts === message.ts) return undefined;
  return message as MessageFields & { user: string; thread_ts: string };
}

/** Whether the event is about a top-level message (its own, or the one edited or deleted), not a reply in a thread. */
function isTopLevel(raw: MessageEvent): boolean {
  const message = raw.subtype === 'message_changed' ? raw.message : raw.subtype === 'message_deleted' ? raw.previous_message : raw;
  return Boolean(message) && (!message!.thread_ts || message!.thread_ts === message!.ts);
}

/**
 * A person's reply in a ticket's thread (the card's, or the requester's DM), files included:
 * the domain stores it as a comment and queues its copies for the other threads (the mirror,
 * `src/slack/mirror.ts`, delivers them); this posts only the app's own answers. Its author's
 * edit or delete is queued the same way. A top-level message in the app's DM gets the prompt to
 * make it a ticket (`dm-intake.ts`); elsewhere, top-level messages go to `request-channel.ts`.
 * Everything else is ignored:
 * threads of no ticket, bots' messages (the app's own copies above all), and every other
 * subtype (broadcasts, joins).
 */
export function handleThreadMessage(deps: ListenerDeps) {
  // Messages of one thread are applied one after another, in the order they arrived.
  const threads = new Map<string, Promise<void>>();
  const inOrder = (key: string, work: () => Promise<void>) =>
    new Promise<void>((resolve, reject) => chainUnder(threads, key, () => work().then(resolve, reject)));

  const requestChannel = handleRequestChannelMessage(deps);

  return async (args: MessageArgs): Promise<void> => {
    const { event, context, client } = args;
    const raw = event as unknown as MessageEvent;
    // A top-level message (or its edit or deletion) is no thread's: in the app's DM, the prompt
    // to make it a ticket; elsewhere, a request channel's, maybe.
    if (isTopLevel(raw)) return raw.channel_type === 'im' ? promptDmIntake(deps, client, context, raw) : requestChannel(args);
    if (raw.subtype === 'message_changed' || raw.subtype === 'message_deleted') {
      const edited = raw.subtype === 'message_changed';
      const original = personsReply(edited ? raw.message : raw.previous_message, context.botUserId);
      if (!original || (edited && !hasContent(original))) return;
      const tenantId = tenantOf(context);
      await inOrder(`${tenantId}/${raw.channel}/${original.thread_ts}`, async () => {
        const { scope } = await actingAs(deps, tenantId, { id: original.user });
        const outcome = await changeThreadMessage(
          deps.db,
          scope,
          { channelId: raw.channel, messageTs: original.ts },
          edited ? { kind: 'edited', text: original.text ?? '' } : { kind: 'deleted' },
          // The copies follow through the outbox the change was queued in.
          { onComment: deps.onComment },
        );
      });
      return;
    }
    if (raw.subtype !== undefined && raw.subtype !== 'file_share') return;
    const message = personsReply(raw, context.botUserId);
    if (!message || !hasContent(message)) return;
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
          { channelId: channel, threadTs: message.thread_ts, messageTs: message.ts, text: message.text ?? '', files: filesOf(message) },
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
          // Its copies were queued with it; the mirror, woken by onComment, posts them.
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
