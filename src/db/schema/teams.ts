import { sql } from 'drizzle-orm';
import { foreignKey, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { stampColumns, tenantColumn, timestamptz } from './columns.js';
import { commentVisibilityEnum, ticketPriorityEnum, ticketTypeEnum } from './enums.js';
import { people } from './people.js';
import { tenants } from './tenants.js';

/** The brief's "Group": a queue of tickets, its Slack channel, its agents. */
export const teams = pgTable(
  'teams',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    name: text('name').notNull(),
    slackChannelId: text('slack_channel_id'),
    /** Person ids mentioned when an unacknowledged SLA breach is escalated. */
    escalationContactIds: text('escalation_contact_ids').array().notNull().default(sql`'{}'::text[]`),
    /**
     * What an agent's plain message in a card's thread is: `public` (it reaches the requester;
     * `note:` or a lock keeps it internal) or `internal` (it stays with the agents; `reply:`
     * makes it public). A comment's own visibility values, so the setting reads as what it does.
     */
    agentReplyDefault: commentVisibilityEnum('agent_reply_default').notNull().default('public'),
    /**
     * Slack channels whose new top-level messages by people other than the team's agents become
     * its tickets. A channel is the request channel of one team at most (checked by the domain).
     */
    requestChannelIds: text('request_channel_ids').array().notNull().default(sql`'{}'::text[]`),
    /** The type and priority of tickets raised from a message for this team (a reaction, a request channel). */
    intakeType: ticketTypeEnum('intake_type').notNull().default('incident'),
    intakePriority: ticketPriorityEnum('intake_priority').notNull().default('medium'),
    createdBy: text('created_by'),
    updatedBy: text('updated_by'),
    ...stampColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('teams_name_uq').on(t.tenantId, t.name),
    foreignKey({ columns: [t.tenantId], foreignColumns: [tenants.tenantId] }).onDelete('cascade'),
  ],
);

export const teamAgents = pgTable(
  'team_agents',
  {
    tenantId: tenantColumn(),
    teamId: text('team_id').notNull(),
    personId: text('person_id').notNull(),
    addedAt: timestamptz('added_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.teamId, t.personId] }),
    foreignKey({ columns: [t.tenantId, t.teamId], foreignColumns: [teams.tenantId, teams.id] }).onDelete('cascade'),
    foreignKey({ columns: [t.tenantId, t.personId], foreignColumns: [people.tenantId, people.id] }).onDelete(
      'cascade',
    ),
  ],
);
