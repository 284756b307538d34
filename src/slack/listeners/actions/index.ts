import type { App, BlockAction } from '@slack/bolt';
import { ACTION, type ActionId } from '../../ids.js';
import type { ListenerDeps } from '../shared.js';
import { handleAlertAcknowledge } from './alert-acknowledge.js';
import { handleOpenLink } from './open-link.js';
import { assignPicker, claimButton, fieldPicker, handleTicketButton, reopenButton, statusButton, type ActionArgs } from './ticket-buttons.js';

/**
 * Every button and picker on cards, DMs and alerts, by action id. One Bolt listener
 * dispatches on the id, so an element that is not ours (another app's, an old card's) is
 * acknowledged too, and nothing else happens.
 */
export function registerActions(app: App, deps: ListenerDeps, more: Record<string, (args: ActionArgs) => Promise<void>> = {}): string[] {
  const handlers: Record<string, (args: ActionArgs) => Promise<void>> = {
    ...more,
    [ACTION.claim]: handleTicketButton(deps, claimButton),
    [ACTION.alertClaim]: handleTicketButton(deps, claimButton),
    [ACTION.assign]: handleTicketButton(deps, assignPicker),
    [ACTION.startProgress]: handleTicketButton(deps, statusButton('status', 'in_progress', 'start work')),
    [ACTION.setPending]: handleTicketButton(deps, statusButton('status', 'pending', 'set the ticket pending')),
    [ACTION.resolve]: handleTicketButton(deps, statusButton('resolve', 'resolved', 'resolve this ticket')),
    [ACTION.close]: handleTicketButton(deps, statusButton('close', 'closed', 'close this ticket')),
    [ACTION.reopen]: handleTicketButton(deps, reopenButton),
    [ACTION.setType]: handleTicketButton(deps, fieldPicker('type')),
    [ACTION.setPriority]: handleTicketButton(deps, fieldPicker('priority')),
    [ACTION.alertAck]: handleAlertAcknowledge(deps),
    [ACTION.openLink]: handleOpenLink(),
  } satisfies Record<ActionId, unknown> & Record<string, unknown>;
  app.action<BlockAction>({ type: 'block_actions' }, async (args) => {
    const handler = handlers[args.action.action_id];
    if (handler) return handler(args);
    deps.log.debug(`slack: no handler for action ${args.action.action_id}`);
    await args.ack();
  });
  return Object.keys(handlers);
}
