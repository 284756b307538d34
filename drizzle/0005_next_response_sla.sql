ALTER TYPE "public"."sla_clock" ADD VALUE 'next_response';--> statement-breakpoint
ALTER TABLE "sla_policies" ADD COLUMN "next_response_minutes" integer;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "next_response_started_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "next_response_due_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "next_response_warn_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "next_response_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "tickets_next_response_due_idx" ON "tickets" USING btree ("tenant_id","next_response_due_at") WHERE next_response_started_at is not null and status in ('open', 'in_progress') and not is_deleted and next_response_due_at is not null;--> statement-breakpoint
CREATE INDEX "tickets_next_response_warn_idx" ON "tickets" USING btree ("tenant_id","next_response_warn_at") WHERE next_response_started_at is not null and status in ('open', 'in_progress') and not is_deleted and next_response_warn_at is not null;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_next_response_positive" CHECK ("sla_policies"."next_response_minutes" is null or "sla_policies"."next_response_minutes" > 0);