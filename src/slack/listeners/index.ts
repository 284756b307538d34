import type { App } from '@slack/bolt';
import { adminConfigActionHandlers, registerAdminConfigViews } from '../admin/config-listeners.js';
import { adminSlaActionHandlers, registerAdminSlaViews } from '../admin/sla-listeners.js';
import { homeActionHandlers, registerHomeEvents } from '../home/listeners.js';
import { registerActions } from './actions/index.js';
import { intakeActionHandlers } from './actions/intake-prompt.js';
import { registerCommands } from './commands/index.js';
import { registerEvents } from './events/index.js';
import type { ListenerDeps } from './shared.js';
import { registerShortcuts } from './shortcuts/index.js';
import { registerViews } from './views/index.js';

/** What the app listens for: the manifest test checks it against `manifest.yml`. */
export interface SlackRegistrations {
  commands: string[];
  shortcuts: string[];
  views: string[];
  actions: string[];
  /** Bot event subscriptions, as the manifest names them (`message.channels`, …). */
  events: string[];
}

/** Registers every listener on the app. */
export function registerListeners(app: App, deps: ListenerDeps): SlackRegistrations {
  const moreActions = { ...homeActionHandlers(deps), ...adminConfigActionHandlers(deps), ...adminSlaActionHandlers(deps), ...intakeActionHandlers(deps) };
  return {
    commands: registerCommands(app, deps),
    shortcuts: registerShortcuts(app, deps),
    views: [...registerViews(app, deps), ...registerAdminConfigViews(app, deps), ...registerAdminSlaViews(app, deps)],
    actions: registerActions(app, deps, moreActions),
    events: [...registerEvents(app, deps), ...registerHomeEvents(app, deps)],
  };
}
