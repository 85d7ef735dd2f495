// JSON schemas of the spare-parts API. Requests reject unknown fields; what a schema cannot state (an
// unknown part, receiving more than was ordered, approving twice…) is answered by the handler with a
// problem naming it.
import { ORDER_CHOICES } from '../../../domain/parts/request.js';
import { optionalText, text } from '../../schema-parts.js';

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

const ID = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const PART_NUMBER = '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$';
const money = { type: 'number', minimum: 0, maximum: 1e10 } as const;
const quantity = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;
const instant = { type: 'string', format: 'date-time' } as const;
const nullableInstant = { type: ['string', 'null'], format: 'date-time' } as const;
const obj = (required: string[], properties: Record<string, unknown>, additional = false) =>
  ({ type: 'object', required, additionalProperties: additional, properties }) as const;

export const idParams = (name = 'id', pattern = ID) => obj([name], { [name]: { type: 'string', pattern } });
export const listQuery = (extra: Record<string, unknown> = {}) =>
  obj([], {
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]?|1[0-9]{2}|200)$', description: '1–200, default 50' },
    cursor: { type: 'string', maxLength: 500 },
    ...extra,
  });
export const page = (item: Record<string, unknown>) =>
  obj(['items', 'nextCursor'], {
    items: { type: 'array', items: item },
    nextCursor: { type: ['string', 'null'] },
  });

// ---- catalogue ------------------------------------------------------------------------------------------

export const partBody = obj(['name', 'standardCost'], {
  name: text(200),
  unit: text(20),
  standardCost: money,
  compatibleModels: { type: 'array', maxItems: 200, items: text(200) },
  serialTracked: { type: 'boolean' },
  reorderPoint: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  reorderQuantity: { type: 'integer', minimum: 0, maximum: 1_000_000 },
});
const balance = obj(['warehouseId', 'onHand', 'reserved', 'available', 'averageCost'], {
  warehouseId: { type: 'string' },
  onHand: { type: 'integer' },
  reserved: { type: 'integer' },
  available: { type: 'integer' },
  averageCost: { type: 'number' },
});
export const partView = obj(
  [
    'partNumber',
    'name',
    'unit',
    'standardCost',
    'compatibleModels',
    'serialTracked',
    'reorderPoint',
    'reorderQuantity',
  ],
  {
    partNumber: { type: 'string' },
    name: { type: 'string' },
    unit: { type: 'string' },
    standardCost: { type: 'number' },
    compatibleModels: { type: 'array', items: { type: 'string' } },
    serialTracked: { type: 'boolean' },
    reorderPoint: { type: 'integer' },
    reorderQuantity: { type: 'integer' },
    stock: { type: 'array', items: balance },
  },
);

export const warehouseBody = obj(['name', 'kind'], {
  name: text(200),
  kind: { type: 'string', enum: ['central', 'van'] },
  engineer: text(100),
  priority: {
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000,
    description: 'lower is nearer; reserved first',
  },
});
export const warehouseView = obj(['id', 'name', 'kind', 'engineer', 'priority'], {
  id: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  engineer: { type: ['string', 'null'] },
  priority: { type: 'integer' },
});

const supplierPart = obj(['partNumber', 'price', 'leadTimeDays'], {
  partNumber: { type: 'string', pattern: PART_NUMBER },
  price: money,
  leadTimeDays: { type: 'number', minimum: 0, maximum: 3650 },
});
export const supplierBody = obj(['name'], {
  name: text(200),
  contact: {
    type: 'object',
    maxProperties: 10,
    additionalProperties: { type: 'string', maxLength: 200 },
    description: 'person, phone, email, address…',
  },
  status: { type: 'string', enum: ['qualified', 'suspended'] },
  parts: { type: 'array', maxItems: 1000, items: supplierPart },
});
export const supplierView = obj(['id', 'name', 'contact', 'status', 'parts'], {
  id: { type: 'string' },
  name: { type: 'string' },
  contact: { type: 'object', additionalProperties: { type: 'string' } },
  status: { type: 'string', enum: ['qualified', 'suspended'] },
  parts: { type: 'array', items: supplierPart },
});
const ratio = { oneOf: [{ type: 'number' }, { type: 'string', enum: ['n/a'] }] } as const;
export const evaluationView = obj(
  ['supplierId', 'from', 'to', 'onTimeInFull', 'inspectionPassRate', 'priceIndex', 'score'],
  {
    supplierId: { type: 'string' },
    from: instant,
    to: instant,
    onTimeInFull: ratio,
    inspectionPassRate: ratio,
    priceIndex: ratio,
    score: ratio,
  },
);
export const evaluationQuery = obj([], { from: instant, to: instant });

// ---- stock ----------------------------------------------------------------------------------------------

export const movementBody = obj(['kind', 'partNumber', 'warehouseId', 'quantity'], {
  kind: { type: 'string', enum: ['receive', 'adjust', 'return_to_supplier'] },
  partNumber: { type: 'string', pattern: PART_NUMBER },
  warehouseId: { type: 'string', pattern: ID },
  quantity: { ...quantity, description: 'units moved (for an adjustment: its size)' },
  direction: { type: 'string', enum: ['in', 'out'], description: "adjustments: 'in' adds, 'out' removes" },
  unitCost: money,
  reason: text(500),
  serial: text(100),
});
export const movementView = obj(
  ['id', 'kind', 'partNumber', 'warehouseId', 'quantity', 'onHandDelta', 'reservedDelta', 'at'],
  {
    id: { type: 'integer' },
    kind: { type: 'string' },
    partNumber: { type: 'string' },
    warehouseId: { type: 'string' },
    quantity: { type: 'integer' },
    onHandDelta: { type: 'integer' },
    reservedDelta: { type: 'integer' },
    unitCost: { type: ['number', 'null'], description: 'parts.costs.read only' },
    caseId: { type: ['string', 'null'] },
    requestId: { type: ['string', 'null'] },
    purchaseOrderId: { type: ['string', 'null'] },
    serial: { type: ['string', 'null'] },
    faultySerial: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
    actor: { type: 'string' },
    at: instant,
  },
);
export const stockView = obj(['partNumber', 'warehouseId', 'onHand', 'reserved', 'available'], {
  partNumber: { type: 'string' },
  warehouseId: { type: 'string' },
  onHand: { type: 'integer' },
  reserved: { type: 'integer' },
  available: { type: 'integer' },
  averageCost: { type: 'number', description: 'parts.costs.read only' },
});

// ---- requests and purchases ----------------------------------------------------------------------------

export const requestView = obj(
  ['id', 'caseId', 'status', 'requestedBy', 'lines', 'reservations', 'purchases', 'createdAt'],
  {
    id: { type: 'string' },
    caseId: { type: 'string' },
    status: { type: 'string', enum: ['open', 'reserved', 'issued', 'cancelled'] },
    requestedBy: { type: 'string' },
    cancellation: { type: ['object', 'null'], additionalProperties: true },
    lines: {
      type: 'array',
      items: obj(['lineNo', 'partNumber', 'quantity', 'reserved', 'issued'], {
        lineNo: { type: 'integer' },
        partNumber: { type: 'string' },
        quantity: { type: 'integer' },
        reserved: { type: 'integer' },
        issued: { type: 'integer' },
      }),
    },
    reservations: {
      type: 'array',
      items: obj(['lineNo', 'partNumber', 'warehouseId', 'quantity', 'status'], {
        lineNo: { type: 'integer' },
        partNumber: { type: 'string' },
        warehouseId: { type: 'string' },
        quantity: { type: 'integer' },
        status: { type: 'string' },
      }),
    },
    purchases: {
      type: 'array',
      items: obj(['id', 'status'], { id: { type: 'string' }, status: { type: 'string' } }, true),
    },
    createdAt: instant,
  },
);
export const cancelRequestBody = obj(['reason', 'purchaseOrders'], {
  reason: text(2000),
  purchaseOrders: {
    type: 'string',
    enum: ORDER_CHOICES,
    description: 'what happens to an order already placed: kept as stock, or cancelled with the supplier',
  },
});
export const changeRequestBody = obj(['lines', 'reason', 'purchaseOrders'], {
  lines: {
    type: 'array',
    minItems: 1,
    maxItems: 100,
    items: obj(['partNumber', 'quantity'], {
      partNumber: { type: 'string', pattern: PART_NUMBER },
      quantity,
    }),
  },
  reason: text(2000),
  purchaseOrders: cancelRequestBody.properties.purchaseOrders,
});
export const changeView = obj(['caseId', 'replaced', 'requestId'], {
  caseId: { type: 'string' },
  replaced: { type: 'string', description: 'the request cancelled by the change' },
  requestId: { type: 'string', description: 'the new request (its workflow opens it in a moment)' },
});
export const cancellationView = obj(['by', 'at', 'reason', 'orders', 'decisions', 'released'], {
  by: { type: 'string' },
  at: instant,
  reason: { type: 'string' },
  orders: { type: 'string' },
  released: { type: 'integer' },
  decisions: {
    type: 'array',
    items: obj(['purchaseId', 'purchaseOrderId', 'decision'], {
      purchaseId: { type: 'string' },
      purchaseOrderId: { type: ['string', 'null'] },
      decision: { type: 'string' },
    }),
  },
});

const quoteView = obj(['supplierId', 'unitPrice', 'leadTimeMs', 'validUntil', 'enteredBy'], {
  supplierId: { type: 'string' },
  unitPrice: { type: 'number' },
  leadTimeMs: { type: 'integer' },
  validUntil: instant,
  enteredBy: { type: 'string' },
});
export const orderView = obj(
  ['id', 'purchaseId', 'supplierId', 'quantity', 'unitPrice', 'status', 'expectedAt'],
  {
    id: { type: 'string' },
    purchaseId: { type: 'string' },
    supplierId: { type: 'string' },
    quantity: { type: 'integer' },
    unitPrice: { type: 'number' },
    amount: { type: 'number' },
    status: { type: 'string' },
    comparison: { type: 'object', additionalProperties: true },
    approvedBy: { type: ['string', 'null'] },
    placedAt: nullableInstant,
    expectedAt: nullableInstant,
    receivedQuantity: { type: 'integer' },
    passedQuantity: { type: 'integer' },
    failedQuantity: { type: 'integer' },
    cancellation: { type: ['object', 'null'], additionalProperties: true },
    escalations: {
      type: 'array',
      items: obj(['level', 'dueAt', 'firedAt', 'recipient'], {
        level: { type: 'integer' },
        dueAt: instant,
        firedAt: instant,
        recipient: { type: 'string' },
      }),
    },
    receipts: {
      type: 'array',
      items: obj(['id', 'quantity', 'receivedAt', 'inspection'], {
        id: { type: 'integer' },
        quantity: { type: 'integer' },
        serials: { type: 'array', items: { type: 'string' } },
        receivedAt: instant,
        inspection: { type: ['string', 'null'] },
        inspectionNote: { type: ['string', 'null'] },
      }),
    },
  },
);
export const purchaseView = obj(
  ['id', 'origin', 'partNumber', 'quantity', 'warehouseId', 'status', 'rfqs', 'quotes', 'orders'],
  {
    id: { type: 'string' },
    origin: { type: 'string', enum: ['request', 'reorder'] },
    requestId: { type: ['string', 'null'] },
    caseId: { type: ['string', 'null'] },
    partNumber: { type: 'string' },
    quantity: { type: 'integer' },
    warehouseId: { type: 'string' },
    status: { type: 'string' },
    rfqs: { type: 'array', items: { type: 'string' }, description: 'suppliers asked for a quote' },
    quotes: { type: 'array', items: quoteView },
    orders: { type: 'array', items: orderView },
    createdAt: instant,
  },
);
export const rfqBody = obj(['supplierId'], { supplierId: { type: 'string', pattern: ID } });
export const quoteBody = obj(['supplierId', 'unitPrice', 'leadTime', 'validUntil'], {
  supplierId: { type: 'string', pattern: ID },
  unitPrice: money,
  leadTime: {
    type: 'string',
    pattern: '^[0-9]+(ms|s|m|h|d)$',
    description: "delivery after ordering: '500ms', '30s', '4h', '10d'",
  },
  validUntil: instant,
  note: optionalText(500),
});
export const approvalBody = obj(['approve'], { approve: { type: 'boolean' }, note: optionalText(2000) });
export const receiptBody = obj(['quantity'], {
  quantity,
  serials: { type: 'array', maxItems: 10000, items: text(100) },
});
export const inspectionBody = obj(['passed'], { passed: { type: 'boolean' }, note: optionalText(2000) });
