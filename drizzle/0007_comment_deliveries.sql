CREATE TYPE "public"."comment_delivery_status" AS ENUM('pending', 'delivered', 'failed');--> statement-breakpoint
CREATE TABLE "comment_deliveries" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"comment_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"thread_ts" text NOT NULL,
	"status" "comment_delivery_status" DEFAULT 'pending' NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone NOT NULL,
	"last_error" text,
	"claimed_by" text,
	"claimed_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "comment_deliveries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "ticket_comments" ADD COLUMN "files" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "comment_deliveries" ADD CONSTRAINT "comment_deliveries_tenant_id_comment_id_ticket_comments_tenant_id_id_fk" FOREIGN KEY ("tenant_id","comment_id") REFERENCES "public"."ticket_comments"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "comment_deliveries_target_uq" ON "comment_deliveries" USING btree ("tenant_id","comment_id","channel_id","thread_ts");--> statement-breakpoint
CREATE INDEX "comment_deliveries_due_idx" ON "comment_deliveries" USING btree ("tenant_id","next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "comment_deliveries_thread_queue_idx" ON "comment_deliveries" USING btree ("tenant_id","channel_id","thread_ts","created_at","id") WHERE status = 'pending';