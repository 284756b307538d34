import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { isTeamAgent, teamLabel, teamOfRequestChannel } from '../../../domain/teams.js';
import { intakeSkipPrefixOf } from '../../../domain/tenants.js';
import { findTicketSource, raiseFromMessage, sourceMessageDeleted, sourceMessageEdited } from '../../../domain/tickets/intake.js';
import { intakeAnswer } from '../../blocks/messages.js';
import { plainFromMrkdwn } from '../../blocks/text.js';
import { chainUnder } from '../../limit.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';

type MessageArgs = SlackEventMiddlewareArgs<'message'> & AllMiddlewareArgs;

/** The fields of a top-level message this listener reads, checked before use. */
interface TopLevelFields {
  subtype?: unknown;
  user?: unknown;
  bot_id?: unknown;
  text?: unknown;
  ts?: unknown;
  thread_ts?: unknown;
}

interface TopLevelEvent extends TopLevelFields {
  channel?: unknown;
  message?: TopLevelFields;
  previous_message?: TopLevelFields;
}

/** A person's own message (a plain one, or one sharing files); joins, bots' posts and channel events are not. */
const PERSON_SUBTYPES = new Set<unknown>([undefined, 'file_share']);

/** A person's top-level message, with what intake reads of it; undefined for anything else (bots, the app itself, other subtypes). */
function personsMessage(message: TopLevelFields | undefined, botUserId: string | undefined): { user: string; ts: string; text: string } | undefined {
  if (!message || message.bot_id !== undefined || !PERSON_SUBTYPES.has(message.subtype)) return undefined;
  if (typeof message.user !== 'string' || message.user === botUserId || typeof message.ts !== 'string') return undefined;
  return { user: message.user, ts: message.ts, text: typeof message.text === 'string' ? message.text : '' };
}

/** Whether the message starts with the workspace's skip prefix (case-insensitive; an empty prefix skips nothing). */
export function startsWithSkipPrefix(text: string, prefix: string): boolean {
  return prefix !== '' && text.trimStart().toLowerCase().startsWith(prefix.toLowerCase());
}

/**
 * Top-level messages of request channels (thread-message.ts hands them over). A new message
 * by a person who is not one of the channel's team's agents becomes a ticket of that team
 * (once per message: a retried delivery finds it raised), answered in its thread like a 🎫
 * reaction's. Not tickets: the team's agents' messages, bots' and the app's, joins and every
 * other subtype, and messages starting with the workspace's skip prefix. The author's edit
 * of a ticket's message updates its title and description, and deleting the message
 * withdraws it, until someone answers (the domain decides). Anything in a channel that is no
 * team's request channel is left alone. The events of one message are applied in the order
 * they arrived, so an edit right after the message finds its ticket.
 */
export function handleRequestChannelMessage(deps: ListenerDeps) {
  const messages = new Map<string, Promise<void>>();
  const inOrder = (key: string, work: () => Promise<void>) =>
    new Promise<void>((resolve, reject) => chainUnder(messages, key, () => work().then(resolve, reject)));

  return async ({ event, context, client }: MessageArgs): Promise<void> => {
    const raw = event as unknown as TopLevelEvent;
    if (typeof raw.channel !== 'string') return;
    const channel = raw.channel;
    const tenantId = tenantOf(context);

    if (raw.subtype === 'message_changed' || raw.subtype === 'message_deleted') {
      const edited = raw.subtype === 'message_changed';
      const message = personsMessage(edited ? raw.message : raw.previous_message, context.botUserId);
      if (!message) return;
      await inOrder(`${tenantId}/${channel}/${message.ts}`, async () => {
        // Most edits are of messages that are no ticket: nothing to write, not even their author.
        if ((await findTicketSource(deps.db, tenantId, channel, message.ts))?.via !== 'request_channel') return;
        const { scope } = await actingAs(deps, tenantId, { id: message.user });
        if (!edited) {
          await sourceMessageDeleted(deps.db, scope, { channelId: channel, messageTs: message.ts }, { onChange: deps.onChange });
          return;
        }
        const permalink = await client.chat
          .getPermalink({ channel, message_ts: message.ts })
          .then((r) => r.permalink)
          .catch(() => undefined);
        await sourceMessageEdited(
          deps.db,
          scope,
          { channelId: channel, messageTs: message.ts, text: plainFromMrkdwn(message.text), permalink },
          { onChange: deps.onChange },
        );
      });
      return;
    }

    const message = personsMessage(raw, context.botUserId);
    if (!message) return;
    const teamId = await teamOfRequestChannel(deps.db, tenantId, channel);
    if (!teamId) return;
    if (startsWithSkipPrefix(message.text, await intakeSkipPrefixOf(deps.db, tenantId))) return;

    await inOrder(`${tenantId}/${channel}/${message.ts}`, async () => {
      const { person, scope } = await actingAs(deps, tenantId, { id: message.user });
      // The team's agents talk in their request channels too (announcements, answers): not tickets.
      if (await isTeamAgent(deps.db, tenantId, teamId, person.id)) return;
      const permalink = await client.chat
        .getPermalink({ channel, message_ts: message.ts })
        .then((r) => r.permalink)
        .catch(() => undefined);
      const outcome = await raiseFromMessage(
        deps.db,
        scope,
        {
          channelId: channel,
          messageTs: message.ts,
          threadTs: message.ts,
          authorId: person.id,
          text: plainFromMrkdwn(message.text),
          permalink,
          via: 'request_channel',
          teamId,
        },
        { onChange: deps.onChange },
      );
      // Raised already (a retried delivery): it was answered then.
      if (outcome.kind === 'exists') return;
      const team = await teamLabel(deps.db, tenantId, teamId);
      await client.chat.postMessage({
        channel,
        thread_ts: message.ts,
        ...intakeAnswer({ ticket: outcome.ticket, teamName: team?.name ?? null, requesterSlackId: message.user, raisedBySlackId: message.user }),
        unfurl_links: false,
      });
    });
  };
}
