import type { App } from '@slack/bolt';
import { registerActions } from './actions/index.js';
import { registerCommands } from './commands/index.js';
import type { ListenerDeps } from './shared.js';
import { registerShortcuts } from './shortcuts/index.js';
import { registerViews } from './views/index.js';

/** What the app listens for: the manifest test checks it against `manifest.yml`. */
export interface SlackRegistrations {
  commands: string[];
  shortcuts: string[];
  views: string[];
  actions: string[];
}

/** Registers every listener on the app. No event listeners yet: the app subscribes to no events. */
export function registerListeners(app: App, deps: ListenerDeps): SlackRegistrations {
  return {
    commands: registerCommands(app, deps),
    shortcuts: registerShortcuts(app, deps),
    views: registerViews(app, deps),
    actions: registerActions(app, deps),
  };
}
