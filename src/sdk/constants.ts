import type { SlaPolicyStatus, SourceType, TicketPriority, TicketSort, TicketStatus, TicketType } from './types.js';

/** Where the REST surface lives on the server's origin. */
export const API_PREFIX = '/api/v1/helpdesk';

/** The allowed values, e.g. for pickers; `test/sdk/types.test.ts` checks them against the server's. */
export const TICKET_TYPES = ['incident', 'service_request', 'change', 'problem'] as const satisfies readonly TicketType[];
export const TICKET_STATUSES = ['open', 'in_progress', 'pending', 'resolved', 'closed'] as const satisfies readonly TicketStatus[];
export const TICKET_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const satisfies readonly TicketPriority[];
export const SOURCE_TYPES = ['frontend', 'backend', 'server', 'system', 'api'] as const satisfies readonly SourceType[];
export const SLA_POLICY_STATUSES = ['active', 'inactive'] as const satisfies readonly SlaPolicyStatus[];
export const TICKET_SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'number',
  '-number',
  'priority',
  '-priority',
] as const satisfies readonly TicketSort[];
