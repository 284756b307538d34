CREATE TABLE "intake_prompts" (
	"tenant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"message_ts" text NOT NULL,
	"author_id" text NOT NULL,
	"prompt_ts" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "intake_prompts_tenant_id_channel_id_message_ts_pk" PRIMARY KEY("tenant_id","channel_id","message_ts")
);
