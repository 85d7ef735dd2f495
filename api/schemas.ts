// JSON schemas of the case API. They validate requests (unknown fields are rejected) and generate
// the OpenAPI document.
import {
  CHANNELS,
  COMPLEXITIES,
  CONTACT_OUTCOMES,
  REPAIR_MODES,
  SEVERITIES,
  STAGES,
} from '../domain/case.js';
import { optionalText, text } from './schema-parts.js';

export const externalRefSchema = {
  type: 'object',
  required: ['system', 'id'],
  additionalProperties: false,
  properties: {
    system: text(50, 'help desk system, e.g. zendesk'),
    id: text(200, "the help desk's ticket id"),
  },
} as const;

export const intakeBody = {
  type: 'object',
  required: ['channel', 'customer', 'product', 'problem'],
  additionalProperties: false,
  properties: {
    channel: { type: 'string', enum: CHANNELS },
    customer: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: text(200),
        phone: { type: 'string', pattern: '^\\+?[0-9][0-9 \\-]{4,30}$' },
        email: { type: 'string', format: 'email', maxLength: 254 },
        tier: {
          type: 'string',
          minLength: 1,
          maxLength: 50,
          description: 'customer tier, selects the SLA policy',
        },
        region: {
          type: 'string',
          minLength: 1,
          maxLength: 50,
          description:
            'where the customer is (e.g. 华东): assignment suggestions prefer engineers of that region',
        },
      },
    },
    product: {
      type: 'object',
      required: ['model', 'serialNumber'],
      additionalProperties: false,
      properties: {
        model: text(100),
        serialNumber: text(100),
        purchaseDate: { type: 'string', format: 'date' },
        line: {
          type: 'string',
          minLength: 1,
          maxLength: 100,
          description: 'product line, selects the SLA policy',
        },
      },
    },
    problem: {
      type: 'object',
      required: ['description', 'severity'],
      additionalProperties: false,
      properties: { description: text(5000), severity: { type: 'string', enum: SEVERITIES } },
    },
    reportedAt: {
      type: 'string',
      format: 'date-time',
      description: 'when the customer reported; default now',
    },
    externalRef: externalRefSchema,
    imported: {
      type: 'boolean',
      default: false,
      description:
        'a case carried over from another system: escalation steps already overdue when it arrives are recorded as fired without notifying anyone or sending sla.* webhooks; steps due later fire as usual',
    },
  },
  examples: [
    {
      channel: 'phone',
      customer: { name: '张伟', phone: '+86 138 0000 0000', tier: 'gold' },
      product: { model: 'HX-200 空压机', serialNumber: 'SN-2025-00417', purchaseDate: '2025-03-01' },
      problem: { description: '启动后异响，压力上不去', severity: 'normal' },
      externalRef: { system: 'zendesk', id: 'T-1001' },
    },
  ],
} as const;

const partLines = {
  type: 'array',
  maxItems: 100,
  items: {
    type: 'object',
    required: ['partNumber', 'quantity'],
    additionalProperties: false,
    properties: {
      partNumber: text(100),
      quantity: { type: 'integer', minimum: 1, maximum: 10000 },
      description: optionalText(500),
    },
  },
} as const;

/** Replaced parts: also the serials of a serial-tracked part and whether the faulty one came back. */
const replacedPartLines = {
  ...partLines,
  items: {
    ...partLines.items,
    properties: {
      ...partLines.items.properties,
      faultySerial: text(100),
      replacementSerial: text(100),
      defectiveReturned: { type: 'boolean' },
    },
  },
} as const;

const codeRef = (kind: string) =>
  ({
    type: 'string',
    pattern: '^[A-Z0-9][A-Z0-9._-]{0,31}$',
    description: `${kind} code from /api/v1/failure-codes`,
  }) as const;
/** Optional structured failure codes on diagnoses and repair reports (the free text stays). */
const failureCoding = (withAction: boolean) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: {
      symptomCode: codeRef('symptom'),
      causeCode: codeRef('cause'),
      ...(withAction ? { actionCode: codeRef('action') } : {}),
      batch: { type: 'string', minLength: 1, maxLength: 100, description: 'production batch (批次)' },
    },
  }) as const;

const body = (required: string[], properties: Record<string, unknown>, example: Record<string, unknown>) =>
  ({ type: 'object', required, additionalProperties: false, properties, examples: [example] }) as const;

export const stepBodies = {
  'resolve-at-intake': body(
    ['answer'],
    { answer: text(5000, 'the answer given to the customer') },
    { answer: '长按复位键 5 秒后重启即可恢复' },
  ),
  assign: body(
    ['engineer'],
    {
      engineer: text(100, 'engineer id'),
      expectedHandling: optionalText(500),
    },
    { engineer: 'eng-wang', expectedHandling: '3 个工作日内上门' },
  ),
  diagnose: body(
    ['cause', 'plan', 'complexity', 'parts'],
    {
      cause: text(5000),
      plan: text(5000),
      complexity: { type: 'string', enum: COMPLEXITIES },
      parts: partLines,
      failure: failureCoding(false),
    },
    {
      cause: '进气阀卡滞',
      plan: '更换进气阀并清洗管路',
      complexity: 'ordinary',
      parts: [{ partNumber: 'VALVE-IN-200', quantity: 1 }],
    },
  ),
  'parts-ready': body([], { note: optionalText(2000) }, { note: '仓库已出库' }),
  schedule: body(
    ['mode', 'agreedAt'],
    {
      mode: { type: 'string', enum: REPAIR_MODES },
      agreedAt: { type: 'string', format: 'date-time' },
      address: optionalText(500),
      note: optionalText(2000),
    },
    { mode: 'onsite', agreedAt: '2026-12-02T09:30:00+08:00', address: '苏州工业园区星湖街 1 号' },
  ),
  'check-in': body(
    [],
    { at: { type: 'string', format: 'date-time' }, note: optionalText(2000) },
    { note: '已到现场' },
  ),
  'complete-repair': body(
    ['symptom', 'cause', 'actions', 'partsReplaced', 'test', 'usageExplained'],
    {
      symptom: text(5000),
      cause: text(5000),
      actions: text(5000),
      partsReplaced: replacedPartLines,
      test: {
        type: 'object',
        required: ['passed'],
        additionalProperties: false,
        properties: { passed: { type: 'boolean' }, notes: optionalText(2000) },
      },
      usageExplained: { type: 'boolean', description: 'the customer was shown correct use' },
      failure: failureCoding(true),
    },
    {
      symptom: '启动异响',
      cause: '进气阀卡滞',
      actions: '更换进气阀，清洗管路',
      partsReplaced: [{ partNumber: 'VALVE-IN-200', quantity: 1 }],
      test: { passed: true, notes: '满载运行 30 分钟正常' },
      usageExplained: true,
    },
  ),
  'customer-feedback': body(
    ['accepted'],
    { accepted: { type: 'boolean' }, comment: optionalText(2000) },
    { accepted: true, comment: '运行正常，满意' },
  ),
  'survey-response': body(
    ['serviceQuality', 'repairEffect', 'attitude', 'via'],
    {
      serviceQuality: { type: 'integer', minimum: 1, maximum: 5 },
      repairEffect: { type: 'integer', minimum: 1, maximum: 5 },
      attitude: { type: 'integer', minimum: 1, maximum: 5 },
      comment: optionalText(2000),
      via: { type: 'string', enum: ['phone', 'online'] },
    },
    { serviceQuality: 5, repairEffect: 4, attitude: 5, via: 'phone' },
  ),
  'wait-for-customer': body(
    ['reason'],
    { reason: text(2000, 'what the customer is to provide or decide') },
    { reason: '请客户提供设备铭牌照片' },
  ),
  'customer-responded': body([], { note: optionalText(2000) }, { note: '客户已发来照片' }),
  'record-contact': body(
    ['kind', 'channel'],
    {
      kind: {
        type: 'string',
        enum: ['customer_reply', 'contact_attempt'],
        description:
          'customer_reply: the customer wrote or called back; contact_attempt: we tried to reach them',
      },
      channel: { type: 'string', enum: CHANNELS },
      message: optionalText(5000),
      outcome: { type: 'string', enum: CONTACT_OUTCOMES, description: 'for contact attempts' },
      at: { type: 'string', format: 'date-time', description: 'when it happened; default now' },
    },
    { kind: 'customer_reply', channel: 'email', message: '照片见附件' },
  ),
  cancel: body(['reason'], { reason: text(2000) }, { reason: '客户撤单' }),
} as const;

export const caseIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^C[0-9]{7,}$', description: 'case id, e.g. C0000042' } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stage: { type: 'string', enum: STAGES },
    assignee: { type: 'string', maxLength: 100 },
    severity: { type: 'string', enum: SEVERITIES },
    breached: { type: 'string', enum: ['true', 'false'], description: 'some SLA clock passed its deadline' },
    from: { type: 'string', format: 'date-time', description: 'created at or after' },
    to: { type: 'string', format: 'date-time', description: 'created before' },
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'text in customer name, serial or model',
    },
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|100)$', description: '1–100, default 20' },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
  },
} as const;
