// JSON schemas of the complaint API: intake, each step, lists, evidence, reports and the versioned
// complaint policy. Requests reject unknown fields; responses document every status in OpenAPI.

import { ACTION_TYPES, COMPLAINT_CHANNELS, COMPLAINT_STAGES } from '../../../domain/complaints/complaint.js';
import { LEVELS, PRIORITIES } from '../../../domain/complaints/policy.js';
import { CATEGORIES, DEPARTMENTS } from '../../../domain/complaints/routing.js';
import { optionalText, text } from '../../schema-parts.js';
import { externalRefSchema } from '../../schemas.js';

/** Problem responses: the given statuses plus 401/403. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(
    [...statuses, 401, 403].map((s) => [
      s,
      {
        description: 'problem details (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
      },
    ]),
  );

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

const anyObject = { type: 'object', additionalProperties: true } as const;
const nullableString = { type: 'string', nullable: true } as const;

export const complaintSummarySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    workflowId: { type: 'string' },
    stage: { type: 'string', enum: COMPLAINT_STAGES },
    stageLabel: { type: 'string' },
    priority: { type: 'string', enum: PRIORITIES },
    urgency: level,
    importance: level,
    category: { type: 'string' },
    department: { type: 'string' },
    owner: nullableString,
    channel: { type: 'string' },
    externalRef: { ...anyObject, nullable: true },
    customer: anyObject,
    product: anyObject,
    description: { type: 'string' },
    rejections: { type: 'integer' },
    breached: { type: 'boolean' },
    reportedAt: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    closedAt: nullableString,
  },
} as const;

export const complaintViewSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...complaintSummarySchema.properties,
    policy: anyObject,
    clocks: { type: 'array', items: anyObject },
    linkedCases: { type: 'array', items: { type: 'string' } },
    classification: anyObject,
    reclassifications: { type: 'array', items: anyObject },
    routing: { type: 'array', items: anyObject },
    findings: { type: 'array', items: anyObject },
    evidence: { type: 'array', items: anyObject },
    actions: { type: 'array', items: anyObject },
    waiver: { ...anyObject, nullable: true },
    answers: { type: 'array', items: anyObject },
    responses: { type: 'array', items: anyObject },
    updates: { type: 'array', items: anyObject },
    effectiveness: { type: 'array', items: anyObject },
    withdrawal: { ...anyObject, nullable: true },
    qualityIssues: { type: 'array', items: anyObject },
    escalations: { type: 'array', items: anyObject },
    timeline: { type: 'array', items: anyObject },
  },
} as const;

export const complaintListSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: complaintSummarySchema }, nextCursor: nullableString },
} as const;

export const evidenceViewSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    complaintId: { type: 'string' },
    fileName: { type: 'string' },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    sha256: { type: 'string' },
    note: nullableString,
    uploadedBy: { type: 'string' },
    uploadedAt: { type: 'string' },
  },
} as const;

export const complianceSchema = {
  type: 'object',
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          owner: nullableString,
          updates: { type: 'integer' },
          onTime: { type: 'integer' },
          late: { type: 'integer' },
          missed: { type: 'integer', description: 'progress-update deadlines that passed (escalated)' },
          complianceRate: {
            type: 'number',
            nullable: true,
            description: 'on-time updates / (updates + missed)',
          },
        },
      },
    },
  },
} as const;

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
  routing: {
    type: 'array',
    maxItems: 200,
    items: body(['match', 'department'], {
      match: body([], {
        category: { type: 'string', enum: CATEGORIES },
        productLine: { type: 'string', minLength: 1, maxLength: 100 },
        region: { type: 'string', minLength: 1, maxLength: 100 },
      }),
      department: { type: 'string', enum: DEPARTMENTS },
      owner: { type: 'string', minLength: 1, maxLength: 100 },
    }),
  },
});

export const policyIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } },
} as const;

export const complaintPolicyView = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    name: { type: 'string' },
    match: anyObject,
    calendarId: { type: 'string' },
    matrix: anyObject,
    targets: anyObject,
    escalation: { type: 'array', items: anyObject },
    progressEscalation: { type: 'array', items: anyObject },
    actionEscalation: { type: 'array', items: anyObject },
    routing: { type: 'array', items: anyObject },
    createdAt: { type: 'string' },
    retiredAt: nullableString,
    current: { type: 'boolean' },
  },
} as const;
