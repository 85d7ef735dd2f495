// Spare parts tables (migration 0007_parts): catalogue, warehouses, suppliers, the stock ledger, parts
// requests and purchases. The stock invariants are constraints of the migration; these mirrors are for
// typed reads. Writes that move stock go through activities/parts/ledger.ts, under row locks.
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true });

export const parts = pgTable('parts', {
  partNumber: text('part_number').primaryKey(),
  name: text('name').notNull(),
  unit: text('unit').notNull().default('pcs'),
  standardCost: numeric('standard_cost', { precision: 14, scale: 2 }).notNull(),
  compatibleModels: text('compatible_models').array().notNull().default(sql`'{}'`),
  serialTracked: boolean('serial_tracked').notNull().default(false),
  reorderPoint: integer('reorder_point').notNull().default(0),
  reorderQuantity: integer('reorder_quantity').notNull().default(0),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const warehouses = pgTable('warehouses', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').$type<'central' | 'van'>().notNull(),
  engineer: text('engineer'),
  priority: integer('priority').notNull().default(100),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const suppliers = pgTable('suppliers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  contact: jsonb('contact').$type<Record<string, string>>().notNull().default({}),
  status: text('status').$type<'qualified' | 'suspended'>().notNull().default('qualified'),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const supplierParts = pgTable(
  'supplier_parts',
  {
    supplierId: text('supplier_id').notNull(),
    partNumber: text('part_number').notNull(),
    price: numeric('price', { precision: 14, scale: 2 }).notNull(),
    leadTimeDays: numeric('lead_time_days', { precision: 8, scale: 2 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.supplierId, t.partNumber] })],
);

export const stockBalances = pgTable(
  'stock_balances',
  {
    partNumber: text('part_number').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    averageCost: numeric('average_cost', { precision: 14, scale: 4 }).notNull().default('0'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.partNumber, t.warehouseId] })],
);

export const stockMovements = pgTable('stock_movements', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  key: text('key').notNull().unique(),
  partNumber: text('part_number').notNull(),
  warehouseId: text('warehouse_id').notNull(),
  kind: text('kind').notNull(),
  quantity: integer('quantity').notNull(),
  onHandDelta: integer('on_hand_delta').notNull(),
  reservedDelta: integer('reserved_delta').notNull(),
  unitCost: numeric('unit_cost', { precision: 14, scale: 4 }),
  caseId: text('case_id'),
  requestId: text('request_id'),
  purchaseOrderId: text('purchase_order_id'),
  serial: text('serial'),
  faultySerial: text('faulty_serial'),
  reason: text('reason'),
  actor: text('actor').notNull(),
  at: at('at').notNull().defaultNow(),
});

export const partsRequests = pgTable('parts_requests', {
  id: text('id').primaryKey(),
  caseId: text('case_id').notNull(),
  workflowId: text('workflow_id').notNull(),
  status: text('status').$type<'open' | 'reserved' | 'issued' | 'cancelled'>().notNull(),
  requestedBy: text('requested_by').notNull(),
  cancellation: jsonb('cancellation'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const partsRequestLines = pgTable(
  'parts_request_lines',
  {
    requestId: text('request_id').notNull(),
    lineNo: integer('line_no').notNull(),
    partNumber: text('part_number').notNull(),
    quantity: integer('quantity').notNull(),
    reserved: integer('reserved').notNull().default(0),
    issued: integer('issued').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.lineNo] })],
);

export const stockReservations = pgTable('stock_reservations', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  requestId: text('request_id').notNull(),
  lineNo: integer('line_no').notNull(),
  partNumber: text('part_number').notNull(),
  warehouseId: text('warehouse_id').notNull(),
  quantity: integer('quantity').notNull(),
  status: text('status').$type<'active' | 'released' | 'issued'>().notNull().default('active'),
  movementKey: text('movement_key').notNull().unique(),
  createdAt: at('created_at').notNull().defaultNow(),
  closedAt: at('closed_at'),
});

export const purchases = pgTable('purchases', {
  id: text('id').primaryKey(),
  origin: text('origin').$type<'request' | 'reorder'>().notNull(),
  requestId: text('request_id'),
  lineNo: integer('line_no'),
  partNumber: text('part_number').notNull(),
  quantity: integer('quantity').notNull(),
  warehouseId: text('warehouse_id').notNull(),
  status: text('status')
    .$type<'quoting' | 'ordering' | 'completed' | 'cancelled' | 'kept_as_stock'>()
    .notNull(),
  dedupeKey: text('dedupe_key').notNull().unique(),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const purchaseRfqs = pgTable(
  'purchase_rfqs',
  {
    purchaseId: text('purchase_id').notNull(),
    supplierId: text('supplier_id').notNull(),
    sentAt: at('sent_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.purchaseId, t.supplierId] })],
);

export const purchaseQuotes = pgTable(
  'purchase_quotes',
  {
    purchaseId: text('purchase_id').notNull(),
    supplierId: text('supplier_id').notNull(),
    unitPrice: numeric('unit_price', { precision: 14, scale: 2 }).notNull(),
    leadTimeMs: bigint('lead_time_ms', { mode: 'number' }).notNull(),
    validUntil: at('valid_until').notNull(),
    enteredBy: text('entered_by').notNull(),
    enteredAt: at('entered_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.purchaseId, t.supplierId] })],
);

export type PurchaseOrderStatus =
  | 'awaiting_approval'
  | 'placed'
  | 'received'
  | 'closed'
  | 'cancelled'
  | 'rejected';

export const purchaseOrders = pgTable('purchase_orders', {
  id: text('id').primaryKey(),
  purchaseId: text('purchase_id').notNull(),
  supplierId: text('supplier_id').notNull(),
  quantity: integer('quantity').notNull(),
  unitPrice: numeric('unit_price', { precision: 14, scale: 2 }).notNull(),
  leadTimeMs: bigint('lead_time_ms', { mode: 'number' }).notNull(),
  status: text('status').$type<PurchaseOrderStatus>().notNull(),
  comparison: jsonb('comparison').notNull(),
  approvedBy: text('approved_by'),
  approvedAt: at('approved_at'),
  placedAt: at('placed_at'),
  expectedAt: at('expected_at'),
  receivedQuantity: integer('received_quantity').notNull().default(0),
  passedQuantity: integer('passed_quantity').notNull().default(0),
  failedQuantity: integer('failed_quantity').notNull().default(0),
  cancellation: jsonb('cancellation'),
  createdBy: text('created_by').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const purchaseReceipts = pgTable('purchase_receipts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  purchaseOrderId: text('purchase_order_id').notNull(),
  quantity: integer('quantity').notNull(),
  serials: text('serials').array().notNull().default(sql`'{}'`),
  receivedAt: at('received_at').notNull().defaultNow(),
  receivedBy: text('received_by').notNull(),
  inspection: text('inspection').$type<'passed' | 'failed'>(),
  inspectionNote: text('inspection_note'),
  inspectedAt: at('inspected_at'),
  inspectedBy: text('inspected_by'),
});

export const purchaseOrderEscalations = pgTable(
  'purchase_order_escalations',
  {
    purchaseOrderId: text('purchase_order_id').notNull(),
    level: integer('level').notNull(),
    dueAt: at('due_at').notNull(),
    firedAt: at('fired_at').notNull(),
    recipient: text('recipient').notNull(),
  },
  (t) => [primaryKey({ columns: [t.purchaseOrderId, t.level] })],
);
