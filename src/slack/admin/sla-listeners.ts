import type { App } from '@slack/bolt';
import type { ActionArgs } from '../listeners/actions/ticket-buttons.js';
import type { ListenerDeps } from '../listeners/shared.js';

/** Admin buttons for SLA policies and business hours, by action id. */
export function adminSlaActionHandlers(_deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {};
}

/** The admin modals for SLA policies and business hours; returns their callback ids. */
export function registerAdminSlaViews(_app: App, _deps: ListenerDeps): string[] {
  return [];
}
