-- Manager insight (docs/kpis.md): the per-case facts the KPI reports count, kept beside the case state
-- they come from; product models with their warranty; cost entries of cases; yearly budgets; the report
-- settings; and the indexes the case list and the period reports read through.

-- An ISO 8601 instant of the case state (always written with its offset, by toISOString) as timestamptz.
-- The cast alone is only STABLE because a text without an offset would depend on the session's time
-- zone; every instant in the state carries one, so the result never changes and the function may be
-- IMMUTABLE, which the generated columns below require.
CREATE FUNCTION "insight_instant"(text) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT $1::timestamptz $$;
--> statement-breakpoint
-- The facts of a case, each an expression over its state (the workflow's, as projected): the reports
-- count these columns instead of reading every case's state document. Each on-time fact is true (on
-- time), false (late) or null (not decided yet, or never: a case cancelled before the step). A missing
-- part of the state gives null (`x->0 IS NOT NULL` asks for a non-empty list without caring what x is);
-- the casts read only what the workflow always writes as numbers, booleans and ISO instants.
ALTER TABLE "cases"
  -- First response: the first assignment to an engineer or the answer given at intake.
  ADD COLUMN "kpi_responded_at" timestamptz GENERATED ALWAYS AS (
    "insight_instant"(coalesce("state"->'assignments'->0->>'at', "state"->'resolution'->>'at'))
  ) STORED,
  -- Clock time the response took as the SLA counts it (working time for business-hour targets).
  ADD COLUMN "kpi_response_clock_ms" bigint GENERATED ALWAYS AS (
    CASE WHEN ("state"->'assignments'->0) IS NOT NULL OR "state" ? 'resolution'
      THEN ("state"->'clocks'->'response'->>'consumedMs')::numeric::bigint END
  ) STORED,
  ADD COLUMN "kpi_response_on_time" boolean GENERATED ALWAYS AS (
    CASE
      WHEN "state"->'clocks'->'response' IS NULL THEN NULL
      WHEN ("state"->'assignments'->0) IS NOT NULL OR "state" ? 'resolution'
        THEN NOT coalesce(("state"->'clocks'->'response'->>'breached')::boolean, false)
          AND ("state"->'clocks'->'response'->>'consumedMs')::numeric <= ("state"->'clocks'->'response'->>'totalMs')::numeric
      WHEN coalesce(("state"->'clocks'->'response'->>'breached')::boolean, false) THEN false
    END
  ) STORED,
  -- On-site arrival (emergencies): decided by the check-in (or a repair report, after a dispute cleared it).
  ADD COLUMN "kpi_arrival_on_time" boolean GENERATED ALWAYS AS (
    CASE
      WHEN "state"->'clocks'->'arrival' IS NULL THEN NULL
      WHEN coalesce(("state"->'clocks'->'arrival'->>'breached')::boolean, false) THEN false
      WHEN ("state" ? 'checkIn' OR ("state"->'repairReports'->0) IS NOT NULL)
        AND "state"->'clocks'->'arrival'->>'status' = 'stopped'
        THEN ("state"->'clocks'->'arrival'->>'consumedMs')::numeric <= ("state"->'clocks'->'arrival'->>'totalMs')::numeric
    END
  ) STORED,
  -- Repair: decided once a repair report stopped the clock (a dispute runs it again: undecided until
  -- the next report); a case cancelled after a report is not judged on it.
  ADD COLUMN "kpi_repair_on_time" boolean GENERATED ALWAYS AS (
    CASE
      WHEN "state"->'clocks'->'repair' IS NULL THEN NULL
      WHEN coalesce(("state"->'clocks'->'repair'->>'breached')::boolean, false) THEN false
      WHEN ("state"->'repairReports'->0) IS NOT NULL
        AND "state"->'clocks'->'repair'->>'status' = 'stopped'
        AND coalesce("state"->>'outcome', '') <> 'cancelled'
        THEN ("state"->'clocks'->'repair'->>'consumedMs')::numeric <= ("state"->'clocks'->'repair'->>'totalMs')::numeric
    END
  ) STORED,
  -- The last repair report: a new case on the same serial soon after it is a repeat failure (返修).
  ADD COLUMN "kpi_repaired_at" timestamptz GENERATED ALWAYS AS (
    "insight_instant"("state"->'repairReports'->-1->>'at')
  ) STORED,
  -- First-time fix: the customer accepted the repair and never disputed it.
  ADD COLUMN "kpi_first_time_fix" boolean GENERATED ALWAYS AS (
    CASE WHEN coalesce("state"->'feedback', '[]'::jsonb) @> '[{"accepted": true}]'::jsonb
      THEN coalesce(("state"->>'disputes')::int, 0) = 0 END
  ) STORED,
  ADD COLUMN "kpi_survey_service" smallint GENERATED ALWAYS AS (
    ("state"->'survey'->'response'->>'serviceQuality')::smallint
  ) STORED,
  ADD COLUMN "kpi_survey_effect" smallint GENERATED ALWAYS AS (
    ("state"->'survey'->'response'->>'repairEffect')::smallint
  ) STORED,
  ADD COLUMN "kpi_survey_attitude" smallint GENERATED ALWAYS AS (
    ("state"->'survey'->'response'->>'attitude')::smallint
  ) STORED;
--> statement-breakpoint
-- The case list: every filter it offers, each with the list's order (created_at, id) after it, so a page
-- is read from one index in order and stops after its rows.
DROP INDEX IF EXISTS "cases_stage_idx";
--> statement-breakpoint
DROP INDEX IF EXISTS "cases_assignee_idx";
--> statement-breakpoint
DROP INDEX IF EXISTS "cases_breached_idx";
--> statement-breakpoint
CREATE INDEX "cases_stage_idx" ON "cases" ("stage", "created_at", "id");
--> statement-breakpoint
CREATE INDEX "cases_assignee_idx" ON "cases" ("assignee", "created_at", "id");
--> statement-breakpoint
CREATE INDEX "cases_breached_idx" ON "cases" ("breached", "created_at", "id");
--> statement-breakpoint
CREATE INDEX "cases_severity_idx" ON "cases" ("severity", "created_at", "id");
--> statement-breakpoint
CREATE INDEX "cases_opened_by_idx" ON "cases" ("created_by_key", "created_at", "id");
--> statement-breakpoint
-- The list's text search (q: part of the customer name, serial or model, ILIKE '%…%'): trigram indexes,
-- where the server offers pg_trgm (a trusted contrib extension, shipped with PostgreSQL's usual packages
-- and the embedded server). Without it the search still works, by reading the list in order.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pg_trgm could not be installed (%); the case list searches text without an index', SQLERRM;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS "cases_customer_trgm_idx" ON "cases" USING gin ("customer_name" gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS "cases_serial_trgm_idx" ON "cases" USING gin ("serial_number" gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS "cases_model_trgm_idx" ON "cases" USING gin ("product_model" gin_trgm_ops);
  END IF;
END $$;
--> statement-breakpoint
-- The period reports: the cases the customer reported in a period, read from the index alone (it carries
-- every column a report counts or groups by, so a year of cases is read without the rows and their
-- state documents), and the later cases of a repaired serial.
CREATE INDEX "cases_reported_idx" ON "cases" ("reported_at") INCLUDE (
  "id", "stage", "outcome", "assignee", "channel", "product_model", "product_line", "customer_name",
  "serial_number", "purchase_date", "kpi_responded_at", "kpi_response_clock_ms", "kpi_response_on_time",
  "kpi_arrival_on_time", "kpi_repair_on_time", "kpi_repaired_at", "kpi_first_time_fix",
  "kpi_survey_service", "kpi_survey_effect", "kpi_survey_attitude"
);
--> statement-breakpoint
-- Replaces the complaints migration's index of the same name (serial, created_at): repeat failures and
-- the KPI report both look a serial up by when it was reported.
DROP INDEX IF EXISTS "cases_serial_idx";
--> statement-breakpoint
CREATE INDEX "cases_serial_idx" ON "cases" ("serial_number", "reported_at") INCLUDE ("id");
--> statement-breakpoint
-- Product models: the line a model belongs to and its warranty.
CREATE TABLE "product_models" (
  "model" text PRIMARY KEY CHECK (length("model") BETWEEN 1 AND 100),
  "product_line" text,
  "warranty_months" integer NOT NULL CHECK ("warranty_months" BETWEEN 0 AND 240),
  "updated_by" text NOT NULL,
  "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Costs entered by people: labour, travel, other and parts not issued from stock (parts issued from
-- stock are costed from the stock ledger's issue movements, db/costs.ts). Amounts in integer fen.
-- Entries without a case are the service's own costs (training, …) that count against the budget.
CREATE TABLE "cost_entries" (
  "id" bigserial PRIMARY KEY,
  "case_id" text REFERENCES "cases"("id") ON DELETE CASCADE,
  "category" text NOT NULL CHECK ("category" IN ('parts', 'labour', 'travel', 'training', 'other')),
  "coverage" text CHECK ("coverage" IN ('warranty', 'goodwill', 'chargeable')),
  "amount" bigint NOT NULL CHECK ("amount" >= 0),
  "hours" numeric(8, 2) CHECK ("hours" > 0),
  "role" text,
  "rate" bigint CHECK ("rate" >= 0),
  "part_number" text,
  "quantity" integer CHECK ("quantity" > 0),
  "description" text,
  "incurred_on" date NOT NULL,
  "entered_by" text NOT NULL,
  "created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "cost_entry_case_has_coverage" CHECK (("case_id" IS NULL) = ("coverage" IS NULL)),
  CONSTRAINT "cost_entry_labour_priced" CHECK (
    "category" <> 'labour' OR ("hours" IS NOT NULL AND "role" IS NOT NULL AND "rate" IS NOT NULL)
  )
);
--> statement-breakpoint
CREATE INDEX "cost_entries_case_idx" ON "cost_entries" ("case_id") WHERE "case_id" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "cost_entries_incurred_idx" ON "cost_entries" ("incurred_on");
--> statement-breakpoint
CREATE INDEX "stock_movements_issue_at_idx" ON "stock_movements" ("at") WHERE "kind" = 'issue';
--> statement-breakpoint
-- Yearly budgets (预算): entered by finance, approved by the manager; a change after approval needs a
-- new approval (status back to draft, revision + 1).
CREATE TABLE "budgets" (
  "year" integer PRIMARY KEY CHECK ("year" BETWEEN 2000 AND 2100),
  "status" text NOT NULL CHECK ("status" IN ('draft', 'approved')),
  "revision" integer NOT NULL DEFAULT 1,
  "entered_by" text NOT NULL,
  "entered_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
  "approved_by" text,
  "approved_at" timestamp (3) with time zone,
  CONSTRAINT "budget_approval_named" CHECK (("status" = 'approved') = ("approved_by" IS NOT NULL AND "approved_at" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "budget_lines" (
  "year" integer NOT NULL REFERENCES "budgets"("year") ON DELETE CASCADE,
  "category" text NOT NULL CHECK ("category" IN ('parts', 'labour', 'travel', 'training', 'other')),
  "month" integer NOT NULL CHECK ("month" BETWEEN 1 AND 12),
  "amount" bigint NOT NULL CHECK ("amount" >= 0),
  PRIMARY KEY ("year", "category", "month")
);
--> statement-breakpoint
-- The report settings (domain/insight/settings.ts): one document; absent, the defaults apply.
CREATE TABLE "insight_settings" (
  "id" text PRIMARY KEY DEFAULT 'current' CHECK ("id" = 'current'),
  "definition" jsonb NOT NULL,
  "updated_by" text NOT NULL,
  "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
