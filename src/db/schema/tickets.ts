import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { recordColumns, timestamptz } from './columns.js';
import { ticketPriorityEnum, ticketStatusEnum, ticketTypeEnum } from './enums.js';
import { slaPolicies } from './sla-policies.js';
import { teams } from './teams.js';
import { tenants } from './tenants.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** A pause of the resolution clock (status `pending`); `to` is null while it lasts. */
export interface SlaPause {
  from: string;
  to: string | null;
}

/**
 * When each SLA clock runs, as SQL over a ticket row: the predicates of the sweep's partial
 * indexes, which the sweep's queries repeat word for word so the planner matches them.
 * Pending pauses the resolution clock only; deleted, resolved and closed tickets never alert.
 */
export const RESOLUTION_CLOCK_RUNNING = `status in ('open', 'in_progress') and not is_deleted`;
export const FIRST_RESPONSE_CLOCK_RUNNING = `first_response_at is null and status in ('open', 'in_progress', 'pending') and not is_deleted`;
/** Pending pauses the next-response clock too: the team is waiting on someone else then. */
export const NEXT_RESPONSE_CLOCK_RUNNING = `next_response_started_at is not null and status in ('open', 'in_progress') and not is_deleted`;

export const tickets = pgTable(
  'tickets',
  {
    ...recordColumns(),
    numberSeq: integer('number_seq').notNull(),
    /** `TKT-0001`; derived by the database so it can never disagree with `number_seq`. */
    number: text('number')
      .notNull()
      .generatedAlwaysAs(sql`'TKT-' || lpad(number_seq::text, greatest(4, length(number_seq::text)), '0')`),
    title: text('title').notNull(),
    description: text('description'),
    type: ticketTypeEnum('type').notNull(),
    status: ticketStatusEnum('status').notNull().default('open'),
    priority: ticketPriorityEnum('priority').notNull(),
    category: text('category'),
    submittedById: text('submitted_by_id'),
    assignedToId: text('assigned_to_id'),
    teamId: text('team_id'),
    slaPolicyId: text('sla_policy'),
    firstResponseAt: timestamptz('first_response_at'),
    resolvedAt: timestamptz('resolved_at'),
    closedAt: timestamptz('closed_at'),
    /** Resolution deadline of the current cycle (the seed's `due_at`). */
    dueAt: timestamptz('due_at'),
    firstResponseDueAt: timestamptz('first_response_due_at'),
    /** When the clocks have used the tenant's warning share of their targets ("at risk"). */
    firstResponseWarnAt: timestamptz('first_response_warn_at'),
    resolutionWarnAt: timestamptz('resolution_warn_at'),
    /** 1 at creation, +1 on every reopen; alerts are keyed by it. */
    slaCycle: integer('sla_cycle').notNull().default(1),
    /** Start of the current resolution cycle (creation, or the last reopen). */
    slaCycleStartedAt: timestamptz('sla_cycle_started_at').notNull(),
    /** Pauses of the current cycle, kept as instants so a policy change can re-measure them. */
    slaPauses: jsonb('sla_pauses').$type<SlaPause[]>().notNull().default([]),
    /**
     * The next-response clock (an extension): when the requester's message the team has not
     * answered yet was written (null: nobody is waiting), its deadline and warning instant.
     * The round counts the waits, +1 on every start: a wait's alerts are keyed by it.
     */
    nextResponseStartedAt: timestamptz('next_response_started_at'),
    nextResponseDueAt: timestamptz('next_response_due_at'),
    nextResponseWarnAt: timestamptz('next_response_warn_at'),
    nextResponseRound: integer('next_response_round').notNull().default(0),
    relatedAssetId: text('related_asset_id'),
    relatedVulnerabilityId: text('related_vulnerability_id'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    slackChannelId: text('slack_channel_id'),
    slackMessageTs: text('slack_message_ts'),
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`setweight(to_tsvector('simple', coalesce(number_seq::text, '') || ' ' || 'TKT-' || lpad(number_seq::text, greatest(4, length(number_seq::text)), '0')), 'A') || setweight(to_tsvector('english', coalesce(title, '')), 'B') || setweight(to_tsvector('english', coalesce(description, '')), 'C')`,
    ),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('tickets_number_uq').on(t.tenantId, t.numberSeq),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.tenantId] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }),
    foreignKey({ columns: [t.tenantId, t.slaPolicyId], foreignColumns: [slaPolicies.tenantId, slaPolicies.id] }),
    check('tickets_number_positive', sql`${t.numberSeq} > 0`),
    // Lists: newest first, optionally narrowed by status, team, assignee or submitter.
    index('tickets_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('tickets_status_idx').on(t.tenantId, t.status, t.createdAt),
    index('tickets_team_idx').on(t.tenantId, t.teamId, t.status),
    index('tickets_assignee_idx').on(t.tenantId, t.assignedToId, t.status),
    index('tickets_submitter_idx').on(t.tenantId, t.submittedById, t.status),
    // A reaction on a card names (channel, ts): that finds its ticket.
    index('tickets_slack_card_idx').on(t.tenantId, t.slackChannelId, t.slackMessageTs),
    // GIN indexes are the one exception to "lead with tenant_id": in a multi-column GIN the
    // tenant key matches every row of the tenant and the planner will not use it; a GIN on
    // the vector alone is BitmapAnd-ed with a tenant B-tree instead.
    index('tickets_search_idx').using('gin', t.searchVector),
    index('tickets_tags_idx').using('gin', t.tags),
    // SLA sweep: only tickets whose clock is running are in these indexes.
    index('tickets_resolution_due_idx')
      .on(t.tenantId, t.dueAt)
      .where(sql.raw(`${RESOLUTION_CLOCK_RUNNING} and due_at is not null`)),
    index('tickets_first_response_due_idx')
      .on(t.tenantId, t.firstResponseDueAt)
      .where(sql.raw(`${FIRST_RESPONSE_CLOCK_RUNNING} and first_response_due_at is not null`)),
    index('tickets_resolution_warn_idx')
      .on(t.tenantId, t.resolutionWarnAt)
      .where(sql.raw(`${RESOLUTION_CLOCK_RUNNING} and resolution_warn_at is not null`)),
    index('tickets_first_response_warn_idx')
      .on(t.tenantId, t.firstResponseWarnAt)
      .where(sql.raw(`${FIRST_RESPONSE_CLOCK_RUNNING} and first_response_warn_at is not null`)),
    index('tickets_next_response_due_idx')
      .on(t.tenantId, t.nextResponseDueAt)
      .where(sql.raw(`${NEXT_RESPONSE_CLOCK_RUNNING} and next_response_due_at is not null`)),
    index('tickets_next_response_warn_idx')
      .on(t.tenantId, t.nextResponseWarnAt)
      .where(sql.raw(`${NEXT_RESPONSE_CLOCK_RUNNING} and next_response_warn_at is not null`)),
  ],
);
