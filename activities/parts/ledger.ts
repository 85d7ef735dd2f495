// The stock ledger (库存台账). Every change of stock is a movement appended to stock_movements, and the
// (part, warehouse) balance row moves in the same transaction, under its row lock. The balance's CHECK
// constraints refuse a negative on-hand or available quantity, so two reservations that race for the
// last unit cannot both commit: the second waits for the lock, re-reads the row and finds none left.
// Each movement has a unique key (workflow id + step, or the API's Idempotency-Key): applied once.
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { averageAfterReceipt } from '../../domain/parts/costing.js';
import type { MovementKind } from '../../domain/parts/request.js';

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

/** reserveForRequest's statement: $1 the request, $2 the step, $3 the actor. */
const RESERVE_STATEMENT = `with req as (
  select id, case_id, status from parts_requests where id = $1 for update
), lines as (
  select l.line_no, l.part_number, l.quantity, l.reserved, l.quantity - l.reserved as need,
    count(*) over (partition by l.part_number) > 1 as duplicate
  from parts_request_lines l join req on req.id = l.request_id
  where req.status = 'open'
), cand as (
  select b.part_number, b.warehouse_id, b.on_hand - b.reserved as available, b.average_cost, w.priority
  from stock_balances b join warehouses w on w.id = b.warehouse_id
  where b.part_number in (select part_number from lines where need > 0 and not duplicate)
    and b.on_hand > b.reserved
  order by b.part_number, w.priority, b.warehouse_id
  for update of b
), alloc as (
  select c.*, l.line_no,
    least(c.available, l.need - (sum(c.available) over (partition by l.line_no order by c.priority, c.warehouse_id) - c.available)) as take
  from cand c join lines l on l.part_number = c.part_number and l.need > 0 and not l.duplicate
), mov as (
  insert into stock_movements (key, part_number, warehouse_id, kind, quantity, on_hand_delta, reserved_delta,
    unit_cost, case_id, request_id, actor)
  select $1 || ':' || $2 || ':' || a.line_no || ':' || a.warehouse_id, a.part_number,
    a.warehouse_id, 'reserve', a.take, 0, a.take, a.average_cost, req.case_id, req.id, $3
  from alloc a cross join req where a.take > 0
  on conflict (key) do nothing
  returning key, part_number, warehouse_id, quantity
), bal as (
  update stock_balances b set reserved = b.reserved + mov.quantity, updated_at = now()
  from mov where b.part_number = mov.part_number and b.warehouse_id = mov.warehouse_id
  returning 1
), res as (
  insert into stock_reservations (request_id, line_no, part_number, warehouse_id, quantity, movement_key)
  select $1, a.line_no, mov.part_number, mov.warehouse_id, mov.quantity, mov.key
  from mov join alloc a on a.part_number = mov.part_number and a.warehouse_id = mov.warehouse_id
  returning line_no, quantity
), got as (
  select line_no, sum(quantity)::int as q from res group by line_no
), upd as (
  update parts_request_lines l set reserved = l.reserved + got.q
  from got where l.request_id = $1 and l.line_no = got.line_no
  returning 1
)
select l.line_no, l.part_number, l.quantity, l.reserved + coalesce(got.q, 0) as reserved, l.duplicate,
  (select count(*) from bal) + (select count(*) from upd) as touched
from lines l left join got on got.line_no = l.line_no
order by l.line_no`;

/**
 * Reserves what is available for every open line of a request, nearest warehouse first (lowest
 * priority number). One statement, so the balance rows stay locked only while it runs: it locks the
 * request row (one reservation run per request at a time), then the balances with units available, in
 * (part, priority, warehouse) order so two requests never wait on each other in a circle; a balance
 * changed by a transaction it waited for is re-read after the wait (READ COMMITTED), so what it takes is
 * what is left. It appends the reserve movements (keyed by request, `step`, line and warehouse: a
 * retried step reserves nothing twice), moves the balances — whose CHECKs are the last word — and
 * records the reservations. A request that lists one part on two lines takes the slower per-line path.
 */
export async function reserveForRequest(
  db: Database,
  input: { requestId: string; step: string; actor: string },
): Promise<LineReservation[]> {
  // A named prepared statement (per connection): its plan is made once and reused. Through db.execute
  // every reservation was parsed and planned afresh, and planning these ten CTEs cost about as much as
  // running them (bench/README.md, "parts").
  const rows = await db.$client.unsafe<
    Array<{ line_no: number; part_number: string; quantity: number; reserved: number; duplicate: boolean }>
  >(RESERVE_STATEMENT, [input.requestId, input.step, input.actor], { prepare: true });
  if (rows.some((r) => r.duplicate && r.reserved < r.quantity)) return reserveLineByLine(db, input);
  if (rows.length === 0) {
    const [req] = await db.execute(sql`select 1 from parts_requests where id = ${input.requestId}`);
    if (!req) throw new Error(`parts request ${input.requestId} does not exist`);
  }
  return rows.map(toLine);
}

/** The per-line path: for requests that list one part on several lines. */
async function reserveLineByLine(
  db: Database,
  input: { requestId: string; step: string; actor: string },
): Promise<LineReservation[]> {
  return db.transaction(async (tx) => {
    const [req] = await tx.execute<{ case_id: string; status: string }>(sql`
      select case_id, status from parts_requests where id = ${input.requestId} for update`);
    if (!req) throw new Error(`parts request ${input.requestId} does not exist`);
    const lines = await tx.execute<{
      line_no: number;
      part_number: string;
      quantity: number;
      reserved: number;
    }>(sql`
      select line_no, part_number, quantity, reserved from parts_request_lines
      where request_id = ${input.requestId} order by part_number, line_no`);
    if (req.status !== 'open') return lines.map(toLine);
    for (const line of lines) {
      let need = line.quantity - line.reserved;
      if (need <= 0) continue;
      const candidates = await tx.execute<{ warehouse_id: string; available: number }>(sql`
        select b.warehouse_id, b.on_hand - b.reserved as available
        from stock_balances b join warehouses w on w.id = b.warehouse_id
        where b.part_number = ${line.part_number} and b.on_hand > b.reserved
        order by w.priority, b.warehouse_id
        for update of b`);
      for (const c of candidates) {
        if (need <= 0) break;
        const take = Math.min(need, c.available);
        const key = `${input.requestId}:${input.step}:${line.line_no}:${c.warehouse_id}`;
        const { applied } = await applyMovement(tx, {
          key,
          partNumber: line.part_number,
          warehouseId: c.warehouse_id,
          kind: 'reserve',
          quantity: take,
          actor: input.actor,
          caseId: req.case_id,
          requestId: input.requestId,
        });
        if (!applied) continue;
        await tx.execute(sql`
          insert into stock_reservations (request_id, line_no, part_number, warehouse_id, quantity, movement_key)
          values (${input.requestId}, ${line.line_no}, ${line.part_number}, ${c.warehouse_id}, ${take}, ${key})`);
        line.reserved += take;
        need -= take;
      }
      await tx.execute(sql`
        update parts_request_lines set reserved = ${line.reserved}
        where request_id = ${input.requestId} and line_no = ${line.line_no}`);
    }
    return lines.map(toLine).sort((a, b) => a.lineNo - b.lineNo);
  });
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
