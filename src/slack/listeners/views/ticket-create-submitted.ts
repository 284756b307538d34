import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isDatabaseUnavailable, rootCause } from '../../../db/errors.js';
import { DomainError, ValidationError } from '../../../domain/errors.js';
import { IdempotencyInProgressError, runIdempotently } from '../../../domain/idempotency.js';
import { parseTicketCreate } from '../../../domain/tickets/schemas.js';
import { createTicket } from '../../../domain/tickets/tickets.js';
import { readTicketModal } from '../../blocks/form.js';
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
 */
export function handleTicketCreateSubmitted(deps: ListenerDeps) {
  const { db, log } = deps;
  return async ({ ack, body, view, context }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const values = readTicketModal(view.state.values);
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
