ALTER TABLE "tenants" ADD COLUMN "intake_skip_prefix" text DEFAULT '[no-ticket]' NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "request_channel_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "intake_type" "ticket_type" DEFAULT 'incident' NOT NULL;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "intake_priority" "ticket_priority" DEFAULT 'medium' NOT NULL;