import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../shared.js';
import { handleReactionAdded } from './reaction-added.js';
import { handleThreadMessage } from './thread-message.js';

/**
 * Events, by the bot event subscriptions they need (the manifest's `bot_events`): messages
 * in public and private channels (the cards' threads) and in the app's DMs (the requester's),
 * and reactions (a ticket raised from a message; the agents' shortcuts on a card).
 */
export function registerEvents(app: App, deps: ListenerDeps): string[] {
  app.event('message', handleThreadMessage(deps));
  app.event('reaction_added', handleReactionAdded(deps));
  return ['message.channels', 'message.groups', 'message.im', 'reaction_added'];
}
