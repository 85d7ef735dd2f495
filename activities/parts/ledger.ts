// The stock ledger (库存台账). Every change of stock is a movement appended to stock_movements, and the
// (part, warehouse) balance row moves in the same transaction, under its row lock. The balance's CHECK
// constraints refuse a negative on-hand or available quantity, so two reservations that race for the
// last unit cannot both commit: the second waits for the lock, re-reads the row and finds none left.
// Each movement has a unique key (workflow id + step, or the API's Idempotency-Key): applied once.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { averageAfterReceipt } from '../../domain/parts/costing.js';
import type { MovementKind } from '../../domain/parts/request.js';
import { reserveInBatch } from './reservation-batches.js';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type Executor = Database | Tx;

export interface Movement {
  key: string;
  partNumber: string;
  warehouseId: string;
  kind: MovementKind;
  quantity: number;
  actor: string;
  /** Cost per unit: the receipt's price for 'receive', otherwise the balance's average (filled in). */
  unitCost?: number;
  caseId?: string | null;
  requestId?: string | null;
  purchaseOrderId?: string | null;
  serial?: string | null;
  faultySerial?: string | null;
  reason?: string | null;
  /** For 'adjust': the signed change of on-hand. */
  delta?: number;
}

export interface Balance {
  onHand: number;
  reserved: number;
  averageCost: number;
}

/** How each kind moves on-hand and reserved. */
function deltas(m: Movement): { onHand: number; reserved: number } {
  switch (m.kind) {
    case 'receive':
      return { onHand: m.quantity, reserved: 0 };
    case 'reserve':
      return { onHand: 0, reserved: m.quantity };
    case 'release':
      return { onHand: 0, reserved: -m.quantity };
    case 'issue':
      // Issued units were reserved for the case when `requestId` is set; otherwise they come from free stock.
      return { onHand: -m.quantity, reserved: m.requestId ? -m.quantity : 0 };
    case 'return_defective':
      // The faulty part is recorded against the case; it is not sellable stock.
      return { onHand: 0, reserved: 0 };
    case 'return_to_supplier':
      return { onHand: -m.quantity, reserved: 0 };
    case 'adjust':
      return { onHand: m.delta ?? 0, reserved: 0 };
  }
}

/** Locks the balance row (creating it at zero if needed) and returns it. */
export async function lockBalance(tx: Tx, partNumber: string, warehouseId: string): Promise<Balance> {
  await tx.execute(sql`
    insert into stock_balances (part_number, warehouse_id) values (${partNumber}, ${warehouseId})
    on conflict do nothing`);
  const [row] = await tx.execute<{ on_hand: number; reserved: number; average_cost: string }>(sql`
    select on_hand, reserved, average_cost from stock_balances
    where part_number = ${partNumber} and warehouse_id = ${warehouseId}
    for update`);
  return { onHand: row!.on_hand, reserved: row!.reserved, averageCost: Number(row!.average_cost) };
}

export class StockShortage extends Error {
  constructor(
    readonly partNumber: string,
    readonly warehouseId: string,
    readonly wanted: number,
    readonly available: number,
  ) {
    super(`part ${partNumber} in warehouse ${warehouseId}: ${wanted} wanted, ${available} available`);
  }
}

/**
 * Appends a movement and moves the balance, inside `tx`. Returns false when a movement with this key
 * exists already (nothing is moved again). Throws StockShortage rather than letting the CHECK fire when
 * the code can tell, so callers get a readable reason; the CHECK stays the last word.
 */
export async function applyMovement(tx: Tx, m: Movement): Promise<{ applied: boolean; unitCost: number }> {
  const balance = await lockBalance(tx, m.partNumber, m.warehouseId);
  const d = deltas(m);
  const available = balance.onHand - balance.reserved;
  // Reserving takes from available; taking units off the shelf must not eat into what is reserved.
  const takesAvailable = m.kind === 'reserve' || (d.onHand < 0 && d.reserved === 0);
  const exists = await tx.execute(sql`select 1 from stock_movements where key = ${m.key}`);
  if (exists.length > 0) return { applied: false, unitCost: balance.averageCost };
  if (takesAvailable && m.quantity > available && (m.kind !== 'adjust' || -(m.delta ?? 0) > available))
    throw new StockShortage(m.partNumber, m.warehouseId, m.quantity, available);
  const unitCost =
    m.kind === 'receive'
      ? (m.unitCost ?? 0)
      : m.kind === 'adjust' && d.onHand > 0
        ? (m.unitCost ?? balance.averageCost)
        : balance.averageCost;
  const average =
    d.onHand > 0
      ? averageAfterReceipt(balance.onHand, balance.averageCost, d.onHand, unitCost)
      : balance.averageCost;
  await tx.execute(sql`
    insert into stock_movements (key, part_number, warehouse_id, kind, quantity, on_hand_delta, reserved_delta,
      unit_cost, case_id, request_id, purchase_order_id, serial, faulty_serial, reason, actor)
    values (${m.key}, ${m.partNumber}, ${m.warehouseId}, ${m.kind}, ${m.quantity}, ${d.onHand}, ${d.reserved},
      ${unitCost}, ${m.caseId ?? null}, ${m.requestId ?? null}, ${m.purchaseOrderId ?? null}, ${m.serial ?? null},
      ${m.faultySerial ?? null}, ${m.reason ?? null}, ${m.actor})`);
  await tx.execute(sql`
    update stock_balances
    set on_hand = on_hand + ${d.onHand}, reserved = reserved + ${d.reserved}, average_cost = ${average},
        updated_at = now()
    where part_number = ${m.partNumber} and warehouse_id = ${m.warehouseId}`);
  return { applied: true, unitCost };
}

export interface LineReservation {
  lineNo: number;
  partNumber: string;
  quantity: number;
  reserved: number;
}

/**
 * Reserves what is available for every open line of a request, nearest warehouse first, and answers
 * every line with what it now has reserved (nothing for a request no longer open). The reservation goes
 * in this process's next batch (reservation-batches.ts: one statement and one commit for the
 * reservations that arrived together, each durable before it is answered); the statement locks the
 * balances it shares out and the balance CHECKs stay the last word. `step` keys the movements, so a
 * retried step reserves nothing twice.
 */
export async function reserveForRequest(
  db: Database,
  input: { requestId: string; step: string; actor: string },
): Promise<LineReservation[]> {
  const rows = await reserveInBatch(db, input);
  if (rows.length === 0) {
    const [req] = await db.execute(sql`select 1 from parts_requests where id = ${input.requestId}`);
    if (!req) throw new Error(`parts request ${input.requestId} does not exist`);
  }
  return rows.map(toLine);
}

const toLine = (l: {
  line_no: number;
  part_number: string;
  quantity: number;
  reserved: number;
}): LineReservation => ({
  lineNo: l.line_no,
  partNumber: l.part_number,
  quantity: l.quantity,
  reserved: l.reserved,
});

/** Releases every active reservation of a request (cancelled, or left over after the repair). */
export async function releaseReservations(
  tx: Tx,
  requestId: string,
  actor: string,
  why: string,
): Promise<number> {
  const active = await tx.execute<{
    id: number;
    line_no: number;
    part_number: string;
    warehouse_id: string;
    quantity: number;
  }>(sql`
    select id, line_no, part_number, warehouse_id, quantity from stock_reservations
    where request_id = ${requestId} and status = 'active' order by part_number, warehouse_id, id for update`);
  const [req] = await tx.execute<{ case_id: string }>(
    sql`select case_id from parts_requests where id = ${requestId}`,
  );
  let released = 0;
  for (const r of active) {
    await applyMovement(tx, {
      key: `${requestId}:release:${r.id}`,
      partNumber: r.part_number,
      warehouseId: r.warehouse_id,
      kind: 'release',
      quantity: r.quantity,
      actor,
      caseId: req?.case_id,
      requestId,
      reason: why,
    });
    await tx.execute(
      sql`update stock_reservations set status = 'released', closed_at = now() where id = ${r.id}`,
    );
    await tx.execute(sql`
      update parts_request_lines set reserved = reserved - ${r.quantity}
      where request_id = ${requestId} and line_no = ${r.line_no}`);
    released += r.quantity;
  }
  return released;
}

/** On-hand, reserved and available of a part per warehouse. */
export async function balancesOf(db: Executor, partNumber: string) {
  const rows = await db.execute<{
    warehouse_id: string;
    on_hand: number;
    reserved: number;
    average_cost: string;
  }>(sql`
    select warehouse_id, on_hand, reserved, average_cost from stock_balances
    where part_number = ${partNumber} order by warehouse_id`);
  return rows.map((r) => ({
    warehouseId: r.warehouse_id,
    onHand: r.on_hand,
    reserved: r.reserved,
    available: r.on_hand - r.reserved,
    averageCost: Number(r.average_cost),
  }));
}
