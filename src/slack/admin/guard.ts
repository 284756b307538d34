import type { Context } from '@slack/bolt';
import { assertMayConfigure } from '../../domain/roles.js';
import type { Scope } from '../../domain/scope.js';
import { actingAs, tenantOf, type ListenerDeps } from '../listeners/shared.js';

/**
 * Every admin view and admin action starts here, server-side: the Slack user must be a
 * helpdesk admin (the workspace's admins and owners, and the people in `admin_ids`) of the
 * installation's tenant. Hiding the buttons from others is a courtesy; this is the rule.
 * Throws the domain's ForbiddenError otherwise; returns the admin's scope.
 */
export async function actingAsAdmin(
  deps: ListenerDeps,
  context: Context,
  user: { id: string; name?: string | undefined; username?: string | undefined },
): Promise<{ tenantId: string; scope: Scope; personId: string }> {
  const tenantId = tenantOf(context);
  const { person, scope } = await actingAs(deps, tenantId, user);
  await assertMayConfigure(deps.db, scope, { slackRoles: deps.slackRoles });
  return { tenantId, scope, personId: person.id };
}
