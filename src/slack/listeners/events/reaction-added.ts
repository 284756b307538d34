import type { AllMiddlewareArgs, SlackEventMiddlewareArgs, webApi } from '@slack/bolt';
import { DomainError } from '../../../domain/errors.js';
import { slackPerson } from '../../../domain/people.js';
import type { Scope } from '../../../domain/scope.js';
import { teamLabel } from '../../../domain/teams.js';
import { intakeEmojiOf } from '../../../domain/tenants.js';
import { findTicketIdByCard, getTicket } from '../../../domain/tickets/queries.js';
import { findTicketSource, raiseFromMessage, type IntakeOutcome } from '../../../domain/tickets/intake.js';
import { changeTicketStatus, claimTicket } from '../../../domain/tickets/tickets.js';
import { intakeAnswer, intakeNotReadable, sourceThreadTaken } from '../../blocks/messages.js';
import { plainFromMrkdwn } from '../../blocks/text.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';

type ReactionArgs = SlackEventMiddlewareArgs<'reaction_added'> & AllMiddlewareArgs;

/** The fields of a `reaction_added` event this listener reads, checked before use. */
interface ReactionEvent {
  user?: unknown;
  reaction?: unknown;
  item?: { type?: unknown; channel?: unknown; ts?: unknown };
}

/** A message as `conversations.history` / `conversations.replies` answer it. */
export interface HistoryMessage {
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
}

/**
 * The agents' shortcuts on a ticket card: the same use cases and permission rule as the
 * card's Claim and Resolve buttons.
 */
const CARD_REACTIONS: Record<string, (deps: ListenerDeps, scope: Scope, ticketId: string) => Promise<unknown>> = {
  eyes: (deps, scope, id) => claimTicket(deps.db, scope, id, { onChange: deps.onChange, permission: 'claim' }),
  white_check_mark: (deps, scope, id) => changeTicketStatus(deps.db, scope, id, 'resolved', { onChange: deps.onChange, permission: 'resolve' }),
};

/** Subtypes of a person's message (anything else is a join, a bot's post, a channel event). */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);
/** Slack's answers meaning the app cannot read the conversation (it is not in it). */
const UNREADABLE = new Set(['not_in_channel', 'channel_not_found']);

/**
 * A reaction added to a message. On a ticket card, 👀 claims the ticket and ✅ resolves it,
 * for whoever may press those buttons; anyone else's reaction (and any other emoji) does
 * nothing, as a reaction has no place to answer privately. Elsewhere, the workspace's intake
 * emoji (🎫 `ticket` unless an admin chose another) raises a ticket from the message: the
 * domain makes it once per message, so a second reaction or a retried delivery adds nothing.
 * Slack delivers reactions only from conversations the app is in (`reactions:read`); one it
 * cannot read anyway (removed meanwhile) gets the reactor a DM saying how to invite the app.
 */
export function handleReactionAdded(deps: ListenerDeps) {
  return async ({ event, context, client }: ReactionArgs): Promise<void> => {
    const raw = event as unknown as ReactionEvent;
    const item = raw.item;
    if (!item || item.type !== 'message' || typeof item.channel !== 'string' || typeof item.ts !== 'string') return;
    if (typeof raw.user !== 'string' || typeof raw.reaction !== 'string' || raw.user === context.botUserId) return;
    const tenantId = tenantOf(context);
    // A skin tone (`+1::skin-tone-2`) is the same reaction.
    const reaction = raw.reaction.split('::')[0]!;
    const channel = item.channel;
    const ts = item.ts;

    const onCard = CARD_REACTIONS[reaction];
    if (onCard) {
      const ticketId = await findTicketIdByCard(deps.db, tenantId, channel, ts);
      if (ticketId) {
        const { scope } = await actingAs(deps, tenantId, { id: raw.user });
        try {
          await onCard(deps, scope, ticketId);
        } catch (error) {
          // Not theirs to do, already done, or no longer possible: the card shows how things stand.
          if (!(error instanceof DomainError)) throw error;
          deps.log.debug(`slack: a :${reaction}: on a card changed nothing (${error.message})`);
        }
        return;
      }
    }

    if (reaction !== (await intakeEmojiOf(deps.db, tenantId))) return;
    // Raised already (another reaction, a retry): nothing to read or say.
    if (await findTicketSource(deps.db, tenantId, channel, ts)) return;
    const message = await readMessage(client, channel, ts);
    if (message === 'unreadable') {
      await client.chat.postMessage({ channel: raw.user, ...intakeNotReadable({ channelId: channel, emoji: reaction }) });
      return;
    }
    if (!message) return;
    const threadTs = message.thread_ts ?? ts;
    if (!message.user || message.bot_id !== undefined || !PERSON_SUBTYPES.has(message.subtype) || message.user === context.botUserId) {
      // An app's or bot's message has no person to be its requester.
      await client.chat.postEphemeral({
        channel,
        user: raw.user,
        ...(threadTs !== ts ? { thread_ts: threadTs } : {}),
        text: "Only a person's message can be made a ticket; this one was posted by an app. Use /ticket to raise it yourself.",
      });
      return;
    }

    const { scope } = await actingAs(deps, tenantId, { id: raw.user });
    const author = await slackPerson(deps.db, tenantId, { slackUserId: message.user }, scope.now);
    const permalink = await client.chat
      .getPermalink({ channel, message_ts: ts })
      .then((r) => r.permalink)
      .catch(() => undefined);
    const outcome = await raiseFromMessage(
      deps.db,
      scope,
      { channelId: channel, messageTs: ts, threadTs, authorId: author.id, text: plainFromMrkdwn(message.text ?? ''), permalink, via: 'reaction' },
      { onChange: deps.onChange },
    );
    if (outcome.kind === 'exists') return;
    await answerRaised(deps, client, scope, outcome, { channel, threadTs, requesterSlackId: message.user, raisedBySlackId: raw.user });
  };
}

/**
 * The app's answer in the thread of a message just raised as a ticket (by a reaction, from a DM
 * to the app): which ticket, for which team, by when; or, for a reply in a thread that already
 * follows another ticket, that the thread stays with that one.
 */
export async function answerRaised(
  deps: ListenerDeps,
  client: webApi.WebClient,
  scope: Scope,
  outcome: Extract<IntakeOutcome, { kind: 'raised' }>,
  where: { channel: string; threadTs: string; requesterSlackId: string; raisedBySlackId: string },
): Promise<void> {
  const { ticket, thread } = outcome;
  const { channel, threadTs, requesterSlackId } = where;
  if (thread.kind === 'taken') {
    // A reply in a thread that already follows another ticket: that thread stays with it.
    const following = await getTicket(deps.db, scope, thread.ticketId, { includeDeleted: true });
    await client.chat.postMessage({ channel, thread_ts: threadTs, ...sourceThreadTaken({ ticket, following, requesterSlackId }) });
    return;
  }
  const team = ticket.teamId ? await teamLabel(deps.db, scope.tenantId, ticket.teamId) : null;
  await client.chat.postMessage({
    channel,
    thread_ts: threadTs,
    ...intakeAnswer({ ticket, teamName: team?.name ?? null, requesterSlackId, raisedBySlackId: where.raisedBySlackId }),
    unfurl_links: false,
  });
}

/**
 * The message a reaction names: a channel's own message from its history, else a reply in a
 * thread (history lists only top-level messages). 'unreadable' when the app is not in the
 * conversation; undefined when the message is gone.
 */
export async function readMessage(client: webApi.WebClient, channel: string, ts: string): Promise<HistoryMessage | 'unreadable' | undefined> {
  try {
    const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
    const top = (history.messages as HistoryMessage[] | undefined)?.find((m) => m.ts === ts);
    if (top) return top;
    // The thread's parent comes first, then the replies from `oldest` on: the reply itself.
    const replies = await client.conversations.replies({ channel, ts, oldest: ts, latest: ts, inclusive: true, limit: 2 });
    return (replies.messages as HistoryMessage[] | undefined)?.find((m) => m.ts === ts);
  } catch (error) {
    const code = (error as { data?: { error?: unknown } }).data?.error;
    if (typeof code === 'string' && UNREADABLE.has(code)) return 'unreadable';
    // Deleted meanwhile: `replies` names no thread for a ts that is gone.
    if (code === 'thread_not_found') return undefined;
    throw error;
  }
}
