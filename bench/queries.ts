// `npm run bench -- queries`: the read side at scale (issue 13). A fresh embedded PostgreSQL (as `npm
// start` runs it, data in a temp dir), the migrations, then N realistic cases written straight into the
// read model by bulk SQL — rows, their state documents with SLA clocks, escalations, cost entries and
// stock issues — as the case workflows would have projected them over two years. Then, through the real
// API (buildApp, app.inject): the case list with each filter it offers and its next pages, and the
// period reports (KPIs by month, quarter and year, grouped and not; scorecards; budget against actual).
// Baseline of the same run: the list query as main runs it (every column, the indexes before migration
// 0010), timed at the database on the same data. Rounds repeat every scenario; the summary is the
// median over rounds, because the machine is shared.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@temporalio/client';
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import postgres from 'postgres';
import { buildApp } from '../api/app.js';
import { hashSecret, newKey } from '../api/auth/keys.js';
import { connectDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { cases } from '../db/schema.js';
import { chinaCalendar } from '../domain/calendar-china.js';
import { DEFAULT_POLICY, trimCalendar } from '../domain/sla-policy.js';
import { HEADLESS_DISABLED_FEATURES } from '../scripts/chromium-launch.js';
import { buildDashboard, DASHBOARD_DIST } from '../scripts/dashboard-build.mjs';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres.js';
import { freePort } from '../scripts/process-helpers.mjs';
import { calibrate } from './support/calibration.js';
import { machineBusyPercent, machineCpu } from './support/cpu.js';
import { CHROMIUM, type LoadBreakdown, measureFirstLoad } from './support/dashboard-load.js';
import { percentile, round } from './support/stats.js';

export interface QueriesBenchOptions {
  cases: number;
  rounds: number;
  samples: number;
  /** Dashboard first loads in the browser per round. */
  loads: number;
  /** 'dashboard': only the dashboard's first loads (no list, report or baseline query scenarios). */
  only?: 'dashboard';
  /**
   * Another build of the dashboard (a dist directory, e.g. main's) to load beside this one in the same
   * run, against the same data and browser launch — in place of the plain-launch baseline.
   */
  compareDist?: string;
  seed: number;
  keep: boolean;
  out: string;
  command: string;
}

const ENGINEERS = 60;
const TEAMS = 8;
const MODELS = [
  ['HX-100 空压机', '空压机', 12],
  ['HX-200 空压机', '空压机', 24],
  ['HX-300 空压机', '空压机', 24],
  ['LD-50 冷干机', '干燥设备', 12],
  ['LD-80 冷干机', '干燥设备', 12],
  ['XF-20 吸附机', '干燥设备', 18],
  ['GP-1 储气罐', '储气', 36],
  ['GP-2 储气罐', '储气', 36],
  ['FL-10 过滤器', '过滤', 6],
  ['FL-20 过滤器', '过滤', 6],
  ['VS-75 变频机', '空压机', 24],
  ['VS-110 变频机', '空压机', 24],
] as const;

/** Loads the read model with `n` cases; returns the ids the scenarios filter by. */
export async function generate(
  q: postgres.ReservedSql,
  n: number,
  seed: number,
  deskKeyId: string,
  log: (s: string) => void,
) {
  const cal = chinaCalendar();
  const snapshot = { policy: DEFAULT_POLICY, calendar: trimCalendar(cal, new Date()) };
  await q`select setseed(${(seed % 1000) / 1000})`;
  // Staff, models, a parts catalogue and a warehouse.
  await q.unsafe(`
    INSERT INTO teams (id, name, region)
      SELECT 'team-' || t, '服务' || t || '组', (ARRAY['华东','华南','华北','西南'])[1 + (t - 1) % 4]
      FROM generate_series(1, ${TEAMS}) t;
    INSERT INTO people (id, name, roles, team_id)
      SELECT 'eng-' || lpad(e::text, 3, '0'),
        (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周'])[1 + e % 10] || (ARRAY['伟','芳','娜','敏','静','强','磊','军','洋','勇','杰','涛'])[1 + e % 12],
        '{engineer}', 'team-' || (1 + (e - 1) % ${TEAMS})
      FROM generate_series(1, ${ENGINEERS}) e;
    INSERT INTO warehouses (id, name, kind) VALUES ('W1', '中心库', 'central');
    INSERT INTO parts (part_number, name, standard_cost)
      SELECT 'P' || lpad(g::text, 5, '0'), '备件 ' || g, round((20 + random() * 2000)::numeric, 2)
      FROM generate_series(1, 300) g;
  `);
  for (const [model, line, months] of MODELS)
    await q`insert into product_models (model, product_line, warranty_months, updated_by) values (${model}, ${line}, ${months}, 'bench')`;

  // Clocks as domain/sla-clock.ts keeps them: consumed and total clock time, three escalation steps
  // (75 %, 100 %, 150 %), the fired ones with their instants.
  await q.unsafe(`
    CREATE FUNCTION pg_temp.clock(name text, amount numeric, unit text, total bigint, consumed bigint,
        started timestamptz, stopped timestamptz) RETURNS jsonb LANGUAGE sql AS $$
      SELECT jsonb_build_object(
        'name', name, 'target', jsonb_build_object('amount', amount, 'unit', unit),
        'totalMs', total, 'consumedMs', consumed,
        'segments', CASE WHEN stopped IS NULL THEN '[]'::jsonb
          ELSE jsonb_build_array(jsonb_build_object('from', started, 'to', stopped)) END,
        'status', CASE WHEN stopped IS NULL THEN 'running' ELSE 'stopped' END,
        'startedAt', started,
        'pausedFor', '{}'::jsonb, 'pausedMs', jsonb_build_object('customer', 0, 'parts', 0),
        'breached', consumed >= total,
        'cycle', 0,
        'steps', (SELECT jsonb_agg(jsonb_build_object('level', s.level, 'at', s.at, 'name', s.name,
            'recipient', s.recipient)
            || CASE WHEN consumed >= s.at * total THEN jsonb_build_object(
                 'dueAt', started + make_interval(secs => s.at * total / 1000.0),
                 'firedAt', started + make_interval(secs => s.at * total / 1000.0 + 0.05)) ELSE '{}'::jsonb END
            ORDER BY s.level)
          FROM (VALUES (1, 0.75, 'warning', 'assignee'), (2, 1.0, 'breach', 'service-manager'),
                       (3, 1.5, 'escalation', 'upper-management')) s(level, at, name, recipient))
      ) || CASE WHEN stopped IS NULL THEN jsonb_build_object('runningSince', started,
             -- The instant a running clock runs out, as the calendar would place it: wall time for an
             -- hours target, about three times the clock time for working time (8 of 24 hours).
             'deadline', started + make_interval(secs => total / 1000.0 * CASE unit WHEN 'hours' THEN 1 ELSE 3 END))
           ELSE jsonb_build_object('stoppedAt', stopped) END
    $$;
  `);
  log(`generating ${n} cases`);
  // Random draws per case, then what they mean: later cases more dense (the business grows), 10 %
  // emergencies, a channel mix, 3,000 customers (a few large), 12 models, 60 engineers, stages by age.
  await q.unsafe(`
    CREATE TABLE bench_sim AS
    WITH draws AS (
      SELECT g, now() - make_interval(secs => (1 - sqrt(random())) * 730 * 86400) AS reported_at,
        random() AS r_sev, random() AS r_ch, random() AS r_cust, random() AS r_model, random() AS r_stage,
        random() AS r_eng, random() AS r_resp, random() AS r_rep, random() AS r_arr, random() AS r_surv,
        random() AS r_cx, random() AS r_disp, random() AS r_s1, random() AS r_s2, random() AS r_s3,
        random() AS r_cost, random() AS r_desk, random() AS r_buy
      FROM generate_series(1, ${n}) g
    ), typed AS (
      SELECT d.*, 'C' || lpad(g::text, 7, '0') AS id,
        CASE WHEN r_sev < 0.1 THEN 'emergency' ELSE 'normal' END AS severity,
        CASE WHEN r_ch < 0.4 THEN 'phone' WHEN r_ch < 0.6 THEN 'web' WHEN r_ch < 0.75 THEN 'email'
          WHEN r_ch < 0.9 THEN 'chat' ELSE 'api' END AS channel,
        floor(r_cust ^ 2 * 3000)::int AS customer,
        floor(r_model * ${MODELS.length})::int AS model_ix,
        'eng-' || lpad((1 + floor(r_eng ^ 1.3 * ${ENGINEERS}))::int::text, 3, '0') AS engineer,
        extract(epoch FROM now() - reported_at) / 86400 AS age_days,
        CASE WHEN r_cx < 0.2 THEN 'complex' ELSE 'ordinary' END AS complexity
      FROM draws d
    ), staged AS (
      -- level: 0 intake … 7 survey, 8 closed after the survey, 9 cancelled, 10 resolved at intake.
      SELECT t.*,
        CASE
          WHEN age_days > 20 THEN CASE WHEN r_stage < 0.05 THEN 10 WHEN r_stage < 0.09 THEN 9
            WHEN r_stage < 0.11 THEN 1 + floor(r_disp * 7)::int ELSE 8 END
          WHEN age_days < 0.2 THEN CASE WHEN r_stage < 0.5 THEN 0 WHEN r_stage < 0.9 THEN 1 ELSE 10 END
          ELSE (ARRAY[0,1,1,2,3,4,4,5,6,7,7,8,8,8,9,10])[1 + floor(r_stage * 16)::int]
        END AS level
      FROM typed t
    )
    SELECT s.*,
      -- wall minutes to the first response (emergencies faster), clock ms as the SLA counts them
      CASE WHEN severity = 'emergency' THEN 2 + 90 * r_resp ^ 3 ELSE 5 + 1200 * r_resp ^ 4 END AS resp_min,
      CASE WHEN severity = 'emergency' THEN 3600000 ELSE 14400000 END AS resp_total,
      CASE WHEN complexity = 'complex' THEN 7 ELSE 3 END AS repair_days_target,
      0.3 + 4 * r_rep ^ 3 AS repair_days,
      2 + 8 * r_arr ^ 2 AS arrival_hours
    FROM staged s;
  `);
  await q.unsafe(`
    ALTER TABLE bench_sim ADD COLUMN responded_at timestamptz, ADD COLUMN resp_consumed bigint,
      ADD COLUMN checkin_at timestamptz, ADD COLUMN repaired_at timestamptz, ADD COLUMN accepted_at timestamptz,
      ADD COLUMN closed_at timestamptz, ADD COLUMN disputes int;
    UPDATE bench_sim SET
      responded_at = CASE WHEN level BETWEEN 1 AND 10 AND NOT (level = 9 AND r_disp < 0.5)
        THEN least(reported_at + make_interval(secs => resp_min * 60), now() - interval '1 minute') END,
      resp_consumed = CASE WHEN severity = 'emergency' THEN (resp_min * 60000)::bigint
        ELSE (resp_min * 60000 * 0.35)::bigint END,
      checkin_at = CASE WHEN level BETWEEN 5 AND 8 OR (level = 9 AND r_disp > 0.8)
        THEN least(reported_at + make_interval(secs => arrival_hours * 3600), now() - interval '1 minute') END,
      repaired_at = CASE WHEN level BETWEEN 6 AND 8
        THEN least(reported_at + make_interval(secs => repair_days * 3 * 86400), now() - interval '1 minute') END,
      disputes = CASE WHEN level BETWEEN 7 AND 8 AND r_disp < 0.06 THEN 1 ELSE 0 END;
    UPDATE bench_sim SET
      accepted_at = CASE WHEN level BETWEEN 7 AND 8 THEN least(repaired_at + interval '1 day', now()) END,
      closed_at = CASE
        WHEN level = 8 THEN least(repaired_at + make_interval(days => 2 + (r_surv * 8)::int), now())
        WHEN level = 9 THEN least(reported_at + interval '3 days', now())
        WHEN level = 10 THEN responded_at END;
    ALTER TABLE bench_sim ADD COLUMN breached boolean;
    UPDATE bench_sim SET breached = (resp_consumed >= resp_total AND responded_at IS NOT NULL)
      OR (repaired_at IS NOT NULL AND repair_days >= repair_days_target)
      OR (severity = 'emergency' AND checkin_at IS NOT NULL AND arrival_hours >= 8);
  `);
  // Serials: units of a model at a customer (up to 2,000 each, so a large customer's units seldom fail
  // twice by chance). A repeat failure (返修) for about 2 % of repairs: a case
  // reported within 30 days after a repair is made one on the repaired unit.
  await q.unsafe(`
    ALTER TABLE bench_sim ADD COLUMN serial text;
    UPDATE bench_sim SET serial = 'SN-' || model_ix || '-' || lpad(customer::text, 4, '0') || '-' || lpad(floor(r_buy * 2000)::int::text, 4, '0');
    CREATE INDEX ON bench_sim (reported_at);
  `);
  await q.unsafe(`
    WITH picks AS (
      SELECT a.g AS ag, (
        SELECT b.g FROM bench_sim b
        WHERE b.reported_at > a.repaired_at AND b.reported_at < a.repaired_at + interval '30 days' AND b.g <> a.g
        ORDER BY b.reported_at OFFSET floor(a.r_buy * 50)::int LIMIT 1) AS bg
      FROM bench_sim a WHERE a.repaired_at IS NOT NULL AND a.r_cost < 0.02
    )
    UPDATE bench_sim b SET serial = a.serial, customer = a.customer, model_ix = a.model_ix
    FROM picks p JOIN bench_sim a ON a.g = p.ag WHERE b.g = p.bg;
  `);
  const stageOf = `(ARRAY['intake','assigned','awaiting_parts','diagnosed','scheduled','in_repair','repaired','survey','closed','cancelled','closed'])[level + 1]`;
  const models = `(ARRAY[${MODELS.map(([m]) => `'${m}'`).join(',')}])[model_ix + 1]`;
  const lines = `(ARRAY[${MODELS.map(([, l]) => `'${l}'`).join(',')}])[model_ix + 1]`;
  const customer = `(ARRAY['恒通','远大','华信','金鼎','瑞丰','宏达','新世纪','东方','长城','天力'])[1 + customer % 10]
      || (ARRAY['上海','苏州','杭州','宁波','南京','无锡','广州','深圳','东莞','佛山','北京','天津','青岛','济南','成都','重庆','武汉','长沙','西安','郑州'])[1 + (customer / 10) % 20]
      || (ARRAY['精密机械','纺织','食品','制药','电子','汽配','化工','印刷','塑料','五金','家具','包装','建材','陶瓷','造纸'])[1 + (customer / 200) % 15]
      || '有限公司'`;
  const serial = 'serial';
  log('writing cases');
  await q.unsafe(
    `
    INSERT INTO cases (id, workflow_id, channel, stage, outcome, severity, complexity, assignee, customer_name,
      customer_phone, product_model, product_line, serial_number, purchase_date, description, reported_at,
      created_at, updated_at, closed_at, version, state, breached, sla, created_by_key, created_by)
    SELECT id, 'case-' || id, channel, ${stageOf},
      CASE level WHEN 8 THEN CASE WHEN r_surv < 0.72 THEN 'survey_answered' ELSE 'survey_expired' END
        WHEN 9 THEN 'cancelled' WHEN 10 THEN 'resolved_at_intake' END,
      severity, CASE WHEN level BETWEEN 2 AND 8 THEN complexity END,
      CASE WHEN level BETWEEN 1 AND 9 AND responded_at IS NOT NULL THEN engineer END,
      cust, '+86 138 ' || lpad((customer * 37 % 10000)::text, 4, '0') || ' ' || lpad((g % 10000)::text, 4, '0'),
      mdl, ln, ser, (reported_at - make_interval(days => (r_buy * 900)::int))::date::text,
      '设备运行异常，压力波动，伴有异响 (' || g || ')', reported_at,
      reported_at + make_interval(secs => 30 + r_desk * 300),
      coalesce(closed_at, repaired_at, checkin_at, responded_at, reported_at), closed_at,
      5 + level, state, breached, $1::jsonb,
      CASE WHEN r_desk < 0.6 THEN $2 END, CASE WHEN r_desk < 0.6 THEN 'helpdesk' ELSE 'specialist-1' END
    FROM (
      SELECT b.*, ${models} AS mdl, ${lines} AS ln, ${customer} AS cust, ${serial} AS ser,
        jsonb_strip_nulls(jsonb_build_object(
          'caseId', id, 'stage', ${stageOf}, 'severity', severity,
          'outcome', CASE level WHEN 8 THEN CASE WHEN r_surv < 0.72 THEN 'survey_answered' ELSE 'survey_expired' END
            WHEN 9 THEN 'cancelled' WHEN 10 THEN 'resolved_at_intake' END,
          'complexity', CASE WHEN level BETWEEN 2 AND 8 THEN complexity END,
          'assignee', CASE WHEN level BETWEEN 1 AND 9 AND responded_at IS NOT NULL THEN engineer END,
          'intake', jsonb_build_object('channel', channel,
            'customer', jsonb_build_object('name', ${customer}, 'phone', '+86 138 0000 0000'),
            'product', jsonb_build_object('model', ${models}, 'serialNumber', ${serial}, 'line', ${lines}),
            'problem', jsonb_build_object('description', '设备运行异常，压力波动，伴有异响', 'severity', severity),
            'reportedAt', reported_at),
          'createdAt', reported_at, 'disputes', disputes, 'seq', 5 + level,
          'slaPolicy', jsonb_build_object('id', 'default', 'version', 1),
          'contacts', '[]'::jsonb,
          'resolution', CASE WHEN level = 10 THEN jsonb_build_object('answer', '指导客户重启后恢复', 'at', responded_at, 'by', 'specialist-1') END,
          'assignments', CASE WHEN level BETWEEN 1 AND 9 AND responded_at IS NOT NULL
            THEN jsonb_build_array(jsonb_build_object('engineer', engineer, 'at', responded_at, 'by', 'specialist-1'))
            ELSE '[]'::jsonb END,
          'diagnoses', CASE WHEN level BETWEEN 2 AND 8 THEN jsonb_build_array(jsonb_build_object(
            'cause', '密封件老化', 'plan', '更换密封件并检测', 'complexity', complexity, 'parts', '[]'::jsonb,
            'at', responded_at + interval '2 hours', 'by', engineer, 'round', 0)) ELSE '[]'::jsonb END,
          'checkIn', CASE WHEN level = 5 OR (level = 9 AND checkin_at IS NOT NULL) THEN jsonb_build_object(
            'arrivedAt', checkin_at, 'mode', 'onsite', 'at', checkin_at, 'by', engineer) END,
          'repairReports', CASE WHEN level BETWEEN 6 AND 8 THEN jsonb_build_array(jsonb_build_object(
            'symptom', '压力上不去', 'cause', '密封件老化', 'actions', '更换密封件', 'partsReplaced', '[]'::jsonb,
            'test', jsonb_build_object('passed', true), 'usageExplained', true,
            'at', repaired_at, 'by', engineer, 'round', disputes)) ELSE '[]'::jsonb END,
          'feedback', CASE WHEN level BETWEEN 7 AND 8 THEN
            CASE WHEN disputes > 0 THEN jsonb_build_array(
              jsonb_build_object('accepted', false, 'at', repaired_at - interval '1 day', 'by', 'helpdesk', 'round', 0),
              jsonb_build_object('accepted', true, 'at', accepted_at, 'by', 'helpdesk', 'round', 1))
            ELSE jsonb_build_array(jsonb_build_object('accepted', true, 'at', accepted_at, 'by', 'helpdesk', 'round', 0)) END
            ELSE '[]'::jsonb END,
          'survey', CASE WHEN level IN (7, 8) THEN jsonb_strip_nulls(jsonb_build_object(
            'dueAt', accepted_at + interval '1 day', 'sentAt', accepted_at + interval '1 day',
            'expiresAt', accepted_at + interval '8 days',
            'response', CASE WHEN level = 8 AND r_surv < 0.72 THEN jsonb_build_object(
              'serviceQuality', 5 - floor(r_s1 ^ 2 * 3)::int, 'repairEffect', 5 - floor(r_s2 ^ 2 * 4)::int,
              'attitude', 5 - floor(r_s3 ^ 3 * 3)::int, 'via', 'phone', 'at', closed_at, 'by', 'specialist-1') END,
            'expiredAt', CASE WHEN level = 8 AND r_surv >= 0.72 THEN closed_at END)) END,
          'closedAt', closed_at,
          'breached', breached,
          'clocks', jsonb_strip_nulls(jsonb_build_object(
            'response', pg_temp.clock('response', CASE WHEN severity = 'emergency' THEN 1 ELSE 4 END,
              CASE WHEN severity = 'emergency' THEN 'hours' ELSE 'business_hours' END, resp_total,
              CASE WHEN responded_at IS NULL THEN 0 ELSE resp_consumed END, reported_at,
              coalesce(responded_at, closed_at)),
            'arrival', CASE WHEN severity = 'emergency' THEN pg_temp.clock('arrival', 8, 'hours', 28800000,
              CASE WHEN checkin_at IS NULL THEN 0 ELSE (arrival_hours * 3600000)::bigint END, reported_at,
              coalesce(checkin_at, closed_at)) END,
            'repair', pg_temp.clock('repair', repair_days_target, 'working_days',
              (repair_days_target * 28800000)::bigint,
              CASE WHEN repaired_at IS NULL THEN 0 ELSE (repair_days * 28800000)::bigint END, reported_at,
              coalesce(repaired_at, closed_at))))
        )) AS state
      FROM bench_sim b
    ) x`,
    [JSON.stringify(snapshot), deskKeyId],
  );
  await q`select setval('case_number_seq', ${n + 1})`;
  log('writing escalations, costs and stock issues');
  await q.unsafe(`
    INSERT INTO escalations (case_id, clock, cycle, level, name, due_at, fired_at, recipient, assignee, severity)
    SELECT c.id, k.key, 0, (s->>'level')::int, s->>'name', (s->>'dueAt')::timestamptz, (s->>'firedAt')::timestamptz,
      CASE s->>'recipient' WHEN 'assignee' THEN coalesce(c.assignee, 'service-desk') ELSE s->>'recipient' END,
      c.assignee, c.severity
    FROM cases c, jsonb_each(c.state->'clocks') k, jsonb_array_elements(k.value->'steps') s
    WHERE s ? 'firedAt';

    INSERT INTO cost_entries (case_id, category, coverage, amount, hours, role, rate, incurred_on, entered_by)
    SELECT c.id, 'labour', 'warranty', round(h.hours * 12000)::bigint, h.hours, 'engineer', 12000,
      (c.kpi_repaired_at AT TIME ZONE 'Asia/Shanghai')::date, c.assignee
    FROM cases c CROSS JOIN LATERAL (SELECT round((1 + random() * 7 + 0 * length(c.id))::numeric, 2) AS hours) h
    WHERE c.kpi_repaired_at IS NOT NULL;

    INSERT INTO cost_entries (case_id, category, coverage, amount, description, incurred_on, entered_by)
    SELECT c.id, 'travel', 'chargeable', (5000 + random() * 45000)::bigint, '往返交通',
      (c.kpi_repaired_at AT TIME ZONE 'Asia/Shanghai')::date, c.assignee
    FROM cases c WHERE c.kpi_repaired_at IS NOT NULL AND random() < 0.5;

    INSERT INTO stock_movements (key, part_number, warehouse_id, kind, quantity, on_hand_delta, reserved_delta,
      unit_cost, case_id, actor, at)
    SELECT 'bench-issue-' || c.id || '-' || i, 'P' || lpad((1 + floor(random() * 300))::int::text, 5, '0'), 'W1',
      'issue', 1 + floor(random() * 3)::int, -1, 0, round((20 + random() * 2000)::numeric, 4), c.id, c.assignee,
      c.kpi_repaired_at - interval '1 hour'
    FROM cases c CROSS JOIN generate_series(1, 2) i
    WHERE c.kpi_repaired_at IS NOT NULL AND random() < 0.25;

    INSERT INTO budgets (year, status, entered_by, approved_by, approved_at)
    SELECT y, 'approved', 'finance-1', 'manager-1', now()
    FROM generate_series(extract(year FROM now())::int - 2, extract(year FROM now())::int) y;
    INSERT INTO budget_lines (year, category, month, amount)
    SELECT b.year, c, m, (ARRAY[60000000, 90000000, 30000000, 5000000, 5000000])[array_position(ARRAY['parts','labour','travel','training','other'], c)]
    FROM budgets b, unnest(ARRAY['parts','labour','travel','training','other']) c, generate_series(1, 12) m;
  `);
  // Complaints: about one per 50 cases, each about a case (a day after it), with the facts the KPI report
  // counts in their state (resolve and progress clocks, the acceptance) and 1–3 progress updates.
  log('writing complaints');
  await q.unsafe(`
    CREATE TABLE bench_complaints AS
    SELECT c.id AS case_id, 'CP' || lpad(row_number() OVER (ORDER BY c.reported_at)::text, 7, '0') AS id,
      least(c.reported_at + interval '1 day', now() - interval '1 hour') AS reported_at,
      c.channel, c.assignee, c.customer_name, c.product_model, c.product_line, c.serial_number,
      CASE WHEN r < 0.05 THEN 'P1' WHEN r < 0.3 THEN 'P2' WHEN r < 0.75 THEN 'P3' ELSE 'P4' END AS priority,
      random() AS r_stage, random() AS r_res, random() AS r_prog
    FROM (SELECT c.*, random() AS r, random() AS pick FROM cases c) c WHERE pick < 0.02;
    ALTER TABLE bench_complaints ADD COLUMN age_days float8, ADD COLUMN stage text, ADD COLUMN resolve_ms bigint,
      ADD COLUMN progress_ms bigint;
    UPDATE bench_complaints SET age_days = extract(epoch FROM now() - reported_at) / 86400,
      resolve_ms = (ARRAY[3, 5, 10, 20])[substr(priority, 2)::int] * 28800000::bigint,
      progress_ms = (ARRAY[14400000, 28800000, 57600000, 144000000])[substr(priority, 2)::int];
    UPDATE bench_complaints SET stage = CASE
      WHEN age_days > 30 THEN CASE WHEN r_stage < 0.85 THEN 'closed' WHEN r_stage < 0.9 THEN 'withdrawn'
        WHEN r_stage < 0.95 THEN 'verifying' ELSE 'investigating' END
      ELSE (ARRAY['registered','investigating','investigating','answered','verifying','closed','withdrawn'])[1 + floor(r_stage * 7)::int] END;
    INSERT INTO complaints (id, workflow_id, channel, stage, priority, urgency, importance, category, department,
      owner, customer_name, region, product_model, product_line, serial_number, purchase_date, description,
      reported_at, created_at, updated_at, closed_at, version, state, breached, policy, intake)
    SELECT id, 'complaint-' || id, CASE WHEN channel IN ('phone', 'email', 'web', 'api') THEN channel ELSE 'phone' END,
      stage, priority, 'medium', 'high', 'service', 'after_sales', assignee, customer_name, NULL, product_model,
      product_line, serial_number, '2025-01-01', '维修后仍有问题，要求答复', reported_at, reported_at, reported_at,
      CASE WHEN stage IN ('closed', 'withdrawn') THEN reported_at + make_interval(secs => resolved_ms / 1000.0 * 3) END,
      3, jsonb_strip_nulls(jsonb_build_object(
        'complaintId', id, 'stage', stage,
        'responses', CASE WHEN stage IN ('verifying', 'closed') THEN jsonb_build_array(jsonb_build_object(
          'accepted', true, 'round', 0, 'by', 'helpdesk',
          'at', reported_at + make_interval(secs => resolved_ms / 1000.0 * 3))) ELSE '[]'::jsonb END,
        'withdrawal', CASE WHEN stage = 'withdrawn' THEN jsonb_build_object('reason', '客户撤回', 'by', 'helpdesk',
          'at', reported_at + interval '2 days') END,
        'clocks', jsonb_build_object(
          'resolve', jsonb_build_object('name', 'resolve', 'totalMs', resolve_ms, 'consumedMs', resolved_ms,
            'status', CASE WHEN stage IN ('verifying', 'closed') THEN 'stopped' ELSE 'running' END,
            'breached', resolved_ms > resolve_ms, 'cycle', 0),
          'progress', jsonb_build_object('name', 'progress', 'totalMs', progress_ms,
            'consumedMs', CASE WHEN r_prog < 0.08 THEN progress_ms + 3600000 ELSE progress_ms / 2 END,
            'status', CASE WHEN stage IN ('registered', 'investigating', 'answered') THEN 'running' ELSE 'stopped' END,
            'breached', r_prog < 0.08,
            'deadline', CASE WHEN stage IN ('registered', 'investigating', 'answered')
              THEN now() + make_interval(secs => (r_prog - 0.3) * 86400) END,
            'cycle', 1 + floor(r_res * 3)::int))
      )), r_res * resolve_ms * 1.3 > resolve_ms, '{}'::jsonb, '{}'::jsonb
    FROM (SELECT b.*, CASE WHEN stage IN ('verifying', 'closed', 'withdrawn') THEN (r_res * 1.3 * resolve_ms)::bigint
      ELSE least((r_res * 1.3 * resolve_ms)::bigint, (age_days * 86400000 / 3)::bigint) END AS resolved_ms
      FROM bench_complaints b) x;
    INSERT INTO complaint_cases (complaint_id, case_id) SELECT id, case_id FROM bench_complaints;
    INSERT INTO complaint_updates (complaint_id, seq, kind, owner, at, due_at, on_time)
    SELECT b.id, 1 + i, CASE WHEN i = 0 THEN 'acknowledge' ELSE 'progress' END, b.assignee, u.at,
      u.at + CASE WHEN u.late THEN interval '-2 hours' ELSE interval '3 hours' END, NOT u.late
    FROM bench_complaints b CROSS JOIN generate_series(0, floor(b.r_res * 3)::int) i
    CROSS JOIN LATERAL (SELECT b.reported_at + make_interval(hours => 2 + 20 * i) AS at,
      random() < 0.12 + 0 * i AS late) u;
    DROP TABLE bench_complaints;
  `);
  log('vacuum analyze');
  await q.unsafe('DROP TABLE bench_sim');
  await q.unsafe('VACUUM ANALYZE');
  const [stats] = await q<
    {
      cases: number;
      open: number;
      escalations: number;
      entries: number;
      issues: number;
      complaints: number;
      mb: number;
    }[]
  >`select (select count(*)::int from cases) as cases,
      (select count(*)::int from cases where stage not in ('closed','cancelled')) as open,
      (select count(*)::int from escalations) as escalations,
      (select count(*)::int from cost_entries) as entries,
      (select count(*)::int from stock_movements) as issues,
      (select count(*)::int from complaints) as complaints,
      round(pg_total_relation_size('cases') / 1048576.0)::int as mb`;
  return stats!;
}

interface Scenario {
  name: string;
  kind: 'list' | 'report' | 'baseline' | 'dashboard';
  run: () => Promise<void>;
}

function summarizeMs(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50), 2),
    p95: round(percentile(sorted, 95), 2),
    max: round(sorted[sorted.length - 1]!, 2),
  };
}

export async function runQueriesBench(o: QueriesBenchOptions) {
  const log = (s: string) => console.log(`[bench] ${s}`);
  const dir = mkdtempSync(join(tmpdir(), 'shouhou-queries-'));
  chmodSync(dir, 0o711);
  const calibration = calibrate();
  const cpuBefore = machineCpu();
  const loadBefore = loadavg().map((x) => round(x, 2));
  const startedAt = new Date().toISOString();
  log(`embedded PostgreSQL in ${dir}`);
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database shouhou_bench');
  await admin.end();
  const url = new URL(pg.url);
  url.pathname = '/shouhou_bench';
  const handle = connectDb(url.toString(), { max: 10 });
  const rounds: Array<Record<string, ReturnType<typeof summarizeMs>>> = [];
  let data: Awaited<ReturnType<typeof generate>> | undefined;
  let loadMs = 0;
  const plans: Record<string, string> = {};
  let dashboardCards = 0;
  let dashboardBreakdown: LoadBreakdown | null = null;
  // The dashboard as `npm run build` makes it (rebuilt only when its sources changed).
  buildDashboard({ onlyIfStale: true, quiet: true });
  try {
    await runMigrations(url.toString());
    const manager = newKey();
    const desk = newKey();
    const t0 = performance.now();
    // One connection, so the seeded random() and the temporary clock function are the same session's.
    const session = await handle.sql.reserve();
    try {
      data = await generate(session, o.cases, o.seed, desk.id, log);
    } finally {
      session.release();
    }
    loadMs = Math.round(performance.now() - t0);
    log(`loaded in ${Math.round(loadMs / 1000)} s: ${JSON.stringify(data)}`);

    // The built dashboard (or another build, --compare-dist), served as `npm start` serves it (its first
    // load is measured in Chromium), by an app on the same database.
    const serve = (dashboardRoot: string) =>
      buildApp({
        db: handle.db,
        // Never connects: no route measured here starts or asks a workflow.
        temporal: new Client(),
        taskQueue: 'bench',
        timing: { surveyDelayMs: 86_400_000, surveyExpiryMs: 7 * 86_400_000 },
        rateLimitPerMinute: 1_000_000,
        dashboard: { root: dashboardRoot },
        bootstrapKeys: [
          { id: manager.id, secretHash: hashSecret(manager.secret), role: 'manager', personId: 'manager-1' },
          { id: desk.id, secretHash: hashSecret(desk.secret), role: 'helpdesk', personId: 'helpdesk' },
        ],
      });
    const app = await serve(DASHBOARD_DIST);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const compareApp = o.compareDist ? await serve(o.compareDist) : undefined;
    const compareBase = await compareApp?.listen({ host: '127.0.0.1', port: 0 });
    // The cases the board should show: the newest PER_STAGE (dashboard/src/board-reads.ts) of each open stage.
    const [{ board }] = await handle.sql<{ board: number }[]>`
      select coalesce(sum(least(n, 30)), 0)::int as board from (
        select count(*) as n from cases
        where stage in ('intake','assigned','awaiting_parts','diagnosed','scheduled','in_repair','repaired','survey')
        group by stage) s`;
    const get = async (path: string, key = manager.key) => {
      const res = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${key}` } });
      if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body.slice(0, 300)}`);
      return res;
    };
    const firstPage = JSON.parse((await get('/api/v1/cases?limit=20')).body) as { nextCursor: string };
    let deepCursor = firstPage.nextCursor;
    for (let i = 0; i < 50; i++)
      deepCursor = JSON.parse((await get(`/api/v1/cases?limit=20&cursor=${deepCursor}`)).body).nextCursor;
    const now = new Date();
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
    const quarterStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1));
    const yearStart = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1));
    const month = `from=${day(monthStart)}&to=${day(monthEnd)}`;
    const quarter = `from=${day(quarterStart)}&to=${day(monthEnd)}`;
    const year = `from=${day(yearStart)}&to=${day(monthEnd)}`;
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString();

    // The list as main runs it: every column (state and SLA snapshot included) through drizzle, with the
    // indexes main has; timed at the database, mapped to summaries as main does.
    const mainList = async (f: { stage?: string; severity?: string; breached?: boolean; from?: string }) => {
      const where: SQL[] = [];
      if (f.stage) where.push(eq(cases.stage, f.stage));
      if (f.severity) where.push(eq(cases.severity, f.severity));
      if (f.breached !== undefined) where.push(eq(cases.breached, f.breached));
      if (f.from) where.push(gte(cases.createdAt, new Date(f.from)), lt(cases.createdAt, now));
      const rows = await handle.db
        .select()
        .from(cases)
        .where(and(...where))
        .orderBy(desc(cases.createdAt), desc(cases.id))
        .limit(21);
      return rows.map((r) => r.id);
    };
    // A help desk looks a unit up by its serial: one of a case from a year ago.
    const [old] = await handle.sql<{ serial_number: string }[]>`
      select serial_number from cases where reported_at < now() - interval '1 year' order by reported_at desc limit 1`;
    const list: Array<[string, string, string?]> = [
      ['list: newest first', '/api/v1/cases?limit=20'],
      ['list: stage=in_repair', '/api/v1/cases?stage=in_repair'],
      ['list: stage=closed', '/api/v1/cases?stage=closed'],
      ['list: severity=emergency', '/api/v1/cases?severity=emergency'],
      ['list: breached=true', '/api/v1/cases?breached=true'],
      ['list: assignee', '/api/v1/cases?assignee=eng-007'],
      ['list: last 7 days', `/api/v1/cases?from=${encodeURIComponent(weekAgo)}`],
      ['list: stage + severity', '/api/v1/cases?stage=assigned&severity=emergency'],
      ['list: page 52 (cursor)', `/api/v1/cases?limit=20&cursor=${deepCursor}`],
      ['list: help desk key (own cases)', '/api/v1/cases', desk.key],
      ['list: q=common text (many match)', `/api/v1/cases?q=${encodeURIComponent('空压机')}`],
      [
        'list: q=one serial (a year old)',
        `/api/v1/cases?q=${encodeURIComponent(old?.serial_number ?? 'SN-0')}`,
      ],
    ];
    const scenarios: Scenario[] = [
      ...list.map(([name, path, key]) => ({
        name,
        kind: 'list' as const,
        run: async () => void (await get(path, key)),
      })),
      {
        name: 'report: KPIs, one month',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/kpis?${month}`)),
      },
      {
        name: 'report: KPIs, one month by engineer',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/kpis?${month}&groupBy=engineer`)),
      },
      {
        name: 'report: KPIs, one quarter by team',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/kpis?${quarter}&groupBy=team`)),
      },
      {
        name: 'report: KPIs, twelve months by model',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/kpis?${year}&groupBy=model`)),
      },
      {
        name: 'report: KPIs, one month as XLSX',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/kpis?${month}&groupBy=engineer&format=xlsx`)),
      },
      {
        name: 'report: scorecards of a team, one month',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/scorecards?${month}&team=team-3`)),
      },
      {
        name: 'report: budget against actual, this year',
        kind: 'report',
        run: async () => void (await get(`/api/v1/reports/budget?year=${now.getUTCFullYear()}`)),
      },
    ];
    const baseline: Scenario[] = [
      { name: 'main list: newest first', kind: 'baseline', run: async () => void (await mainList({})) },
      {
        name: 'main list: stage=in_repair',
        kind: 'baseline',
        run: async () => void (await mainList({ stage: 'in_repair' })),
      },
      {
        name: 'main list: severity=emergency',
        kind: 'baseline',
        run: async () => void (await mainList({ severity: 'emergency' })),
      },
      {
        name: 'main list: breached=true',
        kind: 'baseline',
        run: async () => void (await mainList({ breached: true })),
      },
    ];
    const explain = async (name: string, query: string) => {
      const r = await handle.sql.unsafe(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query}`);
      plans[name] = r.map((x) => x['QUERY PLAN']).join('\n');
    };
    for (let r = 1; r <= o.rounds; r++) {
      const result: Record<string, ReturnType<typeof summarizeMs>> = {};
      // Baseline first, with main's indexes in place of migration 0010's list indexes; then the product.
      if (o.only !== 'dashboard') {
        await handle.sql.unsafe(`
        DROP INDEX cases_stage_idx; DROP INDEX cases_assignee_idx; DROP INDEX cases_breached_idx; DROP INDEX cases_severity_idx;
        CREATE INDEX cases_stage_idx ON cases (stage, created_at); CREATE INDEX cases_assignee_idx ON cases (assignee, created_at);
        CREATE INDEX cases_breached_idx ON cases (breached, created_at); ANALYZE cases;`);
        for (const s of baseline) result[s.name] = await measure(s, o.samples);
        if (r === 1)
          await explain(
            'main list: severity=emergency',
            `SELECT * FROM cases WHERE severity = 'emergency' ORDER BY created_at DESC, id DESC LIMIT 21`,
          );
        await handle.sql.unsafe(`
        DROP INDEX cases_stage_idx; DROP INDEX cases_assignee_idx; DROP INDEX cases_breached_idx;
        CREATE INDEX cases_stage_idx ON cases (stage, created_at, id); CREATE INDEX cases_assignee_idx ON cases (assignee, created_at, id);
        CREATE INDEX cases_breached_idx ON cases (breached, created_at, id); CREATE INDEX cases_severity_idx ON cases (severity, created_at, id);
        ANALYZE cases;`);
        for (const s of scenarios)
          result[s.name] = await measure(
            s,
            s.kind === 'list' ? o.samples : Math.max(5, Math.round(o.samples / 10)),
          );
      }
      // The dashboard's first load in Chromium, over HTTP, against the same data: launched as the tests
      // launch it (scripts/chromium-launch.ts: without the browser's own address-bar pop-ups) and, as
      // the baseline, plainly — or, with --compare-dist, another build launched the same way. The order
      // alternates by round, so neither always runs on the busier half.
      const variants = [
        { prefix: 'dashboard', at: base, lean: true, ours: true },
        compareBase
          ? { prefix: 'dashboard (compared build)', at: compareBase, lean: true, ours: false }
          : { prefix: 'dashboard (baseline: plain launch)', at: base, lean: false, ours: false },
      ];
      if (r % 2 === 0) variants.reverse();
      for (const { prefix, at, lean, ours } of variants) {
        const loads = await measureFirstLoad(at, manager.key, o.loads, board!, lean);
        result[`${prefix}: first load, board (cold cache)`] = summarizeMs(loads.board);
        result[`${prefix}: first load, board all cards (cold cache)`] = summarizeMs(loads.boardAllCards);
        result[`${prefix}: reload, board (warm cache)`] = summarizeMs(loads.boardReload);
        result[`${prefix}: first load, KPI view first chart`] = summarizeMs(loads.kpiFirstChart);
        result[`${prefix}: sign-in to board (once)`] = summarizeMs([loads.signInToBoardMs]);
        if (ours) {
          dashboardCards = loads.cards;
          dashboardBreakdown = loads.breakdown;
        }
      }
      rounds.push(result);
      log(`round ${r}/${o.rounds}:`);
      for (const [name, s] of Object.entries(result))
        log(`  ${name.padEnd(44)} p50 ${s.p50} ms  p95 ${s.p95} ms`);
    }
    await app.close();
    await compareApp?.close();
  } finally {
    await handle.close();
    await pg.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }

  const names = Object.keys(rounds[0] ?? {});
  const med = (xs: number[]) =>
    round(
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      ),
      2,
    );
  const scenarios = Object.fromEntries(
    names.map((name) => [
      name,
      {
        medianP50Ms: med(rounds.map((r) => r[name]!.p50)),
        medianP95Ms: med(rounds.map((r) => r[name]!.p95)),
        worstP95Ms: Math.max(...rounds.map((r) => r[name]!.p95)),
      },
    ]),
  );
  const listNames = names.filter((n) => n.startsWith('list:'));
  const ratio = (product: string, base: string) =>
    scenarios[product] && scenarios[base]
      ? round(scenarios[product].medianP95Ms / scenarios[base].medianP95Ms, 2)
      : null;
  const cpuAfter = machineCpu();
  const busy = machineBusyPercent(cpuBefore, cpuAfter);
  const report = {
    benchmark: 'queries',
    command: o.command,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: {
      cases: o.cases,
      rounds: o.rounds,
      samples: o.samples,
      loads: o.loads,
      only: o.only ?? null,
      compareDist: o.compareDist ?? null,
      seed: o.seed,
    },
    machine: {
      calibration,
      busyPercentDuringRun: busy,
      loadAverage: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
      note: 'shared 2-core VM; other sessions were running',
      /** The browser the dashboard's first load was measured in (CHROMIUM_PATH). */
      browser: CHROMIUM,
      /** Features added to Playwright's disabled ones for 'dashboard: …' ('dashboard (baseline …)': none). */
      browserDisabledFeatures: HEADLESS_DISABLED_FEATURES,
    },
    data: { ...data, loadMs },
    targets: {
      listP95Ms: 50,
      reportMs: 500,
      listWorstMedianP95Ms: listNames.length
        ? Math.max(...listNames.filter((n) => !n.includes('q=')).map((n) => scenarios[n]!.medianP95Ms))
        : null,
      monthReportMedianP50Ms: scenarios['report: KPIs, one month']?.medianP50Ms ?? null,
      dashboardFirstLoadMs: 1000,
      dashboardFirstLoadMedianP50Ms:
        scenarios['dashboard: first load, board (cold cache)']?.medianP50Ms ?? null,
      dashboardFirstLoadMedianP95Ms:
        scenarios['dashboard: first load, board (cold cache)']?.medianP95Ms ?? null,
      dashboardCards,
    },
    ratiosToMain: {
      'newest first (p95)': ratio('list: newest first', 'main list: newest first'),
      'stage=in_repair (p95)': ratio('list: stage=in_repair', 'main list: stage=in_repair'),
      'severity=emergency (p95)': ratio('list: severity=emergency', 'main list: severity=emergency'),
      'breached=true (p95)': ratio('list: breached=true', 'main list: breached=true'),
    },
    scenarios,
    rounds,
    plans,
    // The last round's last cold first load of the board, request by request.
    dashboardFirstLoad: dashboardBreakdown,
  };
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
  log(`summary → ${o.out}`);
  for (const [name, s] of Object.entries(scenarios))
    log(`  ${name.padEnd(44)} median p50 ${s.medianP50Ms} ms  median p95 ${s.medianP95Ms} ms`);
  return report;
}

/** Warm-up, then `samples` requests one after the other. */
async function measure(s: Scenario, samples: number) {
  for (let i = 0; i < 3; i++) await s.run();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await s.run();
    times.push(performance.now() - t);
  }
  return summarizeMs(times);
}
