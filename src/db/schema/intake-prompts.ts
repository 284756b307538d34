import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';

/**
 * The "Create a ticket from this?" prompt the app posted under a person's top-level message in
 * its DM: one per message, enforced by the key, so a retried event delivery prompts once. The
 * prompt's buttons are checked against this row (the workspace, the DM, its author), never
 * against the ids the click carries alone.
 */
export const intakePrompts = pgTable(
  'intake_prompts',
  {
    tenantId: tenantColumn(),
    /** The DM with the app (D…). */
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    /** The message's author, a person id: the only one who may answer the prompt. */
    authorId: text('author_id').notNull(),
    /** The prompt's own ts, once Slack accepted it. */
    promptTs: text('prompt_ts'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.channelId, t.messageTs] })],
);
