-- Manager insight, complaints (docs/kpis.md, "Complaints"): the per-complaint facts the KPI report counts,
-- generated from the complaint's state as the complaint workflow projects it (as migration 0010 does for
-- cases), and the index the report reads a period's complaints from.
--
-- Each fact is true / false / an instant when the state decides it and null otherwise. The clocks are the
-- SLA engine's (domain/sla-clock.ts): `consumedMs` and `totalMs` in clock time, `breached` once a step at
-- 100 % fired, `deadline` only while running. A withdrawn complaint's clocks are left as they were (the
-- workflow ends), so its facts are read as of the withdrawal.
ALTER TABLE "complaints"
  -- Resolved: the customer accepted the answer (stage verifying, then closed); the last acceptance, as an
  -- effectiveness check that fails sends the complaint back to investigating until it is accepted again.
  ADD COLUMN "kpi_resolved_at" timestamptz GENERATED ALWAYS AS (
    CASE WHEN "stage" IN ('verifying', 'closed') THEN "insight_instant"(
      jsonb_path_query_array("state"->'responses', '$[*] ? (@.accepted == true)')->-1->>'at'
    ) END
  ) STORED,
  -- Resolution time as the resolve clock counted it (working time for working-day targets).
  ADD COLUMN "kpi_resolve_clock_ms" bigint GENERATED ALWAYS AS (
    CASE WHEN "stage" IN ('verifying', 'closed') AND "state"->'clocks'->'resolve'->>'status' = 'stopped'
      THEN ("state"->'clocks'->'resolve'->>'consumedMs')::numeric::bigint END
  ) STORED,
  -- Resolved within the complaint's own resolve target: late once the target passed (withdrawn or not,
  -- as a breached case is late), on time when resolved within it, undecided while neither.
  ADD COLUMN "kpi_resolve_on_time" boolean GENERATED ALWAYS AS (
    CASE
      WHEN "state"->'clocks'->'resolve' IS NULL THEN NULL
      WHEN coalesce(("state"->'clocks'->'resolve'->>'breached')::boolean, false) THEN false
      WHEN "stage" IN ('verifying', 'closed') AND "state"->'clocks'->'resolve'->>'status' = 'stopped'
        THEN ("state"->'clocks'->'resolve'->>'consumedMs')::numeric <= ("state"->'clocks'->'resolve'->>'totalMs')::numeric
    END
  ) STORED,
  -- The progress clock's current cycle (every earlier cycle ended with an update, in complaint_updates)
  -- has already missed its deadline: the missed step fired, it stopped past its target, or the complaint
  -- was withdrawn after the deadline.
  ADD COLUMN "kpi_progress_missed" boolean GENERATED ALWAYS AS (
    CASE WHEN "state"->'clocks'->'progress' IS NOT NULL THEN
      coalesce(("state"->'clocks'->'progress'->>'breached')::boolean, false)
      OR ("state"->'clocks'->'progress'->>'status' = 'stopped'
        AND ("state"->'clocks'->'progress'->>'consumedMs')::numeric > ("state"->'clocks'->'progress'->>'totalMs')::numeric)
      OR ("stage" = 'withdrawn' AND "state"->'clocks'->'progress'->>'status' = 'running'
        AND "insight_instant"("state"->'clocks'->'progress'->>'deadline') < "insight_instant"("state"->'withdrawal'->>'at'))
    END
  ) STORED,
  -- The deadline of the current cycle while an update is still owed (unresolved, open, not yet missed):
  -- the report counts it missed once the deadline lies before the moment it runs.
  ADD COLUMN "kpi_progress_due_at" timestamptz GENERATED ALWAYS AS (
    CASE WHEN "stage" IN ('registered', 'investigating', 'answered')
      AND "state"->'clocks'->'progress'->>'status' = 'running'
      AND NOT coalesce(("state"->'clocks'->'progress'->>'breached')::boolean, false)
      THEN "insight_instant"("state"->'clocks'->'progress'->>'deadline') END
  ) STORED;
--> statement-breakpoint
-- The KPI report reads a period's complaints from the index alone (every column it counts or groups by).
CREATE INDEX "complaints_reported_idx" ON "complaints" ("reported_at") INCLUDE (
  "id", "stage", "priority", "owner", "channel", "region", "product_model", "product_line", "customer_name",
  "kpi_resolved_at", "kpi_resolve_clock_ms", "kpi_resolve_on_time", "kpi_progress_missed", "kpi_progress_due_at"
);
