import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { recordColumns } from './columns.js';
import {
  TICKET_TYPES,
  slaPolicyStatusEnum,
  ticketPriorityEnum,
  ticketTypeEnum,
  type TicketType,
} from './enums.js';
import { tenants } from './tenants.js';

/**
 * "At most one active policy per (type, priority)": `applies_to` is an array, so the
 * rule is one partial unique index per ticket type. A new ticket type needs a new
 * index in the same migration that adds the enum value.
 */
const activePolicyIndex = (type: TicketType) => `sla_policies_active_${type}_uq`;

export const slaPolicies = pgTable(
  'sla_policies',
  {
    ...recordColumns(),
    name: text('name').notNull(),
    description: text('description'),
    appliesTo: ticketTypeEnum('applies_to').array().notNull(),
    priority: ticketPriorityEnum('priority').notNull(),
    firstResponseMinutes: integer('first_response_minutes').notNull(),
    /** The seed's second spelling: generated, so it can never disagree. */
    firstResponseMins: integer('first_response_mins').generatedAlwaysAs(sql`first_response_minutes`),
    resolutionMinutes: integer('resolution_minutes').notNull(),
    resolutionMins: integer('resolution_mins').generatedAlwaysAs(sql`resolution_minutes`),
    /**
     * Optional next-response target (an extension beyond the API reference): after a
     * requester's message the team answers within it. Null: no next-response clock.
     */
    nextResponseMinutes: integer('next_response_minutes'),
    businessHoursOnly: boolean('business_hours_only').notNull().default(false),
    status: slaPolicyStatusEnum('status').notNull().default('active'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.tenantId] }).onDelete('cascade'),
    index('sla_policies_list_idx').on(t.tenantId, t.createdAt, t.id),
    check('sla_policies_first_response_positive', sql`${t.firstResponseMinutes} > 0`),
    check('sla_policies_resolution_positive', sql`${t.resolutionMinutes} > 0`),
    check('sla_policies_next_response_positive', sql`${t.nextResponseMinutes} is null or ${t.nextResponseMinutes} > 0`),
    check('sla_policies_applies_to_not_empty', sql`cardinality(${t.appliesTo}) > 0`),
    ...TICKET_TYPES.map((type) =>
      uniqueIndex(activePolicyIndex(type))
        .on(t.tenantId, t.priority)
        .where(sql.raw(`status = 'active' and not is_deleted and '${type}'::ticket_type = any(applies_to)`)),
    ),
  ],
);

export function typeOfActivePolicyIndex(constraint: string): TicketType | undefined {
  return TICKET_TYPES.find((type) => activePolicyIndex(type) === constraint);
}
