-- The dashboard's board (docs/dashboard.md) shows every open case with its SLA clocks counting down, from
-- the case list alone. The list reads only the small summary columns, not the state document (stored
-- out of line), so each clock as the list shows it is kept in a column of its own: a generated column
-- over the state's clocks, which every write of the state (the projection, an escalation) keeps current
-- and which this migration fills for the cases there are.
--
-- Per clock: its status, whether it breached, the deadline of a running clock (the calendar placed it
-- already: working time skips nights and holidays), the clock time left of a paused or stopped one (a
-- running one's is counted to its deadline), and the highest escalation step fired in its current cycle.
-- jsonb_build_object is only STABLE because it may call any type's output function; here it builds from
-- text, numbers and booleans only, so the result depends on the argument alone and the function may be
-- IMMUTABLE, which a generated column requires.
CREATE FUNCTION "case_clock_summary"(jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
      'name', k.key,
      'status', k.value->>'status',
      'breached', coalesce((k.value->>'breached')::boolean, false),
      'deadline', k.value->>'deadline',
      'leftMs', CASE WHEN k.value->>'status' <> 'running'
        THEN ((k.value->>'totalMs')::numeric - (k.value->>'consumedMs')::numeric)::bigint END,
      'level', (SELECT max((s->>'level')::int) FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(k.value->'steps') = 'array' THEN k.value->'steps' ELSE '[]'::jsonb END) s
        WHERE s ? 'firedAt')
    )) ORDER BY k.key)
  FROM jsonb_each(CASE WHEN jsonb_typeof($1) = 'object' THEN $1 ELSE '{}'::jsonb END) k
$$;
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "clock_summary" jsonb GENERATED ALWAYS AS (
  "case_clock_summary"("state"->'clocks')
) STORED;
