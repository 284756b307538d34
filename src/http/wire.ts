import type { Comment } from '../domain/tickets/comments.js';
import type { SlaPolicy } from '../domain/sla/policies.js';
import type { Team } from '../domain/teams.js';
import type { Ticket } from '../domain/tickets/queries.js';

/** Records as they travel: the seed's snake_case names, ISO 8601 instants. */
const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** Flat literals, no spread of shared fields: V8 keeps a fixed shape for them, not a slow dictionary object. */
export function ticketToWire(ticket: Ticket) {
  return {
    id: ticket.id,
    tenant_id: ticket.tenantId,
    app_id: ticket.appId,
    created_at: iso(ticket.createdAt),
    updated_at: iso(ticket.updatedAt),
    created_by: ticket.createdBy,
    updated_by: ticket.updatedBy,
    source: ticket.source,
    source_type: ticket.sourceType,
    is_deleted: ticket.isDeleted,
    deleted_at: iso(ticket.deletedAt),
    deleted_by: ticket.deletedBy,
    schema_version: ticket.schemaVersion,
    number: ticket.number,
    title: ticket.title,
    description: ticket.description,
    type: ticket.type,
    status: ticket.status,
    priority: ticket.priority,
    category: ticket.category,
    submitted_by_id: ticket.submittedById,
    assigned_to_id: ticket.assignedToId,
    team_id: ticket.teamId,
    sla_policy: ticket.slaPolicyId,
    first_response_at: iso(ticket.firstResponseAt),
    first_response_due_at: iso(ticket.firstResponseDueAt),
    resolved_at: iso(ticket.resolvedAt),
    closed_at: iso(ticket.closedAt),
    due_at: iso(ticket.dueAt),
    sla_cycle: ticket.slaCycle,
    next_response_due_at: iso(ticket.nextResponseDueAt),
    related_asset_id: ticket.relatedAssetId,
    related_vulnerability_id: ticket.relatedVulnerabilityId,
    tags: ticket.tags,
  };
}

export function slaPolicyToWire(policy: SlaPolicy) {
  return {
    id: policy.id,
    tenant_id: policy.tenantId,
    app_id: policy.appId,
    created_at: iso(policy.createdAt),
    updated_at: iso(policy.updatedAt),
    created_by: policy.createdBy,
    updated_by: policy.updatedBy,
    source: policy.source,
    source_type: policy.sourceType,
    is_deleted: policy.isDeleted,
    deleted_at: iso(policy.deletedAt),
    deleted_by: policy.deletedBy,
    schema_version: policy.schemaVersion,
    name: policy.name,
    description: policy.description,
    applies_to: policy.appliesTo,
    priority: policy.priority,
    first_response_minutes: policy.firstResponseMinutes,
    first_response_mins: policy.firstResponseMins,
    resolution_minutes: policy.resolutionMinutes,
    resolution_mins: policy.resolutionMins,
    next_response_minutes: policy.nextResponseMinutes,
    business_hours_only: policy.businessHoursOnly,
    status: policy.status,
  };
}

export function teamToWire(team: Team) {
  return {
    id: team.id,
    tenant_id: team.tenantId,
    name: team.name,
    slack_channel_id: team.slackChannelId,
    agent_ids: team.agentIds,
    escalation_contact_ids: team.escalationContactIds,
    agent_reply_default: team.agentReplyDefault,
    request_channel_ids: team.requestChannelIds,
    intake_type: team.intakeType,
    intake_priority: team.intakePriority,
    created_at: iso(team.createdAt),
    updated_at: iso(team.updatedAt),
    created_by: team.createdBy,
    updated_by: team.updatedBy,
  };
}

/** A weak validator is enough: the revision changes on every write. */
export function etagOf(record: { id: string; revision: number }): string {
  return `W/"${record.id}.${record.revision}"`;
}

/**
 * The version an `If-Match` header names: `{ expectedId, expectedRevision }` for the
 * domain's optimistic check, `undefined` without the header, `'any'` for `*` (RFC 9110: any
 * current version). A value that is not one of
 * our ETags can match nothing, so it is a failed precondition.
 */
export function versionFromIfMatch(
  header: string | undefined,
): { expectedId: string; expectedRevision: number } | 'any' | 'unmatchable' | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return 'any';
  const match = /^(?:W\/)?"([^"]+)\.(\d+)"$/.exec(header.trim());
  if (!match) return 'unmatchable';
  return { expectedId: match[1]!, expectedRevision: Number(match[2]) };
}

/** A comment as the API shows it; where its Slack copies live is the Slack side's bookkeeping. */
export function commentToWire(comment: Comment) {
  return {
    id: comment.id,
    ticket_id: comment.ticketId,
    author_id: comment.authorId,
    visibility: comment.visibility,
    body: comment.body,
    source: comment.source,
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    edited_at: iso(comment.editedAt),
  };
}
