import { pgEnum } from 'drizzle-orm/pg-core';

export const TICKET_TYPES = ['incident', 'service_request', 'change', 'problem'] as const;
export const TICKET_STATUSES = ['open', 'in_progress', 'pending', 'resolved', 'closed'] as const;
/** Declared in rank order, so ORDER BY priority sorts low < medium < high < urgent. */
export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const SOURCE_TYPES = ['frontend', 'backend', 'server', 'system', 'api'] as const;
export const SLA_POLICY_STATUSES = ['active', 'inactive'] as const;
/** `next_response`: after a requester's message, until the team answers (an extension beyond the API reference). */
export const SLA_CLOCKS = ['first_response', 'resolution', 'next_response'] as const;
export const SLA_ALERT_KINDS = ['warning', 'breach', 'escalation'] as const;
/** `cancelled`: no longer worth sending when its turn came (ticket resolved, superseded, acknowledged). */
export const SLA_ALERT_STATUSES = ['pending', 'delivered', 'cancelled'] as const;

export type TicketType = (typeof TICKET_TYPES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export type SourceType = (typeof SOURCE_TYPES)[number];
export type SlaPolicyStatus = (typeof SLA_POLICY_STATUSES)[number];
export type SlaClock = (typeof SLA_CLOCKS)[number];
export type SlaAlertKind = (typeof SLA_ALERT_KINDS)[number];
export type SlaAlertStatus = (typeof SLA_ALERT_STATUSES)[number];

export const ticketTypeEnum = pgEnum('ticket_type', TICKET_TYPES);
export const ticketStatusEnum = pgEnum('ticket_status', TICKET_STATUSES);
export const ticketPriorityEnum = pgEnum('ticket_priority', TICKET_PRIORITIES);
export const sourceTypeEnum = pgEnum('source_type', SOURCE_TYPES);
export const slaPolicyStatusEnum = pgEnum('sla_policy_status', SLA_POLICY_STATUSES);
export const slaClockEnum = pgEnum('sla_clock', SLA_CLOCKS);
export const slaAlertKindEnum = pgEnum('sla_alert_kind', SLA_ALERT_KINDS);
export const slaAlertStatusEnum = pgEnum('sla_alert_status', SLA_ALERT_STATUSES);
export const COMMENT_VISIBILITIES = ['public', 'internal'] as const;
/** Where a comment was written: a Slack thread of the ticket, or the REST API. */
export const COMMENT_SOURCES = ['slack', 'api'] as const;
/** The agents' side (the card's thread in the team channel) or a requester's side. */
export const THREAD_SIDES = ['agents', 'requester'] as const;

export type CommentVisibility = (typeof COMMENT_VISIBILITIES)[number];
export type CommentSource = (typeof COMMENT_SOURCES)[number];
export type ThreadSide = (typeof THREAD_SIDES)[number];

export const commentVisibilityEnum = pgEnum('comment_visibility', COMMENT_VISIBILITIES);
export const commentSourceEnum = pgEnum('comment_source', COMMENT_SOURCES);
export const threadSideEnum = pgEnum('thread_side', THREAD_SIDES);

/** `failed`: Slack refused the copy for good (the agents were told); a later edit tries again. */
export const COMMENT_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type CommentDeliveryStatus = (typeof COMMENT_DELIVERY_STATUSES)[number];
export const commentDeliveryStatusEnum = pgEnum('comment_delivery_status', COMMENT_DELIVERY_STATUSES);
