// The outbound webhooks as a contract: the body of each event type and the headers of each POST, for
// the OpenAPI document's `webhooks` section (OpenAPI 3.1) and its components. The bodies are built by
// activities/webhook-outbox.ts (caseWebhookEvents), activities/complaints (complaintWebhookEvents) and
// activities/quality (qualityWebhookEvents) and activities/parts/procurement.ts (one body schema per
// parts.* type, as their data differ) and sent by activities/webhook-delivery.ts; the test suite
// checks the bodies its receivers get against these schemas. docs/webhooks.md explains them.
import { COMPLAINT_STAGES } from '../domain/complaints/complaint.js';
import { PRIORITIES } from '../domain/complaints/policy.js';
import { DEPARTMENTS } from '../domain/complaints/routing.js';
import { QUALITY_SOURCES, QUALITY_STAGES } from '../domain/quality/issue.js';
import {
  CASE_WEBHOOK_EVENT_TYPES,
  COMPLAINT_WEBHOOK_EVENT_TYPES,
  PARTS_WEBHOOK_EVENT_TYPES,
  type PartsWebhookEventType,
  QUALITY_WEBHOOK_EVENT_TYPES,
  SLA_WEBHOOK_EVENT_TYPES,
} from '../domain/webhooks.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** The case as it stands after the transition, in every case and SLA event. */
const webhookCase = {
  type: 'object',
  description: 'The case after the transition',
  additionalProperties: false,
  required: ['id', 'stage', 'severity', 'assignee', 'outcome', 'externalRef'],
  properties: {
    id: { type: 'string', description: 'case id, e.g. C0000042' },
    stage: { type: 'string', description: 'the stage after the transition (see the Case schema)' },
    severity: { type: 'string', enum: ['emergency', 'normal'] },
    assignee: nullableString,
    outcome: { ...nullableString, description: 'how a finished case ended' },
    externalRef: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['system', 'id'],
      properties: { system: { type: 'string' }, id: { type: 'string' } },
      description: "the help desk's ticket the case was opened with",
    },
    waitingForCustomer: {
      type: 'boolean',
      description: 'the case waits on the customer (等待客户); its clocks pause as the SLA policy says',
    },
  },
} as const;

const transitionData = {
  seq: {
    type: 'integer',
    description:
      'the transition in the case history (1, 2, 3 … in the order of the workflow). One transition can ' +
      'cause two events (case.stage_changed and case.closed carry the same seq); deduplicate on the body id',
  },
  transition: {
    type: 'string',
    description: 'what happened: created, assigned, diagnosed, waiting_for_customer, customer_replied …',
  },
  stage: { type: 'string', description: 'the stage after the transition' },
  previousStage: { ...nullableString, description: 'the stage before; null for case.created' },
  actor: { type: 'string', description: "who did it: a person id, key:<id>, or 'system' for timers" },
} as const;

const envelope = (typeEnum: readonly string[], data: unknown, example: unknown) => ({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'occurredAt', 'caseId', 'data', 'case'],
  properties: {
    id: {
      type: 'integer',
      description:
        'the event id: one per event, the same on every retry and redelivery and for every subscription. Deduplicate on it',
    },
    type: { type: 'string', enum: typeEnum, description: 'also sent as the Shouhou-Event header' },
    occurredAt: { ...dateTime, description: 'when the transition happened' },
    caseId: { type: 'string' },
    data,
    case: ref('WebhookCase'),
  },
  examples: [example],
});

const caseEventData = {
  type: 'object',
  additionalProperties: false,
  required: Object.keys(transitionData),
  properties: {
    ...transitionData,
    reason: {
      type: 'string',
      description: 'case.waiting_for_customer: what the customer is to provide or decide',
    },
    note: {
      type: 'string',
      description: 'case.customer_responded via the customer-responded step: its note',
    },
    channel: { type: 'string', description: 'case.customer_responded / case.contact_attempted: the channel' },
    message: { type: 'string', description: 'the message the help desk reported, if any' },
    outcome: {
      type: 'string',
      description: 'case.contact_attempted: reached, no_answer, busy, voicemail or wrong_number',
    },
    contactedAt: {
      ...dateTime,
      description: 'case.customer_responded (a reply) / case.contact_attempted: when it happened',
    },
    waitEnded: {
      type: 'boolean',
      description: 'case.customer_responded: the reply ended a wait on the customer (clocks resume)',
    },
  },
} as const;

const slaEventData = {
  type: 'object',
  additionalProperties: false,
  required: [...Object.keys(transitionData), 'clock', 'cycle', 'level', 'dueAt', 'firedAt', 'recipient'],
  properties: {
    ...transitionData,
    clock: { type: 'string', enum: ['response', 'arrival', 'repair'] },
    cycle: { type: ['integer', 'null'], description: 'clock cycle (a restarted repair clock counts again)' },
    level: { type: 'integer', description: '1 = warning, 2 = breach, 3 and above = escalation' },
    dueAt: { ...dateTime, description: 'the instant the step fell due' },
    firedAt: { ...dateTime, description: 'the instant it fired' },
    recipient: {
      type: 'string',
      description: "who was notified; 'service-desk' for a warning to the assignee while nobody is assigned",
    },
  },
} as const;

/** The data of a complaint.* or quality.* event: the transition, and for *.escalated the fired step. */
const subjectEventData = (escalation: Record<string, unknown>) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: Object.keys(transitionData),
    properties: {
      ...transitionData,
      seq: {
        type: 'integer',
        description: 'the transition in the history (1, 2, 3 …); deduplicate on the body id',
      },
      transition: {
        type: 'string',
        description: 'what happened (the timeline type): created, acknowledged, escalated …',
      },
      ...escalation,
    },
  }) as const;

const firedStep = {
  clock: { type: 'string', description: 'the clock that fired' },
  cycle: { type: 'integer', description: 'clock cycle (a restarted clock counts again)' },
  level: { type: 'integer' },
  name: { type: 'string', description: "the ladder step's name, e.g. reminder, missed, breach" },
  dueAt: { ...dateTime, description: 'the instant the step fell due' },
  recipient: { type: 'string', description: 'a person id, desk:<department>, or a ladder place' },
} as const;

const subjectEnvelope = (
  typeEnum: readonly string[],
  idKey: string,
  subjectKey: string,
  data: unknown,
  subject: unknown,
  example: unknown,
) => ({
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'occurredAt', 'caseId', idKey, 'data', subjectKey],
  properties: {
    id: {
      type: 'integer',
      description: 'the event id; the same on every retry and redelivery. Deduplicate on it',
    },
    type: { type: 'string', enum: typeEnum, description: 'also sent as the Shouhou-Event header' },
    occurredAt: { ...dateTime, description: 'when the transition happened' },
    caseId: { type: 'null', description: 'always null: the event is not about one case' },
    [idKey]: { type: 'string' },
    data,
    [subjectKey]: subject,
  },
  examples: [example],
});

const webhookComplaint = {
  type: 'object',
  description: 'The complaint after the transition',
  additionalProperties: false,
  required: ['id', 'stage', 'priority', 'department', 'owner', 'rejections', 'externalRef'],
  properties: {
    id: { type: 'string', description: 'complaint id, e.g. CP0000042' },
    stage: { type: 'string', enum: COMPLAINT_STAGES },
    priority: { type: 'string', enum: PRIORITIES },
    department: { type: 'string', enum: DEPARTMENTS },
    owner: { ...nullableString, description: "person id; null while the department's desk has it" },
    rejections: { type: 'integer', description: 'answers the customer rejected so far' },
    externalRef: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['system', 'id'],
      properties: { system: { type: 'string' }, id: { type: 'string' } },
      description: "the help desk's ticket the complaint was opened with",
    },
  },
} as const;

const webhookQualityIssue = {
  type: 'object',
  description: 'The quality issue after the transition',
  additionalProperties: false,
  required: ['id', 'stage', 'source', 'model', 'causeCode', 'owner', 'caseIds', 'complaintIds'],
  properties: {
    id: { type: 'string', description: 'quality issue id, e.g. Q0000007' },
    stage: { type: 'string', enum: QUALITY_STAGES },
    source: { type: 'string', enum: QUALITY_SOURCES },
    model: { type: 'string' },
    causeCode: nullableString,
    owner: { type: 'string', description: 'person id, or desk:<department>' },
    caseIds: { type: 'array', items: { type: 'string' }, description: 'linked cases' },
    complaintIds: { type: 'array', items: { type: 'string' }, description: 'linked complaints' },
  },
} as const;

const exampleCase = {
  id: 'C0000042',
  stage: 'assigned',
  severity: 'normal',
  assignee: 'eng-wang',
  outcome: null,
  externalRef: { system: 'zendesk', id: 'T-1001' },
  waitingForCustomer: false,
};

// The parts.* bodies: the envelope of every family without a subject object, and a data schema per type.
const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const obj = (properties: Record<string, unknown>, optional: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});
const requestId = { type: 'string', description: 'the parts request, e.g. PR-C0000042-1-1' };
const purchaseId = {
  type: 'string',
  description: 'the purchase (one per request line short of stock, or per reorder)',
};
const purchaseOrderId = { type: 'string', description: 'the purchase order, e.g. PO0000012' };
const supplierId = { type: 'string' };
const partNumber = { type: 'string' };
const quantity = { type: 'integer', minimum: 1 };
const orderData = obj(
  {
    purchaseOrderId,
    purchaseId,
    supplierId,
    quantity,
    unitPrice: num,
    amount: { type: 'number', description: 'unit price × quantity (CNY)' },
    expectedAt: {
      type: ['string', 'null'],
      format: 'date-time',
      description: 'the promised date; null while it awaits approval',
    },
    approvedBy: {
      type: 'string',
      description: 'parts.purchase_order_placed on approval: the service manager',
    },
  },
  ['approvedBy'],
);
const issuedLine = obj({
  partNumber,
  quantity,
  warehouseId: str,
  unitCost: num,
  cost: num,
  serial: nullableString,
  faultySerial: nullableString,
});

export const PARTS_EVENT_DATA: Record<
  PartsWebhookEventType,
  { description: string; data: unknown; example: unknown }
> = {
  'parts.request_opened': {
    description: 'A diagnosis listing catalogue parts opened a parts request (备件申请)',
    data: obj({
      requestId,
      lines: { type: 'array', items: obj({ lineNo: int, partNumber, quantity }) },
      requestedBy: str,
    }),
    example: {
      requestId: 'PR-C0000042-1-1',
      lines: [{ lineNo: 1, partNumber: 'BRG-6204', quantity: 2 }],
      requestedBy: 'eng-wang',
    },
  },
  'parts.reserved': {
    description: 'Every line of a parts request is reserved: the case moves on by itself',
    data: obj({ requestId }),
    example: { requestId: 'PR-C0000042-1-1' },
  },
  'parts.purchase_opened': {
    description: 'A request line short of stock: a purchase opened and requests for quotes sent',
    data: obj({
      purchaseId,
      requestId,
      partNumber,
      quantity,
      rfqSentTo: { type: 'array', items: str, description: 'the qualified suppliers asked' },
    }),
    example: {
      purchaseId: 'PU0000031',
      requestId: 'PR-C0000042-1-1',
      partNumber: 'BRG-6204',
      quantity: 1,
      rfqSentTo: ['SUP-HX', 'SUP-LD'],
    },
  },
  'parts.reorder_proposed': {
    description: 'The reorder Schedule opened a purchase for a part below its reorder point (no case)',
    data: obj({
      purchaseId,
      partNumber,
      quantity,
      available: { type: 'integer', description: 'available stock when proposed' },
      rfqSentTo: { type: 'array', items: str },
    }),
    example: {
      purchaseId: 'PU0000032',
      partNumber: 'BRG-6204',
      quantity: 20,
      available: 1,
      rfqSentTo: ['SUP-HX'],
    },
  },
  'parts.quote_received': {
    description: "A supplier's quote was entered (or replaced)",
    data: obj({
      purchaseId,
      supplierId,
      unitPrice: num,
      leadTimeMs: { type: 'integer', description: 'promised lead time (ms)' },
      validUntil: { type: 'string', format: 'date-time' },
    }),
    example: {
      purchaseId: 'PU0000031',
      supplierId: 'SUP-HX',
      unitPrice: 86.5,
      leadTimeMs: 259200000,
      validUntil: '2026-12-08T00:00:00.000Z',
    },
  },
  'parts.approval_requested': {
    description: "The best quote's order is above the approval threshold: it waits for the service manager",
    data: orderData,
    example: {
      purchaseOrderId: 'PO0000012',
      purchaseId: 'PU0000031',
      supplierId: 'SUP-HX',
      quantity: 80,
      unitPrice: 86.5,
      amount: 6920,
      expectedAt: null,
    },
  },
  'parts.approval_rejected': {
    description: 'The service manager rejected the order: the purchase collects quotes again',
    data: obj({ purchaseOrderId, by: str }),
    example: { purchaseOrderId: 'PO0000012', by: 'mgr-qian' },
  },
  'parts.purchase_order_placed': {
    description: 'A purchase order was placed with its promised date (at award, or on approval)',
    data: orderData,
    example: {
      purchaseOrderId: 'PO0000012',
      purchaseId: 'PU0000031',
      supplierId: 'SUP-HX',
      quantity: 1,
      unitPrice: 86.5,
      amount: 86.5,
      expectedAt: '2026-12-04T03:00:00.000Z',
    },
  },
  'parts.purchase_order_late': {
    description:
      'A placed order passed its promised date (level 1, procurement) or further working time (level 2, the service manager)',
    data: obj({
      purchaseOrderId,
      level: { type: 'integer', enum: [1, 2] },
      dueAt: dateTime,
      recipient: { type: 'string', enum: ['procurement', 'service-manager'] },
    }),
    example: {
      purchaseOrderId: 'PO0000012',
      level: 1,
      dueAt: '2026-12-04T03:00:00.000Z',
      recipient: 'procurement',
    },
  },
  'parts.delivery_received': {
    description: 'Goods arrived against a placed order; they wait for receiving inspection',
    data: obj({ purchaseOrderId, receiptId: int, quantity }),
    example: { purchaseOrderId: 'PO0000012', receiptId: 57, quantity: 1 },
  },
  'parts.inspected': {
    description: 'A receipt was inspected (来料检验): passed into stock, or failed',
    data: obj({ purchaseOrderId, receiptId: int, passed: { type: 'boolean' }, quantity }),
    example: { purchaseOrderId: 'PO0000012', receiptId: 57, passed: true, quantity: 1 },
  },
  'parts.inspection_failed': {
    description:
      'A receipt failed inspection: returned to the supplier, counted against it, re-ordered from the next best',
    data: obj({ purchaseOrderId, supplierId, receiptId: int, quantity, note: nullableString }),
    example: {
      purchaseOrderId: 'PO0000012',
      supplierId: 'SUP-HX',
      receiptId: 57,
      quantity: 1,
      note: '外圈划伤',
    },
  },
  'parts.request_cancelled': {
    description:
      "A parts request was cancelled (or replaced by a change): reservations released, each order's fate recorded",
    data: obj({
      requestId,
      by: str,
      at: dateTime,
      reason: str,
      orders: { type: 'string', enum: ['keep_as_stock', 'cancel_with_supplier'] },
      decisions: {
        type: 'array',
        items: obj({
          purchaseId,
          purchaseOrderId: nullableString,
          decision: { type: 'string', enum: ['kept_as_stock', 'cancelled_with_supplier', 'cancelled'] },
        }),
      },
      released: { type: 'integer', description: 'units given back to stock' },
    }),
    example: {
      requestId: 'PR-C0000042-1-1',
      by: 'eng-wang',
      at: '2026-12-02T01:00:00.000Z',
      reason: '客户改为换机',
      orders: 'keep_as_stock',
      decisions: [{ purchaseId: 'PU0000031', purchaseOrderId: 'PO0000012', decision: 'kept_as_stock' }],
      released: 1,
    },
  },
  'parts.issued': {
    description: "The repair's parts left stock for the case at their cost (维修领用)",
    data: obj({
      requestId,
      issued: { type: 'array', items: issuedLine },
      shortfalls: {
        type: 'array',
        items: obj({ partNumber, quantity }),
        description: 'replaced parts neither reserved nor in stock',
      },
      totalCost: num,
      released: { type: 'integer', description: 'reserved units not used, given back' },
    }),
    example: {
      requestId: 'PR-C0000042-1-1',
      issued: [
        {
          partNumber: 'BRG-6204',
          quantity: 1,
          warehouseId: 'VAN-07',
          unitCost: 88.2,
          cost: 88.2,
          serial: 'NEW-1',
          faultySerial: 'OLD-1',
        },
      ],
      shortfalls: [],
      totalCost: 88.2,
      released: 1,
    },
  },
};

/** The component name of a parts.* body: parts.purchase_order_late → PartsPurchaseOrderLateWebhookEvent. */
export const partsEventSchemaName = (type: string) =>
  `${type.replace(/(^|[._])(\w)/g, (_m, _s, c: string) => c.toUpperCase())}WebhookEvent`;

const PARTS_EVENT_SCHEMAS = Object.fromEntries(
  PARTS_WEBHOOK_EVENT_TYPES.map((type) => {
    const { description, data, example } = PARTS_EVENT_DATA[type];
    return [
      partsEventSchemaName(type),
      {
        description: `The body of a ${type} webhook (docs/parts.md)`,
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'occurredAt', 'caseId', 'data'],
        properties: {
          id: { type: 'integer', description: 'the event id; deduplicate on it' },
          type: { type: 'string', const: type, description: 'also sent as the Shouhou-Event header' },
          occurredAt: { ...dateTime, description: 'when the step happened' },
          caseId: {
            ...nullableString,
            description: "the case the parts are for; null for a reorder purchase's",
          },
          data: { ...(data as object), description },
        },
        examples: [
          {
            id: 1250,
            type,
            occurredAt: '2026-12-01T03:00:00.000Z',
            caseId: type === 'parts.reorder_proposed' ? null : 'C0000042',
            data: example,
          },
        ],
      },
    ];
  }),
);

export const WEBHOOK_COMPONENTS = {
  schemas: {
    WebhookCase: webhookCase,
    CaseWebhookEvent: {
      description: 'The body of a case.* webhook',
      ...envelope(CASE_WEBHOOK_EVENT_TYPES, caseEventData, {
        id: 1187,
        type: 'case.stage_changed',
        occurredAt: '2026-11-30T02:15:04.120Z',
        caseId: 'C0000042',
        data: {
          seq: 2,
          transition: 'assigned',
          stage: 'assigned',
          previousStage: 'intake',
          actor: 'specialist-li',
        },
        case: exampleCase,
      }),
    },
    SlaWebhookEvent: {
      description: 'The body of an sla.* webhook',
      ...envelope(SLA_WEBHOOK_EVENT_TYPES, slaEventData, {
        id: 1203,
        type: 'sla.warning',
        occurredAt: '2026-11-30T05:00:00.004Z',
        caseId: 'C0000042',
        data: {
          seq: 3,
          transition: 'sla_warning',
          stage: 'assigned',
          previousStage: 'assigned',
          actor: 'system',
          clock: 'repair',
          cycle: 0,
          level: 1,
          dueAt: '2026-11-30T05:00:00.000Z',
          firedAt: '2026-11-30T05:00:00.004Z',
          recipient: 'eng-wang',
        },
        case: exampleCase,
      }),
    },
    ComplaintWebhookEvent: {
      description: 'The body of a complaint.* webhook (docs/complaints.md)',
      ...subjectEnvelope(
        COMPLAINT_WEBHOOK_EVENT_TYPES,
        'complaintId',
        'complaint',
        subjectEventData({
          ...firedStep,
          actionId: { type: 'string', description: "a corrective action's clock: the action" },
        }),
        webhookComplaint,
        {
          id: 1302,
          type: 'complaint.escalated',
          occurredAt: '2026-11-30T06:00:00.010Z',
          caseId: null,
          complaintId: 'CP0000042',
          data: {
            seq: 7,
            transition: 'escalated',
            stage: 'investigating',
            previousStage: 'investigating',
            actor: 'system',
            clock: 'progress',
            cycle: 1,
            level: 2,
            name: 'missed',
            dueAt: '2026-11-30T06:00:00.000Z',
            recipient: 'service-manager',
          },
          complaint: {
            id: 'CP0000042',
            stage: 'investigating',
            priority: 'P2',
            department: 'quality',
            owner: 'qa-zhou',
            rejections: 0,
            externalRef: { system: 'zendesk', id: 'T-2001' },
          },
        },
      ),
    },
    QualityWebhookEvent: {
      description: 'The body of a quality.* webhook (docs/quality.md)',
      ...subjectEnvelope(
        QUALITY_WEBHOOK_EVENT_TYPES,
        'qualityIssueId',
        'issue',
        subjectEventData(firedStep),
        webhookQualityIssue,
        {
          id: 1410,
          type: 'quality.stage_changed',
          occurredAt: '2026-12-01T03:20:00.000Z',
          caseId: null,
          qualityIssueId: 'Q0000007',
          data: {
            seq: 3,
            transition: 'analyzed',
            stage: 'planning',
            previousStage: 'analysis',
            actor: 'rnd-wang',
          },
          issue: {
            id: 'Q0000007',
            stage: 'planning',
            source: 'cluster',
            model: 'HX-200',
            causeCode: 'BRG-WEAR',
            owner: 'desk:rnd',
            caseIds: ['C0000101', 'C0000107', 'C0000112'],
            complaintIds: [],
          },
        },
      ),
    },
    ...PARTS_EVENT_SCHEMAS,
  },
  securitySchemes: {
    webhookSignature: {
      type: 'apiKey' as const,
      in: 'header',
      name: 'Shouhou-Signature',
      description:
        'Outbound webhooks only: t=<unix seconds>,v1=<hex HMAC-SHA256>, keyed with the whole whsec_… secret ' +
        'of the subscription (its UTF-8 bytes, prefix included, not base64-decoded) over "<t>.<raw body>". ' +
        'Reject a timestamp more than 5 minutes from your clock. See docs/webhooks.md.',
    },
  },
};

const headerParam = (name: string, description: string, schema: Record<string, unknown>) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema,
});

const deliveryHeaders = [
  headerParam('Shouhou-Event', 'the event type, as in the body', { type: 'string' }),
  headerParam(
    'Shouhou-Delivery',
    'the delivery id: one per event and subscription, the same on every retry and redelivery',
    { type: 'string', pattern: '^[1-9][0-9]*$' },
  ),
  headerParam('Shouhou-Timestamp', 'unix seconds when this attempt was signed', {
    type: 'string',
    pattern: '^[0-9]+$',
  }),
];

const SUMMARIES: Record<string, string> = {
  'case.created': 'A case was opened (受理)',
  'case.stage_changed': 'A case moved to another stage',
  'case.closed': 'A case reached closed or cancelled (after its case.stage_changed, with the same seq)',
  'case.waiting_for_customer': 'A case waits on the customer (等待客户): contact them',
  'case.customer_responded': 'The customer answered (a reply message or the customer-responded step)',
  'case.contact_attempted': 'Somebody tried to reach the customer',
  'sla.warning': 'An SLA clock reached its warning step (default 75 %)',
  'sla.breached': 'An SLA clock passed its deadline (100 %): escalated to the service manager',
  'sla.escalated': 'An SLA clock reached a further step (default 150 %): escalated upwards',
  'complaint.created': 'A complaint was recorded (投诉受理), classified and routed',
  'complaint.stage_changed': 'A complaint moved to another stage',
  'complaint.closed': 'A complaint was closed or withdrawn (after its complaint.stage_changed)',
  'complaint.escalated':
    'A clock of a complaint fired a step (acknowledge, resolve, progress update, corrective action)',
  'quality.raised': 'A quality issue was raised (by hand, or by a failure cluster on its own)',
  'quality.stage_changed': 'A quality issue moved to another stage',
  'quality.closed': 'A quality issue was closed or cancelled (after its quality.stage_changed)',
  'quality.escalated': 'The deadline of a quality-issue stage fired a step',
  ...Object.fromEntries(PARTS_WEBHOOK_EVENT_TYPES.map((t) => [t, PARTS_EVENT_DATA[t].description])),
};

const operationName = (type: string) =>
  `${type.replace('.*', 'Events').replace(/[._](\w)/g, (_m, c: string) => c.toUpperCase())}Webhook`;

function webhookOperation(type: string, body: string) {
  return {
    post: {
      operationId: operationName(type),
      tags: ['webhooks'],
      summary: SUMMARIES[type] ?? type,
      description:
        'POSTed to the URL of every active subscription that names this type (or its family wildcard, or *), ' +
        'in order per subscription. Answer 2xx within 10 s; anything else is retried (docs/webhooks.md).',
      security: [{ webhookSignature: [] }],
      parameters: deliveryHeaders,
      requestBody: { required: true, content: { 'application/json': { schema: ref(body) } } },
      responses: {
        '2XX': { description: 'Accepted: the delivery is marked delivered' },
        '4XX': {
          description: 'Not accepted: retried with backoff (as is every non-2xx answer or no answer)',
        },
        '5XX': { description: 'Not accepted: retried with backoff' },
      },
    },
  };
}

/** The `webhooks` section: one entry per event type the system emits. */
export const WEBHOOK_OPERATIONS = Object.fromEntries([
  ...CASE_WEBHOOK_EVENT_TYPES.map((t) => [t, webhookOperation(t, 'CaseWebhookEvent')]),
  ...SLA_WEBHOOK_EVENT_TYPES.map((t) => [t, webhookOperation(t, 'SlaWebhookEvent')]),
  ...COMPLAINT_WEBHOOK_EVENT_TYPES.map((t) => [t, webhookOperation(t, 'ComplaintWebhookEvent')]),
  ...QUALITY_WEBHOOK_EVENT_TYPES.map((t) => [t, webhookOperation(t, 'QualityWebhookEvent')]),
  ...PARTS_WEBHOOK_EVENT_TYPES.map((t) => [t, webhookOperation(t, partsEventSchemaName(t))]),
]);
