import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { isDatabaseUnavailable, rootCause } from '../../db/errors.js';
import { recordHomeOpened } from '../../domain/home.js';
import { slackPerson } from '../../domain/people.js';
import { HOME_ACTION } from '../ids.js';
import type { ActionArgs } from '../listeners/actions/ticket-buttons.js';
import { openTicketForm, tell, tenantOf, type ListenerDeps } from '../listeners/shared.js';
import { homeResponder } from './reply.js';
import { morePages, parseHomePages } from './view.js';

/** The App Home's own buttons (New ticket, show more), by action id; dispatched by the one block_actions listener. */
export function homeActionHandlers(deps: ListenerDeps): Record<string, (args: ActionArgs) => Promise<void>> {
  return {
    [HOME_ACTION.newTicket]: handleNewTicket(deps),
    [HOME_ACTION.more]: handleShowMore(deps),
  };
}

/** `app_home_opened` (and anything else the Home listens for); returns the manifest's bot event names. */
export function registerHomeEvents(app: App, deps: ListenerDeps): string[] {
  app.event('app_home_opened', handleHomeOpened(deps));
  return ['app_home_opened'];
}

/**
 * Someone opened the Home tab: recorded (changes republish the Homes of recent openers
 * only), and their Home published at once, with the page sizes it had.
 */
export function handleHomeOpened(deps: ListenerDeps) {
  return async ({ event, context }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    // The same event tells of the Messages tab, which the app does not draw.
    if (event.tab !== 'home') return;
    const tenantId = tenantOf(context);
    try {
      const at = deps.now();
      const person = await slackPerson(deps.db, tenantId, { slackUserId: event.user }, at);
      await recordHomeOpened(deps.db, tenantId, person.id, at);
    } catch (error) {
      // Not recorded: the Home is still published, it just misses later refreshes.
      if (isDatabaseUnavailable(error)) deps.log.warn(`slack: could not record a Home opening, the database is unavailable (${rootCause(error)})`);
      else deps.log.error('slack: could not record a Home opening', { error: error instanceof Error ? error.stack : String(error) });
    }
    deps.showHome?.(tenantId, event.user, { pages: parseHomePages(event.view?.private_metadata) });
  };
}

/** "New ticket" on Home: the same form as `/ticket`, opened right after the ack (the trigger lasts 3 s). */
function handleNewTicket(deps: ListenerDeps) {
  return async ({ ack, body, client, context }: ActionArgs): Promise<void> => {
    await ack();
    const home = homeResponder(deps, context, body);
    try {
      await openTicketForm(deps, client, body.trigger_id, tenantOf(context), {});
    } catch (error) {
      await tell(deps, home.respond, error, 'open the ticket form');
    }
  };
}

/** "Show more" under a Home list: the same Home with ten more of that list. */
function handleShowMore(deps: ListenerDeps) {
  return async ({ ack, body, action, context }: ActionArgs): Promise<void> => {
    await ack();
    const pages = morePages(parseHomePages(body.view?.private_metadata), 'value' in action ? action.value : undefined);
    deps.showHome?.(tenantOf(context), body.user.id, { pages });
  };
}
