import type { KnownBlock } from '../blocks/elements.js';
import type { ListenerDeps } from '../listeners/shared.js';

/** Steps 2 (SLA policies) and 3 (business hours) of the first-run checklist, each with done / to do and its button. At most 8 blocks. */
export async function slaChecklistBlocks(_deps: Pick<ListenerDeps, 'db' | 'now'>, _tenantId: string): Promise<KnownBlock[]> {
  return [];
}

/** The admin section's SLA part once set up: the policies grid (type × priority, active / inactive) and the business hours, with edit buttons. At most 20 blocks. */
export async function slaAdminBlocks(_deps: Pick<ListenerDeps, 'db' | 'now'>, _tenantId: string): Promise<KnownBlock[]> {
  return [];
}
