import type { App } from '@slack/bolt';
import { CALLBACK } from '../../ids.js';
import type { ListenerDeps } from '../shared.js';
import { handleTicketCreateSubmitted } from './ticket-create-submitted.js';

export function registerViews(app: App, deps: ListenerDeps): string[] {
  app.view(CALLBACK.createTicketModal, handleTicketCreateSubmitted(deps));
  return [CALLBACK.createTicketModal];
}
