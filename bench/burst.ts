// Escalation bursts (issue 16): N SLA steps falling due at ONE instant among M open cases, on the stack
// `npm start` runs (bench/support/stack.ts with npm start's flags, worker processes and worker defaults),
// against raw Temporal on the same dev server in the same run: N workflows of a baseline worker
// (bench/support/burst-baseline/) asleep until an instant, then one local activity each.
//
//  1. Two SLA policies on product lines of their own: 'idle' (every target 10,000 h: open, never due) and
//     'burst' (24×7 response target T = 8 × gap, default ladder 75 / 100 / 150 %, repair 10,000 h).
//  2. A probe of P idle cases measures the creation rate.
//  3. A warm-up of 30 % of the idle cases opens no faster than the workers start them (never more than
//     `backlog` cases opened and not yet started) and measures that pace, which sizes the schedule: the
//     waves must fall on workers that have started every case, as at 18:00 after a working day.
//  4. The baseline's N workflows start, then the other cases open at that pace through openCase (the
//     real intake path), N of them on the burst line, spread evenly among the idle ones (so the worker
//     cache holds what it would hold in real life), all N with the same reportedAt. Their steps fall due
//     at three instants: warning, breach and level 3, 0.25 T and 0.5 T apart.
//  5. Each product wave is preceded by a baseline wave `gap` earlier, so each compares with raw Temporal
//     a minute before, on the same server, under the same load of other helpers on the machine.
//  6. Per wave: p50 / p99 / last of the firings (the workflow's clock when its timer woke it) and of the
//     recordings (the database's clock when the step's row was written), the longest pause between two of
//     them, CPU of each process; for a product wave paused longer than its baseline, the histories of the
//     cases that fired right after the pause are read to name what held them up.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { IntakeDeps } from '../api/case-intake.js';
import { connectDb, type DbHandle } from '../db/client.js';
import { SlaSnapshots } from '../db/sla-store.js';
import { DEFAULT_POLICY } from '../domain/sla-policy.js';
import { sleep } from '../scripts/process-helpers.mjs';
import {
  addCalendarAndPolicy,
  createCases,
  HOUR_MS,
  hours,
  intake,
  machineInfo,
  NEVER,
} from './escalation.js';
import { BASELINE_TABLE, createBaselineTable } from './support/burst-baseline/activities.js';
import { type Calibration, calibrate } from './support/calibration.js';
import {
  type CpuSnapshot,
  cpuPercent,
  cpuSnapshot,
  type MachineCpu,
  machineCpu,
  rssMiB,
} from './support/cpu.js';
import { startStack } from './support/stack.js';
import { percentile, pool, round } from './support/stats.js';
import { startTopologyStack } from './support/topology-stack.js';

export interface BurstBenchOptions {
  /** npm start's stack (default) or the production topology (scripts/topology.ts). */
  on?: 'stack' | 'topology';
  /** N: steps due at each instant. */
  steps: number;
  /** M: open cases in all (N of them with steps due). */
  cases: number;
  concurrency: number;
  probe: number;
  /** Time between a baseline wave and the product wave after it; T = 8 × gap. */
  gapMs: number;
  /** Cases opened per second after the warm-up (default 90 % of the slower of intake and the workers). */
  pace?: number;
  /** Never more than this many cases opened whose workflow has not started yet (default 100). */
  backlog?: number;
  /** Quiet time after the estimated end of creation before the first baseline wave. */
  marginMs?: number;
  /** Wait after the last instant for missing steps. */
  graceMs: number;
  workers: number;
  /** WORKER_MAX_CACHED_WORKFLOWS: 'default' = what worker.ts does by itself (as `npm start`), or N. */
  cache: 'default' | number;
  workerEnv: Record<string, string>;
  temporalArgs: string[];
  temporalEnv: Record<string, string>;
  workerNodeFlags: string[];
  baseline: boolean;
  /** Investigations: run support/experimental-worker.ts with these extra WorkerOptions instead of worker.ts. */
  experimentalWorkerOptions?: Record<string, unknown>;
  /** Histories read per paused product wave. */
  diagnose: number;
  seed: number;
  keep: boolean;
  out: string;
  command: string;
}

const IDLE_LINE = 'bench-burst-idle';
const BURST_LINE = 'bench-burst';
const LADDER = DEFAULT_POLICY.escalation;
/** Buckets of the per-wave timeline. */
const SLICE_MS = 5_000;

const say = (msg: string) => console.log(`[bench] ${new Date().toISOString().slice(11, 19)} ${msg}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () => loadavg().map((x) => round(x, 2));

interface Point {
  /** Workflow id (baseline) or case id. */
  id: string;
  firedAt: number;
  recordedAt: number;
}

interface Pause {
  /** The longest time between two consecutive events of the wave (or between the instant and the first). */
  ms: number;
  /** When it began, ms after the instant, and how many of the wave had happened by then. */
  fromMs: number;
  before: number;
}

interface Times {
  p50: number;
  p99: number;
  /** The last one, ms after the instant. */
  last: number;
  longestPause: Pause;
}

interface WaveResult {
  kind: 'baseline' | 'product';
  /** warning / breach / level-3 for the product; baseline-1… for the baseline. */
  name: string;
  /** ms after the first instant of the run. */
  at: number;
  expected: number;
  recorded: number;
  /** Steps recorded more than once (product: escalation rows or timeline events per step; baseline: activity attempts beyond the first). */
  duplicates: number;
  /** Workflow clock when the timer woke the workflow, ms after the instant. */
  fired: Times | null;
  /** Database clock when the step was written (product: the notification row; baseline: its row). */
  recorded_: Times | null;
  /** Product: the notification marked sent, ms after the instant. */
  notifiedLast?: number | null;
  /** From the instant to the last recording: CPU of each process (% of one core) and ms per step. */
  cpuPercent: Record<string, number>;
  cpuMsPerStep: Record<string, number>;
  /** 5-s slices from the instant: steps fired in it, CPU of each process, machine busy %. */
  timeline: {
    fromMs: number;
    fired: number;
    recorded: number;
    cpu: Record<string, number>;
    machineBusy: number | null;
  }[];
  loadAverageAtInstant: number[];
  /** Product waves paused longer than their baseline: what the histories of the cases after the pause show. */
  pauseDiagnosis?: PauseDiagnosis;
}

function times(instant: number, values: number[]): Times | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  let longest: Pause = { ms: Math.max(0, sorted[0] - instant), fromMs: 0, before: 0 };
  for (let i = 1; i < sorted.length; i++) {
    const gap = sorted[i] - sorted[i - 1];
    if (gap > longest.ms) longest = { ms: round(gap), fromMs: round(sorted[i - 1] - instant), before: i };
  }
  return {
    p50: round(percentile(sorted, 50) - instant),
    p99: round(percentile(sorted, 99) - instant),
    last: round(sorted[sorted.length - 1] - instant),
    longestPause: { ...longest, ms: round(longest.ms) },
  };
}

interface Sample {
  cpu: CpuSnapshot;
  machine: MachineCpu | undefined;
}

function nearest(samples: Sample[], t: number): Sample {
  return samples.reduce((best, s) => (Math.abs(s.cpu.at - t) < Math.abs(best.cpu.at - t) ? s : best));
}

function machineBusy(a: Sample, b: Sample): number | null {
  const ma = a.machine;
  const mb = b.machine;
  if (!ma || !mb) return null;
  const total = mb.busy + mb.idle + mb.steal - (ma.busy + ma.idle + ma.steal);
  return total > 0 ? Math.round(((mb.busy - ma.busy) / total) * 100) : null;
}

export async function runBurstBench(opts: BurstBenchOptions): Promise<void> {
  const runStart = Date.now();
  const n = opts.steps;
  const m = Math.max(opts.cases, n + opts.probe);
  const calibration: Calibration = calibrate();
  const loadAtStart = load();
  say(
    `calibration (idle, median of 5): JSON ${calibration.jsonMs} ms, SHA-256 ${calibration.sha256Ms} ms; load ${loadAtStart.join(' ')}`,
  );
  const baselineQueue = `bench-burst-baseline-${process.pid}-${Date.now()}`;
  const stack =
    opts.on === 'topology'
      ? await startTopologyStack({
          baselineQueue: opts.baseline ? baselineQueue : undefined,
          workerEnv: {
            ...(opts.cache === 'default' ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(opts.cache) }),
            ...opts.workerEnv,
          },
          keep: opts.keep,
          log: say,
        })
      : await startStack({
          workerEnv: {
            ...(opts.cache === 'default' ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(opts.cache) }),
            ...opts.workerEnv,
            ...(opts.experimentalWorkerOptions
              ? { BENCH_WORKER_OPTIONS: JSON.stringify(opts.experimentalWorkerOptions) }
              : {}),
          },
          workerEntry: opts.experimentalWorkerOptions ? 'bench/support/experimental-worker.ts' : undefined,
          temporalArgs: opts.temporalArgs,
          temporalEnv: opts.temporalEnv,
          workerNodeFlags: opts.workerNodeFlags,
          workers: opts.workers,
          keep: opts.keep,
          log: say,
          beforeWorkers: async (url) => {
            const s = postgres(url, { max: 1, onnotice: () => {} });
            try {
              await createBaselineTable(s);
            } finally {
              await s.end({ timeout: 5 });
            }
          },
          extraProcesses: opts.baseline
            ? [
                {
                  name: 'baseline-worker',
                  entry: 'bench/support/burst-baseline/worker.ts',
                  env: { BASELINE_TASK_QUEUE: baselineQueue },
                  ready: 'baseline worker polling',
                },
              ]
            : [],
        });
  if (opts.keep) say(`stack files kept in ${stack.dir}`);
  let db: DbHandle | undefined;
  let connection: Connection | undefined;
  try {
    const handle = connectDb(stack.databaseUrl, { max: 10 });
    db = handle;
    connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, namespace: 'default' });
    const deps: IntakeDeps = {
      db: db.db,
      temporal: client,
      taskQueue: stack.taskQueue,
      timing: { surveyDelayMs: 24 * HOUR_MS, surveyExpiryMs: 7 * 24 * HOUR_MS },
      slaSnapshots: new SlaSnapshots(),
    };
    const pids = stack.pids;
    const samples: Sample[] = [];
    const peakRss: Record<string, number> = {};
    const sample = () => {
      samples.push({ cpu: cpuSnapshot(pids), machine: machineCpu() });
      for (const [role, group] of Object.entries(pids)) {
        const mib = rssMiB(group);
        if (mib !== undefined) peakRss[role] = Math.max(peakRss[role] ?? 0, mib);
      }
    };
    const sampler = setInterval(sample, 1_000);
    sample();

    // 2. Probe: the creation rate on this machine, today.
    await addCalendarAndPolicy(db, 'bench-burst-idle', IDLE_LINE, NEVER);
    const run = `burst-${opts.seed}-${runStart}`;
    const probeStart = Date.now();
    const probeNow = new Date().toISOString();
    const half = Math.floor(opts.probe / 2);
    let halfAt = probeStart;
    const probeFailures = await createCases(
      deps,
      opts.probe,
      opts.concurrency,
      (i) => intake(`${run}-probe`, i, IDLE_LINE, probeNow),
      (done) => {
        if (done === half) halfAt = Date.now();
      },
    );
    const rate = (opts.probe - half) / (Math.max(1, Date.now() - halfAt) / 1000);
    say(
      `probe: ${opts.probe} cases in ${secs(Date.now() - probeStart)} (${rate.toFixed(0)} cases/s after warm-up)`,
    );

    // 3. The workers start a case's workflow (its first task and projection) slower than intake opens
    // cases: opened as fast as intake allows, 10,000 cases were all running only 512 s after intake ended,
    // so the first wave fell on workers still catching up. So the cases open at the workers' pace, as
    // they would over a working day: never more than `backlog` cases opened and not yet started, and the
    // first part (idle cases only) measures the pace the rest keep, which sizes the schedule.
    let backlogAt = 0;
    let backlogRead: Promise<number> | undefined;
    let backlogValue = 0;
    const backlog = async () => {
      if (Date.now() - backlogAt > 250 || backlogRead === undefined) {
        backlogAt = Date.now();
        backlogRead = handle.db
          .execute<{ n: string }>(sql`select count(*) as n from cases where version = 0`)
          .then(([row]) => {
            backlogValue = Number(row.n);
            return backlogValue;
          });
      }
      return backlogRead;
    };
    const backlogLimit = opts.backlog ?? 100;
    /** Waits until no more than `most` cases are opened and not yet started; false after `timeoutMs`. */
    const backlogAtMost = async (most: number, timeoutMs = Number.POSITIVE_INFINITY) => {
      const from = Date.now();
      while ((await backlog()) > most) {
        if (Date.now() - from > timeoutMs) return false;
        await sleep(250);
      }
      return true;
    };
    const gate = async () => {
      await backlogAtMost(backlogLimit);
    };
    const rest = m - opts.probe;
    const warm = Math.min(rest - n, Math.floor(rest * 0.3));
    const warmStart = Date.now();
    let created = 0;
    const progress = (phase: string, size: number, from: number) =>
      setInterval(() => {
        const ms = Date.now() - from;
        say(
          `creating cases (${phase}) ${created}/${size} (${secs(ms)}, ${(created / (ms / 1000)).toFixed(1)} cases/s), not yet started ${backlogValue}`,
        );
      }, 5_000);
    const ticker = progress('warm-up', warm, warmStart);
    let failures = probeFailures;
    try {
      failures += await createCases(
        deps,
        warm,
        opts.concurrency,
        (i) => intake(`${run}-warm`, i, IDLE_LINE, probeNow),
        (done) => {
          created = done;
        },
        gate,
      );
      if (!(await backlogAtMost(0, 600_000)))
        say(`WARNING: ${backlogValue} warm-up cases not started 10 min after intake; the pace is a guess`);
    } finally {
      clearInterval(ticker);
    }
    const warmMs = Date.now() - warmStart;
    const workerRate = warm / (Math.max(1, warmMs) / 1000);
    const pace = opts.pace ?? Math.max(1, Math.floor(Math.min(rate, workerRate) * 0.9 * 10) / 10);
    say(
      `warm-up: ${warm} cases opened and started in ${secs(warmMs)} (${workerRate.toFixed(1)} cases/s); the other ${rest - warm} open at ${pace} cases/s`,
    );

    // 4. Schedule: the rest at `pace` (and never ahead of the workers), then a quiet margin before the
    // first baseline wave.
    const estimatedCreationMs = Math.round(((rest - warm) / pace + n / rate) * 1000 * 1.05 + 5_000);
    const marginMs = opts.marginMs ?? Math.max(30_000, m * 3);
    const start = Date.now();
    const firstBaseline = start + estimatedCreationMs + marginMs;
    const targetMs = 8 * opts.gapMs; // 0.25 T = 2 gaps: baseline, product, baseline, product, …
    const warningAt = firstBaseline + opts.gapMs;
    const reportedAt = warningAt - Math.floor(LADDER[0].at * targetMs);
    const productInstants = LADDER.map((s) => reportedAt + Math.floor(s.at * targetMs));
    const baselineInstants = productInstants.map((t) => t - opts.gapMs);
    const lastInstant = productInstants[productInstants.length - 1];
    await addCalendarAndPolicy(db, 'bench-burst', BURST_LINE, hours(targetMs));
    say(
      `schedule: ${n} steps due at each of ${productInstants.map((t) => `+${secs(t - start)}`).join(', ')} ` +
        `among ${m} open cases; baseline waves ${opts.gapMs / 1000} s before each; creation estimated ${secs(estimatedCreationMs)}`,
    );

    // The baseline's workflows, asleep until their instants.
    const baselineStart = Date.now();
    if (opts.baseline) {
      await pool(n, opts.concurrency, async (i) => {
        const id = `${run}-baseline-${i}`;
        await client.workflow.start('burstBaseline', {
          taskQueue: baselineQueue,
          workflowId: id,
          args: [{ id, instants: baselineInstants }],
        });
      });
      say(`baseline: ${n} workflows started in ${secs(Date.now() - baselineStart)}`);
    }

    // 5. The other cases: N burst cases spread evenly among the idle ones, so the worker cache holds
    // what it would hold in real life.
    const creationStart = Date.now();
    const later = rest - warm;
    const isBurst = (i: number) => Math.floor(((i + 1) * n) / later) > Math.floor((i * n) / later);
    created = 0;
    const ticker2 = progress('paced', later, creationStart);
    try {
      failures += await createCases(
        deps,
        later,
        opts.concurrency,
        (i) =>
          isBurst(i)
            ? intake(run, i, BURST_LINE, new Date(reportedAt).toISOString())
            : intake(run, i, IDLE_LINE, probeNow),
        (done) => {
          created = done;
        },
        async (i) => {
          const wait = creationStart + (i * 1000) / pace - Date.now();
          if (wait > 0) await sleep(wait);
          await gate();
        },
      );
    } finally {
      clearInterval(ticker2);
    }
    const creationEnd = Date.now();
    const creationMs = creationEnd - creationStart;
    say(
      `created ${later} cases in ${secs(creationMs)} (${round(later / (creationMs / 1000))} cases/s), ${failures} failed`,
    );
    const [burstRow] = await db.db.execute<{ n: string }>(
      sql`select count(*) as n from cases where product_line = ${BURST_LINE}`,
    );
    const burstCases = Number(burstRow.n);

    // 6. Wait for the waves.
    let caughtUpAt: number | null = null;
    let lastPrint = 0;
    const expected = burstCases * LADDER.length;
    const expectedBaseline = opts.baseline ? n * LADDER.length : 0;
    let recorded = 0;
    let recordedBaseline = 0;
    const loadAt: Record<string, number[]> = {};
    const instants = [
      ...productInstants.map((t, i) => ({ key: `product-${i}`, t })),
      ...(opts.baseline ? baselineInstants.map((t, i) => ({ key: `baseline-${i}`, t })) : []),
    ];
    for (;;) {
      const dead = stack.dead();
      if (dead) throw new Error(`a stack process died: ${dead}`);
      const now = Date.now();
      for (const { key, t } of instants) if (now >= t && loadAt[key] === undefined) loadAt[key] = load();
      if (caughtUpAt === null) {
        if ((await backlog()) === 0) {
          caughtUpAt = now;
          say(`the workers had started every case's workflow ${secs(now - creationEnd)} after intake ended`);
        }
      }
      if (now >= baselineInstants[0] - SLICE_MS) {
        const [row] = await db.db.execute<{ n: string }>(sql`select count(*) as n from escalations`);
        recorded = Number(row.n);
        if (opts.baseline) {
          const [b] = await db.db.execute<{ n: string }>(
            sql`select count(*) as n from ${sql.raw(BASELINE_TABLE)}`,
          );
          recordedBaseline = Number(b.n);
        }
      }
      if (recorded >= expected && recordedBaseline >= expectedBaseline) break;
      if (now - lastPrint >= 5_000) {
        const next = instants.map((x) => x.t).filter((t) => t > now);
        say(
          `recorded: product ${recorded}/${expected}, baseline ${recordedBaseline}/${expectedBaseline}` +
            (next.length ? `; next instant in ${secs(Math.min(...next) - now)}` : ''),
        );
        lastPrint = now;
      }
      if (now > lastInstant + opts.graceMs) {
        say(`giving up ${secs(opts.graceMs)} after the last instant`);
        break;
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const waitEnd = Date.now();
    await new Promise((r) => setTimeout(r, 1_500));
    clearInterval(sampler);
    sample();

    // 7. Per wave.
    const productRows = await db.db.execute<{
      case_id: string;
      level: number;
      n: string;
      due_ms: string;
      fired_ms: string;
      recorded_ms: string | null;
      sent_ms: string | null;
    }>(sql`
      select e.case_id, e.level, count(*) over (partition by e.case_id, e.clock, e.cycle, e.level) as n,
             extract(epoch from e.due_at) * 1000 as due_ms, extract(epoch from e.fired_at) * 1000 as fired_ms,
             extract(epoch from nt.created_at) * 1000 as recorded_ms,
             extract(epoch from nt.sent_at) * 1000 as sent_ms
        from escalations e
        join cases c on c.id = e.case_id and c.product_line = ${BURST_LINE}
        left join notifications nt on nt.key = e.case_id || ':sla:' || e.clock || ':' || e.cycle || ':' || e.level`);
    const [eventDup] = await db.db.execute<{ n: string }>(sql`
      select count(*) as n from (select case_id, type, data->>'level' from case_events
        where type in ('sla_warning', 'sla_breached', 'sla_escalated') group by 1, 2, 3 having count(*) > 1) d`);
    const baselineRows = opts.baseline
      ? await db.db.execute<{
          workflow_id: string;
          wave: number;
          attempts: number;
          due_ms: string;
          fired_ms: string;
          recorded_ms: string;
        }>(
          sql`select workflow_id, wave, attempts, extract(epoch from due_at) * 1000 as due_ms,
                     extract(epoch from fired_at) * 1000 as fired_ms, extract(epoch from recorded_at) * 1000 as recorded_ms
                from ${sql.raw(BASELINE_TABLE)}`,
        )
      : [];

    const waves: WaveResult[] = [];
    const makeWave = (
      kind: 'baseline' | 'product',
      name: string,
      instant: number,
      expectedCount: number,
      points: Point[],
      duplicates: number,
      extra: Partial<WaveResult> = {},
    ): WaveResult => {
      const fired = times(
        instant,
        points.map((p) => p.firedAt),
      );
      const recordedTimes = times(
        instant,
        points.map((p) => p.recordedAt),
      );
      const end = instant + Math.max(recordedTimes?.last ?? 0, fired?.last ?? 0, 1_000);
      const a = nearest(samples, instant);
      const b = nearest(samples, end);
      const cpu = b.cpu.at > a.cpu.at ? cpuPercent(a.cpu, b.cpu) : {};
      const cpuMs: Record<string, number> = {};
      for (const role of Object.keys(b.cpu.ms))
        if (a.cpu.ms[role] !== undefined && points.length > 0)
          cpuMs[role] = round((b.cpu.ms[role] - a.cpu.ms[role]) / points.length, 2);
      const timeline: WaveResult['timeline'] = [];
      for (let from = instant; from < end; from += SLICE_MS) {
        const sa = nearest(samples, from);
        const sb = nearest(samples, from + SLICE_MS);
        timeline.push({
          fromMs: from - instant,
          fired: points.filter((p) => p.firedAt >= from && p.firedAt < from + SLICE_MS).length,
          recorded: points.filter((p) => p.recordedAt >= from && p.recordedAt < from + SLICE_MS).length,
          cpu: sb.cpu.at > sa.cpu.at ? cpuPercent(sa.cpu, sb.cpu) : {},
          machineBusy: machineBusy(sa, sb),
        });
      }
      return {
        kind,
        name,
        at: instant - baselineInstants[0],
        expected: expectedCount,
        recorded: points.length,
        duplicates,
        fired,
        recorded_: recordedTimes,
        cpuPercent: cpu,
        cpuMsPerStep: cpuMs,
        timeline,
        loadAverageAtInstant: [],
        ...extra,
      };
    };
    for (let k = 0; k < LADDER.length; k++) {
      if (opts.baseline) {
        const rows = baselineRows.filter((r) => r.wave === k);
        waves.push(
          makeWave(
            'baseline',
            `baseline-${k + 1}`,
            baselineInstants[k],
            n,
            rows.map((r) => ({
              id: r.workflow_id,
              firedAt: Number(r.fired_ms),
              recordedAt: Number(r.recorded_ms),
            })),
            rows.reduce((s, r) => s + r.attempts - 1, 0),
          ),
        );
        waves[waves.length - 1].loadAverageAtInstant = loadAt[`baseline-${k}`] ?? [];
      }
      const step = LADDER[k];
      const rows = productRows.filter((r) => Number(r.level) === step.level);
      const dueValues = new Set(rows.map((r) => Math.round(Number(r.due_ms))));
      const name = step.level === 1 ? 'warning' : step.name === 'breach' ? 'breach' : `level-${step.level}`;
      const wave = makeWave(
        'product',
        name,
        productInstants[k],
        burstCases,
        rows.map((r) => ({
          id: r.case_id,
          firedAt: Number(r.fired_ms),
          recordedAt: Number(r.recorded_ms ?? r.fired_ms),
        })),
        rows.filter((r) => Number(r.n) > 1).length,
        {
          notifiedLast: rows.some((r) => r.sent_ms !== null)
            ? round(
                Math.max(...rows.filter((r) => r.sent_ms !== null).map((r) => Number(r.sent_ms))) -
                  productInstants[k],
              )
            : null,
        },
      );
      wave.loadAverageAtInstant = loadAt[`product-${k}`] ?? [];
      if (dueValues.size > 1 || (dueValues.size === 1 && !dueValues.has(productInstants[k])))
        say(
          `NOTE: ${name} wave due at ${[...dueValues].slice(0, 3).join(', ')}, expected ${productInstants[k]}`,
        );
      waves.push(wave);
    }

    // 8. Pauses longer than the baseline's: read the histories of the cases that came right after.
    for (const [k, w] of waves.filter((x) => x.kind === 'product').entries()) {
      const base = opts.baseline ? waves[waves.indexOf(w) - 1] : undefined;
      const pause = w.fired?.longestPause;
      const allowed = Math.max(2_000, base?.fired?.longestPause.ms ?? 0);
      if (!pause || pause.ms <= allowed || opts.diagnose === 0) continue;
      const instant = productInstants[k];
      const after = productRows
        .filter(
          (r) =>
            Number(r.level) === LADDER[k].level &&
            Number(r.fired_ms) - instant >= pause.fromMs + pause.ms - 1,
        )
        .sort((a, b) => Number(a.fired_ms) - Number(b.fired_ms))
        .slice(0, opts.diagnose)
        .map((r) => r.case_id);
      const end = instant + (w.recorded_?.last ?? 0);
      w.pauseDiagnosis = await diagnosePause(client, after, instant, end, stack.workerLogs);
      say(
        `${w.name} wave: pause of ${secs(pause.ms)} from +${secs(pause.fromMs)} — ${w.pauseDiagnosis.summary}`,
      );
    }
    const [notStarted] = await db.db.execute<{ n: string }>(
      sql`select count(*) as n from cases where version = 0`,
    );

    const doc = {
      benchmark: 'burst',
      command: opts.command,
      date: new Date().toISOString(),
      machine: machineInfo(),
      calibration,
      loadAverage: { atStart: loadAtStart, atEnd: load(), uptimeAtEnd: uptime() },
      settings: {
        on: opts.on ?? 'stack',
        steps: n,
        cases: m,
        burstCases,
        concurrency: opts.concurrency,
        probe: opts.probe,
        gapMs: opts.gapMs,
        marginMs,
        responseTargetMs: targetMs,
        workers: opts.workers,
        workerCache: opts.cache,
        workerEnv: opts.workerEnv,
        temporalArgs: opts.temporalArgs,
        temporalEnv: opts.temporalEnv,
        workerNodeFlags: opts.workerNodeFlags,
        worker: opts.experimentalWorkerOptions
          ? { entry: 'bench/support/experimental-worker.ts', options: opts.experimentalWorkerOptions }
          : { entry: 'worker.ts' },
        baseline: opts.baseline
          ? {
              worker: 'bench/support/burst-baseline/worker.ts (one process, SDK default options)',
              taskQueue: baselineQueue,
            }
          : null,
        seed: opts.seed,
      },
      targets: {
        lastFiringWithinBaselineRatio: 1.25,
        longestPauseAtMostBaseline: true,
        everyStepOnce: true,
      },
      creation: {
        probeCasesPerSecond: round(rate),
        pacedCasesPerSecond: pace,
        estimatedMs: estimatedCreationMs,
        ms: creationMs,
        casesPerSecond: round(later / (creationMs / 1000)),
        warmUp: { cases: warm, ms: warmMs, workerCasesPerSecond: round(workerRate) },
        backlogLimit,
        failures,
        workersCaughtUpAfterIntakeMs: caughtUpAt === null ? null : caughtUpAt - creationEnd,
        workersCaughtUpBeforeFirstInstant: caughtUpAt !== null && caughtUpAt <= baselineInstants[0],
        workflowsNotStartedAtEnd: Number(notStarted.n),
      },
      recorded: {
        product: recorded,
        productExpected: expected,
        baseline: recordedBaseline,
        baselineExpected: expectedBaseline,
      },
      duplicateTimelineEvents: Number(eventDup.n),
      waves,
      comparison: compare(waves),
      peakRssMiB: peakRss,
      waitMs: waitEnd - creationEnd,
      totalWallMs: Date.now() - runStart,
    };
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
    printTable(waves, doc.comparison);
    say(
      `results written to ${opts.out}; load ${doc.loadAverage.atEnd.join(' ')}; wall ${secs(doc.totalWallMs)}`,
    );
  } finally {
    await connection?.close().catch(() => {});
    await db?.close().catch(() => {});
    await stack.stop();
  }
}

/** Each product wave against the baseline wave just before it. */
function compare(waves: WaveResult[]) {
  return waves
    .map((w, i) => ({ w, base: waves[i - 1] }))
    .filter(({ w, base }) => w.kind === 'product' && base?.kind === 'baseline')
    .map(({ w, base }) => {
      const r = (a: number | undefined, b: number | undefined) =>
        a === undefined || b === undefined || b <= 0 ? null : round(a / b, 2);
      const lastRatio = r(w.recorded_?.last, base.recorded_?.last);
      return {
        wave: w.name,
        baseline: base.name,
        complete: w.recorded === w.expected && w.duplicates === 0,
        lastFiredRatio: r(w.fired?.last, base.fired?.last),
        lastRecordedRatio: lastRatio,
        p99RecordedRatio: r(w.recorded_?.p99, base.recorded_?.p99),
        longestPauseMs: w.recorded_?.longestPause.ms ?? null,
        baselineLongestPauseMs: base.recorded_?.longestPause.ms ?? null,
        meetsTargets:
          w.recorded === w.expected &&
          w.duplicates === 0 &&
          lastRatio !== null &&
          lastRatio <= 1.25 &&
          (w.recorded_?.longestPause.ms ?? Number.POSITIVE_INFINITY) <=
            (base.recorded_?.longestPause.ms ?? 0),
      };
    });
}

export interface PauseDiagnosis {
  /** One line: what the histories show. */
  summary: string;
  cases: number;
  /** Events of the histories after the wave's instant, by type, summed over the cases read. */
  eventCounts: Record<string, number>;
  /** Per case: from the timer firing to the workflow task that recorded the step, its attempts and waits. */
  steps: {
    caseId: string;
    timerFiredMs: number | null;
    workflowTaskAttempts: number;
    timedOut: string[];
    failed: string[];
    /** Scheduled → started of each workflow task after the timer, ms, with the queue it was on. */
    waits: { ms: number; sticky: boolean }[];
    /** Started → completed of the task that completed, ms. */
    ranMs: number | null;
    markerAfterMs: number | null;
  }[];
  /** Warnings and errors the worker processes logged during the wave. */
  workerLog: string[];
}

const tsMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

async function diagnosePause(
  client: Client,
  caseIds: string[],
  instant: number,
  end: number,
  workerLogs: string[],
): Promise<PauseDiagnosis> {
  const eventCounts: Record<string, number> = {};
  const steps: PauseDiagnosis['steps'] = [];
  for (const caseId of caseIds) {
    const { events } = await client.workflow.getHandle(`case-${caseId}`).fetchHistory();
    // The step's own events: from its timer firing to the workflow task that completed after it.
    const list = events ?? [];
    const firedIndex = list.findIndex(
      (e) => e.timerFiredEventAttributes && tsMs(e.eventTime) >= instant - 1_000,
    );
    const after: typeof list = [];
    for (const e of firedIndex < 0 ? [] : list.slice(firedIndex)) {
      after.push(e);
      if (e.workflowTaskCompletedEventAttributes) break;
    }
    const step: PauseDiagnosis['steps'][number] = {
      caseId,
      timerFiredMs: null,
      workflowTaskAttempts: 0,
      timedOut: [],
      failed: [],
      waits: [],
      ranMs: null,
      markerAfterMs: null,
    };
    let scheduledAt: number | undefined;
    let sticky = false;
    let startedAt: number | undefined;
    for (const e of after) {
      const type = Object.keys(e).find(
        (k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k],
      );
      const name = type?.replace(/EventAttributes$/, '') ?? 'unknown';
      eventCounts[name] = (eventCounts[name] ?? 0) + 1;
      const at = tsMs(e.eventTime);
      if (e.timerFiredEventAttributes && step.timerFiredMs === null) step.timerFiredMs = at - instant;
      if (e.workflowTaskScheduledEventAttributes) {
        step.workflowTaskAttempts += 1;
        scheduledAt = at;
        // A sticky task goes to the worker's own queue (kind 2 = STICKY).
        sticky = Number(e.workflowTaskScheduledEventAttributes.taskQueue?.kind ?? 0) === 2;
      }
      if (e.workflowTaskStartedEventAttributes) {
        startedAt = at;
        if (scheduledAt !== undefined) step.waits.push({ ms: at - scheduledAt, sticky });
      }
      if (e.workflowTaskCompletedEventAttributes && startedAt !== undefined) step.ranMs = at - startedAt;
      const timedOut = e.workflowTaskTimedOutEventAttributes;
      if (timedOut) {
        const kind = Number(timedOut.timeoutType) === 2 ? 'schedule-to-start' : 'start-to-close';
        const from = kind === 'schedule-to-start' ? scheduledAt : startedAt;
        step.timedOut.push(
          `${sticky ? 'sticky ' : ''}workflow task ${kind} timeout after ${from === undefined ? '?' : at - from} ms`,
        );
      }
      if (e.workflowTaskFailedEventAttributes)
        step.failed.push(
          `workflow task failed: ${String(e.workflowTaskFailedEventAttributes.cause)} ${e.workflowTaskFailedEventAttributes.failure?.message ?? ''}`.trim(),
        );
      if (e.markerRecordedEventAttributes && step.markerAfterMs === null) step.markerAfterMs = at - instant;
    }
    steps.push(step);
  }
  const workerLog: string[] = [];
  for (const file of workerLogs) {
    try {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const at = Date.parse(/^\S+/.exec(line)?.[0] ?? '');
        if (at >= instant - 1_000 && at <= end && /WARN|ERROR/.test(line)) workerLog.push(line.slice(0, 400));
      }
    } catch {
      // no log
    }
  }
  const timedOut = steps.flatMap((s) => s.timedOut);
  const failed = steps.flatMap((s) => s.failed);
  const waits = steps.flatMap((s) => s.waits.map((w) => w.ms)).sort((a, b) => a - b);
  const fired = steps
    .map((s) => s.timerFiredMs)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  const normalWaits = steps
    .flatMap((s) => s.waits.filter((w) => !w.sticky).map((w) => w.ms))
    .sort((a, b) => a - b);
  const parts = [
    `${steps.length} cases read`,
    fired.length ? `timers fired +${fired[0]}…+${fired[fired.length - 1]} ms` : 'no timer fired',
    `workflow tasks per step ${Math.max(0, ...steps.map((s) => s.workflowTaskAttempts))} at most`,
    waits.length
      ? `schedule-to-start max ${waits[waits.length - 1]} ms (median ${percentile(waits, 50)})`
      : '',
    timedOut.length
      ? Object.entries(
          timedOut.reduce<Record<string, number>>((acc, t) => {
            const kind = t.replace(/ after .*/, '');
            acc[kind] = (acc[kind] ?? 0) + 1;
            return acc;
          }, {}),
        )
          .map(([kind, count]) => `${count} × ${kind}`)
          .join(', ')
      : 'no timeout events',
    normalWaits.length
      ? `then on the normal queue for up to ${normalWaits[normalWaits.length - 1]} ms (median ${percentile(normalWaits, 50)})`
      : '',
    failed.length ? `${failed.length} failed tasks: ${[...new Set(failed)].slice(0, 2).join('; ')}` : '',
  ].filter(Boolean);
  return {
    summary: parts.join(', '),
    cases: steps.length,
    eventCounts,
    steps,
    workerLog: workerLog.slice(0, 50),
  };
}

function printTable(waves: WaveResult[], comparison: ReturnType<typeof compare>) {
  const head = [
    'wave',
    'recorded',
    'dup',
    'fired p50',
    'p99',
    'last',
    'recorded p50',
    'p99',
    'last',
    'longest pause',
    'CPU % (server/postgres/workers/baseline)',
  ];
  const rows = waves.map((w) => [
    w.name,
    `${w.recorded}/${w.expected}`,
    String(w.duplicates),
    fmt(w.fired?.p50),
    fmt(w.fired?.p99),
    fmt(w.fired?.last),
    fmt(w.recorded_?.p50),
    fmt(w.recorded_?.p99),
    fmt(w.recorded_?.last),
    w.recorded_ ? `${fmt(w.recorded_.longestPause.ms)} @+${fmt(w.recorded_.longestPause.fromMs)}` : '-',
    ['temporal', 'postgres', 'worker', 'baseline-worker'].map((r) => w.cpuPercent[r] ?? '-').join('/'),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padStart(widths[c])).join('  ');
  console.log('\nburst: ms after the instant');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  for (const c of comparison)
    console.log(
      `${c.wave}: last recorded ${c.lastRecordedRatio ?? '-'}× the baseline's, longest pause ${c.longestPauseMs} ms ` +
        `(baseline ${c.baselineLongestPauseMs} ms) — ${c.meetsTargets ? 'meets the targets' : 'MISSES the targets'}`,
    );
  console.log('');
}

const fmt = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(0));

/** `uptime`, for the record (the load of the other processes on this machine). */
export function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return load().join(' ');
  }
}
