// JSON schemas of the complaint API: intake, each step, lists, evidence, reports and the versioned
// complaint policy. Requests reject unknown fields. Responses are exact (every field the read model
// shows, nothing else) and registered as shared schemas — components of the OpenAPI document (Complaint,
// ComplaintSummary, ComplaintList, ComplaintEvidence, ComplaintPolicy); Fastify also serialises the
// answers with them, so a field missing here would vanish (test/support/contract.ts catches it).

import { ACTION_TYPES, COMPLAINT_CHANNELS, COMPLAINT_STAGES } from '../../../domain/complaints/complaint.js';
import { LEVELS, PRIORITIES } from '../../../domain/complaints/policy.js';
import { CATEGORIES, DEPARTMENTS } from '../../../domain/complaints/routing.js';
import { CLOCK_SCHEMA, NOTIFIED_SCHEMA } from '../../case-schemas.js';
import { dateTime, nullableDateTime, nullableString, optionalText, text } from '../../schema-parts.js';
import { externalRefSchema } from '../../schemas.js';

export const CASE_ID = '^C[0-9]{7,}$';
const caseIds = {
  type: 'array',
  maxItems: 50,
  uniqueItems: true,
  items: { type: 'string', pattern: CASE_ID },
} as const;
const level = { type: 'string', enum: LEVELS } as const;
const channel = { type: 'string', enum: COMPLAINT_CHANNELS } as const;
const target = {
  type: 'object',
  required: ['amount', 'unit'],
  additionalProperties: false,
  properties: {
    amount: { type: 'number', exclusiveMinimum: 0, maximum: 8784 },
    unit: { type: 'string', enum: ['hours', 'business_hours', 'working_days'] },
  },
} as const;
export const targetSchema = target;

export const complaintIntakeBody = {
  type: 'object',
  required: ['channel', 'customer', 'product', 'complaint'],
  additionalProperties: false,
  properties: {
    channel,
    customer: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: text(200),
        phone: { type: 'string', pattern: '^\\+?[0-9][0-9 \\-]{4,30}$' },
        email: { type: 'string', format: 'email', maxLength: 254 },
        region: { type: 'string', minLength: 1, maxLength: 100, description: 'routing region, e.g. 华东' },
      },
    },
    product: {
      type: 'object',
      required: ['model', 'purchaseDate'],
      additionalProperties: false,
      properties: {
        model: text(100),
        line: { type: 'string', minLength: 1, maxLength: 100, description: 'selects the complaint policy' },
        serialNumber: { type: 'string', minLength: 1, maxLength: 100 },
        purchaseDate: { type: 'string', format: 'date' },
      },
    },
    complaint: {
      type: 'object',
      required: ['description', 'category', 'urgency', 'importance'],
      additionalProperties: false,
      properties: {
        description: text(5000),
        category: { type: 'string', enum: CATEGORIES },
        urgency: { ...level, description: '紧急程度' },
        importance: { ...level, description: '重要程度' },
      },
    },
    caseIds: { ...caseIds, description: 'service cases the complaint is about' },
    reportedAt: {
      type: 'string',
      format: 'date-time',
      description: 'when the customer complained; default now',
    },
    externalRef: externalRefSchema,
  },
} as const;

const body = (required: string[], properties: Record<string, unknown>) =>
  ({ type: 'object', required, additionalProperties: false, properties }) as const;

export const complaintStepBodies = {
  acknowledge: body(['message', 'channel'], { message: text(5000, 'what the customer was told'), channel }),
  reclassify: body(['urgency', 'importance', 'reason'], {
    urgency: level,
    importance: level,
    reason: text(2000),
  }),
  route: body(['department', 'reason'], {
    department: { type: 'string', enum: DEPARTMENTS },
    owner: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'person id; default: the department desk',
    },
    reason: text(2000),
  }),
  'record-finding': body(['text'], {
    text: text(10000),
    caseIds: { ...caseIds, description: 'repair records the finding rests on' },
  }),
  'link-case': body(['caseId'], { caseId: { type: 'string', pattern: CASE_ID } }),
  'add-action': body(['description', 'type', 'responsible'], {
    description: text(5000),
    type: {
      type: 'string',
      enum: ACTION_TYPES,
      description: 'immediate (立即), corrective (纠正), preventive (预防)',
    },
    responsible: text(100, 'person id'),
    deadline: { type: 'string', format: 'date-time', description: 'an instant; or give within' },
    within: { ...target, description: 'a duration on the complaint calendar; or give deadline' },
  }),
  'complete-action': body(['actionId', 'result'], {
    actionId: { type: 'string', pattern: '^A[0-9]{1,4}$' },
    result: text(5000),
  }),
  'waive-actions': body(['reason'], { reason: text(2000, 'why the answer may go out with actions open') }),
  'progress-update': body(['message', 'channel'], { message: text(5000), channel }),
  answer: body(['answer', 'channel'], { answer: text(10000), channel }),
  'customer-response': body(['accepted'], { accepted: { type: 'boolean' }, comment: optionalText(2000) }),
  'effectiveness-check': body(['effective', 'note'], { effective: { type: 'boolean' }, note: text(5000) }),
  withdraw: body(['reason'], { reason: text(2000) }),
} as const;

export const evidenceBody = body(['fileName', 'contentType', 'contentBase64'], {
  fileName: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\x00-\\x1f]+$' },
  contentType: { type: 'string', enum: ['image/jpeg', 'image/png', 'application/pdf', 'text/plain'] },
  contentBase64: { type: 'string', minLength: 4, description: 'the file, base64' },
  note: optionalText(2000),
});

export const complaintIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^CP[0-9]{7,}$', description: 'complaint id, e.g. CP0000042' },
  },
} as const;

export const evidenceParams = {
  type: 'object',
  required: ['id', 'evidenceId'],
  properties: {
    id: complaintIdParams.properties.id,
    evidenceId: { type: 'string', pattern: '^EV[0-9a-f]{16}$' },
  },
} as const;

export const complaintListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stage: { type: 'string', enum: COMPLAINT_STAGES },
    priority: { type: 'string', enum: PRIORITIES },
    department: { type: 'string', enum: DEPARTMENTS },
    owner: { type: 'string', minLength: 1, maxLength: 100 },
    breached: { type: 'string', enum: ['true', 'false'] },
    caseId: { type: 'string', pattern: CASE_ID, description: 'complaints linked to this case' },
    from: { type: 'string', format: 'date-time', description: 'created at or after' },
    to: { type: 'string', format: 'date-time', description: 'created before' },
    q: { type: 'string', minLength: 1, maxLength: 200, description: 'text in customer, model or serial' },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1–100, default 20' },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

export const reportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
  },
} as const;

const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) =>
  ({ type: 'object', additionalProperties: false, required, properties }) as const;
const nullable = <T extends { properties: unknown }>(schema: T) => ({ ...schema, type: ['object', 'null'] });
const strings = { type: 'array', items: { type: 'string' } } as const;
const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'application/pdf', 'text/plain'] as const;

/** Who did a step and when (server time). */
const stamp = {
  at: dateTime,
  by: { type: 'string', description: 'person id, or key:<id> for a key without one' },
};
const classification = object({
  urgency: level,
  importance: level,
  priority: { type: 'string', enum: PRIORITIES },
});

/** A clock of a complaint or a quality issue: an SLA clock under its own name. */
export function subjectClock(description: string) {
  const { $id: _id, description: _description, ...clock } = CLOCK_SCHEMA;
  return { ...clock, description, properties: { ...clock.properties, name: { type: 'string' } } };
}
const complaintClock = subjectClock(
  'acknowledge, resolve, progress (the progress-update clock) or action:<id> (a corrective action)',
);

const summaryProps = {
  id: { type: 'string', description: 'complaint id, e.g. CP0000042' },
  workflowId: { type: 'string', description: 'the Temporal workflow id, complaint-<id>' },
  stage: { type: 'string', enum: COMPLAINT_STAGES },
  stageLabel: { type: 'string', description: 'the stage in Chinese, e.g. 调查处理中' },
  priority: { type: 'string', enum: PRIORITIES, description: 'from the classification matrix' },
  urgency: level,
  importance: level,
  category: { type: 'string', enum: CATEGORIES },
  department: { type: 'string', enum: DEPARTMENTS },
  owner: { ...nullableString, description: "person id; null while the department's desk has it" },
  channel,
  externalRef: {
    ...nullable(object({ system: { type: 'string' }, id: { type: 'string' } })),
    description: "the help desk's ticket",
  },
  customer: object({
    name: { type: 'string' },
    phone: nullableString,
    email: nullableString,
    region: nullableString,
  }),
  product: object({
    model: { type: 'string' },
    line: nullableString,
    serialNumber: nullableString,
    purchaseDate: { type: 'string', format: 'date' },
  }),
  description: { type: 'string' },
  rejections: { type: 'integer', description: 'answers the customer rejected' },
  breached: { type: 'boolean', description: 'the acknowledge or resolve deadline passed' },
  reportedAt: dateTime,
  createdAt: dateTime,
  updatedAt: dateTime,
  closedAt: nullableDateTime,
  clocks: {
    type: 'array',
    items: complaintClock,
    description: 'its clocks as they stand now, so a list can count them down (the dashboard does)',
  },
} as const;

export const COMPLAINT_SUMMARY_SCHEMA = {
  $id: 'ComplaintSummary',
  description: 'A complaint as lists show it',
  ...object(summaryProps),
} as const;

export const COMPLAINT_SCHEMA = {
  $id: 'Complaint',
  description:
    'A complaint with its classification, route, investigation, corrective actions, answers, clocks, escalations and timeline',
  ...object({
    ...summaryProps,
    policy: object({
      id: { type: 'string' },
      version: { type: 'integer' },
      calendar: object({ id: { type: 'string' }, timeZone: { type: 'string' } }),
    }),
    classification,
    linkedCases: { ...strings, description: 'service cases (repair records) linked to the complaint' },
    reclassifications: {
      type: 'array',
      items: object({ from: classification, to: classification, reason: { type: 'string' }, ...stamp }),
    },
    routing: {
      type: 'array',
      description: 'every route the complaint took: the first by the rules, later ones overridden',
      items: object(
        {
          department: { type: 'string', enum: DEPARTMENTS },
          owner: { type: 'string' },
          rule: { type: ['integer', 'null'], description: 'the routing rule that decided; null otherwise' },
          reason: { type: 'string' },
          ...stamp,
        },
        ['department', 'rule', 'at', 'by'],
      ),
    },
    findings: {
      type: 'array',
      items: object({ text: { type: 'string' }, caseIds: strings, ...stamp }),
    },
    evidence: {
      type: 'array',
      items: object(
        {
          evidenceId: { type: 'string' },
          fileName: { type: 'string' },
          contentType: { type: 'string', enum: EVIDENCE_TYPES },
          size: { type: 'integer' },
          sha256: { type: 'string' },
          note: { type: 'string' },
          ...stamp,
        },
        ['evidenceId', 'fileName', 'contentType', 'size', 'sha256', 'at', 'by'],
      ),
    },
    actions: {
      type: 'array',
      description: 'corrective actions (整改措施), each with its own clock action:<id>',
      items: object(
        {
          id: { type: 'string', description: 'A1, A2 …' },
          description: { type: 'string' },
          type: { type: 'string', enum: ACTION_TYPES },
          responsible: { type: 'string', description: 'person id' },
          deadline: dateTime,
          status: { type: 'string', enum: ['open', 'done'] },
          completed: object({ result: { type: 'string' }, ...stamp }),
          ...stamp,
        },
        ['id', 'description', 'type', 'responsible', 'deadline', 'status', 'at', 'by'],
      ),
    },
    waiver: {
      ...nullable(object({ reason: { type: 'string' }, ...stamp })),
      description: "the manager's waiver of open actions for this round's answer",
    },
    answers: {
      type: 'array',
      items: object({ answer: { type: 'string' }, channel, round: { type: 'integer' }, ...stamp }),
    },
    responses: {
      type: 'array',
      items: object(
        { accepted: { type: 'boolean' }, comment: { type: 'string' }, round: { type: 'integer' }, ...stamp },
        ['accepted', 'round', 'at', 'by'],
      ),
    },
    updates: {
      type: 'array',
      description: 'customer-visible updates; each restarted the progress-update clock',
      items: object({
        kind: { type: 'string', enum: ['acknowledge', 'progress', 'answer'] },
        message: { type: 'string' },
        channel,
        ...stamp,
      }),
    },
    effectiveness: {
      type: 'array',
      items: object({ effective: { type: 'boolean' }, note: { type: 'string' }, ...stamp }),
    },
    withdrawal: nullable(object({ reason: { type: 'string' }, ...stamp })),
    qualityIssues: {
      type: 'array',
      description: 'quality issues raised from or linked to the complaint',
      items: object(
        {
          issueId: { type: 'string' },
          closed: { type: 'boolean' },
          summary: { type: 'string' },
          at: dateTime,
        },
        ['issueId', 'closed', 'at'],
      ),
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
            'created, acknowledged, reclassified, routed, finding_recorded, evidence_attached, case_linked, action_added, action_completed, actions_waived, progress_update, answered, answer_rejected, answer_accepted, not_effective, closed, withdrawn, quality_issue_linked, quality_issue_closed, escalated',
        },
        fromStage: { type: ['string', 'null'], enum: [...COMPLAINT_STAGES, null] },
        toStage: { type: 'string', enum: COMPLAINT_STAGES },
        actor: { type: 'string' },
        at: dateTime,
        data: { type: 'object', additionalProperties: true, description: 'what the step recorded' },
      }),
    },
  }),
} as const;

export const COMPLAINT_LIST_SCHEMA = {
  $id: 'ComplaintList',
  ...object({
    items: { type: 'array', items: { $ref: 'ComplaintSummary#' } },
    nextCursor: { ...nullableString, description: 'pass as cursor for the next page; null on the last' },
  }),
} as const;

export const EVIDENCE_SCHEMA = {
  $id: 'ComplaintEvidence',
  description: 'An evidence file as stored: its content hashed (SHA-256)',
  ...object({
    id: { type: 'string' },
    complaintId: { type: 'string' },
    fileName: { type: 'string' },
    contentType: { type: 'string', enum: EVIDENCE_TYPES },
    size: { type: 'integer', description: 'bytes' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    note: nullableString,
    uploadedBy: { type: 'string' },
    uploadedAt: dateTime,
  }),
} as const;

export const evidenceUploadSchema = object({
  evidence: { $ref: 'ComplaintEvidence#' },
  complaint: { $ref: 'Complaint#' },
});

/** The evidence file itself, in the type it was uploaded as. */
export const evidenceFileContent = Object.fromEntries(
  EVIDENCE_TYPES.map((t) => [t, { schema: { type: 'string', description: 'the file' } }]),
);

export const complianceSchema = object({
  items: {
    type: 'array',
    items: object({
      owner: { ...nullableString, description: 'person id; null for the department desks' },
      updates: { type: 'integer' },
      onTime: { type: 'integer' },
      late: { type: 'integer' },
      missed: { type: 'integer', description: 'progress-update deadlines that passed (escalated)' },
      complianceRate: {
        type: ['number', 'null'],
        description: 'on-time updates / (updates + missed); null without either',
      },
    }),
  },
});

const ladder = {
  type: 'array',
  minItems: 1,
  maxItems: 10,
  items: {
    type: 'object',
    required: ['level', 'at', 'recipient', 'name'],
    additionalProperties: false,
    properties: {
      level: { type: 'integer', minimum: 1, maximum: 9 },
      at: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
      recipient: text(100),
      name: text(50),
    },
  },
} as const;
const priorityTargets = body(['acknowledge', 'resolve', 'progressUpdate'], {
  acknowledge: target,
  resolve: target,
  progressUpdate: target,
});
const matrixRow = body(['high', 'medium', 'low'], {
  high: { type: 'string', enum: PRIORITIES },
  medium: { type: 'string', enum: PRIORITIES },
  low: { type: 'string', enum: PRIORITIES },
});
const routingMatch = body([], {
  category: { type: 'string', enum: CATEGORIES },
  productLine: { type: 'string', minLength: 1, maxLength: 100 },
  region: { type: 'string', minLength: 1, maxLength: 100 },
});
const routingRule = body(['match', 'department'], {
  match: routingMatch,
  department: { type: 'string', enum: DEPARTMENTS },
  owner: { type: 'string', minLength: 1, maxLength: 100, description: 'person id' },
});

export const complaintPolicyBody = body(['name', 'calendarId', 'matrix', 'targets'], {
  name: text(200),
  match: body([], { productLine: { type: 'string', minLength: 1, maxLength: 100 } }),
  calendarId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' },
  matrix: body(['high', 'medium', 'low'], { high: matrixRow, medium: matrixRow, low: matrixRow }),
  targets: body(['P1', 'P2', 'P3', 'P4'], {
    P1: priorityTargets,
    P2: priorityTargets,
    P3: priorityTargets,
    P4: priorityTargets,
  }),
  escalation: ladder,
  progressEscalation: ladder,
  actionEscalation: ladder,
  routing: { type: 'array', maxItems: 200, items: routingRule },
});

export const policyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } },
} as const;

export const COMPLAINT_POLICY_SCHEMA = {
  $id: 'ComplaintPolicy',
  description: 'A version of a complaint policy (投诉处理标准)',
  ...object({
    id: { type: 'string' },
    version: { type: 'integer' },
    name: { type: 'string' },
    match: complaintPolicyBody.properties.match,
    calendarId: { type: 'string' },
    matrix: complaintPolicyBody.properties.matrix,
    targets: complaintPolicyBody.properties.targets,
    escalation: ladder,
    progressEscalation: ladder,
    actionEscalation: ladder,
    routing: { type: 'array', items: routingRule },
    createdAt: dateTime,
    retiredAt: nullableDateTime,
    current: { type: 'boolean' },
  }),
} as const;

/** Shared schemas of the complaint API, in the order they must be added (referenced ones first). */
export const COMPLAINT_SCHEMAS = [
  COMPLAINT_SUMMARY_SCHEMA,
  COMPLAINT_SCHEMA,
  COMPLAINT_LIST_SCHEMA,
  EVIDENCE_SCHEMA,
  COMPLAINT_POLICY_SCHEMA,
];

export const complaintRef = { $ref: 'Complaint#' } as const;
export const complaintPolicyRef = { $ref: 'ComplaintPolicy#' } as const;
