import { boolean, foreignKey, index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tenantColumn, timestamptz } from './columns.js';
import { commentSourceEnum, commentVisibilityEnum } from './enums.js';
import { tickets } from './tickets.js';

/** A file shared with a comment's Slack message. */
export interface CommentFile {
  name: string;
  permalink: string;
}

/** One message of a ticket's conversation, whichever side it was written in (or the API). */
export const ticketComments = pgTable(
  'ticket_comments',
  {
    tenantId: tenantColumn(),
    id: text('id').notNull(),
    ticketId: text('ticket_id').notNull(),
    /** Person id of the writer; null when the app itself wrote it. */
    authorId: text('author_id'),
    /** The integration that wrote it through the API, if any. */
    appId: text('app_id'),
    visibility: commentVisibilityEnum('visibility').notNull().default('public'),
    /** Markdown (Slack's mrkdwn is converted on the way in). */
    body: text('body').notNull(),
    source: commentSourceEnum('source').notNull(),
    /**
     * Files shared with a Slack message (name and permalink; the body lists them as Markdown
     * links too): the copies link them, the files themselves stay where they were shared.
     */
    files: jsonb('files').$type<CommentFile[]>().notNull().default([]),
    createdAt: timestamptz('created_at').notNull(),
    updatedAt: timestamptz('updated_at').notNull(),
    /** Set when the body was changed after posting; null for an untouched comment. */
    editedAt: timestamptz('edited_at'),
    isDeleted: boolean('is_deleted').notNull().default(false),
    deletedAt: timestamptz('deleted_at'),
    deletedBy: text('deleted_by'),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.ticketId], foreignColumns: [tickets.tenantId, tickets.id] }).onDelete('cascade'),
    // The conversation in order: the keyset of listComments.
    index('ticket_comments_ticket_idx').on(t.tenantId, t.ticketId, t.createdAt, t.id),
  ],
);
