import type { KnownBlock } from '../blocks/elements.js';
import type { ListenerDeps } from '../listeners/shared.js';

/**
 * The admin part of an admin's App Home: the setup checklist while the desk has no team,
 * then teams, SLA policies, business hours, settings and helpdesk admins, each editable.
 * At most 45 blocks (the Home holds 100 in all).
 */
export async function adminHomeBlocks(_deps: Pick<ListenerDeps, 'db' | 'now'>, _tenantId: string): Promise<KnownBlock[]> {
  return [];
}
