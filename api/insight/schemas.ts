// Schemas of the insight API (reports, costs, budgets, product models, report settings). The shared
// ones are components of the OpenAPI document (Kpis, KpiReport, Scorecards, CaseCosts, CostLine,
// Budget, BudgetReport, InsightSettings, ProductModel); every response is exact (additionalProperties
// false), so a field the handlers add must be listed here.
import { OPEN_STAGES } from '../../domain/case.js';
import { PRIORITIES } from '../../domain/complaints/policy.js';
import { MONTHS } from '../../domain/insight/budget.js';
import {
  BACKLOG_AGES,
  COST_CATEGORIES,
  COVERAGES,
  GROUP_BY,
  SURVEY_QUESTIONS,
} from '../../domain/insight/kpis.js';
import { DEFAULT_INSIGHT_SETTINGS, SCORE_COMPONENTS } from '../../domain/insight/settings.js';
import { dateTime, nullableDateTime, optionalText, text } from '../schema-parts.js';

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const keyed = (keys: readonly string[], value: Record<string, unknown>) =>
  object(Object.fromEntries(keys.map((k) => [k, value])));

const share = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;
const count = { type: 'integer', minimum: 0 } as const;
const fen = { type: 'integer', description: 'integer fen (分), 1/100 CNY' } as const;
const minutes = {
  type: ['number', 'null'],
  description: 'minutes, one decimal; null without cases',
} as const;
const localDate = { type: 'string', format: 'date' } as const;
/** Median and 90th percentile (nearest rank) of a set of durations. */
const medianP90 = object({ median: minutes, p90: minutes });

/** Escalations fired on a set of cases, complaints or quality issues: by level and in all. */
const escalationsBy = (whose: string, levels: string) => ({
  total: { ...count, description: `escalations fired on ${whose}` },
  byLevel: {
    type: 'object',
    additionalProperties: count,
    propertyNames: { pattern: '^[0-9]+$' },
    description: `escalations fired on ${whose}, by level (${levels}); levels 1–3 always listed`,
  },
});

/** Resolution of a set of complaints: against each one's own resolve target. */
const complaintFigures = {
  received: { ...count, description: 'complaints received in the period' },
  resolved: { ...count, description: 'resolved: the customer accepted the answer' },
  resolutionMinutes: {
    ...medianP90,
    description: 'wall-clock minutes from receipt to resolution (nearest rank)',
  },
  resolutionClockMinutes: {
    ...medianP90,
    description: 'the same as the resolve clock counts it (working time for working-day targets)',
  },
  onTimeResolutionRate: { ...share, description: 'resolvedOnTime ÷ resolutionDecided' },
  resolutionDecided: { ...count, description: 'resolved, or past the resolve target' },
  resolvedOnTime: { ...count, description: 'resolved within the resolve target' },
} as const;

export const KPIS_SCHEMA = {
  $id: 'Kpis',
  description:
    'The figures of a set of cases (docs/kpis.md). Rates are shares 0..1 of the cases that decided them, null when none did; amounts are integer fen.',
  ...object({
    cases: { ...count, description: 'cases the customer reported in the period' },
    responseMinutes: {
      ...medianP90,
      description: 'wall-clock minutes from the report to the first response (nearest rank)',
    },
    responseClockMinutes: {
      ...medianP90,
      description: 'the same as the SLA counts it (working time for business-hour targets, pauses excluded)',
    },
    onTimeResponseRate: share,
    onTimeArrivalRate: share,
    onTimeRepairRate: share,
    firstTimeFixRate: share,
    repeatFailureRate: { ...share, description: 'post-repair failure rate (返修率)' },
    repeatFailureTarget: { type: 'number', minimum: 0, maximum: 1 },
    satisfaction: object({
      responseRate: share,
      answered: count,
      average: { type: ['number', 'null'], description: 'every answer, 1..5' },
      questions: {
        type: 'array',
        items: object({
          question: { type: 'string', enum: SURVEY_QUESTIONS.map((q) => q.question) },
          label: { type: 'string' },
          average: { type: ['number', 'null'], minimum: 1, maximum: 5 },
        }),
      },
    }),
    escalations: object({
      ...escalationsBy('the cases', '1 warning, 2 breach, 3 upper management, …'),
      complaints: object(
        escalationsBy(
          'the complaints received in the period',
          '1 reminder, 2 overdue or missed, 3 escalation',
        ),
      ),
      quality: object(escalationsBy('the quality issues raised in the period', 'the stage ladder: 1, 2, 3')),
    }),
    backlog: {
      ...object({
        open: count,
        byStage: keyed(OPEN_STAGES, count),
        byAge: keyed(
          BACKLOG_AGES.map((a) => a.band),
          count,
        ),
      }),
      description: 'cases of the period still open now, by stage and by days since the report',
    },
    costs: object({
      currency: { type: 'string', enum: ['CNY'] },
      total: fen,
      byCategory: keyed(COST_CATEGORIES, fen),
      byCoverage: keyed(COVERAGES, fen),
    }),
    complaints: {
      ...object({
        ...complaintFigures,
        byPriority: keyed(PRIORITIES, object(complaintFigures)),
        progressUpdates: {
          ...object({
            due: { ...count, description: 'progress deadlines that fell: met by an update, or passed' },
            onTime: { ...count, description: 'of them, met by an update by the deadline' },
            complianceRate: { ...share, description: 'onTime ÷ due; null when nothing was due' },
          }),
          description: 'progress-update compliance of the complaints (docs/kpis.md, "Complaints")',
        },
      }),
      description:
        'complaints received in the period (of the group: by owner, owner’s team, region, model, line, customer or channel), all and per priority (the current one)',
    },
    counts: {
      ...object(
        Object.fromEntries(
          [
            'cases',
            'responded',
            'responseDecided',
            'respondedOnTime',
            'arrivalDecided',
            'arrivedOnTime',
            'repairDecided',
            'repairedOnTime',
            'accepted',
            'fixedFirstTime',
            'repaired',
            'repeatFailures',
            'surveysClosed',
            'surveysAnswered',
          ].map((k) => [k, count]),
        ),
      ),
      description: 'the numerators and denominators of the rates',
    },
  }),
} as const;

const kpisRef = { $ref: 'Kpis#' } as const;

const periodSchema = object({
  from: { type: 'string' },
  to: { type: 'string' },
  fromInstant: dateTime,
  toInstant: dateTime,
  timeZone: { type: 'string' },
});

const targetsSchema = object({
  onTimeResponseRate: { type: 'number' },
  onTimeArrivalRate: { type: 'number' },
  onTimeRepairRate: { type: 'number' },
  firstTimeFixRate: { type: 'number' },
  repeatFailureRate: { type: 'number' },
  satisfactionAverage: { type: 'number' },
  surveyResponseRate: { type: 'number' },
});

export const KPI_REPORT_SCHEMA = {
  $id: 'KpiReport',
  ...object({
    period: periodSchema,
    groupBy: { type: ['string', 'null'], enum: [...GROUP_BY, null] },
    filters: { type: 'object', additionalProperties: { type: 'string' } },
    targets: targetsSchema,
    totals: kpisRef,
    groups: {
      type: 'array',
      description: 'one per value of groupBy among the cases, largest first; empty without groupBy',
      items: {
        ...object({
          key: { type: ['string', 'null'], description: 'null: cases without one (e.g. unassigned)' },
          label: { type: 'string' },
          ...KPIS_SCHEMA.properties,
        }),
      },
    },
  }),
} as const;

export const SCORECARDS_SCHEMA = {
  $id: 'Scorecards',
  ...object({
    period: periodSchema,
    team: { type: ['string', 'null'] },
    weights: keyed(SCORE_COMPONENTS, { type: 'number' }),
    people: {
      type: 'array',
      items: object({
        personId: { type: 'string' },
        name: { type: 'string' },
        teamId: { type: ['string', 'null'] },
        teamName: { type: ['string', 'null'] },
        kpis: kpisRef,
        components: keyed(SCORE_COMPONENTS, share),
        score: { type: ['number', 'null'], minimum: 0, maximum: 100 },
        rank: { type: ['integer', 'null'], minimum: 1, description: 'within the team, by score' },
        rankedInTeam: { ...count, description: 'people of the team with a score' },
      }),
    },
  }),
} as const;

export const COST_LINE_SCHEMA = {
  $id: 'CostLine',
  description: 'One cost of a case: entered, or a stock issue of its parts request',
  ...object({
    id: { type: 'string', description: 'entry-<n> (entered) or stock-<n> (stock ledger movement)' },
    caseId: { type: ['string', 'null'] },
    source: { type: 'string', enum: ['entry', 'stock_issue'] },
    category: { type: 'string', enum: COST_CATEGORIES },
    coverage: { type: ['string', 'null'], enum: [...COVERAGES, null] },
    amount: fen,
    hours: { type: ['number', 'null'] },
    role: { type: ['string', 'null'] },
    rate: { type: ['integer', 'null'], description: 'fen per hour' },
    partNumber: { type: ['string', 'null'] },
    quantity: { type: ['integer', 'null'] },
    description: { type: ['string', 'null'] },
    incurredOn: localDate,
    enteredBy: { type: 'string' },
    recordedAt: dateTime,
  }),
} as const;

export const CASE_COSTS_SCHEMA = {
  $id: 'CaseCosts',
  ...object({
    caseId: { type: 'string' },
    currency: { type: 'string', enum: ['CNY'] },
    warranty: object({
      inWarranty: { type: 'boolean' },
      purchaseDate: { type: ['string', 'null'] },
      months: count,
      endsOn: { type: ['string', 'null'], description: 'first day no longer covered' },
      reportedOn: localDate,
    }),
    lines: { type: 'array', items: { $ref: 'CostLine#' } },
    total: fen,
    byCategory: keyed(COST_CATEGORIES, fen),
    byCoverage: keyed(COVERAGES, fen),
  }),
} as const;

const monthAmounts = {
  type: 'array',
  minItems: 12,
  maxItems: 12,
  items: { type: 'integer', minimum: 0, maximum: 100_000_000_000_000 },
  description: 'January … December, integer fen',
} as const;

export const BUDGET_SCHEMA = {
  $id: 'Budget',
  ...object({
    year: { type: 'integer' },
    status: { type: 'string', enum: ['draft', 'approved'] },
    revision: { type: 'integer', minimum: 1 },
    enteredBy: { type: 'string' },
    enteredAt: dateTime,
    approvedBy: { type: ['string', 'null'] },
    approvedAt: nullableDateTime,
    categories: keyed(COST_CATEGORIES, monthAmounts),
    total: fen,
  }),
} as const;

export const BUDGET_REPORT_SCHEMA = {
  $id: 'BudgetReport',
  ...object({
    year: { type: 'integer' },
    status: { type: 'string', enum: ['none', 'draft', 'approved'] },
    currency: { type: 'string', enum: ['CNY'] },
    warningShare: { type: 'number' },
    categories: {
      type: 'array',
      items: object({
        category: { type: 'string', enum: COST_CATEGORIES },
        budget: fen,
        actual: fen,
        variance: { ...fen, description: 'actual − budget: positive is overspent' },
        share: { type: ['number', 'null'], minimum: 0, description: 'actual ÷ budget' },
        warning: { type: 'boolean' },
        months: {
          type: 'array',
          items: object({
            month: { type: 'integer', enum: MONTHS },
            budget: fen,
            actual: fen,
            variance: fen,
          }),
        },
      }),
    },
    totals: object({
      budget: fen,
      actual: fen,
      variance: fen,
      share: { type: ['number', 'null'], minimum: 0 },
      warning: { type: 'boolean' },
    }),
  }),
} as const;

const settingsProps = {
  timeZone: text(64),
  targets: object({
    onTimeResponseRate: { type: 'number' },
    onTimeArrivalRate: { type: 'number' },
    onTimeRepairRate: { type: 'number' },
    firstTimeFixRate: { type: 'number' },
    repeatFailureRate: { type: 'number' },
    satisfactionAverage: { type: 'number' },
    surveyResponseRate: { type: 'number' },
  }),
  repeatFailureWindowDays: { type: 'integer' },
  scoreWeights: keyed(SCORE_COMPONENTS, { type: 'number' }),
  labourRates: {
    type: 'object',
    additionalProperties: { type: 'integer' },
    propertyNames: { pattern: '^[a-z][a-z0-9_-]{0,31}$' },
    maxProperties: 50,
    description: 'fen per hour, by role',
  },
  budgetWarningShare: { type: 'number' },
  defaultWarrantyMonths: { type: 'integer' },
};

export const INSIGHT_SETTINGS_SCHEMA = {
  $id: 'InsightSettings',
  description: 'Targets, the scorecard weights, labour rates, the budget warning share, the default warranty',
  ...object(settingsProps),
} as const;

/** PUT body: the same document, every part required (a partial one would silently keep old values). */
export const settingsBody = { ...object(settingsProps), examples: [DEFAULT_INSIGHT_SETTINGS] };

export const PRODUCT_MODEL_SCHEMA = {
  $id: 'ProductModel',
  ...object({
    model: { type: 'string' },
    productLine: { type: ['string', 'null'] },
    warrantyMonths: { type: 'integer' },
    updatedBy: { type: 'string' },
    updatedAt: dateTime,
  }),
} as const;

/** Shared schemas of the insight API, referenced ones first. */
export const INSIGHT_SCHEMAS = [
  KPIS_SCHEMA,
  KPI_REPORT_SCHEMA,
  SCORECARDS_SCHEMA,
  COST_LINE_SCHEMA,
  CASE_COSTS_SCHEMA,
  BUDGET_SCHEMA,
  BUDGET_REPORT_SCHEMA,
  INSIGHT_SETTINGS_SCHEMA,
  PRODUCT_MODEL_SCHEMA,
];

// ---- requests ----

export const FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof FORMATS)[number];
const format = {
  type: 'string',
  enum: FORMATS,
  description: 'json (default), csv (UTF-8 with BOM) or xlsx',
} as const;
const dateOrInstant = {
  type: 'string',
  maxLength: 40,
  anyOf: [{ format: 'date' }, { format: 'date-time' }],
  description:
    'a date (local day of the reporting time zone, both ends included) or a date-time (`to` excluded)',
} as const;
const filterValue = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const kpiQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: dateOrInstant,
    to: dateOrInstant,
    groupBy: { type: 'string', enum: GROUP_BY },
    format,
    ...Object.fromEntries(
      GROUP_BY.map((g) => [g, { ...filterValue, description: `only cases of this ${g}` }]),
    ),
  },
} as const;

export const scorecardQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: {
    from: dateOrInstant,
    to: dateOrInstant,
    team: { ...filterValue, description: 'one team (default: every engineer, ranked within their team)' },
    format,
  },
} as const;

export const budgetReportQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['year'],
  properties: { year: { type: 'string', pattern: '^(20[0-9]{2}|2100)$' }, format },
} as const;

export const yearParams = {
  type: 'object',
  required: ['year'],
  additionalProperties: false,
  properties: { year: { type: 'string', pattern: '^(20[0-9]{2}|2100)$' } },
} as const;

export const budgetBody = {
  type: 'object',
  additionalProperties: false,
  required: ['categories'],
  properties: {
    categories: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: Object.fromEntries(COST_CATEGORIES.map((c) => [c, monthAmounts])),
      description: 'per category, twelve monthly amounts in integer fen; a category left out is 0',
    },
  },
  examples: [
    {
      categories: {
        parts: [
          5_000_000, 5_000_000, 5_000_000, 5_000_000, 5_000_000, 5_000_000, 5_000_000, 5_000_000, 5_000_000,
          5_000_000, 5_000_000, 5_000_000,
        ],
        training: [0, 0, 2_000_000, 0, 0, 0, 0, 0, 2_000_000, 0, 0, 0],
      },
    },
  ],
} as const;

const costFields = {
  category: { type: 'string', enum: COST_CATEGORIES },
  amount: {
    type: 'integer',
    minimum: 0,
    maximum: 100_000_000_000,
    description: 'integer fen; not for labour',
  },
  hours: { type: 'number', exclusiveMinimum: 0, maximum: 1000, multipleOf: 0.01, description: 'labour only' },
  role: {
    type: 'string',
    pattern: '^[a-z][a-z0-9_-]{0,31}$',
    description: 'labour only: whose rate applies',
  },
  partNumber: text(64),
  quantity: { type: 'integer', minimum: 1, maximum: 100_000 },
  description: optionalText(500),
  incurredOn: { ...localDate, description: 'default today (reporting time zone)' },
} as const;

export const caseCostBody = {
  type: 'object',
  additionalProperties: false,
  required: ['category'],
  properties: {
    ...costFields,
    coverage: {
      type: 'string',
      enum: COVERAGES,
      description: 'default: warranty when the case is in warranty, else chargeable',
    },
  },
  examples: [
    { category: 'labour', hours: 2.5, role: 'engineer' },
    { category: 'travel', amount: 18_000, description: '往返高铁' },
  ],
} as const;

export const serviceCostBody = {
  type: 'object',
  additionalProperties: false,
  required: ['category'],
  properties: costFields,
  examples: [
    { category: 'training', amount: 1_200_000, description: 'HX 系列维修培训', incurredOn: '2026-03-12' },
  ],
} as const;

export const productModelBody = {
  type: 'object',
  additionalProperties: false,
  required: ['warrantyMonths'],
  properties: {
    productLine: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
    warrantyMonths: { type: 'integer', minimum: 0, maximum: 240 },
  },
  examples: [{ productLine: '空压机', warrantyMonths: 24 }],
} as const;

export const modelParams = {
  type: 'object',
  required: ['model'],
  additionalProperties: false,
  properties: { model: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;
