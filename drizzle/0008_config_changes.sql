CREATE TABLE "config_changes" (
	"tenant_id" text NOT NULL,
	"id" text NOT NULL,
	"subject" text NOT NULL,
	"subject_id" text,
	"action" text NOT NULL,
	"actor_id" text,
	"app_id" text,
	"at" timestamp (3) with time zone NOT NULL,
	"changes" jsonb NOT NULL,
	CONSTRAINT "config_changes_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "config_changes" ADD CONSTRAINT "config_changes_tenant_id_tenants_tenant_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("tenant_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "config_changes_tenant_at_idx" ON "config_changes" USING btree ("tenant_id","at");