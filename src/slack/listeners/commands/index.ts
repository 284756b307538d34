import type { App } from '@slack/bolt';
import { COMMAND } from '../../ids.js';
import type { ListenerDeps } from '../shared.js';
import { handleTicketCommand } from './ticket-command.js';

export function registerCommands(app: App, deps: ListenerDeps): string[] {
  app.command(COMMAND, handleTicketCommand(deps));
  return [COMMAND];
}
