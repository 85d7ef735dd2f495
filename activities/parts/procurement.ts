// Parts requests and purchases (采购), as transactions on the parts tables. The API and the partsRequest
// workflow's activities both call these; every state check happens under the row lock of the thing it
// moves, so approving twice, receiving more than was ordered or inspecting a line twice are refused by
// whoever comes second. Each function writes its parts.* webhook events in its own transaction and
// returns the subscriptions to wake after the commit.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { evaluateSupplier, type SupplierEvaluation } from '../../domain/parts/evaluation.js';
import { compareQuotes, needsApproval, type ScoredQuote } from '../../domain/parts/quotes.js';
import {
  type IssueLine,
  type OrderChoice,
  PartsRejected,
  type PartsRequestInput,
} from '../../domain/parts/request.js';
import { writeWebhookEvent } from '../webhook-outbox.js';
import { applyMovement, releaseReservations, StockShortage, type Tx } from './ledger.js';

export interface Outcome<T> {
  value: T;
  /** Webhook subscriptions to wake once committed. */
  wake: string[];
}

/** Writes one parts.* webhook event in `tx`. */
async function emit(
  tx: Tx,
  wake: Set<string>,
  type: string,
  dedupeKey: string,
  caseId: string | null,
  data: Record<string, unknown>,
) {
  const ids = await writeWebhookEvent(tx, {
    dedupeKey: `${type}:${dedupeKey}`,
    type,
    caseId,
    payload: { type, occurredAt: new Date().toISOString(), caseId, data },
  });
  for (const id of ids) wake.add(id);
}

async function inTx<T>(db: Database, fn: (tx: Tx, wake: Set<string>) => Promise<T>): Promise<Outcome<T>> {
  const wake = new Set<string>();
  const value = await db.transaction((tx) => fn(tx, wake));
  return { value, wake: [...wake] };
}

const rejected = (kind: PartsRejected['kind'], message: string) => new PartsRejected(kind, message);

/** Which of these part numbers the catalogue does not know. */
export async function unknownParts(db: Database | Tx, partNumbers: string[]): Promise<string[]> {
  if (partNumbers.length === 0) return [];
  const known = await db.execute<{ part_number: string }>(sql`
    select part_number from parts
    where part_number in (select jsonb_array_elements_text(${JSON.stringify(partNumbers)}::jsonb))`);
  const set = new Set(known.map((r) => r.part_number));
  return [...new Set(partNumbers)].filter((p) => !set.has(p));
}

/** Records the request and its lines (once; a retried start adds nothing). */
export async function createRequest(db: Database, input: PartsRequestInput, workflowId: string) {
  return inTx(db, async (tx, wake) => {
    const inserted = await tx.execute(sql`
      insert into parts_requests (id, case_id, workflow_id, status, requested_by)
      values (${input.requestId}, ${input.caseId}, ${workflowId}, 'open', ${input.requestedBy})
      on conflict (id) do nothing returning id`);
    if (inserted.length === 0) return false;
    for (const l of input.lines)
      await tx.execute(sql`
        insert into parts_request_lines (request_id, line_no, part_number, quantity)
        values (${input.requestId}, ${l.lineNo}, ${l.partNumber}, ${l.quantity})`);
    await emit(tx, wake, 'parts.request_opened', input.requestId, input.caseId, {
      requestId: input.requestId,
      lines: input.lines,
      requestedBy: input.requestedBy,
    });
    return true;
  });
}

export interface RequestProgress {
  status: 'open' | 'reserved' | 'issued' | 'cancelled';
  caseId: string;
  lines: Array<{ lineNo: number; partNumber: string; quantity: number; reserved: number; issued: number }>;
  allReserved: boolean;
  /** Placed orders still short of delivery, with their promised date and escalations already fired. */
  lateWatch: Array<{ purchaseOrderId: string; expectedAt: string; supplierId: string; fired: number[] }>;
}

export async function requestProgress(db: Database | Tx, requestId: string): Promise<RequestProgress> {
  const [req] = await db.execute<{ status: RequestProgress['status']; case_id: string }>(
    sql`select status, case_id from parts_requests where id = ${requestId}`,
  );
  if (!req) throw rejected('not-found', `parts request "${requestId}" does not exist`);
  const lines = await db.execute<{
    line_no: number;
    part_number: string;
    quantity: number;
    reserved: number;
    issued: number;
  }>(sql`
    select line_no, part_number, quantity, reserved, issued from parts_request_lines
    where request_id = ${requestId} order by line_no`);
  const orders = await db.execute<{
    id: string;
    expected_at: Date | string;
    supplier_id: string;
    fired: number[] | null;
  }>(sql`
    select o.id, o.expected_at, o.supplier_id,
      (select array_agg(e.level order by e.level) from purchase_order_escalations e where e.purchase_order_id = o.id) as fired
    from purchase_orders o join purchases p on p.id = o.purchase_id
    where p.request_id = ${requestId} and o.status = 'placed' and o.received_quantity < o.quantity
    order by o.id`);
  return {
    status: req.status,
    caseId: req.case_id,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      partNumber: l.part_number,
      quantity: l.quantity,
      reserved: l.reserved,
      issued: l.issued,
    })),
    allReserved: lines.every((l) => l.reserved >= l.quantity),
    lateWatch: orders.map((o) => ({
      purchaseOrderId: o.id,
      expectedAt: new Date(o.expected_at).toISOString(),
      supplierId: o.supplier_id,
      fired: o.fired ?? [],
    })),
  };
}

/** Marks a request whose lines are all reserved (once), with its webhook event. */
export async function markReserved(db: Database, requestId: string) {
  return inTx(db, async (tx, wake) => {
    const rows = await tx.execute<{ case_id: string }>(sql`
      update parts_requests set status = 'reserved', updated_at = now()
      where id = ${requestId} and status = 'open' returning case_id`);
    if (rows[0]) await emit(tx, wake, 'parts.reserved', requestId, rows[0].case_id, { requestId });
    return rows.length > 0;
  });
}

/** The central warehouse purchases are delivered to: the nearest central store. */
async function receivingWarehouse(tx: Tx): Promise<string> {
  const [w] = await tx.execute<{ id: string }>(
    sql`select id from warehouses where kind = 'central' order by priority, id limit 1`,
  );
  if (!w) throw rejected('conflict', 'no central warehouse exists to receive purchases');
  return w.id;
}

/** Sends requests for quotes for a purchase to every qualified supplier of its part. */
async function sendRfqs(tx: Tx, purchaseId: string, partNumber: string): Promise<string[]> {
  const rows = await tx.execute<{ supplier_id: string }>(sql`
    insert into purchase_rfqs (purchase_id, supplier_id)
    select ${purchaseId}, sp.supplier_id from supplier_parts sp join suppliers s on s.id = sp.supplier_id
    where sp.part_number = ${partNumber} and s.status = 'qualified'
    on conflict do nothing returning supplier_id`);
  return rows.map((r) => r.supplier_id);
}

export interface OpenedPurchase {
  purchaseId: string;
  lineNo: number | null;
  partNumber: string;
  quantity: number;
  suppliers: string[];
}

/** Opens a purchase for each line of the request still short (and not already being bought). */
export async function openPurchasesForRequest(db: Database, requestId: string) {
  return inTx(db, async (tx, wake) => {
    const [req] = await tx.execute<{ case_id: string; status: string }>(
      sql`select case_id, status from parts_requests where id = ${requestId} for update`,
    );
    if (req?.status !== 'open') return [] as OpenedPurchase[];
    const short = await tx.execute<{ line_no: number; part_number: string; short: number }>(sql`
      select l.line_no, l.part_number, l.quantity - l.reserved - coalesce((
        select sum(p.quantity) from purchases p
        where p.request_id = l.request_id and p.line_no = l.line_no and p.status in ('quoting', 'ordering')), 0)::int as short
      from parts_request_lines l where l.request_id = ${requestId} order by l.line_no`);
    const warehouseId = short.some((s) => s.short > 0) ? await receivingWarehouse(tx) : '';
    const opened: OpenedPurchase[] = [];
    for (const s of short) {
      if (s.short <= 0) continue;
      const [n] = await tx.execute<{ n: number }>(
        sql`select count(*)::int as n from purchases where request_id = ${requestId} and line_no = ${s.line_no}`,
      );
      const [p] = await tx.execute<{ id: string }>(sql`
        insert into purchases (origin, request_id, line_no, part_number, quantity, warehouse_id, status, dedupe_key)
        values ('request', ${requestId}, ${s.line_no}, ${s.part_number}, ${s.short}, ${warehouseId}, 'quoting',
          ${`${requestId}:${s.line_no}:${n!.n + 1}`})
        returning id`);
      const suppliers = await sendRfqs(tx, p!.id, s.part_number);
      opened.push({
        purchaseId: p!.id,
        lineNo: s.line_no,
        partNumber: s.part_number,
        quantity: s.short,
        suppliers,
      });
      await emit(tx, wake, 'parts.purchase_opened', p!.id, req.case_id, {
        purchaseId: p!.id,
        requestId,
        partNumber: s.part_number,
        quantity: s.short,
        rfqSentTo: suppliers,
      });
    }
    return opened;
  });
}

/** Opens a reorder purchase for every part whose available stock is below its reorder point. */
export async function proposeReorders(db: Database) {
  return inTx(db, async (tx, wake) => {
    const low = await tx.execute<{ part_number: string; reorder_quantity: number; available: number }>(sql`
      select p.part_number, p.reorder_quantity, coalesce(sum(b.on_hand - b.reserved), 0)::int as available
      from parts p left join stock_balances b on b.part_number = p.part_number
      where p.reorder_quantity > 0
        and not exists (select 1 from purchases u where u.part_number = p.part_number and u.origin = 'reorder'
                        and u.status in ('quoting', 'ordering'))
      group by p.part_number
      having coalesce(sum(b.on_hand - b.reserved), 0) < max(p.reorder_point)
      order by p.part_number`);
    if (low.length === 0) return [] as OpenedPurchase[];
    const warehouseId = await receivingWarehouse(tx);
    const opened: OpenedPurchase[] = [];
    for (const l of low) {
      const [p] = await tx.execute<{ id: string }>(sql`
        insert into purchases (origin, part_number, quantity, warehouse_id, status, dedupe_key)
        values ('reorder', ${l.part_number}, ${l.reorder_quantity}, ${warehouseId}, 'quoting',
          ${`reorder:${l.part_number}:${Date.now()}`})
        returning id`);
      const suppliers = await sendRfqs(tx, p!.id, l.part_number);
      opened.push({
        purchaseId: p!.id,
        lineNo: null,
        partNumber: l.part_number,
        quantity: l.reorder_quantity,
        suppliers,
      });
      await emit(tx, wake, 'parts.reorder_proposed', p!.id, null, {
        purchaseId: p!.id,
        partNumber: l.part_number,
        quantity: l.reorder_quantity,
        available: l.available,
        rfqSentTo: suppliers,
      });
    }
    return opened;
  });
}

type PurchaseRow = {
  id: string;
  origin: 'request' | 'reorder';
  request_id: string | null;
  line_no: number | null;
  part_number: string;
  quantity: number;
  warehouse_id: string;
  status: string;
  case_id: string | null;
};

async function lockPurchase(tx: Tx, purchaseId: string): Promise<PurchaseRow> {
  const [p] = await tx.execute<PurchaseRow>(sql`
    select p.*, r.case_id from purchases p left join parts_requests r on r.id = p.request_id
    where p.id = ${purchaseId} for update of p`);
  if (!p) throw rejected('not-found', `purchase "${purchaseId}" does not exist`);
  return p;
}

/** Sends a request for quotes to one more supplier; a suspended supplier gets none. */
export async function addRfq(db: Database, input: { purchaseId: string; supplierId: string }) {
  return inTx(db, async (tx) => {
    const p = await lockPurchase(tx, input.purchaseId);
    if (p.status !== 'quoting')
      throw rejected('conflict', `purchase ${p.id} is ${p.status}, not collecting quotes`);
    const [s] = await tx.execute<{ status: string }>(
      sql`select status from suppliers where id = ${input.supplierId}`,
    );
    if (!s) throw rejected('not-found', `supplier "${input.supplierId}" does not exist`);
    if (s.status !== 'qualified')
      throw rejected(
        'conflict',
        `supplier ${input.supplierId} is ${s.status}; it gets no requests for quotes`,
      );
    await tx.execute(sql`
      insert into purchase_rfqs (purchase_id, supplier_id) values (${p.id}, ${input.supplierId}) on conflict do nothing`);
    return true;
  });
}

export async function recordQuote(
  db: Database,
  input: {
    purchaseId: string;
    supplierId: string;
    unitPrice: number;
    leadTimeMs: number;
    validUntil: string;
    actor: string;
  },
) {
  return inTx(db, async (tx, wake) => {
    const p = await lockPurchase(tx, input.purchaseId);
    if (p.status !== 'quoting')
      throw rejected('conflict', `purchase ${p.id} is ${p.status}, not collecting quotes`);
    const [rfq] = await tx.execute<{ status: string }>(sql`
      select s.status from purchase_rfqs q join suppliers s on s.id = q.supplier_id
      where q.purchase_id = ${p.id} and q.supplier_id = ${input.supplierId}`);
    if (!rfq)
      throw rejected(
        'conflict',
        `no request for quotes of purchase ${p.id} was sent to supplier ${input.supplierId}`,
      );
    if (rfq.status !== 'qualified')
      throw rejected('conflict', `supplier ${input.supplierId} is ${rfq.status}`);
    if (Date.parse(input.validUntil) <= Date.now())
      throw rejected('invalid', `the quote's validity ${input.validUntil} has already passed`);
    await tx.execute(sql`
      insert into purchase_quotes (purchase_id, supplier_id, unit_price, lead_time_ms, valid_until, entered_by)
      values (${p.id}, ${input.supplierId}, ${input.unitPrice}, ${input.leadTimeMs}, ${input.validUntil}, ${input.actor})
      on conflict (purchase_id, supplier_id) do update set unit_price = excluded.unit_price,
        lead_time_ms = excluded.lead_time_ms, valid_until = excluded.valid_until,
        entered_by = excluded.entered_by, entered_at = now()`);
    await emit(tx, wake, 'parts.quote_received', `${p.id}:${input.supplierId}:${Date.now()}`, p.case_id, {
      purchaseId: p.id,
      supplierId: input.supplierId,
      unitPrice: input.unitPrice,
      leadTimeMs: input.leadTimeMs,
      validUntil: input.validUntil,
    });
    return true;
  });
}

/** The supplier's record over the year before `now`, for the comparison. */
async function supplierScores(
  tx: Tx,
  supplierIds: string[],
  now: Date,
): Promise<Map<string, number | 'n/a'>> {
  const from = new Date(now.getTime() - 365 * 86_400_000);
  const out = new Map<string, number | 'n/a'>();
  for (const id of supplierIds) out.set(id, (await evaluationOf(tx, id, from, now)).score);
  return out;
}

/**
 * Compares the valid quotes and orders from the best: a purchase order that is placed at once, or waits
 * for the service manager when its amount is above `approvalThreshold`. Suppliers whose delivery of this
 * purchase failed inspection are passed over (the re-order goes to the next best).
 */
async function orderFromBest(
  tx: Tx,
  wake: Set<string>,
  p: PurchaseRow,
  quantity: number,
  actor: string,
  approvalThreshold: number,
): Promise<{ purchaseOrderId: string; status: string; comparison: ScoredQuote[] } | undefined> {
  const quotes = await tx.execute<{
    supplier_id: string;
    unit_price: string;
    lead_time_ms: string;
    valid_until: Date | string;
  }>(sql`
    select q.supplier_id, q.unit_price, q.lead_time_ms, q.valid_until
    from purchase_quotes q join suppliers s on s.id = q.supplier_id
    where q.purchase_id = ${p.id} and s.status = 'qualified'
      and q.supplier_id not in (select o.supplier_id from purchase_orders o where o.purchase_id = ${p.id} and o.failed_quantity > 0)`);
  const now = new Date();
  const scores = await supplierScores(
    tx,
    quotes.map((q) => q.supplier_id),
    now,
  );
  const comparison = compareQuotes(
    quotes.map((q) => ({
      supplierId: q.supplier_id,
      unitPrice: Number(q.unit_price),
      leadTimeMs: Number(q.lead_time_ms),
      validUntil: new Date(q.valid_until).toISOString(),
      supplierScore: scores.get(q.supplier_id) ?? 'n/a',
    })),
    now,
  );
  const best = comparison[0];
  if (!best) return undefined;
  const amount = Math.round(best.unitPrice * quantity * 100) / 100;
  const approval = needsApproval(amount, approvalThreshold);
  const [o] = await tx.execute<{ id: string; expected_at: Date | null }>(sql`
    insert into purchase_orders (purchase_id, supplier_id, quantity, unit_price, lead_time_ms, status, comparison,
      placed_at, expected_at, created_by)
    values (${p.id}, ${best.supplierId}, ${quantity}, ${best.unitPrice}, ${best.leadTimeMs},
      ${approval ? 'awaiting_approval' : 'placed'}, ${JSON.stringify({ quotes: comparison, amount, approvalThreshold })}::jsonb,
      ${approval ? null : now.toISOString()},
      ${approval ? null : new Date(now.getTime() + best.leadTimeMs).toISOString()}, ${actor})
    returning id, expected_at`);
  await tx.execute(sql`update purchases set status = 'ordering', updated_at = now() where id = ${p.id}`);
  await emit(
    tx,
    wake,
    approval ? 'parts.approval_requested' : 'parts.purchase_order_placed',
    o!.id,
    p.case_id,
    {
      purchaseOrderId: o!.id,
      purchaseId: p.id,
      supplierId: best.supplierId,
      quantity,
      unitPrice: best.unitPrice,
      amount,
      expectedAt: o!.expected_at ? new Date(o!.expected_at).toISOString() : null,
    },
  );
  return { purchaseOrderId: o!.id, status: approval ? 'awaiting_approval' : 'placed', comparison };
}

/** Procurement closes the quotes: compare them and order from the best. */
export async function awardPurchase(
  db: Database,
  input: { purchaseId: string; actor: string; approvalThreshold: number },
) {
  return inTx(db, async (tx, wake) => {
    const p = await lockPurchase(tx, input.purchaseId);
    if (p.status !== 'quoting')
      throw rejected('conflict', `purchase ${p.id} is ${p.status}, not collecting quotes`);
    const ordered = await orderFromBest(tx, wake, p, p.quantity, input.actor, input.approvalThreshold);
    if (!ordered) throw rejected('conflict', `purchase ${p.id} has no valid quote from a qualified supplier`);
    return ordered;
  });
}

type OrderRow = {
  id: string;
  purchase_id: string;
  supplier_id: string;
  quantity: number;
  unit_price: string;
  lead_time_ms: string;
  status: string;
  received_quantity: number;
  passed_quantity: number;
  failed_quantity: number;
  approved_by: string | null;
};

async function lockOrder(tx: Tx, id: string): Promise<OrderRow> {
  const [o] = await tx.execute<OrderRow>(sql`select * from purchase_orders where id = ${id} for update`);
  if (!o) throw rejected('not-found', `purchase order "${id}" does not exist`);
  return o;
}

/** The service manager approves (the order is placed, its promised date set) or rejects it. */
export async function decideApproval(
  db: Database,
  input: { purchaseOrderId: string; approve: boolean; actor: string; note?: string },
) {
  return inTx(db, async (tx, wake) => {
    const o = await lockOrder(tx, input.purchaseOrderId);
    if (o.status !== 'awaiting_approval')
      throw rejected(
        'conflict',
        o.approved_by
          ? `purchase order ${o.id} was already approved by ${o.approved_by}`
          : `purchase order ${o.id} is ${o.status}, not awaiting approval`,
      );
    const p = await lockPurchase(tx, o.purchase_id);
    const now = new Date();
    if (input.approve) {
      const expectedAt = new Date(now.getTime() + Number(o.lead_time_ms));
      await tx.execute(sql`
        update purchase_orders set status = 'placed', approved_by = ${input.actor}, approved_at = ${now.toISOString()},
          placed_at = ${now.toISOString()}, expected_at = ${expectedAt.toISOString()} where id = ${o.id}`);
      await emit(tx, wake, 'parts.purchase_order_placed', o.id, p.case_id, {
        purchaseOrderId: o.id,
        purchaseId: p.id,
        supplierId: o.supplier_id,
        quantity: o.quantity,
        unitPrice: Number(o.unit_price),
        amount: Math.round(Number(o.unit_price) * o.quantity * 100) / 100,
        approvedBy: input.actor,
        expectedAt: expectedAt.toISOString(),
      });
      return { status: 'placed', expectedAt: expectedAt.toISOString() };
    }
    await tx.execute(sql`
      update purchase_orders set status = 'rejected',
        cancellation = ${JSON.stringify({ by: input.actor, at: now.toISOString(), reason: input.note ?? 'rejected' })}::jsonb
      where id = ${o.id}`);
    // Back to collecting quotes: procurement may ask more suppliers or award again.
    await tx.execute(sql`update purchases set status = 'quoting', updated_at = now() where id = ${p.id}`);
    await emit(tx, wake, 'parts.approval_rejected', o.id, p.case_id, {
      purchaseOrderId: o.id,
      by: input.actor,
    });
    return { status: 'rejected', expectedAt: null };
  });
}

/** Goods arrive against a placed order; they wait for inspection before they count as stock. */
export async function receiveDelivery(
  db: Database,
  input: { purchaseOrderId: string; quantity: number; serials?: string[]; actor: string },
) {
  return inTx(db, async (tx, wake) => {
    const o = await lockOrder(tx, input.purchaseOrderId);
    if (o.status !== 'placed')
      throw rejected('conflict', `purchase order ${o.id} is ${o.status}, not awaiting delivery`);
    if (o.received_quantity + input.quantity > o.quantity)
      throw rejected(
        'invalid',
        `receiving ${input.quantity} on purchase order ${o.id} would exceed the ${o.quantity} ordered (${o.received_quantity} received so far)`,
      );
    if (input.serials && input.serials.length > 0 && input.serials.length !== input.quantity)
      throw rejected('invalid', `${input.serials.length} serial numbers for ${input.quantity} units`);
    const [r] = await tx.execute<{ id: number }>(sql`
      insert into purchase_receipts (purchase_order_id, quantity, serials, received_by)
      values (${o.id}, ${input.quantity},
        array(select jsonb_array_elements_text(${JSON.stringify(input.serials ?? [])}::jsonb)), ${input.actor})
      returning id`);
    await tx.execute(sql`
      update purchase_orders set received_quantity = received_quantity + ${input.quantity} where id = ${o.id}`);
    const [p] = await tx.execute<{ case_id: string | null }>(sql`
      select r.case_id from purchases p left join parts_requests r on r.id = p.request_id where p.id = ${o.purchase_id}`);
    await emit(tx, wake, 'parts.delivery_received', String(r!.id), p?.case_id ?? null, {
      purchaseOrderId: o.id,
      receiptId: Number(r!.id),
      quantity: input.quantity,
    });
    return { receiptId: Number(r!.id) };
  });
}

/**
 * Receiving inspection (来料检验) of one receipt. Passed: into stock at the order's price and, for a
 * case's purchase, reserved for it. Failed: returned to the supplier (counted against it in its
 * evaluation) and re-ordered from the next best quote — or back to collecting quotes when none is left.
 */
export async function inspectReceipt(
  db: Database,
  input: { receiptId: number; passed: boolean; note?: string; actor: string; approvalThreshold: number },
) {
  return inTx(db, async (tx, wake) => {
    const [rc] = await tx.execute<{
      id: number;
      purchase_order_id: string;
      quantity: number;
      inspection: string | null;
      serials: string[];
    }>(sql`select * from purchase_receipts where id = ${input.receiptId} for update`);
    if (!rc) throw rejected('not-found', `receipt "${input.receiptId}" does not exist`);
    if (rc.inspection)
      throw rejected('conflict', `receipt ${rc.id} was already inspected (${rc.inspection})`);
    const o = await lockOrder(tx, rc.purchase_order_id);
    const p = await lockPurchase(tx, o.purchase_id);
    await tx.execute(sql`
      update purchase_receipts set inspection = ${input.passed ? 'passed' : 'failed'}, inspection_note = ${input.note ?? null},
        inspected_at = now(), inspected_by = ${input.actor} where id = ${rc.id}`);
    const column = input.passed ? sql`passed_quantity` : sql`failed_quantity`;
    const [after] = await tx.execute<{
      passed_quantity: number;
      failed_quantity: number;
      quantity: number;
    }>(sql`
      update purchase_orders set ${column} = ${column} + ${rc.quantity} where id = ${o.id}
      returning passed_quantity, failed_quantity, quantity`);
    const inspectedAll = after!.passed_quantity + after!.failed_quantity >= after!.quantity;
    if (inspectedAll && o.status !== 'cancelled')
      await tx.execute(sql`update purchase_orders set status = 'closed' where id = ${o.id}`);
    let reorder: { purchaseOrderId: string; status: string } | undefined;
    if (input.passed) {
      await applyMovement(tx, {
        key: `receipt:${rc.id}`,
        partNumber: p.part_number,
        warehouseId: p.warehouse_id,
        kind: 'receive',
        quantity: rc.quantity,
        unitCost: Number(o.unit_price),
        purchaseOrderId: o.id,
        actor: input.actor,
        serial: rc.serials.length ? rc.serials.join(',') : null,
      });
      if (p.request_id && p.status === 'ordering')
        await reserveReceived(tx, p, rc.id, rc.quantity, input.actor);
    } else {
      await emit(tx, wake, 'parts.inspection_failed', String(rc.id), p.case_id, {
        purchaseOrderId: o.id,
        supplierId: o.supplier_id,
        receiptId: Number(rc.id),
        quantity: rc.quantity,
        note: input.note ?? null,
      });
      if (p.status === 'ordering' || p.status === 'kept_as_stock') {
        // The failed units are re-ordered once the failing order has nothing left in flight.
        if (inspectedAll) {
          const missing = p.quantity - (await passedOf(tx, p.id));
          if (missing > 0 && p.status === 'ordering') {
            reorder = await orderFromBest(tx, wake, p, missing, input.actor, input.approvalThreshold);
            if (!reorder)
              await tx.execute(
                sql`update purchases set status = 'quoting', updated_at = now() where id = ${p.id}`,
              );
          }
        }
      }
    }
    if ((await passedOf(tx, p.id)) >= p.quantity && p.status === 'ordering')
      await tx.execute(sql`update purchases set status = 'completed', updated_at = now() where id = ${p.id}`);
    await emit(tx, wake, 'parts.inspected', String(rc.id), p.case_id, {
      purchaseOrderId: o.id,
      receiptId: Number(rc.id),
      passed: input.passed,
      quantity: rc.quantity,
    });
    return { requestId: p.request_id, reorder: reorder ?? null };
  });
}

async function passedOf(tx: Tx, purchaseId: string): Promise<number> {
  const [r] = await tx.execute<{ n: number }>(
    sql`select coalesce(sum(passed_quantity), 0)::int as n from purchase_orders where purchase_id = ${purchaseId}`,
  );
  return r!.n;
}

/** Reserves units that just passed inspection for the request line they were bought for. */
async function reserveReceived(tx: Tx, p: PurchaseRow, receiptId: number, quantity: number, actor: string) {
  const [line] = await tx.execute<{ quantity: number; reserved: number }>(sql`
    select quantity, reserved from parts_request_lines
    where request_id = ${p.request_id} and line_no = ${p.line_no} for update`);
  const take = Math.min(quantity, line!.quantity - line!.reserved);
  if (take <= 0) return;
  const key = `receipt:${receiptId}:reserve`;
  await applyMovement(tx, {
    key,
    partNumber: p.part_number,
    warehouseId: p.warehouse_id,
    kind: 'reserve',
    quantity: take,
    actor,
    caseId: p.case_id,
    requestId: p.request_id,
  });
  await tx.execute(sql`
    insert into stock_reservations (request_id, line_no, part_number, warehouse_id, quantity, movement_key)
    values (${p.request_id}, ${p.line_no}, ${p.part_number}, ${p.warehouse_id}, ${take}, ${key})`);
  await tx.execute(sql`
    update parts_request_lines set reserved = reserved + ${take}
    where request_id = ${p.request_id} and line_no = ${p.line_no}`);
}

/**
 * The engineer cancels the request: reservations are released; for each purchase, an order already
 * placed is kept as stock or cancelled with the supplier, as `orders` says, and the choice is recorded.
 */
export async function cancelRequest(
  db: Database,
  input: { requestId: string; actor: string; reason: string; orders: OrderChoice },
) {
  return inTx(db, async (tx, wake) => {
    const [req] = await tx.execute<{ status: string; case_id: string }>(
      sql`select status, case_id from parts_requests where id = ${input.requestId} for update`,
    );
    if (!req) throw rejected('not-found', `parts request "${input.requestId}" does not exist`);
    if (req.status === 'cancelled' || req.status === 'issued')
      throw rejected('conflict', `parts request ${input.requestId} is ${req.status}`);
    const released = await releaseReservations(tx, input.requestId, input.actor, input.reason);
    const purchases = await tx.execute<{ id: string; status: string }>(sql`
      select id, status from purchases where request_id = ${input.requestId} and status in ('quoting', 'ordering')
      order by id for update`);
    const decisions: Array<{ purchaseId: string; purchaseOrderId: string | null; decision: string }> = [];
    const at = new Date().toISOString();
    for (const p of purchases) {
      const [o] = await tx.execute<{ id: string; status: string }>(sql`
        select id, status from purchase_orders where purchase_id = ${p.id}
          and status in ('awaiting_approval', 'placed', 'received') for update`);
      const placed = o && o.status !== 'awaiting_approval';
      const keep = placed && input.orders === 'keep_as_stock';
      if (o && !keep)
        await tx.execute(sql`
          update purchase_orders set status = 'cancelled',
            cancellation = ${JSON.stringify({ by: input.actor, at, reason: input.reason, choice: placed ? 'cancel_with_supplier' : 'not_placed' })}::jsonb
          where id = ${o.id}`);
      await tx.execute(sql`
        update purchases set status = ${keep ? 'kept_as_stock' : 'cancelled'}, updated_at = now() where id = ${p.id}`);
      decisions.push({
        purchaseId: p.id,
        purchaseOrderId: o?.id ?? null,
        decision: keep ? 'kept_as_stock' : placed ? 'cancelled_with_supplier' : 'cancelled',
      });
    }
    const cancellation = {
      by: input.actor,
      at,
      reason: input.reason,
      orders: input.orders,
      decisions,
      released,
    };
    await tx.execute(sql`
      update parts_requests set status = 'cancelled', cancellation = ${JSON.stringify(cancellation)}::jsonb,
        updated_at = now() where id = ${input.requestId}`);
    await emit(tx, wake, 'parts.request_cancelled', input.requestId, req.case_id, {
      requestId: input.requestId,
      ...cancellation,
    });
    return cancellation;
  });
}

export interface IssueResult {
  issued: Array<{
    partNumber: string;
    quantity: number;
    warehouseId: string;
    unitCost: number;
    cost: number;
    serial: string | null;
    faultySerial: string | null;
  }>;
  /** Replaced parts that could not be issued: neither reserved nor in stock. */
  shortfalls: Array<{ partNumber: string; quantity: number }>;
  totalCost: number;
  released: number;
}

/**
 * Issue at repair (维修领用): the repair report's replaced parts leave stock for the case at the
 * average cost, from the request's reservations first, then from free stock; the faulty part's return
 * is recorded with its serial; what stays reserved and unused goes back to stock.
 */
export async function issueForRepair(
  db: Database,
  input: { requestId: string; lines: IssueLine[]; actor: string; step: string },
) {
  return inTx(db, async (tx, wake): Promise<IssueResult> => {
    const [req] = await tx.execute<{ status: string; case_id: string }>(
      sql`select status, case_id from parts_requests where id = ${input.requestId} for update`,
    );
    if (!req) throw rejected('not-found', `parts request "${input.requestId}" does not exist`);
    const result: IssueResult = { issued: [], shortfalls: [], totalCost: 0, released: 0 };
    if (req.status === 'issued' || req.status === 'cancelled') return result;
    let n = 0;
    for (const line of input.lines) {
      let need = line.quantity;
      const reservations = await tx.execute<{
        id: number;
        line_no: number;
        warehouse_id: string;
        quantity: number;
      }>(sql`
        select id, line_no, warehouse_id, quantity from stock_reservations
        where request_id = ${input.requestId} and part_number = ${line.partNumber} and status = 'active'
        order by id for update`);
      const sources: Array<{
        warehouseId: string;
        quantity: number;
        reservation?: { id: number; lineNo: number };
      }> = [];
      for (const r of reservations) {
        if (need <= 0) break;
        // A reservation is issued whole or split: the part not issued is released below.
        const take = Math.min(need, r.quantity);
        sources.push({
          warehouseId: r.warehouse_id,
          quantity: take,
          reservation: { id: r.id, lineNo: r.line_no },
        });
        need -= take;
      }
      if (need > 0) {
        const free = await tx.execute<{ warehouse_id: string; available: number }>(sql`
          select b.warehouse_id, b.on_hand - b.reserved as available from stock_balances b join warehouses w on w.id = b.warehouse_id
          where b.part_number = ${line.partNumber} and b.on_hand > b.reserved order by w.priority, w.id for update of b`);
        for (const f of free) {
          if (need <= 0) break;
          const take = Math.min(need, f.available);
          sources.push({ warehouseId: f.warehouse_id, quantity: take });
          need -= take;
        }
      }
      if (need > 0) result.shortfalls.push({ partNumber: line.partNumber, quantity: need });
      for (const s of sources) {
        n += 1;
        if (s.reservation) {
          // Units issued from a reservation leave `reserved` with the issue; the rest of it is released.
          const [r] = await tx.execute<{ quantity: number }>(
            sql`select quantity from stock_reservations where id = ${s.reservation.id}`,
          );
          const rest = r!.quantity - s.quantity;
          if (rest > 0)
            await applyMovement(tx, {
              key: `${input.requestId}:${input.step}:split:${s.reservation.id}`,
              partNumber: line.partNumber,
              warehouseId: s.warehouseId,
              kind: 'release',
              quantity: rest,
              actor: input.actor,
              caseId: req.case_id,
              requestId: input.requestId,
              reason: 'not used in the repair',
            });
          await tx.execute(sql`
            update stock_reservations set status = 'issued', quantity = ${s.quantity}, closed_at = now()
            where id = ${s.reservation.id}`);
          await tx.execute(sql`
            update parts_request_lines set issued = issued + ${s.quantity}, reserved = reserved - ${r!.quantity}
            where request_id = ${input.requestId} and line_no = ${s.reservation.lineNo}`);
        }
        const { unitCost } = await applyMovement(tx, {
          key: `${input.requestId}:${input.step}:issue:${n}`,
          partNumber: line.partNumber,
          warehouseId: s.warehouseId,
          kind: 'issue',
          quantity: s.quantity,
          actor: input.actor,
          caseId: req.case_id,
          requestId: s.reservation ? input.requestId : null,
          serial: line.replacementSerial ?? null,
          faultySerial: line.faultySerial ?? null,
        });
        const cost = Math.round(unitCost * s.quantity * 100) / 100;
        result.issued.push({
          partNumber: line.partNumber,
          quantity: s.quantity,
          warehouseId: s.warehouseId,
          unitCost,
          cost,
          serial: line.replacementSerial ?? null,
          faultySerial: line.faultySerial ?? null,
        });
        result.totalCost = Math.round((result.totalCost + cost) * 100) / 100;
      }
      if (line.defectiveReturned && sources[0]) {
        await applyMovement(tx, {
          key: `${input.requestId}:${input.step}:defective:${line.partNumber}`,
          partNumber: line.partNumber,
          warehouseId: sources[0].warehouseId,
          kind: 'return_defective',
          quantity: line.quantity,
          actor: input.actor,
          caseId: req.case_id,
          faultySerial: line.faultySerial ?? null,
          reason: 'defective part returned from the repair',
        });
      }
    }
    result.released = await releaseReservations(tx, input.requestId, input.actor, 'not used in the repair');
    await tx.execute(
      sql`update parts_requests set status = 'issued', updated_at = now() where id = ${input.requestId}`,
    );
    await emit(tx, wake, 'parts.issued', input.requestId, req.case_id, {
      requestId: input.requestId,
      ...result,
    });
    return result;
  });
}

/** Records a late order's escalation once; true when this call recorded it. */
export async function recordLateOrder(
  db: Database,
  input: { purchaseOrderId: string; level: number; dueAt: string; recipient: string; caseId: string | null },
) {
  return inTx(db, async (tx, wake) => {
    const rows = await tx.execute(sql`
      insert into purchase_order_escalations (purchase_order_id, level, due_at, fired_at, recipient)
      values (${input.purchaseOrderId}, ${input.level}, ${input.dueAt}, now(), ${input.recipient})
      on conflict do nothing returning level`);
    if (rows.length > 0)
      await emit(
        tx,
        wake,
        'parts.purchase_order_late',
        `${input.purchaseOrderId}:${input.level}`,
        input.caseId,
        {
          purchaseOrderId: input.purchaseOrderId,
          level: input.level,
          dueAt: input.dueAt,
          recipient: input.recipient,
        },
      );
    return rows.length > 0;
  });
}

export interface OrderWatch {
  /** Why nobody needs to watch it any more (delivered in full, closed, cancelled…); null while it is due. */
  ended: string | null;
  caseId: string | null;
  expectedAt: string | null;
  /** Escalation levels already recorded. */
  fired: number[];
}

/** A purchase order as its late-delivery watch sees it. */
export async function orderWatch(db: Database | Tx, purchaseOrderId: string): Promise<OrderWatch> {
  const [o] = await db.execute<{
    status: string;
    quantity: number;
    received_quantity: number;
    expected_at: Date | string | null;
    case_id: string | null;
    fired: number[] | null;
  }>(sql`
    select o.status, o.quantity, o.received_quantity, o.expected_at, r.case_id,
      (select array_agg(e.level order by e.level) from purchase_order_escalations e where e.purchase_order_id = o.id) as fired
    from purchase_orders o join purchases p on p.id = o.purchase_id left join parts_requests r on r.id = p.request_id
    where o.id = ${purchaseOrderId}`);
  if (!o) return { ended: 'missing', caseId: null, expectedAt: null, fired: [] };
  const ended =
    o.status !== 'placed'
      ? o.status
      : o.received_quantity >= o.quantity || !o.expected_at
        ? 'received'
        : null;
  return {
    ended,
    caseId: o.case_id,
    expectedAt: o.expected_at ? new Date(o.expected_at).toISOString() : null,
    fired: o.fired ?? [],
  };
}

/**
 * The purchase orders bought for stock, which no partsRequest watches: those of reorder purchases (no
 * case), and those kept as stock when their request was cancelled (its workflow has ended). Those that a
 * change of `purchaseOrOrderId` may concern — every order of its purchase, as a failed inspection
 * re-orders on the same purchase — or, without it, every such order still awaiting delivery. `open`:
 * still due.
 */
export async function stockOrders(db: Database | Tx, purchaseOrOrderId?: string) {
  const scope = purchaseOrOrderId
    ? sql`(p.id = ${purchaseOrOrderId} or p.id in (select purchase_id from purchase_orders where id = ${purchaseOrOrderId}))`
    : sql`o.status = 'placed' and o.received_quantity < o.quantity`;
  return db.execute<{ id: string; open: boolean }>(sql`
    select o.id, (o.status = 'placed' and o.received_quantity < o.quantity) as open
    from purchase_orders o join purchases p on p.id = o.purchase_id
    where (p.origin = 'reorder' or p.status = 'kept_as_stock') and ${scope} order by o.id`);
}

/** A supplier's evaluation over [from, to). */
export async function evaluationOf(
  db: Database | Tx,
  supplierId: string,
  fromDate: Date,
  toDate: Date,
): Promise<SupplierEvaluation> {
  // Instants go to the driver as ISO text (drizzle's postgres.js setup does not serialise Date).
  const [from, to] = [fromDate.toISOString(), toDate.toISOString()];
  const [due] = await db.execute<{ due: number; otif: number }>(sql`
    select coalesce(sum(o.quantity), 0)::int as due,
      coalesce(sum(least(o.quantity, (select coalesce(sum(r.quantity), 0) from purchase_receipts r
        where r.purchase_order_id = o.id and r.inspection = 'passed' and r.received_at <= o.expected_at))), 0)::int as otif
    from purchase_orders o
    where o.supplier_id = ${supplierId} and o.status <> 'cancelled' and o.expected_at >= ${from} and o.expected_at < ${to}`);
  const [insp] = await db.execute<{ inspected: number; passed: number }>(sql`
    select coalesce(sum(r.quantity), 0)::int as inspected,
      coalesce(sum(r.quantity) filter (where r.inspection = 'passed'), 0)::int as passed
    from purchase_receipts r join purchase_orders o on o.id = r.purchase_order_id
    where o.supplier_id = ${supplierId} and r.inspection is not null and r.inspected_at >= ${from} and r.inspected_at < ${to}`);
  const [price] = await db.execute<{ ordered: string; standard: string }>(sql`
    select coalesce(sum(o.quantity * o.unit_price), 0) as ordered, coalesce(sum(o.quantity * pt.standard_cost), 0) as standard
    from purchase_orders o join purchases p on p.id = o.purchase_id join parts pt on pt.part_number = p.part_number
    where o.supplier_id = ${supplierId} and o.placed_at >= ${from} and o.placed_at < ${to}`);
  return evaluateSupplier({
    dueQuantity: due!.due,
    onTimeInFullQuantity: due!.otif,
    inspectedQuantity: insp!.inspected,
    passedQuantity: insp!.passed,
    orderedAmount: Number(price!.ordered),
    standardAmount: Number(price!.standard),
  });
}

export { StockShortage };
