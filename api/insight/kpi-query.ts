// The KPI report's SQL (docs/kpis.md): the cases the customer reported in the period (the cohort),
// with the key of the requested grouping, counted from the kpi_* facts of each case row (migration
// 0010), their escalations, their open stages and their cost lines; the complaints received in the
// period, counted from their facts (migration 0012), their progress updates and their escalations; and
// the escalations of the quality issues raised in the period — only a few rows per
// group leave the database: one statement, or two at once for a long period (kpiStatements).
// domain/insight/kpis.ts turns the counts into figures.
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { OPEN_STAGES } from '../../domain/case.js';
import type { Priority } from '../../domain/complaints/policy.js';
import {
  BACKLOG_AGES,
  type ComplaintCounts,
  emptyCounts,
  type GroupBy,
  type KpiCounts,
} from '../../domain/insight/kpis.js';
import type { Period } from '../../domain/insight/period.js';
import type { InsightSettings } from '../../domain/insight/settings.js';
import { stockIssueAmountSql, warrantyCoverageSql } from './cost-lines.js';

/** Key and label of each grouping, over cases c, the assignee p, their team t and the model pm. */
const GROUPINGS: Record<GroupBy, { key: SQL; label: SQL }> = {
  engineer: { key: sql`c.assignee`, label: sql`coalesce(p.name, c.assignee)` },
  team: { key: sql`p.team_id`, label: sql`coalesce(t.name, p.team_id)` },
  region: {
    key: sql`coalesce(c.customer_region, p.region, t.region)`,
    label: sql`coalesce(c.customer_region, p.region, t.region)`,
  },
  model: { key: sql`c.product_model`, label: sql`c.product_model` },
  line: {
    key: sql`coalesce(c.product_line, pm.product_line)`,
    label: sql`coalesce(c.product_line, pm.product_line)`,
  },
  customer: { key: sql`c.customer_name`, label: sql`c.customer_name` },
  channel: { key: sql`c.channel`, label: sql`c.channel` },
};

/**
 * The same groupings for complaints co (their owner o, the owner's team ot): the owner stands for the
 * engineer, the region given at intake for the customer's (docs/kpis.md, "Complaints").
 */
const COMPLAINT_GROUPINGS: Record<GroupBy, { key: SQL; label: SQL }> = {
  engineer: { key: sql`co.owner`, label: sql`coalesce(o.name, co.owner)` },
  team: { key: sql`o.team_id`, label: sql`coalesce(ot.name, o.team_id)` },
  region: {
    key: sql`coalesce(co.region, o.region, ot.region)`,
    label: sql`coalesce(co.region, o.region, ot.region)`,
  },
  model: { key: sql`co.product_model`, label: sql`co.product_model` },
  line: {
    key: sql`coalesce(co.product_line, cpm.product_line)`,
    label: sql`coalesce(co.product_line, cpm.product_line)`,
  },
  customer: { key: sql`co.customer_name`, label: sql`co.customer_name` },
  channel: { key: sql`co.channel`, label: sql`co.channel` },
};

/**
 * The same groupings for quality issues qi (their owner qo, the owner's team qt, the model's line qpm): a
 * quality issue has no customer and no channel (key null: a filter on either keeps none).
 */
const QUALITY_GROUPINGS: Record<GroupBy, { key: SQL; label: SQL }> = {
  // An issue with its stage's desk (desk:rnd …) has no owner, as a complaint left with a desk.
  engineer: {
    key: sql`CASE WHEN qi.owner LIKE 'desk:%' THEN NULL ELSE qi.owner END`,
    label: sql`CASE WHEN qi.owner LIKE 'desk:%' THEN NULL ELSE coalesce(qo.name, qi.owner) END`,
  },
  team: { key: sql`qo.team_id`, label: sql`coalesce(qt.name, qo.team_id)` },
  region: { key: sql`coalesce(qo.region, qt.region)`, label: sql`coalesce(qo.region, qt.region)` },
  model: { key: sql`qi.model`, label: sql`qi.model` },
  line: { key: sql`qpm.product_line`, label: sql`qpm.product_line` },
  customer: { key: sql`NULL::text`, label: sql`NULL::text` },
  channel: { key: sql`NULL::text`, label: sql`NULL::text` },
};

export interface KpiQuery {
  period: Period;
  groupBy?: GroupBy;
  filters: Partial<Record<GroupBy, string>>;
  settings: InsightSettings;
  now: Date;
}

export interface KpiGroupCounts {
  key: string | null;
  label: string | null;
  counts: KpiCounts;
}

const NONE_LABEL = '(未指定)';

type Part =
  | { part: 'main'; total: boolean; gkey: string | null; glabel: string | null; [k: string]: unknown }
  | { part: 'repeats'; gkey: string | null; n: number }
  | { part: 'backlog'; gkey: string | null; stage: string; band: string; n: number }
  | { part: 'escalations'; gkey: string | null; level: number; n: number }
  | { part: 'complaint_escalations'; gkey: string | null; level: number; n: number }
  | {
      part: 'quality_escalations';
      gkey: string | null;
      glabel: string | null;
      level: number;
      n: number;
    }
  | { part: 'costs'; gkey: string | null; category: string; coverage: string | null; amount: number }
  | {
      part: 'complaints';
      in_group: boolean;
      gkey: string | null;
      glabel: string | null;
      priority: Priority | null;
      received: number;
      resolved: number;
      resolution_minutes: [number | null, number | null] | null;
      resolution_clock_minutes: [number | null, number | null] | null;
      resolution_decided: number;
      resolved_on_time: number;
      progress_missed: number;
    }
  | { part: 'progress'; gkey: string | null; due: number; on_time: number };

/** A part of a report's SQL: its common table expressions and the rows (JSON, one per group and part) it selects. */
interface KpiPart {
  ctes: SQL;
  rows: SQL;
}

/**
 * The report's SQL in two halves: the cases' own counts and their repeat failures (main, repeats) — and,
 * `split` into two statements, their escalations — and what else is joined to the cases or is not a
 * case (backlog, escalations unless split, costs, complaints, progress).
 */
export function kpiParts(q: KpiQuery, split = false): [KpiPart, KpiPart] {
  const g = q.groupBy ? GROUPINGS[q.groupBy] : { key: sql`NULL::text`, label: sql`NULL::text` };
  const cg = q.groupBy ? COMPLAINT_GROUPINGS[q.groupBy] : { key: sql`NULL::text`, label: sql`NULL::text` };
  const qg = q.groupBy ? QUALITY_GROUPINGS[q.groupBy] : { key: sql`NULL::text`, label: sql`NULL::text` };
  const from = q.period.fromInstant.toISOString();
  const to = q.period.toInstant.toISOString();
  const where: SQL[] = [sql`c.reported_at >= ${from}::timestamptz`, sql`c.reported_at < ${to}::timestamptz`];
  const complaintWhere: SQL[] = [
    sql`co.reported_at >= ${from}::timestamptz`,
    sql`co.reported_at < ${to}::timestamptz`,
  ];
  const qualityWhere: SQL[] = [
    sql`qi.created_at >= ${from}::timestamptz`,
    sql`qi.created_at < ${to}::timestamptz`,
  ];
  for (const [name, value] of Object.entries(q.filters)) {
    if (value === undefined) continue;
    where.push(sql`${GROUPINGS[name as GroupBy].key} = ${value}`);
    complaintWhere.push(sql`${COMPLAINT_GROUPINGS[name as GroupBy].key} = ${value}`);
    qualityWhere.push(sql`${QUALITY_GROUPINGS[name as GroupBy].key} = ${value}`);
  }
  const window = q.settings.repeatFailureWindowDays;
  const now = q.now.toISOString();
  const bands = BACKLOG_AGES.filter((a) => Number.isFinite(a.maxDays));
  const band = sql.join(
    [
      sql`CASE`,
      ...bands.map(
        (a) =>
          sql`WHEN ${now}::timestamptz - reported_at < make_interval(days => ${a.maxDays}::int) THEN ${a.band}`,
      ),
      sql`ELSE ${BACKLOG_AGES[BACKLOG_AGES.length - 1]!.band} END`,
    ],
    sql` `,
  );
  const grouping = q.groupBy ? sql`GROUPING SETS ((gkey, glabel), ())` : sql`()`;
  // GROUPING() names the totals row of the grouping sets; without groupBy the one row is the totals.
  const isTotal = q.groupBy ? sql`GROUPING(gkey, glabel) = 3` : sql`true`;
  const keys = q.groupBy ? sql`gkey, glabel` : sql`NULL::text AS gkey, NULL::text AS glabel`;
  // Complaints: per priority and in all, per group and in total.
  const complaintGrouping = q.groupBy
    ? sql`GROUPING SETS ((gkey, glabel, priority), (gkey, glabel), (priority), ())`
    : sql`GROUPING SETS ((priority), ())`;
  const inGroup = q.groupBy ? sql`GROUPING(gkey, glabel) = 0` : sql`false`;
  const caseRows = sql`cases c
        LEFT JOIN people p ON p.id = c.assignee
        LEFT JOIN teams t ON t.id = p.team_id
        LEFT JOIN product_models pm ON pm.model = c.product_model
      WHERE ${sql.join(where, sql` AND `)}`;
  // The cohort's escalations. Split in two statements, they go with the cases' own counts rather than
  // beside the cost lines, which take the longer, so the two halves take about as long as each other;
  // in one statement they join the materialized cohort.
  const escalated = (cohort: SQL) => sql`
    escalated AS (
      SELECT 'escalations' AS part, k.gkey, e.level, count(*)::int AS n
      FROM ${cohort} k JOIN escalations e ON e.case_id = k.id
      GROUP BY k.gkey, e.level
    )`;
  const caseCounts = sql`
    -- The counts of the cases' own facts, straight from the covering index (no join but the grouping's).
    main AS (
      SELECT 'main' AS part, ${isTotal} AS total, ${keys},
        count(*)::int AS cases,
        count(*) FILTER (WHERE responded)::int AS responded,
        -- Both percentiles from one sort each: [median, p90].
        percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_minutes) AS response_minutes,
        percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY response_clock_minutes) AS response_clock_minutes,
        count(kpi_response_on_time)::int AS response_decided,
        count(*) FILTER (WHERE kpi_response_on_time)::int AS responded_on_time,
        count(kpi_arrival_on_time)::int AS arrival_decided,
        count(*) FILTER (WHERE kpi_arrival_on_time)::int AS arrived_on_time,
        count(kpi_repair_on_time)::int AS repair_decided,
        count(*) FILTER (WHERE kpi_repair_on_time)::int AS repaired_on_time,
        count(kpi_first_time_fix)::int AS accepted,
        count(*) FILTER (WHERE kpi_first_time_fix)::int AS fixed_first_time,
        count(repaired_at)::int AS repaired,
        count(*) FILTER (WHERE outcome IN ('survey_answered', 'survey_expired'))::int AS surveys_closed,
        count(*) FILTER (WHERE outcome = 'survey_answered' AND kpi_survey_service IS NOT NULL)::int AS surveys_answered,
        coalesce(sum(kpi_survey_service) FILTER (WHERE outcome = 'survey_answered'), 0)::int AS sum_service,
        coalesce(sum(kpi_survey_effect) FILTER (WHERE outcome = 'survey_answered'), 0)::int AS sum_effect,
        coalesce(sum(kpi_survey_attitude) FILTER (WHERE outcome = 'survey_answered'), 0)::int AS sum_attitude
      FROM (
        SELECT ${g.key} AS gkey, ${g.label} AS glabel, c.outcome,
          c.kpi_responded_at IS NOT NULL AS responded,
          -- Only the responded ones (greatest() would turn the others' null into 0).
          CASE WHEN c.kpi_responded_at IS NOT NULL
            THEN greatest(0, date_part('epoch', c.kpi_responded_at - c.reported_at)) / 60 END AS response_minutes,
          c.kpi_response_clock_ms / 60000.0::float8 AS response_clock_minutes,
          c.kpi_response_on_time, c.kpi_arrival_on_time, c.kpi_repair_on_time, c.kpi_first_time_fix,
          c.kpi_repaired_at AS repaired_at, c.kpi_survey_service, c.kpi_survey_effect, c.kpi_survey_attitude
        FROM ${caseRows}
      ) k
      GROUP BY ${grouping}
    ),
    -- Repaired cases of the cohort whose serial came back within the window: one join over the cases
    -- reported since the period began (no later case can be a repeat of the cohort's repairs).
    repeats AS (
      SELECT 'repeats' AS part, gkey, count(*)::int AS n
      FROM (
        SELECT DISTINCT k.id, k.gkey
        FROM (
          SELECT c.id, ${g.key} AS gkey, c.serial_number, c.kpi_repaired_at AS repaired_at
          FROM ${caseRows} AND c.kpi_repaired_at IS NOT NULL
        ) k JOIN cases d ON d.serial_number = k.serial_number
        WHERE d.id <> k.id
          AND d.reported_at > ${from}::timestamptz
          AND d.reported_at > k.repaired_at
          AND d.reported_at <= k.repaired_at + make_interval(days => ${window}::int)
      ) r
      GROUP BY gkey
    )${split ? sql`, ${escalated(sql`(SELECT c.id, ${g.key} AS gkey FROM ${caseRows})`)}` : sql``}
  `;
  const caseCountRows = sql`
    SELECT row_to_json(main) AS row FROM main
    UNION ALL SELECT row_to_json(repeats) FROM repeats
    UNION ALL SELECT row_to_json(escalated) FROM escalated`;
  const joined = sql`
    cohort AS MATERIALIZED (
      -- What the parts below join on: narrow, so it stays small.
      SELECT c.id, ${g.key} AS gkey, c.stage, c.reported_at, c.purchase_date, pm.warranty_months
      FROM ${caseRows}
    ),
    ${split ? sql`` : sql`${escalated(sql`cohort`)},`}
    backlog AS (
      SELECT 'backlog' AS part, gkey, stage, ${band} AS band, count(*)::int AS n
      FROM cohort WHERE stage IN (${sql.join(
        OPEN_STAGES.map((s) => sql`${s}`),
        sql`, `,
      )})
      GROUP BY gkey, stage, band
    ),
    -- The cohort's cost lines as api/insight/cost-lines.ts defines them (entered lines; stock issues at
    -- the ledger's cost, covered as the case's warranty says), joined from the cohort's side so a period
    -- reads only its own cases' lines.
    costs AS (
      SELECT 'costs' AS part, gkey, category, coverage, sum(amount)::float8 AS amount
      FROM (
        SELECT k.gkey, e.category, e.coverage, e.amount
        FROM cohort k JOIN cost_entries e ON e.case_id = k.id
        UNION ALL
        SELECT k.gkey, 'parts', ${warrantyCoverageSql(q.settings, sql.raw('k'), sql.raw('k'))}, ${stockIssueAmountSql()}
        FROM cohort k JOIN stock_movements m ON m.case_id = k.id AND m.kind = 'issue'
      ) l
      GROUP BY gkey, category, coverage
    ),
    -- The complaints received in the period, with their facts (migration 0012). A progress cycle still
    -- owing an update counts as missed once its deadline lies before now.
    complaint_cohort AS MATERIALIZED (
      SELECT co.id, co.priority, ${cg.key} AS gkey, ${cg.label} AS glabel,
        -- Only the resolved ones (greatest() would turn the others' null into 0).
        CASE WHEN co.kpi_resolved_at IS NOT NULL
          THEN greatest(0, date_part('epoch', co.kpi_resolved_at - co.reported_at)) / 60 END AS resolution_minutes,
        co.kpi_resolve_clock_ms / 60000.0::float8 AS resolution_clock_minutes,
        co.kpi_resolved_at, co.kpi_resolve_on_time,
        coalesce(co.kpi_progress_missed, false) OR coalesce(co.kpi_progress_due_at <= ${now}::timestamptz, false)
          AS progress_missed
      FROM complaints co
        LEFT JOIN people o ON o.id = co.owner
        LEFT JOIN teams ot ON ot.id = o.team_id
        LEFT JOIN product_models cpm ON cpm.model = co.product_model
      WHERE ${sql.join(complaintWhere, sql` AND `)}
    ),
    complaint_main AS (
      SELECT 'complaints' AS part, ${inGroup} AS in_group, ${keys}, priority,
        count(*)::int AS received,
        count(kpi_resolved_at)::int AS resolved,
        percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolution_minutes) AS resolution_minutes,
        percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY resolution_clock_minutes) AS resolution_clock_minutes,
        count(kpi_resolve_on_time)::int AS resolution_decided,
        count(*) FILTER (WHERE kpi_resolve_on_time)::int AS resolved_on_time,
        count(*) FILTER (WHERE progress_missed)::int AS progress_missed
      FROM complaint_cohort GROUP BY ${complaintGrouping}
    ),
    -- Every update recorded with a deadline ended a progress cycle that was due: on time or late.
    progress AS (
      SELECT 'progress' AS part, k.gkey, count(*)::int AS due, count(*) FILTER (WHERE u.on_time)::int AS on_time
      FROM complaint_cohort k JOIN complaint_updates u ON u.complaint_id = k.id AND u.due_at IS NOT NULL
      GROUP BY k.gkey
    ),
    -- The escalations fired on the period's complaints, whenever they fired.
    complaint_escalated AS (
      SELECT 'complaint_escalations' AS part, k.gkey, e.level, count(*)::int AS n
      FROM complaint_cohort k JOIN complaint_escalations e ON e.complaint_id = k.id
      GROUP BY k.gkey, e.level
    ),
    -- The escalations fired on the quality issues raised in the period, whenever they fired.
    quality_escalated AS (
      SELECT 'quality_escalations' AS part, gkey, glabel, level, count(*)::int AS n
      FROM (
        SELECT ${qg.key} AS gkey, ${qg.label} AS glabel, e.level
        FROM quality_issues qi
          JOIN quality_escalations e ON e.issue_id = qi.id
          LEFT JOIN people qo ON qo.id = qi.owner
          LEFT JOIN teams qt ON qt.id = qo.team_id
          LEFT JOIN product_models qpm ON qpm.model = qi.model
        WHERE ${sql.join(qualityWhere, sql` AND `)}
      ) k
      GROUP BY gkey, glabel, level
    )
  `;
  const joinedRows = sql`
    SELECT row_to_json(backlog) AS row FROM backlog
    UNION ALL SELECT row_to_json(costs) FROM costs
    UNION ALL SELECT row_to_json(complaint_main) FROM complaint_main
    UNION ALL SELECT row_to_json(progress) FROM progress
    UNION ALL SELECT row_to_json(complaint_escalated) FROM complaint_escalated
    UNION ALL SELECT row_to_json(quality_escalated) FROM quality_escalated`;
  return [
    { ctes: caseCounts, rows: caseCountRows },
    { ctes: joined, rows: joinedRows },
  ];
}

/** Periods longer than this are counted by two statements at once (kpiStatements). */
export const PARALLEL_FROM_DAYS = 92;

/**
 * The statements of a report. A long period's two halves go as two statements at once, on two
 * connections, so a year takes about the longer of them rather than their sum where the server has a
 * core to spare; each sees the read model as it is when it starts, and every figure with its groups and
 * totals comes from one of them. A shorter period is one statement: there the second connection and the
 * second pass over the period's cases cost more than running the halves side by side saves.
 */
export function kpiStatements(q: KpiQuery): SQL[] {
  const days = (q.period.toInstant.getTime() - q.period.fromInstant.getTime()) / 86_400_000;
  const [a, b] = kpiParts(q, days > PARALLEL_FROM_DAYS);
  if (days > PARALLEL_FROM_DAYS) return [sql`WITH ${a.ctes} ${a.rows}`, sql`WITH ${b.ctes} ${b.rows}`];
  return [sql`WITH ${a.ctes}, ${b.ctes} ${a.rows} UNION ALL ${b.rows}`];
}

/** Counts of the whole cohort and, with groupBy, of each group (largest first). */
export async function kpiCounts(
  db: Database,
  q: KpiQuery,
): Promise<{ totals: KpiCounts; groups: KpiGroupCounts[] }> {
  const statements = kpiStatements(q);
  // Two statements already keep both of the server's cores busy: parallel workers of one of them would
  // only contend with the other (and cost a process start each). Measured at 100,000 cases, twelve months
  // by model (bench/README.md, "queries"): the case half's parallel hash join for repeat failures was
  // the slower for them. One statement may still use them.
  const run = (statement: SQL) =>
    statements.length === 1
      ? db.execute<{ row: Part }>(statement)
      : db.transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL max_parallel_workers_per_gather = 0`);
          return tx.execute<{ row: Part }>(statement);
        });
  const rows = (await Promise.all(statements.map(run))).flat();

  const totals = emptyCounts();
  const groups = new Map<string | null, KpiGroupCounts>();
  const groupOf = (key: string | null, label?: string | null) => {
    let found = groups.get(key);
    if (!found) {
      found = { key, label: label ?? null, counts: emptyCounts() };
      groups.set(key, found);
    }
    if (label !== undefined && label !== null) found.label = label;
    return found.counts;
  };
  // Without groupBy every row carries the NULL key of the one group: the totals alone.
  const targetsOf = (key: string | null) => (q.groupBy ? [totals, groupOf(key)] : [totals]);
  for (const { row } of rows) {
    switch (row.part) {
      case 'main': {
        const into = row.total || !q.groupBy ? totals : groupOf(row.gkey, row.glabel);
        const r = row as Record<string, number | null>;
        const n = (k: string) => r[k] ?? 0;
        const [wallMedian, wallP90] = (row.response_minutes as [number | null, number | null] | null) ?? [];
        const [clockMedian, clockP90] =
          (row.response_clock_minutes as [number | null, number | null] | null) ?? [];
        Object.assign(into, {
          cases: n('cases'),
          responded: n('responded'),
          responseMinutesMedian: wallMedian ?? null,
          responseMinutesP90: wallP90 ?? null,
          responseClockMinutesMedian: clockMedian ?? null,
          responseClockMinutesP90: clockP90 ?? null,
          responseDecided: n('response_decided'),
          respondedOnTime: n('responded_on_time'),
          arrivalDecided: n('arrival_decided'),
          arrivedOnTime: n('arrived_on_time'),
          repairDecided: n('repair_decided'),
          repairedOnTime: n('repaired_on_time'),
          accepted: n('accepted'),
          fixedFirstTime: n('fixed_first_time'),
          repaired: n('repaired'),
          surveysClosed: n('surveys_closed'),
          surveysAnswered: n('surveys_answered'),
          surveySums: {
            serviceQuality: n('sum_service'),
            repairEffect: n('sum_effect'),
            attitude: n('sum_attitude'),
          },
        } satisfies Partial<KpiCounts>);
        break;
      }
      case 'repeats':
        for (const c of targetsOf(row.gkey)) c.repeatFailures += row.n;
        break;
      case 'backlog':
        for (const c of targetsOf(row.gkey)) {
          const stage = row.stage as keyof KpiCounts['openByStage'];
          const band = row.band as keyof KpiCounts['openByAge'];
          c.openByStage[stage] = (c.openByStage[stage] ?? 0) + row.n;
          c.openByAge[band] = (c.openByAge[band] ?? 0) + row.n;
        }
        break;
      case 'escalations':
        for (const c of targetsOf(row.gkey)) {
          const level = String(row.level);
          c.escalationsByLevel[level] = (c.escalationsByLevel[level] ?? 0) + row.n;
        }
        break;
      case 'complaint_escalations':
        for (const c of targetsOf(row.gkey)) {
          const level = String(row.level);
          c.complaintEscalationsByLevel[level] = (c.complaintEscalationsByLevel[level] ?? 0) + row.n;
        }
        break;
      case 'quality_escalations':
        // A group may hold quality issues alone: it is named from them.
        if (q.groupBy) groupOf(row.gkey, row.glabel);
        for (const c of targetsOf(row.gkey)) {
          const level = String(row.level);
          c.qualityEscalationsByLevel[level] = (c.qualityEscalationsByLevel[level] ?? 0) + row.n;
        }
        break;
      case 'costs':
        for (const c of targetsOf(row.gkey)) {
          const category = row.category as keyof KpiCounts['costsByCategory'];
          c.costsByCategory[category] = (c.costsByCategory[category] ?? 0) + row.amount;
          if (row.coverage) {
            const coverage = row.coverage as keyof KpiCounts['costsByCoverage'];
            c.costsByCoverage[coverage] = (c.costsByCoverage[coverage] ?? 0) + row.amount;
          }
        }
        break;
      case 'complaints': {
        const into = row.in_group ? groupOf(row.gkey, row.glabel) : totals;
        const [wallMedian, wallP90] = row.resolution_minutes ?? [];
        const [clockMedian, clockP90] = row.resolution_clock_minutes ?? [];
        const counts: ComplaintCounts = {
          received: row.received,
          resolved: row.resolved,
          resolutionMinutesMedian: wallMedian ?? null,
          resolutionMinutesP90: wallP90 ?? null,
          resolutionClockMinutesMedian: clockMedian ?? null,
          resolutionClockMinutesP90: clockP90 ?? null,
          resolutionDecided: row.resolution_decided,
          resolvedOnTime: row.resolved_on_time,
        };
        if (row.priority !== null) into.complaintsByPriority[row.priority] = counts;
        else {
          into.complaints = counts;
          into.progressUpdatesDue += row.progress_missed;
        }
        break;
      }
      case 'progress':
        for (const c of targetsOf(row.gkey)) {
          c.progressUpdatesDue += row.due;
          c.progressUpdatesOnTime += row.on_time;
        }
        break;
    }
  }
  const list = [...groups.values()]
    .map((x) => ({ ...x, label: x.label ?? (x.key === null ? NONE_LABEL : x.key) }))
    .sort((a, b) => b.counts.cases - a.counts.cases || String(a.key).localeCompare(String(b.key)));
  return { totals, groups: list };
}
