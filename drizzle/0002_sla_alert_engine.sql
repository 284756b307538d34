ALTER TYPE "public"."sla_alert_status" ADD VALUE 'cancelled';--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "sla_warning_percent" integer DEFAULT 75 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "escalation_interval_minutes" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "escalation_max" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "sla_swept_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "escalation_contact_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "first_response_warn_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "resolution_warn_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD COLUMN "claimed_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD COLUMN "escalate_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD COLUMN "cancel_reason" text;--> statement-breakpoint
CREATE INDEX "tickets_resolution_warn_idx" ON "tickets" USING btree ("tenant_id","resolution_warn_at") WHERE status in ('open', 'in_progress') and not is_deleted and resolution_warn_at is not null;--> statement-breakpoint
CREATE INDEX "tickets_first_response_warn_idx" ON "tickets" USING btree ("tenant_id","first_response_warn_at") WHERE first_response_at is null and status in ('open', 'in_progress', 'pending') and not is_deleted and first_response_warn_at is not null;--> statement-breakpoint
CREATE INDEX "sla_alerts_channel_queue_idx" ON "sla_alerts" USING btree ("tenant_id","channel_id","deadline_at","created_at","id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "sla_alerts_escalation_due_idx" ON "sla_alerts" USING btree ("tenant_id","escalate_at") WHERE escalate_at is not null;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_sla_warning_percent_range" CHECK ("tenants"."sla_warning_percent" between 1 and 99);--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_escalation_interval_positive" CHECK ("tenants"."escalation_interval_minutes" > 0);--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_escalation_max_range" CHECK ("tenants"."escalation_max" between 0 and 100);