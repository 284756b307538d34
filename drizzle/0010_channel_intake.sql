CREATE TABLE "ticket_sources" (
	"tenant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	"ticket_id" text NOT NULL,
	"raised_by_id" text,
	"via" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "ticket_sources_tenant_id_channel_id_message_ts_pk" PRIMARY KEY("tenant_id","channel_id","message_ts")
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "intake_emoji" text DEFAULT 'ticket' NOT NULL;--> statement-breakpoint
ALTER TABLE "ticket_sources" ADD CONSTRAINT "ticket_sources_tenant_id_ticket_id_tickets_tenant_id_id_fk" FOREIGN KEY ("tenant_id","ticket_id") REFERENCES "public"."tickets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ticket_sources_ticket_idx" ON "ticket_sources" USING btree ("tenant_id","ticket_id");--> statement-breakpoint
CREATE INDEX "tickets_slack_card_idx" ON "tickets" USING btree ("tenant_id","slack_channel_id","slack_message_ts");