import { z } from 'zod';
import { SOURCE_TYPES, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '../../db/schema/index.js';
import { instantSchema, parseInput, RECORD_SERVER_FIELDS } from '../input.js';

/**
 * Ticket input schemas in the wire's snake_case: the REST API, the SDK and the Slack
 * listeners all hand the domain the same shape, so field errors carry wire paths.
 */

/** Server-stamped or derived fields: ignored when a client sends them, never stored. */
export const TICKET_SERVER_FIELDS = [
  ...RECORD_SERVER_FIELDS,
  'number',
  'sla_policy',
  'first_response_at',
  'first_response_due_at',
  'resolved_at',
  'closed_at',
  'due_at',
  'sla_cycle',
  'next_response_due_at',
] as const;

const referenceId = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(128, 'At most 128 characters')
  .regex(/^[A-Za-z0-9_.:@-]+$/, 'Must be an id (letters, digits and _ . : @ -)');

const tags = z
  .array(z.string().trim().min(1, 'A tag must not be empty').max(50, 'A tag has at most 50 characters'))
  .max(30, 'At most 30 tags')
  .transform((list) => [...new Set(list)]);

const ticketFields = {
  title: z.string().trim().min(1, 'Required').max(200, 'At most 200 characters'),
  description: z.string().max(40_000, 'At most 40,000 characters').nullable(),
  type: z.enum(TICKET_TYPES),
  priority: z.enum(TICKET_PRIORITIES),
  category: z.string().trim().min(1).max(100, 'At most 100 characters').nullable(),
  submitted_by_id: referenceId,
  assigned_to_id: referenceId.nullable(),
  team_id: referenceId.nullable(),
  related_asset_id: referenceId.nullable(),
  related_vulnerability_id: referenceId.nullable(),
  tags,
  source: z.string().trim().min(1).max(100),
  source_type: z.enum(SOURCE_TYPES),
};

/** Arguments of the single-purpose operations (assign, status change). */
export const assigneeSchema = referenceId.nullable();
export const statusSchema = z.enum(TICKET_STATUSES);

export const ticketCreateSchema = z.strictObject({
  ...ticketFields,
  description: ticketFields.description.optional(),
  type: ticketFields.type.default('incident'),
  priority: ticketFields.priority.default('medium'),
  category: ticketFields.category.optional(),
  submitted_by_id: ticketFields.submitted_by_id.optional(),
  assigned_to_id: ticketFields.assigned_to_id.optional(),
  team_id: ticketFields.team_id.optional(),
  related_asset_id: ticketFields.related_asset_id.optional(),
  related_vulnerability_id: ticketFields.related_vulnerability_id.optional(),
  tags: ticketFields.tags.optional(),
  source: ticketFields.source.optional(),
  source_type: ticketFields.source_type.optional(),
  /** A new ticket is always open; accepted so a client may echo it. */
  status: z.literal('open', { error: 'A new ticket is always open' }).optional(),
});

export const ticketUpdateSchema = z.strictObject({
  title: ticketFields.title.optional(),
  description: ticketFields.description.optional(),
  type: ticketFields.type.optional(),
  priority: ticketFields.priority.optional(),
  category: ticketFields.category.optional(),
  submitted_by_id: ticketFields.submitted_by_id.optional(),
  assigned_to_id: ticketFields.assigned_to_id.optional(),
  team_id: ticketFields.team_id.optional(),
  related_asset_id: ticketFields.related_asset_id.optional(),
  related_vulnerability_id: ticketFields.related_vulnerability_id.optional(),
  tags: ticketFields.tags.optional(),
  status: z.enum(TICKET_STATUSES).optional(),
  source: ticketFields.source.optional(),
  source_type: ticketFields.source_type.optional(),
});

export type TicketCreateInput = z.input<typeof ticketCreateSchema>;
export type TicketUpdateInput = z.input<typeof ticketUpdateSchema>;

export const TICKET_SORTS = [
  'created_at',
  '-created_at',
  'updated_at',
  '-updated_at',
  'number',
  '-number',
  'priority',
  '-priority',
] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

/** A list filter accepts one value, several, or a comma-separated string (query strings). */
function oneOrMany<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value),
    z.array(item).min(1).max(50),
  );
}

const instant = instantSchema;

const booleanish = z.preprocess(
  (value) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value),
  z.boolean(),
);

export const ticketListSchema = z.strictObject({
  status: oneOrMany(z.enum(TICKET_STATUSES)).optional(),
  priority: oneOrMany(z.enum(TICKET_PRIORITIES)).optional(),
  type: oneOrMany(z.enum(TICKET_TYPES)).optional(),
  /** `none` selects tickets without a team / assignee. */
  team_id: referenceId.optional(),
  assigned_to_id: referenceId.optional(),
  submitted_by_id: referenceId.optional(),
  category: z.string().trim().min(1).max(100).optional(),
  tag: z.string().trim().min(1).max(50).optional(),
  created_after: instant.optional(),
  created_before: instant.optional(),
  updated_after: instant.optional(),
  updated_before: instant.optional(),
  q: z.string().trim().min(1).max(200, 'At most 200 characters').optional(),
  include_deleted: booleanish.optional(),
  sort: z.enum(TICKET_SORTS).default('-created_at'),
  limit: z.coerce.number().int('Must be a whole number').min(1).max(200, 'At most 200').default(50),
  /** Checked by `decodeCursor`: a cursor is not a field the client writes (a bad one is a 400). */
  cursor: z.string().optional(),
});

export type TicketListInput = z.input<typeof ticketListSchema>;
export type TicketListQuery = z.output<typeof ticketListSchema>;

/**
 * Validates a create request without touching the database (server-stamped fields are
 * dropped first, as `createTicket` does): the Slack modal acknowledges on this, before the
 * ticket is written, and shows these errors next to their fields.
 */
export function parseTicketCreate(input: unknown): z.output<typeof ticketCreateSchema> {
  return parseInput(ticketCreateSchema, input, TICKET_SERVER_FIELDS);
}

export function parseTicketUpdate(input: unknown): z.output<typeof ticketUpdateSchema> {
  return parseInput(ticketUpdateSchema, input, TICKET_SERVER_FIELDS);
}
