import type { App } from '@slack/bolt';
import type { ActionArgs } from '../listeners/actions/ticket-buttons.js';
import type { ListenerDeps } from '../listeners/shared.js';

/** Admin buttons for teams, settings, helpdesk admins and the setup checklist, by action id. */
export function adminConfigActionHandlers(_deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {};
}

/** The admin modals for teams, settings and helpdesk admins; returns their callback ids. */
export function registerAdminConfigViews(_app: App, _deps: ListenerDeps): string[] {
  return [];
}
