// `npm run bench -- parts`: stock reservations under concurrency (issue 10). A fresh database on the
// Postgres of BENCH_DATABASE_URL (default the local server), the migrations, a catalogue of `parts`
// parts in `warehouses` warehouses with little stock each, then `requests` single-line parts requests
// reserved through the same transaction the partsRequest workflow's activity runs (reserveForRequest),
// `concurrency` in flight. Part choice is skewed (a fifth of the requests go to 1 % of the parts) so
// requests really race for the last units. Measured: latency per reservation (p50/p99), and oversell —
// balances with reserved > on hand, parts reserved beyond their stock, and balances whose movements do
// not add up — which must all be zero. Several rounds; the summary is their median, because the
// machine is shared.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import postgres from 'postgres';
import { reserveForRequest } from '../activities/parts/ledger.js';
import { connectDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { calibrate } from './support/calibration.js';
import { machineBusyPercent, machineCpu } from './support/cpu.js';
import { percentile, pool, round, seededRandom, summarize } from './support/stats.js';

export interface PartsBenchOptions {
  parts: number;
  warehouses: number;
  requests: number;
  concurrency: number;
  /** Database connections; default concurrency + 5 (no reservation waits for a connection). */
  pool?: number;
  rounds: number;
  seed: number;
  out: string;
  command: string;
}

export async function runPartsBench(o: PartsBenchOptions) {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const dbName = `shouhou_bench_parts_${Date.now()}`;
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const calibration = calibrate();
  const cpuBefore = machineCpu();
  const loadBefore = loadavg().map((x) => round(x, 2));
  const startedAt = new Date().toISOString();
  const rounds: unknown[] = [];
  try {
    await runMigrations(url.toString());
    const handle = connectDb(url.toString(), { max: o.pool ?? o.concurrency + 5 });
    const { sql: q } = handle;
    try {
      await q`insert into cases (id, workflow_id, channel, stage, severity, customer_name, product_model, serial_number, description, reported_at)
        values ('BENCH', 'case-BENCH', 'api', 'awaiting_parts', 'normal', 'bench', 'bench', 'bench', 'bench', now())`;
      for (let w = 1; w <= o.warehouses; w++)
        await q`insert into warehouses (id, name, kind, priority) values (${`W${w}`}, ${`warehouse ${w}`}, 'central', ${w})`;
      await q`insert into parts (part_number, name, standard_cost)
        select 'P' || lpad(g::text, 6, '0'), 'part ' || g, 10 from generate_series(1, ${o.parts}) g`;
      for (let r = 1; r <= o.rounds; r++) {
        console.log(`[bench] round ${r}/${o.rounds}: stocking ${o.parts} × ${o.warehouses} balances`);
        const random = seededRandom(o.seed + r);
        await q`delete from stock_reservations`;
        await q`delete from parts_request_lines`;
        await q`delete from parts_requests`;
        await q`alter table stock_movements disable trigger stock_movements_append_only`;
        await q`delete from stock_movements`;
        await q`alter table stock_movements enable trigger stock_movements_append_only`;
        await q`delete from stock_balances`;
        // 0–3 units per balance, entered as opening receipts so the ledger adds up.
        await q`
          with s as (
            select p.part_number, w.id as warehouse_id, floor(random() * 4)::int as n
            from parts p cross join warehouses w
          ), m as (
            insert into stock_movements (key, part_number, warehouse_id, kind, quantity, on_hand_delta, reserved_delta, unit_cost, actor)
            select 'open:' || part_number || ':' || warehouse_id, part_number, warehouse_id, 'receive', n, n, 0, 10, 'bench'
            from s where n > 0 returning 1
          )
          insert into stock_balances (part_number, warehouse_id, on_hand, average_cost)
          select part_number, warehouse_id, n, 10 from s`;
        const ids: string[] = [];
        const lines: Array<[string, string, number]> = [];
        for (let i = 0; i < o.requests; i++) {
          const hot = random() < 0.2;
          const partNo = hot
            ? 1 + Math.floor(random() * Math.max(1, o.parts / 100))
            : 1 + Math.floor(random() * o.parts);
          const id = `PR-BENCH-${r}-${i}`;
          ids.push(id);
          lines.push([id, `P${String(partNo).padStart(6, '0')}`, 1 + Math.floor(random() * 2)]);
        }
        for (let i = 0; i < ids.length; i += 1000) {
          const chunk = lines.slice(i, i + 1000);
          await q`insert into parts_requests ${q(chunk.map(([id]) => ({ id, case_id: 'BENCH', workflow_id: id, status: 'open', requested_by: 'bench' })))}`;
          await q`insert into parts_request_lines ${q(chunk.map(([id, part_number, quantity]) => ({ request_id: id, line_no: 1, part_number, quantity })))}`;
        }
        await q`vacuum analyze stock_balances`;
        const latencies: number[] = [];
        let full = 0;
        let partial = 0;
        let none = 0;
        let errors = 0;
        const t0 = performance.now();
        await pool(ids.length, o.concurrency, async (i) => {
          const t = performance.now();
          try {
            const [l] = await reserveForRequest(handle.db, {
              requestId: ids[i]!,
              step: 'bench',
              actor: 'bench',
            });
            latencies.push(performance.now() - t);
            if (l!.reserved === l!.quantity) full += 1;
            else if (l!.reserved > 0) partial += 1;
            else none += 1;
          } catch {
            errors += 1;
          }
        });
        const wallMs = performance.now() - t0;
        const [over] = await q<
          { n: number }[]
        >`select count(*)::int as n from stock_balances where reserved > on_hand or on_hand < 0`;
        const [beyond] = await q<{ n: number }[]>`
          select count(*)::int as n from (
            select l.part_number from parts_request_lines l group by l.part_number
            having sum(l.reserved) > (select coalesce(sum(b.on_hand), 0) from stock_balances b where b.part_number = l.part_number)
          ) x`;
        const [unbalanced] = await q<{ n: number }[]>`
          select count(*)::int as n from stock_balances b left join lateral (
            select coalesce(sum(on_hand_delta), 0) as oh, coalesce(sum(reserved_delta), 0) as rs from stock_movements m
            where m.part_number = b.part_number and m.warehouse_id = b.warehouse_id) m on true
          where b.on_hand <> m.oh or b.reserved <> m.rs`;
        const s = summarize(latencies.map((x) => round(x, 2)))!;
        const result = {
          round: r,
          reservations: ids.length,
          wallMs: Math.round(wallMs),
          perSecond: round(ids.length / (wallMs / 1000)),
          latencyMs: s,
          outcomes: { full, partial, none, errors },
          oversell: {
            balancesOverReserved: over!.n,
            partsReservedBeyondStock: beyond!.n,
            unbalancedLedgers: unbalanced!.n,
          },
        };
        console.log(
          `[bench] round ${r}: p50 ${s.p50} ms, p99 ${s.p99} ms, ${result.perSecond}/s; full ${full}, partial ${partial}, none ${none}, errors ${errors}; oversell ${over!.n + beyond!.n + unbalanced!.n}`,
        );
        rounds.push(result);
      }
    } finally {
      await handle.close();
    }
  } finally {
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
  const cpuAfter = machineCpu();
  const typed = rounds as Array<{
    latencyMs: { p50: number; p99: number };
    oversell: Record<string, number>;
  }>;
  const med = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const summary = {
    medianP50Ms: med(typed.map((r) => r.latencyMs.p50)),
    medianP99Ms: med(typed.map((r) => r.latencyMs.p99)),
    worstP99Ms: Math.max(...typed.map((r) => r.latencyMs.p99)),
    oversell: typed.reduce((s, r) => s + Object.values(r.oversell).reduce((a, b) => a + b, 0), 0),
    targetP99Ms: 50,
  };
  const busy = machineBusyPercent(cpuBefore, cpuAfter);
  const report = {
    benchmark: 'parts',
    command: o.command,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: { ...o, pool: o.pool ?? o.concurrency + 5, out: undefined, command: undefined },
    machine: {
      calibration,
      busyPercentDuringRun: busy,
      loadAverage: { before: loadBefore, after: loadavg().map((x) => round(x, 2)) },
      note: 'shared 2-core VM; other sessions were running',
    },
    summary,
    rounds,
  };
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`[bench] summary: ${JSON.stringify(summary)} → ${o.out}`);
  return report;
}
