import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import { isDatabaseUnavailable, rootCause } from '../../../db/errors.js';
import { DomainError, ValidationError } from '../../../domain/errors.js';
import { IdempotencyInProgressError, runIdempotently } from '../../../domain/idempotency.js';
import type { Scope } from '../../../domain/scope.js';
import { teamLabel } from '../../../domain/teams.js';
import { linkSourceThread, type MessageSource, type SourceThreadOutcome } from '../../../domain/tickets/conversation.js';
import { getTicket, type Ticket } from '../../../domain/tickets/queries.js';
import { parseTicketCreate } from '../../../domain/tickets/schemas.js';
import { unlinkRequesterThread } from '../../../domain/tickets/threads.js';
import { createTicket } from '../../../domain/tickets/tickets.js';
import { readMessageSource, readTicketModal } from '../../blocks/form.js';
import { sourceThreadAnswer, sourceThreadTaken, sourceThreadUnreachable } from '../../blocks/messages.js';
import { BLOCK } from '../../ids.js';
import { actingAs, tenantOf, type ListenerDeps } from '../shared.js';

/** Domain error paths -> the modal block that shows the message. */
const FIELD_BLOCKS: Record<string, string> = {
  title: BLOCK.title,
  description: BLOCK.description,
  type: BLOCK.type,
  priority: BLOCK.priority,
  team_id: BLOCK.team,
  category: BLOCK.category,
};

/**
 * The "New ticket" form submitted. Write, then acknowledge: the form closes only once its ticket
 * is committed; anything that goes wrong comes back into the open form, so nothing typed is lost.
 * A form opened from a message (the shortcut) names the message's thread: it is linked as a
 * requester's side before the ack, and the app answers there after it.
 */
export function handleTicketCreateSubmitted(deps: ListenerDeps) {
  const { db, log } = deps;
  return async ({ ack, body, view, context, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const values = readTicketModal(view.state.values);
    let source = readMessageSource(view.private_metadata);
    if (source === 'malformed') {
      // Only the app writes it, and Slack signs it back: a bug or a forgery. The ticket is still the person's.
      log.warn('slack: a ticket form came back with private_metadata the app did not write; its source thread is ignored');
      source = undefined;
    }
    /** Set by the first delivery of this submission only: what to tell the message's thread after the ack. */
    let linked: { ticket: Ticket; scope: Scope; source: MessageSource; outcome: SourceThreadOutcome } | undefined;
    const formError = (errors: Record<string, string>) => ack({ response_action: 'errors', errors });
    try {
      const tenantId = tenantOf(context);
      const { scope } = await actingAs(deps, tenantId, body.user);
      const input = {
        title: values.title ?? '',
        ...(values.description?.trim() ? { description: values.description } : {}),
        ...(values.type ? { type: values.type } : {}),
        ...(values.priority ? { priority: values.priority } : {}),
        ...(values.teamId ? { team_id: values.teamId } : {}),
        ...(values.category?.trim() ? { category: values.category.trim() } : {}),
        submitted_by_id: scope.actorId,
        source: 'slack',
        source_type: 'frontend',
      };
      // Field errors need no database: checked before anything is written.
      parseTicketCreate(input);
      // A redelivered submission of the same view creates nothing new.
      await runIdempotently(
        db,
        { tenantId, caller: `slack:${body.user.id}`, key: `view:${view.id}`, fingerprint: JSON.stringify(input), now: scope.now },
        async () => {
          const ticket = await createTicket(db, scope, input, { onChange: deps.onChange });
          if (source) {
            try {
              linked = { ticket, scope, source, outcome: await linkSourceThread(db, scope, ticket.id, source) };
            } catch (error) {
              // The ticket is committed and stands, with its DM as its requester's side: telling the
              // person it was not saved would have them file it twice.
              if (error instanceof ValidationError) log.warn('slack: a ticket form named a source thread that is no Slack thread; it was not linked');
              else log.error('slack: could not link the thread a ticket was raised from', { ticket: ticket.number, error: error instanceof Error ? error.message : String(error) });
            }
          }
          return { status: 201, body: { id: ticket.id } };
        },
      );
      await ack();
    } catch (error) {
      // The first delivery of this very submission is still writing it: that one answers.
      if (error instanceof IdempotencyInProgressError) return ack();
      if (error instanceof ValidationError) return formError(fieldErrors(error));
      if (error instanceof DomainError) return formError({ [BLOCK.title]: error.message });
      if (isDatabaseUnavailable(error)) log.warn(`slack: ticket not saved, the database is unavailable (${rootCause(error)})`);
      else log.error('slack: ticket create failed', { error: error instanceof Error ? error.stack : String(error) });
      return formError({ [BLOCK.title]: "Couldn't save your ticket, please try again." });
    }
    // Acknowledged: nothing from here on may answer the form again.
    if (linked) {
      await answerInSourceThread(deps, client, body.user.id, linked).catch((error: unknown) =>
        log.error('slack: could not answer in the thread a ticket was raised from', { error: error instanceof Error ? error.message : String(error) }),
      );
    }
  };
}

/** A validation error's issues as the form's block errors (the first per block). */
function fieldErrors(error: ValidationError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const block = FIELD_BLOCKS[String(issue.path[0])] ?? BLOCK.title;
    errors[block] ??= issue.message;
  }
  return errors;
}

/** Slack's answers meaning the app cannot post in a conversation at all (rather than not right now). */
const UNREACHABLE = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'method_not_supported_for_channel_type']);

/**
 * After the ack: the app tells the message's thread about its ticket. In a public channel it
 * joins first (only members hear a thread's messages); where it cannot post (a private
 * conversation it is not in), the thread is unlinked and the requester is told by DM that
 * the ticket is followed there. Other failures are logged; the link stays.
 */
async function answerInSourceThread(
  deps: ListenerDeps,
  client: webApi.WebClient,
  requesterSlackId: string,
  linked: { ticket: Ticket; scope: Scope; source: MessageSource; outcome: SourceThreadOutcome },
): Promise<void> {
  const { ticket, scope, source, outcome } = linked;
  const channel = source.channel_id;
  try {
    if (outcome.kind === 'taken') {
      const following = await getTicket(deps.db, scope, outcome.ticketId, { includeDeleted: true });
      await client.chat.postMessage({ channel, thread_ts: source.thread_ts, ...sourceThreadTaken({ ticket, following, requesterSlackId }) });
      return;
    }
    // Public channels only (C…); a private one answers method_not_supported_for_channel_type, and the post says the rest.
    if (channel.startsWith('C')) await client.conversations.join({ channel }).catch(() => undefined);
    const team = ticket.teamId ? await teamLabel(deps.db, scope.tenantId, ticket.teamId) : null;
    await client.chat.postMessage({
      channel,
      thread_ts: source.thread_ts,
      ...sourceThreadAnswer({ ticket, teamName: team?.name ?? null, requesterSlackId }),
      unfurl_links: false,
    });
  } catch (error) {
    const code = (error as { data?: { error?: unknown } }).data?.error;
    if (outcome.kind === 'linked' && typeof code === 'string' && UNREACHABLE.has(code)) {
      await unlinkRequesterThread(deps.db, scope.tenantId, ticket.id, channel, source.thread_ts);
      await client.chat
        .postMessage({ channel: requesterSlackId, ...sourceThreadUnreachable({ ticket }) })
        .catch((dmError: unknown) => deps.log.warn('slack: could not tell the requester their source thread is not followed', { ticket: ticket.number, error: String(dmError) }));
      return;
    }
    deps.log.warn('slack: could not answer in the thread a ticket was raised from', { ticket: ticket.number, error: error instanceof Error ? error.message : String(error) });
  }
}
