// JSON schemas of the quality-loop API: failure codes, roll-ups, quality issues and their steps, the
// quality policy. Requests reject unknown fields. Responses are exact and registered as shared schemas —
// components of the OpenAPI document (FailureCode, QualityIssue, QualityIssueSummary, QualityIssueList,
// QualityPolicy); Fastify serialises the answers with them, so a field missing here would vanish.
import { FAILURE_CODE_KINDS } from '../../../db/schema.js';
import { QUALITY_SOURCES, QUALITY_STAGES, type QualityStepName } from '../../../domain/quality/issue.js';
import { NOTIFIED_SCHEMA } from '../../case-schemas.js';
import { dateTime, nullableDateTime, nullableString, optionalText, text } from '../../schema-parts.js';
import { CASE_ID, subjectClock, targetSchema } from '../complaints/schemas.js';

export const CODE = '^[A-Z0-9][A-Z0-9._-]{0,31}$';
const COMPLAINT_ID = '^CP[0-9]{7,}$';

const body = (required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', required, additionalProperties: false, properties }) as const;
const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const nullable = <T extends { properties: unknown }>(schema: T) => ({ ...schema, type: ['object', 'null'] });
const ids = (pattern: string) =>
  ({ type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'string', pattern } }) as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const stamp = {
  at: dateTime,
  by: { type: 'string', description: "person id, key:<id> for a key without one, or 'system'" },
};

export const stageTargets = body([], {
  analysis: targetSchema,
  planning: targetSchema,
  production_change: targetSchema,
  verification: targetSchema,
});

// ---- requests ------------------------------------------------------------------------------------------

export const failureCodeParams = {
  type: 'object',
  required: ['kind', 'code'],
  properties: {
    kind: { type: 'string', enum: FAILURE_CODE_KINDS },
    code: { type: 'string', pattern: CODE, description: 'upper case: letters, digits, . _ -' },
  },
} as const;

export const failureCodeBody = body(['label'], {
  label: text(200),
  description: optionalText(2000),
  active: { type: 'boolean', description: 'false retires the code (recorded failures keep it)' },
});

export const raiseBody = body(['source', 'title', 'description', 'model'], {
  source: { type: 'string', enum: ['complaint', 'repair_report'] },
  title: text(200),
  description: text(10000),
  model: text(100),
  causeCode: { type: 'string', pattern: CODE },
  caseIds: ids(CASE_ID),
  complaintIds: ids(COMPLAINT_ID),
  targets: { ...stageTargets, description: 'stage deadlines overriding the quality policy' },
});

export const issueIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^Q[0-9]{7,}$', description: 'quality issue id, e.g. Q0000007' },
  },
} as const;

const serialRange = body(['from', 'to'], { from: text(100), to: text(100) });
export const qualityStepBodies: Record<QualityStepName, object> = {
  assign: body(['owner'], { owner: text(100, 'person id owning the current stage') }),
  analyze: body(['rootCause', 'affectedModels', 'batches', 'serialRanges'], {
    rootCause: text(10000),
    affectedModels: { type: 'array', minItems: 1, maxItems: 100, items: text(100) },
    batches: { type: 'array', maxItems: 500, items: text(100) },
    serialRanges: { type: 'array', maxItems: 500, items: serialRange },
  }),
  plan: body(['plan'], { plan: text(10000, 'the improvement plan (改进方案)') }),
  'production-change': body(['description', 'effectiveFrom'], {
    description: text(10000),
    effectiveFrom: text(100, 'first batch or date built with the change'),
  }),
  verify: body(['effective', 'note'], { effective: { type: 'boolean' }, note: text(5000) }),
  link: body([], { caseIds: ids(CASE_ID), complaintIds: ids(COMPLAINT_ID) }),
  cancel: body(['reason'], { reason: text(2000) }),
};

const ladder = {
  type: 'array',
  minItems: 1,
  maxItems: 10,
  items: body(['level', 'at', 'recipient', 'name'], {
    level: { type: 'integer', minimum: 1, maximum: 9 },
    at: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
    recipient: text(100),
    name: text(50),
  }),
} as const;
const clusterRule = body(['minCases', 'windowDays'], {
  minCases: { type: 'integer', minimum: 2, maximum: 1000, description: 'distinct cases (default 3)' },
  windowDays: { type: 'integer', minimum: 1, maximum: 366, description: 'default 30' },
});
const policyTargets = body(
  ['analysis', 'planning', 'production_change', 'verification'],
  stageTargets.properties,
);

export const qualityPolicyBody = body(['name', 'calendarId', 'cluster', 'targets'], {
  name: text(200),
  calendarId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
  cluster: clusterRule,
  targets: policyTargets,
  escalation: ladder,
});

const range = {
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
} as const;

export const rollupQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: { type: 'string', enum: ['model', 'batch', 'serial'], description: 'default model' },
    model: { type: 'string', minLength: 1, maxLength: 100 },
    causeCode: { type: 'string', pattern: CODE },
    ...range,
  },
} as const;

export const rangeQuery = { type: 'object', additionalProperties: false, properties: range } as const;

export const issueListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stage: { type: 'string', enum: QUALITY_STAGES },
    source: { type: 'string', enum: QUALITY_SOURCES },
    model: { type: 'string', minLength: 1, maxLength: 100 },
    owner: { type: 'string', minLength: 1, maxLength: 100 },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1–100, default 20' },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

// ---- responses -----------------------------------------------------------------------------------------

export const FAILURE_CODE_SCHEMA = {
  $id: 'FailureCode',
  description: 'A symptom, cause or action code of the failure-code list',
  ...object({
    kind: { type: 'string', enum: FAILURE_CODE_KINDS },
    code: { type: 'string' },
    label: { type: 'string' },
    description: nullableString,
    active: { type: 'boolean' },
    updatedAt: dateTime,
  }),
} as const;

export const failureCodeListSchema = object({ items: { type: 'array', items: { $ref: 'FailureCode#' } } });

export const rollupSchema = object({
  groupBy: { type: 'string', enum: ['model', 'batch', 'serial'] },
  items: {
    type: 'array',
    items: object({
      key: { ...nullableString, description: 'the model, batch or serial; null when not recorded' },
      causeCode: nullableString,
      cases: { type: 'integer' },
      failures: { type: 'integer' },
    }),
  },
});

export const repeatRateSchema = object({
  repairs: { type: 'integer', description: 'cases whose repair was completed in the range' },
  repeats: { type: 'integer', description: 'cases opened in the range marked as repeats' },
  rate: { type: ['number', 'null'], description: 'repeats / repairs (返修率); null without repairs' },
  items: {
    type: 'array',
    items: object({
      caseId: { type: 'string' },
      repeatOf: { type: 'string' },
      serialNumber: { type: 'string' },
    }),
  },
});

const summaryProps = {
  id: { type: 'string', description: 'quality issue id, e.g. Q0000007' },
  workflowId: { type: 'string', description: 'the Temporal workflow id, quality-<id>' },
  source: { type: 'string', enum: QUALITY_SOURCES },
  title: { type: 'string' },
  model: { type: 'string' },
  causeCode: nullableString,
  stage: { type: 'string', enum: QUALITY_STAGES },
  stageLabel: { type: 'string', description: 'the stage in Chinese, e.g. 研发分析' },
  owner: {
    ...nullableString,
    description: 'person id, or desk:<department> while nobody is named for the stage',
  },
  breached: { type: 'boolean', description: 'a stage deadline passed' },
  createdAt: dateTime,
  updatedAt: dateTime,
  closedAt: nullableDateTime,
} as const;

export const QUALITY_ISSUE_SUMMARY_SCHEMA = {
  $id: 'QualityIssueSummary',
  description: 'A quality issue as lists show it',
  ...object(summaryProps),
} as const;

export const QUALITY_ISSUE_SCHEMA = {
  $id: 'QualityIssue',
  description:
    'A quality issue with its analysis, plans, production changes, verifications, clocks, escalations and timeline',
  ...object({
    ...summaryProps,
    description: { type: 'string' },
    caseIds: strings,
    complaintIds: strings,
    analysis: nullable(
      object({
        rootCause: { type: 'string' },
        affectedModels: strings,
        batches: strings,
        serialRanges: {
          type: 'array',
          items: object({ from: { type: 'string' }, to: { type: 'string' } }),
        },
        ...stamp,
      }),
    ),
    plans: { type: 'array', items: object({ plan: { type: 'string' }, ...stamp }) },
    changes: {
      type: 'array',
      items: object({ description: { type: 'string' }, effectiveFrom: { type: 'string' }, ...stamp }),
    },
    verifications: {
      type: 'array',
      items: object({ effective: { type: 'boolean' }, note: { type: 'string' }, ...stamp }),
    },
    assignments: {
      type: 'array',
      items: object({ stage: { type: 'string', enum: QUALITY_STAGES }, owner: { type: 'string' }, ...stamp }),
    },
    cancellation: nullable(object({ reason: { type: 'string' }, ...stamp })),
    clocks: {
      type: 'array',
      items: subjectClock('stage:<stage>: the deadline of a stage, one cycle per visit'),
    },
    escalations: {
      type: 'array',
      items: object({
        id: { type: 'integer' },
        clock: { type: 'string' },
        cycle: { type: 'integer' },
        level: { type: 'integer' },
        name: { type: 'string' },
        dueAt: dateTime,
        firedAt: dateTime,
        recipient: {
          type: 'string',
          description:
            'a person id, desk:<department>, or a ladder place (service-manager, upper-management)',
        },
        owner: nullableString,
        notified: NOTIFIED_SCHEMA,
      }),
    },
    timeline: {
      type: 'array',
      items: object({
        seq: { type: 'integer' },
        type: {
          type: 'string',
          description:
            'raised, assigned, analyzed, planned, production_changed, not_effective, closed, cancelled, linked, escalated',
        },
        fromStage: { type: ['string', 'null'], enum: [...QUALITY_STAGES, null] },
        toStage: { type: 'string', enum: QUALITY_STAGES },
        actor: { type: 'string' },
        at: dateTime,
        data: { type: 'object', additionalProperties: true, description: 'what the step recorded' },
      }),
    },
  }),
} as const;

export const QUALITY_ISSUE_LIST_SCHEMA = {
  $id: 'QualityIssueList',
  ...object({
    items: { type: 'array', items: { $ref: 'QualityIssueSummary#' } },
    nextCursor: { ...nullableString, description: 'pass as cursor for the next page; null on the last' },
  }),
} as const;

export const QUALITY_POLICY_SCHEMA = {
  $id: 'QualityPolicy',
  description: 'The current quality policy: failure-cluster rule, stage deadlines, escalation ladder',
  ...object({
    id: { type: 'string' },
    version: { type: 'integer' },
    name: { type: 'string' },
    calendarId: { type: 'string' },
    cluster: clusterRule,
    targets: policyTargets,
    escalation: ladder,
  }),
} as const;

/** Shared schemas of the quality API, in the order they must be added (referenced ones first). */
export const QUALITY_SCHEMAS = [
  FAILURE_CODE_SCHEMA,
  QUALITY_ISSUE_SUMMARY_SCHEMA,
  QUALITY_ISSUE_SCHEMA,
  QUALITY_ISSUE_LIST_SCHEMA,
  QUALITY_POLICY_SCHEMA,
];

export const qualityIssueRef = { $ref: 'QualityIssue#' } as const;
