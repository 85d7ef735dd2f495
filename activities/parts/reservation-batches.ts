// Reservations grouped per commit (group commit in the application). A reservation must be durable
// before the workflow sees it succeed, so each commit waits for its WAL flush (~2 ms on the reference
// VM's disk). One commit per reservation made a burst of fifty queue on each other's flushes
// (`LWLock:WALWrite` in pg_stat_activity, bench/README.md "parts"). Here the reservations of this process
// that arrive while a batch runs wait for it and then go together: one statement, one commit, one flush,
// each still durable before it is answered. Nothing waits on a timer: a lone reservation goes at once.
import type { Database } from '../../db/client.js';

export interface ReservationInput {
  requestId: string;
  step: string;
  actor: string;
}

export interface ReservedLine {
  request_id: string;
  line_no: number;
  part_number: string;
  quantity: number;
  reserved: number;
}

/**
 * Reserves what is available for every open line of every request of the batch ($1 request ids, $2
 * steps, $3 actors, in arrival order), nearest warehouse first (lowest priority number). It locks the
 * requests (in id order), then the balances with units available in (part, priority, warehouse) order —
 * one pass for the whole batch, so two batches, or a batch and a single reservation, never wait on each
 * other in a circle; a balance changed by a transaction it waited for is re-read after the wait (READ
 * COMMITTED), so what it shares out is what is left. The units of a part go to its lines in arrival order
 * (then line order): each line needs an interval of the part's cumulative demand, each balance supplies
 * an interval of its cumulative stock, and a line takes the overlap from each balance. It appends the
 * reserve movements (keyed by request, step, line and warehouse: a retried step reserves nothing twice),
 * moves each balance once by the sum taken from it — the CHECKs are the last word — records the
 * reservations (in nearest-first order per line: issuing at repair takes them in id order) and the
 * lines' reserved counts, and answers every line of every open request.
 */
const RESERVE_BATCH = `with input as (
  select distinct on (request_id) request_id, step, actor, seq
  from unnest($1::text[], $2::text[], $3::text[]) with ordinality as i(request_id, step, actor, seq)
  order by request_id, seq
), req as (
  select id, case_id, status from parts_requests where id = any($1::text[])
  order by id
  for update
), lines as (
  select input.seq, input.step, input.actor, req.case_id, l.request_id, l.line_no, l.part_number,
    l.quantity, l.reserved, l.quantity - l.reserved as need
  from req join input on input.request_id = req.id join parts_request_lines l on l.request_id = req.id
  where req.status = 'open'
), demand as (
  select *, sum(need) over (partition by part_number order by seq, line_no) - need as need_from
  from lines where need > 0
), cand as (
  select b.part_number, b.warehouse_id, b.on_hand - b.reserved as available, b.average_cost, w.priority
  from stock_balances b join warehouses w on w.id = b.warehouse_id
  where b.part_number in (select part_number from demand) and b.on_hand > b.reserved
  order by b.part_number, w.priority, b.warehouse_id
  for update of b
), supply as (
  select *, sum(available) over (partition by part_number order by priority, warehouse_id) - available as avail_from
  from cand
), alloc as (
  select d.request_id || ':' || d.step || ':' || d.line_no || ':' || s.warehouse_id as key, d.request_id,
    d.line_no, d.case_id, d.actor, s.part_number, s.warehouse_id, s.priority, s.average_cost,
    least(d.need_from + d.need, s.avail_from + s.available) - greatest(d.need_from, s.avail_from) as take
  from demand d join supply s on s.part_number = d.part_number
), mov as (
  insert into stock_movements (key, part_number, warehouse_id, kind, quantity, on_hand_delta, reserved_delta,
    unit_cost, case_id, request_id, actor)
  select key, part_number, warehouse_id, 'reserve', take, 0, take, average_cost, case_id, request_id, actor
  from alloc where take > 0
  order by request_id, line_no, priority, warehouse_id
  on conflict (key) do nothing
  returning key, request_id, part_number, warehouse_id, quantity
), bal as (
  update stock_balances b set reserved = b.reserved + m.q, updated_at = now()
  from (select part_number, warehouse_id, sum(quantity)::int as q from mov group by 1, 2) m
  where b.part_number = m.part_number and b.warehouse_id = m.warehouse_id
), res as (
  insert into stock_reservations (request_id, line_no, part_number, warehouse_id, quantity, movement_key)
  select mov.request_id, a.line_no, mov.part_number, mov.warehouse_id, mov.quantity, mov.key
  from mov join alloc a on a.key = mov.key
  order by a.request_id, a.line_no, a.priority, a.warehouse_id
  returning request_id, line_no, quantity
), got as (
  select request_id, line_no, sum(quantity)::int as q from res group by 1, 2
), upd as (
  update parts_request_lines l set reserved = l.reserved + got.q
  from got where l.request_id = got.request_id and l.line_no = got.line_no
)
select l.request_id, l.line_no, l.part_number, l.quantity, l.reserved + coalesce(got.q, 0) as reserved
from lines l left join got on got.request_id = l.request_id and got.line_no = l.line_no
order by l.request_id, l.line_no`;

/** Reserves for the given requests in one statement (and one transaction); rows per line. */
export async function reserveBatch(db: Database, batch: ReservationInput[]): Promise<ReservedLine[]> {
  // A named prepared statement (per connection): planned once. Planning these CTEs afresh on every
  // call cost about as much as running them (bench/README.md, "parts").
  return db.$client.unsafe<ReservedLine[]>(
    RESERVE_BATCH,
    [batch.map((b) => b.requestId), batch.map((b) => b.step), batch.map((b) => b.actor)],
    { prepare: true },
  );
}

interface Waiting {
  input: ReservationInput;
  resolve: (lines: ReservedLine[]) => void;
  reject: (err: unknown) => void;
}

/**
 * At most `MAX_BATCH` reservations per batch and `BATCHES_IN_FLIGHT` batches at a time per database
 * handle. One in flight: the next batch's reservations wait while one runs, so the balances a batch
 * locks are never also wanted by another batch of this process, and every reservation of a burst of
 * fifty shares one commit. A second slot measured no better (it mostly carried batches of one alongside
 * the big one) — bench/README.md "parts". Both can be set for a measurement through the environment.
 */
const MAX_BATCH = Number(process.env.PARTS_RESERVATION_BATCH_MAX ?? 64);
const BATCHES_IN_FLIGHT = Number(process.env.PARTS_RESERVATION_BATCHES_IN_FLIGHT ?? 1);

class ReservationBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;

  constructor(private readonly db: Database) {}

  reserve(input: ReservationInput): Promise<ReservedLine[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump() {
    while (this.inFlight < BATCHES_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight += 1;
      // The slot frees only after the callers just answered have had their turn: those that reserve
      // again join the next batch instead of the first of them leaving alone ahead of the rest.
      void this.run(batch).finally(() =>
        setImmediate(() => {
          this.inFlight -= 1;
          this.pump();
        }),
      );
    }
  }

  /** The next batch: arrival order, one entry per request (a second one for the same request waits). */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const ids = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < MAX_BATCH; ) {
      const w = this.queue[i]!;
      if (ids.has(w.input.requestId)) {
        i += 1;
        continue;
      }
      ids.add(w.input.requestId);
      batch.push(w);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async run(batch: Waiting[]) {
    let rows: ReservedLine[];
    try {
      rows = await reserveBatch(
        this.db,
        batch.map((w) => w.input),
      );
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // Whatever failed the batch must fail only its own reservation: each goes again alone.
      await Promise.all(
        batch.map((w) =>
          reserveBatch(this.db, [w.input]).then(
            (r) => w.resolve(r),
            (e) => w.reject(e),
          ),
        ),
      );
      return;
    }
    const byRequest = new Map<string, ReservedLine[]>();
    for (const r of rows) {
      const list = byRequest.get(r.request_id) ?? [];
      list.push(r);
      byRequest.set(r.request_id, list);
    }
    for (const w of batch) w.resolve(byRequest.get(w.input.requestId) ?? []);
  }
}

const batchers = new WeakMap<Database, ReservationBatcher>();

/** Reserves for one request, in the next batch of this database handle. */
export function reserveInBatch(db: Database, input: ReservationInput): Promise<ReservedLine[]> {
  let b = batchers.get(db);
  if (!b) {
    b = new ReservationBatcher(db);
    batchers.set(db, b);
  }
  return b.reserve(input);
}
