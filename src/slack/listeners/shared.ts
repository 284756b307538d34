import type { Context, RespondFn, webApi } from '@slack/bolt';
import type { Db } from '../../db/client.js';
import { isDatabaseUnavailable, rootCause } from '../../db/errors.js';
import { ConflictError, DomainError } from '../../domain/errors.js';
import { getPeople, slackPerson } from '../../domain/people.js';
import type { Scope } from '../../domain/scope.js';
import { teamChoices } from '../../domain/teams.js';
import type { CommentListener } from '../../domain/tickets/comments.js';
import type { TicketChangeListener } from '../../domain/tickets/tickets.js';
import type { SlackRoleLookup } from '../../domain/roles.js';
import type { Logger } from '../../log.js';
import { errorMessage } from '../blocks/card.js';
import type { SlackMessage } from '../blocks/elements.js';
import { ticketModal } from '../blocks/form.js';
import type { ShowHomeOptions } from '../home/publisher.js';

/** What every listener may use: the database, the log, the clock, and who hears ticket changes. */
export interface ListenerDeps {
  db: Db;
  log: Logger;
  now: () => Date;
  /** Every ticket change made from Slack goes here (the notifier, then any extra listener). */
  onChange: TicketChangeListener;
  /** Every comment written from Slack goes here (the notifier re-renders the card's conversation line). */
  onComment?: CommentListener | undefined;
  /** Whether a Slack user is a workspace admin or owner (users.info): the admin rule asks it. */
  slackRoles?: SlackRoleLookup | undefined;
  /**
   * Republishes the App Home of these people (debounced per person, and only for people who
   * opened Home recently); set by the Home publisher. Listeners call it after a change that
   * shows on someone's Home (an admin's configuration change, for that admin's Home).
   */
  refreshHome?: ((tenantId: string, personIds: readonly string[]) => void) | undefined;
  /**
   * Publishes one Slack user's App Home now, with a notice on top when given: the Home they
   * just opened or clicked in (a click in Home has no response_url to answer privately).
   */
  showHome?: ((tenantId: string, slackUserId: string, options?: ShowHomeOptions) => void) | undefined;
}

/** The tenant `authorize` put on the context: the installation's workspace, never the payload's. */
export function tenantOf(context: Context): string {
  const tenant: unknown = context.tenantId;
  if (typeof tenant !== 'string' || tenant === '') throw new Error('Slack request without an authorized installation');
  return tenant;
}

/** The Slack user as a person of the tenant (created on first contact), and the scope they act in. */
export async function actingAs(deps: ListenerDeps, tenantId: string, user: { id: string; name?: string | undefined; username?: string | undefined }) {
  const at = deps.now();
  const person = await slackPerson(deps.db, tenantId, { slackUserId: user.id, displayName: user.name ?? user.username }, at);
  const scope: Scope = { tenantId, actorId: person.id, sourceType: 'frontend', now: at };
  return { person, scope };
}

export function ephemeral(message: SlackMessage) {
  return { response_type: 'ephemeral' as const, replace_original: false, text: message.text, blocks: message.blocks as never };
}

/** Opens the "New ticket" form with the workspace's teams, read now (the trigger expires 3 s after the click). */
export async function openTicketForm(
  deps: ListenerDeps,
  client: webApi.WebClient,
  triggerId: string,
  tenantId: string,
  initial: { title?: string; description?: string },
  sourceMessageLink?: string,
  privateMetadata?: string,
): Promise<void> {
  const choices = await teamChoices(deps.db, tenantId);
  await client.views.open({
    trigger_id: triggerId,
    view: ticketModal({ teams: choices.teams, defaultTeamId: choices.defaultTeamId ?? undefined, initial, sourceMessageLink, privateMetadata }),
  });
}

/** Tells the user, privately, what went wrong; never silent. */
export async function tell(deps: ListenerDeps, respond: RespondFn, error: unknown, doing: string, tenantId?: string): Promise<void> {
  let text: string;
  if (error instanceof ConflictError && error.conflictingId && tenantId) {
    // "Already claimed by @ada", when the winner is a Slack user.
    const [winner] = await getPeople(deps.db, tenantId, [error.conflictingId]).catch(() => []);
    if (winner?.slackUserId) {
      await respond(ephemeral(errorMessage(`Already claimed by <@${winner.slackUserId}>.`, { mrkdwn: true }))).catch(() => {});
      return;
    }
    text = error.message;
  } else if (error instanceof DomainError) {
    text = `Could not ${doing}: ${error.message}`;
  } else if (isDatabaseUnavailable(error)) {
    deps.log.warn(`slack: could not ${doing}, the database is unavailable (${rootCause(error)})`);
    text = `Could not ${doing}: the helpdesk cannot reach its database right now. Please try again in a moment.`;
  } else {
    deps.log.error(`slack: could not ${doing}`, { error: error instanceof Error ? error.stack : String(error) });
    text = `Could not ${doing}: something went wrong on our side. Please try again.`;
  }
  try {
    await respond(ephemeral(errorMessage(text)));
  } catch (respondError) {
    deps.log.error('slack: could not tell the user about an error', { error: String(respondError) });
  }
}
