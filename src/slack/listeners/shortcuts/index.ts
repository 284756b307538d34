import type { App } from '@slack/bolt';
import { CALLBACK } from '../../ids.js';
import type { ListenerDeps } from '../shared.js';
import { handleTicketFromMessage } from './ticket-from-message.js';

export function registerShortcuts(app: App, deps: ListenerDeps): string[] {
  app.shortcut(CALLBACK.messageShortcut, handleTicketFromMessage(deps));
  return [CALLBACK.messageShortcut];
}
