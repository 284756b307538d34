CREATE TYPE "public"."sla_alert_kind" AS ENUM('warning', 'breach', 'escalation');--> statement-breakpoint
CREATE TYPE "public"."sla_alert_status" AS ENUM('pending', 'delivered');--> statement-breakpoint
CREATE TYPE "public"."sla_clock" AS ENUM('first_response', 'resolution');--> statement-breakpoint
CREATE TYPE "public"."sla_policy_status" AS ENUM('active', 'inactive');--> statement-breakpoint
CREATE TYPE "public"."source_type" AS ENUM('frontend', 'backend', 'server', 'system', 'api');--> statement-breakpoint
CREATE TYPE "public"."ticket_priority" AS ENUM('low', 'medium', 'high', 'urgent');--> statement-breakpoint
CREATE TYPE "public"."ticket_status" AS ENUM('open', 'in_progress', 'pending', 'resolved', 'closed');--> statement-breakpoint
CREATE TYPE "public"."ticket_type" AS ENUM('incident', 'service_request', 'change', 'problem');--> statement-breakpoint
CREATE TABLE "tenants" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"name" text,
	"business_calendar" jsonb NOT NULL,
	"default_team_id" text,
	"ticket_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "people" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"slack_user_id" text,
	"display_name" text,
	"email" text,
	"timezone" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "people_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "team_agents" (
	"tenant_id" text NOT NULL,
	"team_id" text NOT NULL,
	"person_id" text NOT NULL,
	"added_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "team_agents_tenant_id_team_id_person_id_pk" PRIMARY KEY("tenant_id","team_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"slack_channel_id" text,
	"created_by" text,
	"updated_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "teams_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"app_id" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"created_by" text,
	"updated_by" text,
	"source" text DEFAULT 'edm' NOT NULL,
	"source_type" "source_type" DEFAULT 'api' NOT NULL,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	"deleted_by" text,
	"schema_version" integer DEFAULT 1 NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"applies_to" "ticket_type"[] NOT NULL,
	"priority" "ticket_priority" NOT NULL,
	"first_response_minutes" integer NOT NULL,
	"first_response_mins" integer GENERATED ALWAYS AS (first_response_minutes) STORED,
	"resolution_minutes" integer NOT NULL,
	"resolution_mins" integer GENERATED ALWAYS AS (resolution_minutes) STORED,
	"business_hours_only" boolean DEFAULT false NOT NULL,
	"status" "sla_policy_status" DEFAULT 'active' NOT NULL,
	CONSTRAINT "sla_policies_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "sla_policies_first_response_positive" CHECK ("sla_policies"."first_response_minutes" > 0),
	CONSTRAINT "sla_policies_resolution_positive" CHECK ("sla_policies"."resolution_minutes" > 0),
	CONSTRAINT "sla_policies_applies_to_not_empty" CHECK (cardinality("sla_policies"."applies_to") > 0)
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"app_id" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"created_by" text,
	"updated_by" text,
	"source" text DEFAULT 'edm' NOT NULL,
	"source_type" "source_type" DEFAULT 'api' NOT NULL,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp (3) with time zone,
	"deleted_by" text,
	"schema_version" integer DEFAULT 1 NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"number_seq" integer NOT NULL,
	"number" text GENERATED ALWAYS AS ('TKT-' || lpad(number_seq::text, greatest(4, length(number_seq::text)), '0')) STORED NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"type" "ticket_type" NOT NULL,
	"status" "ticket_status" DEFAULT 'open' NOT NULL,
	"priority" "ticket_priority" NOT NULL,
	"category" text,
	"submitted_by_id" text,
	"assigned_to_id" text,
	"team_id" text,
	"sla_policy" text,
	"first_response_at" timestamp (3) with time zone,
	"resolved_at" timestamp (3) with time zone,
	"closed_at" timestamp (3) with time zone,
	"due_at" timestamp (3) with time zone,
	"first_response_due_at" timestamp (3) with time zone,
	"sla_cycle" integer DEFAULT 1 NOT NULL,
	"sla_cycle_started_at" timestamp (3) with time zone NOT NULL,
	"sla_pauses" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"related_asset_id" text,
	"related_vulnerability_id" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"slack_channel_id" text,
	"slack_message_ts" text,
	"search_vector" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('simple', coalesce(number_seq::text, '') || ' ' || 'TKT-' || lpad(number_seq::text, greatest(4, length(number_seq::text)), '0')), 'A') || setweight(to_tsvector('english', coalesce(title, '')), 'B') || setweight(to_tsvector('english', coalesce(description, '')), 'C')) STORED,
	CONSTRAINT "tickets_tenant_id_id_pk" PRIMARY KEY("tenant_id","id"),
	CONSTRAINT "tickets_number_positive" CHECK ("tickets"."number_seq" > 0)
);
--> statement-breakpoint
CREATE TABLE "ticket_events" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"ticket_id" text NOT NULL,
	"kind" text NOT NULL,
	"actor_id" text,
	"app_id" text,
	"source_type" "source_type" NOT NULL,
	"sla_cycle" integer NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"changes" jsonb NOT NULL,
	CONSTRAINT "ticket_events_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "sla_alerts" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"ticket_id" text NOT NULL,
	"clock" "sla_clock" NOT NULL,
	"cycle" integer NOT NULL,
	"kind" "sla_alert_kind" NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"deadline_at" timestamp (3) with time zone NOT NULL,
	"channel_id" text,
	"status" "sla_alert_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp (3) with time zone NOT NULL,
	"last_error" text,
	"delivered_at" timestamp (3) with time zone,
	"slack_message_ts" text,
	"acknowledged_at" timestamp (3) with time zone,
	"acknowledged_by" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "sla_alerts_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_tenant_id_tenants_tenant_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("tenant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_agents" ADD CONSTRAINT "team_agents_tenant_id_team_id_teams_tenant_id_id_fk" FOREIGN KEY ("tenant_id","team_id") REFERENCES "public"."teams"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_agents" ADD CONSTRAINT "team_agents_tenant_id_person_id_people_tenant_id_id_fk" FOREIGN KEY ("tenant_id","person_id") REFERENCES "public"."people"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_tenant_id_tenants_tenant_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("tenant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_tenant_id_tenants_tenant_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("tenant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_tenant_id_tenants_tenant_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("tenant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_tenant_id_team_id_teams_tenant_id_id_fk" FOREIGN KEY ("tenant_id","team_id") REFERENCES "public"."teams"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_tenant_id_sla_policy_sla_policies_tenant_id_id_fk" FOREIGN KEY ("tenant_id","sla_policy") REFERENCES "public"."sla_policies"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_tenant_id_ticket_id_tickets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","ticket_id") REFERENCES "public"."tickets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_alerts" ADD CONSTRAINT "sla_alerts_tenant_id_ticket_id_tickets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","ticket_id") REFERENCES "public"."tickets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "people_slack_user_uq" ON "people" USING btree ("tenant_id","slack_user_id") WHERE "people"."slack_user_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "teams_name_uq" ON "teams" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "sla_policies_list_idx" ON "sla_policies" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_active_incident_uq" ON "sla_policies" USING btree ("tenant_id","priority") WHERE status = 'active' and not is_deleted and 'incident'::ticket_type = any(applies_to);--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_active_service_request_uq" ON "sla_policies" USING btree ("tenant_id","priority") WHERE status = 'active' and not is_deleted and 'service_request'::ticket_type = any(applies_to);--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_active_change_uq" ON "sla_policies" USING btree ("tenant_id","priority") WHERE status = 'active' and not is_deleted and 'change'::ticket_type = any(applies_to);--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_active_problem_uq" ON "sla_policies" USING btree ("tenant_id","priority") WHERE status = 'active' and not is_deleted and 'problem'::ticket_type = any(applies_to);--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_number_uq" ON "tickets" USING btree ("tenant_id","number_seq");--> statement-breakpoint
CREATE INDEX "tickets_created_idx" ON "tickets" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_status_idx" ON "tickets" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "tickets_team_idx" ON "tickets" USING btree ("tenant_id","team_id","status");--> statement-breakpoint
CREATE INDEX "tickets_assignee_idx" ON "tickets" USING btree ("tenant_id","assigned_to_id","status");--> statement-breakpoint
CREATE INDEX "tickets_submitter_idx" ON "tickets" USING btree ("tenant_id","submitted_by_id","status");--> statement-breakpoint
CREATE INDEX "tickets_search_idx" ON "tickets" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "tickets_tags_idx" ON "tickets" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "tickets_resolution_due_idx" ON "tickets" USING btree ("tenant_id","due_at") WHERE status in ('open', 'in_progress') and not is_deleted and due_at is not null;--> statement-breakpoint
CREATE INDEX "tickets_first_response_due_idx" ON "tickets" USING btree ("tenant_id","first_response_due_at") WHERE first_response_at is null and status in ('open', 'in_progress', 'pending') and not is_deleted and first_response_due_at is not null;--> statement-breakpoint
CREATE INDEX "ticket_events_ticket_idx" ON "ticket_events" USING btree ("tenant_id","ticket_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_alerts_once_uq" ON "sla_alerts" USING btree ("tenant_id","ticket_id","clock","cycle","kind","sequence");--> statement-breakpoint
CREATE INDEX "sla_alerts_undelivered_idx" ON "sla_alerts" USING btree ("tenant_id","next_attempt_at") WHERE status = 'pending';