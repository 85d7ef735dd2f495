CREATE SEQUENCE "public"."case_number_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "case_events" (
	"case_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "case_events_case_id_seq_pk" PRIMARY KEY("case_id","seq")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" text PRIMARY KEY DEFAULT ('C' || lpad(nextval('case_number_seq')::text, 7, '0')) NOT NULL,
	"workflow_id" text NOT NULL,
	"external_system" text,
	"external_id" text,
	"channel" text NOT NULL,
	"stage" text NOT NULL,
	"outcome" text,
	"severity" text NOT NULL,
	"complexity" text,
	"assignee" text,
	"customer_name" text NOT NULL,
	"customer_phone" text,
	"customer_email" text,
	"product_model" text NOT NULL,
	"serial_number" text NOT NULL,
	"purchase_date" text,
	"description" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"state" jsonb
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"key" text PRIMARY KEY NOT NULL,
	"case_id" text NOT NULL,
	"kind" text NOT NULL,
	"recipient" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_external_ref_uq" ON "cases" USING btree ("external_system","external_id");--> statement-breakpoint
CREATE INDEX "cases_stage_idx" ON "cases" USING btree ("stage","created_at");--> statement-breakpoint
CREATE INDEX "cases_assignee_idx" ON "cases" USING btree ("assignee","created_at");--> statement-breakpoint
CREATE INDEX "cases_created_idx" ON "cases" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "notifications_case_idx" ON "notifications" USING btree ("case_id");