import { listSlaPolicies, type SlaPolicy } from '../../domain/sla/policies.js';
import { slaSetupStatus } from '../../domain/sla/setup.js';
import { tenantTicketSettings } from '../../domain/tenants.js';
import { slaAdminSection, slaChecklist } from '../blocks/admin-sla.js';
import type { KnownBlock } from '../blocks/elements.js';
import type { ListenerDeps } from '../listeners/shared.js';

/** Every policy of the tenant (all apps'), for the admin's view of them; the API's page maximum. */
async function allPolicies(deps: Pick<ListenerDeps, 'db' | 'now'>, tenantId: string): Promise<SlaPolicy[]> {
  const page = await listSlaPolicies(deps.db, { tenantId, actorId: null, now: deps.now() }, { limit: 200 });
  return page.items;
}

/** Steps 2 (SLA policies) and 3 (business hours) of the first-run checklist, each with done / to do and its button. At most 8 blocks. */
export async function slaChecklistBlocks(deps: Pick<ListenerDeps, 'db' | 'now'>, tenantId: string): Promise<KnownBlock[]> {
  const [status, policies, settings] = await Promise.all([slaSetupStatus(deps.db, tenantId), allPolicies(deps, tenantId), tenantTicketSettings(deps.db, tenantId)]);
  return slaChecklist({ ...status, policyCount: policies.length }, settings.businessCalendar);
}

/** The admin section's SLA part once set up: the policies grid (type × priority, active / inactive) and the business hours, with edit buttons. At most 20 blocks. */
export async function slaAdminBlocks(deps: Pick<ListenerDeps, 'db' | 'now'>, tenantId: string): Promise<KnownBlock[]> {
  const [policies, settings] = await Promise.all([allPolicies(deps, tenantId), tenantTicketSettings(deps.db, tenantId)]);
  return slaAdminSection(policies, settings.businessCalendar);
}
