ALTER TABLE "tenants" ADD COLUMN "admin_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "slack_is_admin" boolean;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "slack_is_owner" boolean;--> statement-breakpoint
ALTER TABLE "people" ADD COLUMN "slack_role_checked_at" timestamp (3) with time zone;