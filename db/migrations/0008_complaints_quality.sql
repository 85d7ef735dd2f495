-- Complaints (投诉) and the quality loop (CAPA): complaint and quality-issue read models with their
-- timelines and escalations, evidence files, the versioned complaint and quality policies, failure codes,
-- the failures recorded on cases, and the repeat-failure link on cases.
CREATE SEQUENCE "complaint_number_seq" START WITH 1;
--> statement-breakpoint
CREATE SEQUENCE "quality_issue_number_seq" START WITH 1;
--> statement-breakpoint
CREATE TABLE "complaint_policies" (
	"id" text NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "complaint_policies_pk" PRIMARY KEY ("id", "version"),
	CONSTRAINT "complaint_policies_version_ck" CHECK ("version" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_policies_current_uq" ON "complaint_policies" ("id") WHERE "retired_at" IS NULL;
--> statement-breakpoint
CREATE TABLE "complaints" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"external_system" text,
	"external_id" text,
	"channel" text NOT NULL,
	"stage" text NOT NULL,
	"priority" text NOT NULL,
	"urgency" text NOT NULL,
	"importance" text NOT NULL,
	"category" text NOT NULL,
	"department" text NOT NULL,
	"owner" text,
	"customer_name" text NOT NULL,
	"customer_phone" text,
	"customer_email" text,
	"region" text,
	"product_model" text NOT NULL,
	"product_line" text,
	"serial_number" text,
	"purchase_date" text NOT NULL,
	"description" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"state" jsonb,
	"breached" boolean DEFAULT false NOT NULL,
	"rejections" integer DEFAULT 0 NOT NULL,
	"policy" jsonb NOT NULL,
	"intake" jsonb NOT NULL,
	"created_by_key" text,
	"created_by" text,
	CONSTRAINT "complaints_priority_ck" CHECK ("priority" IN ('P1', 'P2', 'P3', 'P4')),
	CONSTRAINT "complaints_stage_ck" CHECK ("stage" IN ('registered', 'investigating', 'answered', 'verifying', 'closed', 'withdrawn'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "complaints_external_ref_uq" ON "complaints" ("external_system", "external_id");
--> statement-breakpoint
CREATE INDEX "complaints_created_idx" ON "complaints" ("created_at", "id");
--> statement-breakpoint
CREATE INDEX "complaints_stage_idx" ON "complaints" ("stage", "created_at");
--> statement-breakpoint
CREATE INDEX "complaints_owner_idx" ON "complaints" ("owner", "created_at");
--> statement-breakpoint
CREATE TABLE "complaint_events" (
	"complaint_id" text NOT NULL REFERENCES "complaints"("id") ON DELETE cascade,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "complaint_events_pk" PRIMARY KEY ("complaint_id", "seq")
);
--> statement-breakpoint
CREATE TABLE "complaint_cases" (
	"complaint_id" text NOT NULL REFERENCES "complaints"("id") ON DELETE cascade,
	"case_id" text NOT NULL REFERENCES "cases"("id") ON DELETE cascade,
	CONSTRAINT "complaint_cases_pk" PRIMARY KEY ("complaint_id", "case_id")
);
--> statement-breakpoint
CREATE INDEX "complaint_cases_case_idx" ON "complaint_cases" ("case_id");
--> statement-breakpoint
CREATE TABLE "complaint_escalations" (
	"id" serial PRIMARY KEY NOT NULL,
	"complaint_id" text NOT NULL REFERENCES "complaints"("id") ON DELETE cascade,
	"clock" text NOT NULL,
	"cycle" integer NOT NULL,
	"level" integer NOT NULL,
	"name" text NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"fired_at" timestamp (3) with time zone NOT NULL,
	"recipient" text NOT NULL,
	"owner" text,
	"priority" text NOT NULL,
	"notified" jsonb
);
--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_escalations_once_uq" ON "complaint_escalations" ("complaint_id", "clock", "cycle", "level");
--> statement-breakpoint
CREATE INDEX "complaint_escalations_due_idx" ON "complaint_escalations" ("due_at", "id");
--> statement-breakpoint
CREATE TABLE "complaint_updates" (
	"complaint_id" text NOT NULL REFERENCES "complaints"("id") ON DELETE cascade,
	"seq" integer NOT NULL,
	"kind" text NOT NULL,
	"owner" text,
	"at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone,
	"on_time" boolean NOT NULL,
	CONSTRAINT "complaint_updates_pk" PRIMARY KEY ("complaint_id", "seq")
);
--> statement-breakpoint
CREATE INDEX "complaint_updates_owner_idx" ON "complaint_updates" ("owner", "at");
--> statement-breakpoint
CREATE TABLE "complaint_evidence" (
	"id" text PRIMARY KEY NOT NULL,
	"complaint_id" text NOT NULL REFERENCES "complaints"("id") ON DELETE cascade,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" bytea NOT NULL,
	"note" text,
	"uploaded_by" text NOT NULL,
	"uploaded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "complaint_evidence_size_ck" CHECK ("size" = octet_length("content") AND "size" > 0),
	CONSTRAINT "complaint_evidence_sha_ck" CHECK ("sha256" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE UNIQUE INDEX "complaint_evidence_once_uq" ON "complaint_evidence" ("complaint_id", "sha256");
--> statement-breakpoint
CREATE TABLE "failure_codes" (
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"description" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "failure_codes_pk" PRIMARY KEY ("kind", "code"),
	CONSTRAINT "failure_codes_kind_ck" CHECK ("kind" IN ('symptom', 'cause', 'action')),
	CONSTRAINT "failure_codes_code_ck" CHECK ("code" ~ '^[A-Z0-9][A-Z0-9._-]{0,31}$')
);
--> statement-breakpoint
CREATE TABLE "case_failures" (
	"case_id" text NOT NULL REFERENCES "cases"("id") ON DELETE cascade,
	"seq" integer NOT NULL,
	"source" text NOT NULL,
	"model" text NOT NULL,
	"batch" text,
	"serial_number" text NOT NULL,
	"symptom_code" text,
	"cause_code" text,
	"action_code" text,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "case_failures_pk" PRIMARY KEY ("case_id", "seq"),
	CONSTRAINT "case_failures_source_ck" CHECK ("source" IN ('diagnosis', 'repair_report'))
);
--> statement-breakpoint
CREATE INDEX "case_failures_cluster_idx" ON "case_failures" ("model", "cause_code", "at");
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "repeat_of" text REFERENCES "cases"("id") ON DELETE set null;
--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_repeat_not_self_ck" CHECK ("repeat_of" IS NULL OR "repeat_of" <> "id");
--> statement-breakpoint
CREATE INDEX "cases_serial_idx" ON "cases" ("serial_number", "created_at");
--> statement-breakpoint
CREATE TABLE "quality_policies" (
	"id" text NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	CONSTRAINT "quality_policies_pk" PRIMARY KEY ("id", "version")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "quality_policies_current_uq" ON "quality_policies" ("id") WHERE "retired_at" IS NULL;
--> statement-breakpoint
CREATE TABLE "quality_issues" (
	"id" text PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"source" text NOT NULL,
	"title" text NOT NULL,
	"model" text NOT NULL,
	"cause_code" text,
	"stage" text NOT NULL,
	"owner" text,
	"cluster_key" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"version" integer DEFAULT 0 NOT NULL,
	"state" jsonb,
	"breached" boolean DEFAULT false NOT NULL,
	"policy" jsonb NOT NULL,
	"intake" jsonb NOT NULL,
	"created_by" text,
	CONSTRAINT "quality_issues_source_ck" CHECK ("source" IN ('complaint', 'repair_report', 'cluster'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "quality_issues_open_cluster_uq" ON "quality_issues" ("cluster_key") WHERE "cluster_key" IS NOT NULL AND "stage" NOT IN ('closed', 'cancelled');
--> statement-breakpoint
CREATE INDEX "quality_issues_created_idx" ON "quality_issues" ("created_at", "id");
--> statement-breakpoint
CREATE TABLE "quality_issue_links" (
	"issue_id" text NOT NULL REFERENCES "quality_issues"("id") ON DELETE cascade,
	"kind" text NOT NULL,
	"ref_id" text NOT NULL,
	CONSTRAINT "quality_issue_links_pk" PRIMARY KEY ("issue_id", "kind", "ref_id"),
	CONSTRAINT "quality_issue_links_kind_ck" CHECK ("kind" IN ('case', 'complaint'))
);
--> statement-breakpoint
CREATE INDEX "quality_issue_links_ref_idx" ON "quality_issue_links" ("kind", "ref_id");
--> statement-breakpoint
CREATE TABLE "quality_events" (
	"issue_id" text NOT NULL REFERENCES "quality_issues"("id") ON DELETE cascade,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "quality_events_pk" PRIMARY KEY ("issue_id", "seq")
);
--> statement-breakpoint
CREATE TABLE "quality_escalations" (
	"id" serial PRIMARY KEY NOT NULL,
	"issue_id" text NOT NULL REFERENCES "quality_issues"("id") ON DELETE cascade,
	"clock" text NOT NULL,
	"cycle" integer NOT NULL,
	"level" integer NOT NULL,
	"name" text NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"fired_at" timestamp (3) with time zone NOT NULL,
	"recipient" text NOT NULL,
	"owner" text,
	"notified" jsonb
);
--> statement-breakpoint
CREATE UNIQUE INDEX "quality_escalations_once_uq" ON "quality_escalations" ("issue_id", "clock", "cycle", "level");
