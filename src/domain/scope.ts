import type { SourceType } from '../db/schema/index.js';

/**
 * Who is acting, for which tenant, and when. Built at the edge (JWT claims, Slack
 * payload) and passed to every domain call; `now` is injected so clocks are testable.
 */
export interface Scope {
  tenantId: string;
  /** Set only for integration keys; then writes are stamped with it and reads filtered by it. */
  appId?: string | null | undefined;
  /** Person id of the actor (JWT `sub`, or the Slack user's person record); null for the system. */
  actorId: string | null;
  sourceType?: SourceType | undefined;
  now: Date;
}
