import type { SourceType } from '../db/schema/index.js';
import type { IntegrationScope } from './roles.js';

/**
 * Who is acting, for which tenant, and when. Built at the edge (JWT claims, Slack
 * payload) and passed to every domain call; `now` is injected so clocks are testable.
 */
export interface Scope {
  tenantId: string;
  /** Set only for integration keys; then writes are stamped with it and reads filtered by it. */
  appId?: string | null | undefined;
  /** An integration token's OAuth-style scopes (its `scope` claim); what it may do is decided by them alone. */
  tokenScopes?: readonly IntegrationScope[] | undefined;
  /** Person id of the actor (JWT `sub`, or the Slack user's person record); null for the system. */
  actorId: string | null;
  sourceType?: SourceType | undefined;
  now: Date;
}
