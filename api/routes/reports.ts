// Manager reports (docs/kpis.md): KPIs over a period, per-person scorecards, budget against actual —
// each as JSON, CSV or XLSX (?format=) — and the report settings (targets, score weights, rates).

import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { teams } from '../../db/schema.js';
import { GROUP_BY, type GroupBy, kpisFrom } from '../../domain/insight/kpis.js';
import { type Period, parsePeriod } from '../../domain/insight/period.js';
import { type InsightSettings, SCORE_COMPONENTS, validateSettings } from '../../domain/insight/settings.js';
import type { AppDeps } from '../app.js';
import { budgetReportOf } from '../insight/budget-report.js';
import {
  kpiCells,
  kpiColumns,
  levelsOf,
  type Table,
  tableCsv,
  tablesXlsx,
  XLSX_TYPE,
} from '../insight/export.js';
import { kpiCounts } from '../insight/kpi-query.js';
import {
  budgetReportQuery,
  kpiQuery,
  type ReportFormat,
  scorecardQuery,
  settingsBody,
} from '../insight/schemas.js';
import { scorecards } from '../insight/scorecards.js';
import { loadSettings, saveSettings } from '../insight/settings-store.js';
import { actorOf } from '../plugins/auth.js';
import { notFound, Problem, unprocessable } from '../problem.js';
import { problemResponses } from '../schema-parts.js';

/** A report's 200: the JSON document, or the same as CSV or XLSX. */
const reportAnswer = (description: string, ref: string) => ({
  description,
  content: {
    'application/json': { schema: { $ref: `${ref}#` } },
    'text/csv': {
      schema: { type: 'string', description: 'UTF-8 with a byte-order mark; header: 中文名 (key)' },
    },
    [XLSX_TYPE]: {
      schema: { type: 'string', contentMediaType: XLSX_TYPE, description: 'an Excel workbook' },
    },
  },
});

function periodOf(from: string, to: string, settings: InsightSettings): Period {
  const p = parsePeriod(from, to, settings.timeZone);
  if ('problem' in p) throw unprocessable(p.problem);
  return p;
}

const periodView = (p: Period, settings: InsightSettings) => ({
  from: p.from,
  to: p.to,
  fromInstant: p.fromInstant.toISOString(),
  toInstant: p.toInstant.toISOString(),
  timeZone: settings.timeZone,
});

/** Sends the report in the format asked for; JSON is the handler's return value. */
async function sendTables(reply: FastifyReply, format: ReportFormat, name: string, tables: Table[]) {
  if (format === 'csv') {
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
    return tables.map(tableCsv).join('\r\n');
  }
  const xlsx = await tablesXlsx(tables);
  reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="${name}.xlsx"`);
  return xlsx;
}

const fileDate = (s: string) => s.replace(/[^0-9A-Za-z-]/g, '');

export async function reportRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get<{
    Querystring: { from: string; to: string; groupBy?: GroupBy; format?: ReportFormat } & Partial<
      Record<GroupBy, string>
    >;
  }>(
    '/api/v1/reports/kpis',
    {
      schema: {
        operationId: 'getKpiReport',
        tags: ['reports'],
        summary: 'KPIs of the cases reported in a period, in total and by a grouping',
        description:
          'The cohort is the cases the customer reported in the period; each rate counts the cases that decided it (docs/kpis.md). groupBy adds one group per engineer, team, region, model, product line, customer or channel; the parameters of the same names keep only the cases of one. ?format=csv or xlsx answers the same as a table (totals first).',
        querystring: kpiQuery,
        response: {
          200: reportAnswer('The KPI report', 'KpiReport'),
          ...problemResponses(422),
        },
      },
      config: { permission: 'reports.kpis' },
    },
    async (req, reply) => {
      const settings = await loadSettings(db);
      const period = periodOf(req.query.from, req.query.to, settings);
      const filters = Object.fromEntries(
        GROUP_BY.flatMap((g) => (req.query[g] !== undefined ? [[g, req.query[g]!]] : [])),
      ) as Partial<Record<GroupBy, string>>;
      const counts = await kpiCounts(db, {
        period,
        groupBy: req.query.groupBy,
        filters,
        settings,
        now: new Date(),
      });
      const totals = kpisFrom(counts.totals, settings.targets);
      const groups = counts.groups.map((g) => ({
        key: g.key,
        label: g.label ?? '',
        ...kpisFrom(g.counts, settings.targets),
      }));
      const report = {
        period: periodView(period, settings),
        groupBy: req.query.groupBy ?? null,
        filters,
        targets: settings.targets,
        totals,
        groups,
      };
      const format = req.query.format ?? 'json';
      if (format === 'json') return report;
      const levels = levelsOf([totals, ...groups]);
      const table: Table = {
        name: 'KPI',
        columns: [
          { key: 'group', label: req.query.groupBy ?? '合计' },
          { key: 'label', label: '名称' },
          ...kpiColumns(levels),
        ],
        rows: [
          ['*', '合计', ...kpiCells(totals, levels)],
          ...groups.map((g) => [g.key, g.label, ...kpiCells(g, levels)]),
        ],
      };
      return sendTables(reply, format, `kpis-${fileDate(period.from)}-${fileDate(period.to)}`, [table]);
    },
  );

  app.get<{ Querystring: { from: string; to: string; team?: string; format?: ReportFormat } }>(
    '/api/v1/reports/scorecards',
    {
      schema: {
        operationId: 'getScorecards',
        tags: ['reports'],
        summary: "People's KPIs for a period, their weighted score and rank within the team",
        description:
          'Every active engineer of the directory (of `team`, or all) and anyone else cases of the period are assigned to. score = 100 × Σ weight × component ÷ Σ weight over the components the period gives a value (docs/kpis.md); rank within the team by score. An engineer gets only their own scorecard (ranked among their team).',
        querystring: scorecardQuery,
        response: {
          200: reportAnswer('The scorecards', 'Scorecards'),
          ...problemResponses(404, 422),
        },
      },
      config: { permission: 'reports.scorecards' },
    },
    async (req, reply) => {
      const settings = await loadSettings(db);
      const period = periodOf(req.query.from, req.query.to, settings);
      const team = req.query.team;
      if (team) {
        const [row] = await db.select({ id: teams.id }).from(teams).where(eq(teams.id, team));
        if (!row) throw notFound('team', team);
      }
      const principal = req.principal!;
      let people = await scorecards(db, { period, team, settings, now: new Date() });
      // Engineers read only their own card; the ranking was made among the whole team first.
      if (principal.role === 'engineer') people = people.filter((p) => p.personId === principal.personId);
      const report = {
        period: periodView(period, settings),
        team: team ?? null,
        weights: settings.scoreWeights,
        people,
      };
      const format = req.query.format ?? 'json';
      if (format === 'json') return report;
      const levels = levelsOf(people.map((p) => p.kpis));
      const table: Table = {
        name: 'Scorecards',
        columns: [
          { key: 'personId', label: '工号' },
          { key: 'name', label: '姓名' },
          { key: 'teamId', label: '班组' },
          { key: 'score', label: '综合得分' },
          { key: 'rank', label: '班组排名' },
          ...SCORE_COMPONENTS.map((c) => ({
            key: `components.${c}`,
            label: `得分项-${c}`,
            kind: 'rate' as const,
          })),
          ...kpiColumns(levels),
        ],
        rows: people.map((p) => [
          p.personId,
          p.name,
          p.teamId,
          p.score,
          p.rank,
          ...SCORE_COMPONENTS.map((c) => p.components[c]),
          ...kpiCells(p.kpis, levels),
        ]),
      };
      return sendTables(reply, format, `scorecards-${fileDate(period.from)}-${fileDate(period.to)}`, [table]);
    },
  );

  app.get<{ Querystring: { year: string; format?: ReportFormat } }>(
    '/api/v1/reports/budget',
    {
      schema: {
        operationId: 'getBudgetReport',
        tags: ['reports'],
        summary: 'Budget against actual costs of a year, per category and month',
        description:
          'Actual: every cost line incurred in the month (reporting time zone) — entered costs and parts issued from stock. variance = actual − budget (positive: overspent); warning once actual passes warningShare of the budget (any spending against a budget of 0 warns).',
        querystring: budgetReportQuery,
        response: { 200: reportAnswer('Budget against actual', 'BudgetReport'), ...problemResponses() },
      },
      config: { permission: 'reports.budget' },
    },
    async (req, reply) => {
      const settings = await loadSettings(db);
      const year = Number(req.query.year);
      const report = await budgetReportOf(db, year, settings);
      const format = req.query.format ?? 'json';
      if (format === 'json') return report;
      const table: Table = {
        name: `Budget ${year}`,
        columns: [
          { key: 'category', label: '费用类别' },
          { key: 'month', label: '月份' },
          { key: 'budget', label: '预算(分)', kind: 'fen' },
          { key: 'actual', label: '实际(分)', kind: 'fen' },
          { key: 'variance', label: '差异(分)', kind: 'fen' },
          { key: 'share', label: '执行率', kind: 'rate' },
          { key: 'warning', label: '预警' },
        ],
        rows: [
          ...report.categories.flatMap((c) => [
            ...c.months.map((m) => [c.category, m.month, m.budget, m.actual, m.variance, null, null]),
            [c.category, '全年', c.budget, c.actual, c.variance, c.share, c.warning],
          ]),
          [
            '*',
            '全年',
            report.totals.budget,
            report.totals.actual,
            report.totals.variance,
            report.totals.share,
            report.totals.warning,
          ],
        ],
      };
      return sendTables(reply, format, `budget-${year}`, [table]);
    },
  );

  app.get(
    '/api/v1/insight/settings',
    {
      schema: {
        operationId: 'getInsightSettings',
        tags: ['reports'],
        summary: 'The report settings: targets, scorecard weights, labour rates, budget warning, warranty',
        response: { 200: { description: 'The settings in force', $ref: 'InsightSettings#' } },
      },
      config: { permission: 'reports.settings.read' },
    },
    async () => loadSettings(db),
  );

  app.put<{ Body: InsightSettings }>(
    '/api/v1/insight/settings',
    {
      schema: {
        operationId: 'putInsightSettings',
        tags: ['reports'],
        summary: 'Replace the report settings (every part given; reports apply them from the next request)',
        body: settingsBody,
        response: {
          200: { description: 'The settings now in force', $ref: 'InsightSettings#' },
          ...problemResponses(422),
        },
      },
      config: { permission: 'reports.settings.write' },
    },
    async (req) => {
      const problems = validateSettings(req.body);
      if (problems.length > 0)
        throw new Problem(422, 'invalid-content', 'Invalid content', problems.join('; '), { problems });
      await saveSettings(db, req.body, actorOf(req.principal!));
      return loadSettings(db);
    },
  );
}
