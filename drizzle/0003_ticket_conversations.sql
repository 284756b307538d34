CREATE TYPE "public"."comment_source" AS ENUM('slack', 'api');--> statement-breakpoint
CREATE TYPE "public"."comment_visibility" AS ENUM('public', 'internal');--> statement-breakpoint
CREATE TYPE "public"."thread_side" AS ENUM('agents', 'requester');--> statement-breakpoint
CREATE TABLE "ticket_comments" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"ticket_id" text NOT NULL,
	"author_id" text,
	"app_id" text,
	"visibility" "comment_visibility" DEFAULT 'public' NOT NULL,
	"body" text NOT NULL,
	"source" "comment_source" NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"edited_at" timestamp (3) with time zone,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	"deleted_by" text,
	CONSTRAINT "ticket_comments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "ticket_threads" (
	"tenant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"thread_ts" text NOT NULL,
	"ticket_id" text NOT NULL,
	"side" "thread_side" NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ticket_threads_tenant_id_channel_id_thread_ts_pk" PRIMARY KEY("tenant_id","channel_id","thread_ts")
);
--> statement-breakpoint
CREATE TABLE "comment_messages" (
	"tenant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	"thread_ts" text NOT NULL,
	"comment_id" text NOT NULL,
	CONSTRAINT "comment_messages_tenant_id_channel_id_message_ts_pk" PRIMARY KEY("tenant_id","channel_id","message_ts")
);
--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD CONSTRAINT "ticket_comments_tenant_id_ticket_id_tickets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","ticket_id") REFERENCES "public"."tickets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_threads" ADD CONSTRAINT "ticket_threads_tenant_id_ticket_id_tickets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","ticket_id") REFERENCES "public"."tickets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comment_messages" ADD CONSTRAINT "comment_messages_tenant_id_comment_id_ticket_comments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","comment_id") REFERENCES "public"."ticket_comments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_comments_ticket_idx" ON "ticket_comments" USING btree ("tenant_id","ticket_id","created_at","id");--> statement-breakpoint
CREATE INDEX "ticket_threads_ticket_idx" ON "ticket_threads" USING btree ("tenant_id","ticket_id");--> statement-breakpoint
CREATE INDEX "comment_messages_comment_idx" ON "comment_messages" USING btree ("tenant_id","comment_id");