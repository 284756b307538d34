import type { App } from '@slack/bolt';
import type { ActionArgs } from '../listeners/actions/ticket-buttons.js';
import type { ListenerDeps } from '../listeners/shared.js';

/** The App Home's own buttons (New ticket, show more), by action id; dispatched by the one block_actions listener. */
export function homeActionHandlers(_deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {};
}

/** `app_home_opened` (and anything else the Home listens for); returns the manifest's bot event names. */
export function registerHomeEvents(_app: App, _deps: ListenerDeps): string[] {
  return [];
}
