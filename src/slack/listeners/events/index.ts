import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../shared.js';
import { handleThreadMessage } from './thread-message.js';

/**
 * Events, by the bot event subscriptions they need (the manifest's `bot_events`): messages
 * in public and private channels (the cards' threads) and in the app's DMs (the requester's).
 */
export function registerEvents(app: App, deps: ListenerDeps): string[] {
  app.event('message', handleThreadMessage(deps));
  return ['message.channels', 'message.groups', 'message.im'];
}
