import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Db } from '../../../db/client.js';
import type { TicketStatus } from '../../../db/schema/index.js';
import { slackPerson } from '../../../domain/people.js';
import type { Scope } from '../../../domain/scope.js';
import { ForbiddenError } from '../../../domain/errors.js';
import type { TicketAction } from '../../../domain/tickets/permissions.js';
import { assignTicket, changeTicketStatus, claimTicket, reopenTicket, updateTicket, type TicketWriteOptions } from '../../../domain/tickets/tickets.js';
import { errorMessage } from '../../blocks/card.js';
import { fromHome, homeResponder } from '../../home/reply.js';
import { parseAssignBlockId, parseFieldsBlockId } from '../../ids.js';
import { actingAs, ephemeral, tell, tenantOf, type ListenerDeps } from '../shared.js';

export type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/** What a button on a card, DM or alert does to its ticket, and who may do it. */
export interface TicketButton {
  permission: TicketAction;
  /** "claim this ticket": how an error message says what failed. */
  doing: string;
  run(db: Db, scope: Scope, ticketId: string, action: BlockAction['actions'][number], options: TicketWriteOptions): Promise<unknown>;
}

export const claimButton: TicketButton = {
  permission: 'claim',
  doing: 'claim this ticket',
  run: (db, scope, id, _action, options) => claimTicket(db, scope, id, options),
};

/** The users_select on the card: the chosen person (none: unassigned). */
export const assignPicker: TicketButton = {
  permission: 'assign',
  doing: 'assign this ticket',
  run: async (db, scope, id, action, options) => {
    const selected = action.type === 'users_select' ? action.selected_user : undefined;
    if (!selected) return assignTicket(db, scope, id, null, options);
    const assignee = await slackPerson(db, scope.tenantId, { slackUserId: selected }, scope.now);
    return assignTicket(db, scope, id, assignee.id, options);
  },
};

/**
 * The card's type or priority picker: the chosen value goes through updateTicket, as a REST
 * PATCH does (same permission, validation and SLA re-match); anything else is refused there.
 */
export function fieldPicker(field: 'type' | 'priority'): TicketButton {
  return {
    permission: 'update',
    doing: `change the ${field}`,
    run: (db, scope, id, action, options) => {
      const selected = action.type === 'static_select' ? action.selected_option?.value : undefined;
      return updateTicket(db, scope, id, { [field]: selected }, options);
    },
  };
}

export function statusButton(permission: TicketAction, to: TicketStatus, doing: string): TicketButton {
  return { permission, doing, run: (db, scope, id, _action, options) => changeTicketStatus(db, scope, id, to, options) };
}

export const reopenButton: TicketButton = {
  permission: 'reopen',
  doing: 'reopen this ticket',
  run: (db, scope, id, _action, options) => reopenTicket(db, scope, id, options),
};

/**
 * A button on a ticket: ack, then the change, which the domain decides under the ticket's
 * lock, permission included. The ticket id is the button's value, or a picker's block id.
 */
export function handleTicketButton(deps: ListenerDeps, button: TicketButton) {
  const { db } = deps;
  return async ({ ack, body, action, context, respond: respondInMessage }: ActionArgs): Promise<void> => {
    await ack();
    const ticketId =
      action.type === 'users_select' ? parseAssignBlockId(action.block_id) : action.type === 'static_select' ? parseFieldsBlockId(action.block_id) : 'value' in action ? action.value : undefined;
    if (!ticketId) return;
    // A click in the App Home has no response_url: answers go on top of the clicker's Home.
    const home = fromHome(body) ? homeResponder(deps, context, body) : undefined;
    const respond = home?.respond ?? respondInMessage;
    let tenantId: string | undefined;
    try {
      tenantId = tenantOf(context);
      const { scope } = await actingAs(deps, tenantId, body.user);
      await button.run(db, scope, ticketId, action, { onChange: deps.onChange, permission: button.permission });
    } catch (error) {
      if (error instanceof ForbiddenError) await respond(ephemeral(errorMessage(error.message))).catch(() => {});
      else await tell(deps, respond, error, button.doing, tenantId);
    } finally {
      home?.done();
    }
  };
}
