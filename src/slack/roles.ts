import type { webApi } from '@slack/bolt';
import type { SlackRoleLookup } from '../domain/roles.js';

/**
 * The workspace admins and owners are helpdesk admins: Slack says who they are in
 * `users.info` (`is_admin`, `is_owner`, `is_primary_owner`). The domain asks only when an
 * admin rule needs it, and records the answer on the person. The app serves the one
 * workspace of its bot token, so the tenant needs no client of its own.
 */
export function createSlackRoleLookup(client: webApi.WebClient): SlackRoleLookup {
  return async (_tenantId, slackUserId) => {
    const { user } = await client.users.info({ user: slackUserId });
    // A deactivated account holds no role, whatever its flags still say.
    if (!user || user.deleted) return { isAdmin: false, isOwner: false };
    return { isAdmin: Boolean(user.is_admin), isOwner: Boolean(user.is_owner || user.is_primary_owner) };
  };
}
