// Escalation lateness (issue 3): how late do SLA escalations fire when thousands of case clocks fall due
// within the same minute or two? Lateness = escalations.fired_at − escalations.due_at, both written by the
// case workflow (fired_at is the workflow's clock when its timer woke it up).
//
// Per size N, on a fresh embedded stack (see support/stack.ts):
//  1. a round-the-clock calendar and two SLA policies, each matching a product line of its own: 'probe'
//     (targets of 10,000 h, never fires) and 'bench' (24×7 response target T, default ladder 75/100/150 %,
//     repair target of 10,000 h so only the response clock escalates: 3 escalations per case);
//  2. a probe of P cases on the probe line measures the creation rate, to size the margin;
//  3. N cases on the bench line through openCase (the real intake path: row + created event + workflow
//     start), `concurrency` in flight. Case i reports at start − W + s_i (s_i uniform in [0, W)), and
//     T = 4(M + W)/3 with M = estimated creation time + margin, so its steps fall due at
//     start + M + s_i (75 %), start − W + s_i + T (100 %) and start + 2M + W + s_i (150 %): three waves of
//     N escalations, each spread over W, all after creation has finished (checked and reported);
//  4. wait until 3N escalation rows exist (or the last due instant + grace has passed), then compute the
//     statistics from the table.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { type IntakeDeps, openCase } from '../api/case-intake.js';
import { connectDb, type DbHandle } from '../db/client.js';
import { calendars, people, slaPolicies } from '../db/schema.js';
import { SlaSnapshots } from '../db/sla-store.js';
import type { Target } from '../domain/calendar.js';
import { caseWorkflowId, type Intake } from '../domain/case.js';
import { DEFAULT_POLICY, type SlaPolicy } from '../domain/sla-policy.js';
import { TUNED_DEV_SERVER_FLAGS } from '../scripts/temporal-dev-flags.mjs';
import { type Calibration, calibrate } from './support/calibration.js';
import { type CpuSnapshot, cpuPercent, cpuSnapshot, machineCpu, rssMiB } from './support/cpu.js';
import { type LatenessBreakdown, latenessBreakdown } from './support/lateness-breakdown.js';
import { startSlowSmtp } from './support/slow-smtp.js';
import { startStack } from './support/stack.js';
import { pool, round, type Summary, seededRandom, summarize } from './support/stats.js';
import { BUCKET_MS, buildTimeline, type TimelineBucket, type TimelineSample } from './support/timeline.js';

export interface EscalationBenchOptions {
  sizes: number[];
  /** openCase calls in flight. */
  concurrency: number;
  /** Cases of the probe that measures the creation rate before each size. */
  probe: number;
  /** Spread of each wave of due instants (ms); default scales with N: clamp(N × 60 ms, 10 s, 60 s). */
  windowMs?: number;
  /** Quiet time between the estimated end of creation and the first due instant (ms). */
  marginMs?: number;
  /** Wait this long after the last due instant for missing escalations (ms). */
  graceMs: number;
  /** Worker cache: 'auto' = every case stays cached; 'default' = worker.ts's own default; or a number. */
  cache: 'auto' | 'default' | number;
  /** Worker processes polling the task queue. */
  workers: number;
  /** Extra environment of the worker, e.g. WORKER_MAX_CONCURRENT_WORKFLOW_TASKS. */
  workerEnv: Record<string, string>;
  /** Flags of the Temporal dev server beyond those `npm start` uses. */
  temporalArgs: string[];
  temporalEnv: Record<string, string>;
  workerNodeFlags: string[];
  /**
   * Each size once per delay (ms): the escalations' people are notified by e-mail through a local mail
   * server that answers each message after that delay. The first delay is the baseline of the others.
   */
  mailDelaysMs?: number[];
  /** Investigations: run support/experimental-worker.ts with these extra WorkerOptions instead of worker.ts. */
  experimentalWorkerOptions?: Record<string, unknown>;
  seed: number;
  keep: boolean;
  out: string;
  command: string;
}

/** Dev-server flags the benchmark adds by default (`--server tuned`): the ones `npm start` uses. */
/** Quiet time between the end of one wave and the start of the next. */
const WAVE_GAP_MS = 20_000;

export const TUNED_TEMPORAL_ARGS = TUNED_DEV_SERVER_FLAGS;

export const HOUR_MS = 3_600_000;
export const hours = (ms: number): Target => ({ amount: ms / HOUR_MS, unit: 'hours' });
export const NEVER: Target = { amount: 10_000, unit: 'hours' };
const BENCH_LINE = 'bench-escalation';
/** Cases whose histories the lateness breakdown reads. */
const BREAKDOWN_SAMPLE = 100;
const PROBE_LINE = 'bench-probe';
const LADDER = DEFAULT_POLICY.escalation.map((s) => s.at);

const say = (msg: string) => console.log(`[bench] ${msg}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface SizeResult {
  cases: number;
  probeCases: number;
  /** A fixed piece of work timed on the idle machine before the stack starts (support/calibration.ts). */
  calibration: Calibration;
  schedule: {
    responseTargetMs: number;
    windowMs: number;
    marginMs: number;
    estimatedCreationMs: number;
    firstDueAfterStartMs: number;
    lastDueAfterStartMs: number;
  };
  creation: {
    ms: number;
    casesPerSecond: number;
    probeCasesPerSecond: number;
    concurrency: number;
    failures: number;
    /** After creation ended, until the workflow of every case had projected its 'created' event. */
    workerCaughtUpAfterMs: number | null;
    /** Cases whose workflow had still not projected its 'created' event when the statistics were taken. */
    workflowsNotStartedAtEnd: number;
    stepsDueBeforeCreationEnded: number;
  };
  escalations: {
    expected: number;
    recorded: number;
    missing: number;
    duplicates: number;
    /** The most steps falling due in any 10-s bucket, per second: the demand at its peak. */
    peakDuePerSecond: number;
    /** The most steps fired in any 10-s bucket, per second: the stack's throughput when saturated. */
    peakFiredPerSecond: number;
  };
  /** fired_at − due_at, ms. */
  latenessMs: Summary | null;
  /**
   * Only when escalations are missing: the same statistics with each missing step counted as late as the
   * end of the wait — a lower bound, since it may still fire (or never).
   */
  latenessWithMissingAsLowerBoundMs: Summary | null;
  latenessByStepMs: Record<string, Summary | null>;
  /** notifications.sent_at − due_at, ms: until the escalation's notification had left (context). */
  notifiedLatenessMs: Summary | null;
  /** Lateness split into its parts, from the histories of a sample of cases (support/lateness-breakdown.ts). */
  latenessBreakdown: LatenessBreakdown;
  cpuPercentOfOneCore: { creation: Record<string, number>; escalation: Record<string, number> };
  /** CPU time of each process from the first due instant to the end, per recorded escalation. */
  cpuMsPerEscalation: Record<string, number>;
  /** Steps and CPU in 10-s buckets from the first due instant (support/timeline.ts). */
  timeline: TimelineBucket[];
  /** Peak resident memory of each stack process (sampled every 0.5–2 s). */
  peakRssMiB: Record<string, number>;
  phasesMs: { stackStart: number; probe: number; creation: number; waitForEscalations: number };
  wallMs: number;
  notes: string[];
  /** With a mail delay: the people notified by e-mail, and the messages the slow mail server accepted. */
  mail: { delayMs: number; people: number; accepted: number } | null;
}

export async function runEscalationBench(opts: EscalationBenchOptions): Promise<void> {
  const sizes = [...opts.sizes].sort((a, b) => a - b);
  const results: SizeResult[] = [];
  const runStart = Date.now();
  let knownRate: number | undefined;
  for (const n of sizes) {
    for (const mailDelayMs of opts.mailDelaysMs ?? [undefined]) {
      say(
        `===== ${n} cases${mailDelayMs === undefined ? '' : `, mail answered after ${mailDelayMs} ms`} =====`,
      );
      const r = await runSize(n, opts, knownRate, mailDelayMs);
      results.push(r);
      knownRate = Math.min(knownRate ?? Number.POSITIVE_INFINITY, r.creation.casesPerSecond);
      printTable(results);
    }
  }

  // With escalations missing, a size's statistics are lower bounds (missing steps counted as late as
  // the end of the wait), and so are its ratios. With mail delays, each run is compared with the run of
  // the same size under the first delay; otherwise every size with the smallest.
  const stats = (r: SizeResult) => r.latenessWithMissingAsLowerBoundMs ?? r.latenessMs;
  const baselineOf = (r: SizeResult) =>
    opts.mailDelaysMs ? results.find((b) => b.cases === r.cases)! : results[0];
  const comparisons = results
    .filter((r) => baselineOf(r) !== r)
    .map((r) => ({
      cases: r.cases,
      mailDelayMs: r.mail?.delayMs ?? null,
      baselineCases: baselineOf(r).cases,
      baselineMailDelayMs: baselineOf(r).mail?.delayMs ?? null,
      lowerBound: r.latenessWithMissingAsLowerBoundMs !== null,
      p99Ratio: ratio(stats(r)?.p99, stats(baselineOf(r))?.p99),
      p50Ratio: ratio(stats(r)?.p50, stats(baselineOf(r))?.p50),
      maxRatio: ratio(stats(r)?.max, stats(baselineOf(r))?.max),
    }));

  const doc = {
    benchmark: 'escalation',
    command: opts.command,
    date: new Date().toISOString(),
    machine: machineInfo(),
    settings: {
      concurrency: opts.concurrency,
      probeCases: opts.probe,
      graceMs: opts.graceMs,
      workerCache: opts.cache,
      workers: opts.workers,
      workerEnv: opts.workerEnv,
      temporalArgs: opts.temporalArgs,
      temporalEnv: opts.temporalEnv,
      workerNodeFlags: opts.workerNodeFlags,
      worker: opts.experimentalWorkerOptions
        ? { entry: 'bench/support/experimental-worker.ts', options: opts.experimentalWorkerOptions }
        : { entry: 'worker.ts' },
      seed: opts.seed,
      ladder: LADDER,
      mailDelaysMs: opts.mailDelaysMs ?? null,
    },
    target: { p99LatenessMs: 1000 },
    runs: results,
    comparison: comparisons,
    pollingContext: {
      label: 'ARITHMETIC, NOT MEASURED',
      what: 'A polling job that scans for due escalations every 5 minutes detects a step between 0 and 300 s after it falls due (uniform if due instants are uncorrelated with the scan): median 150 s, p99 297 s, max 300 s — before any processing time.',
      intervalS: 300,
      medianS: 150,
      p99S: 297,
      maxS: 300,
    },
    totalWallMs: Date.now() - runStart,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(doc, null, 2)}\n`);
  say(`results written to ${opts.out}`);
  for (const c of comparisons) {
    say(
      `p99 ratio ${c.cases} vs ${c.baselineCases} cases` +
        (c.mailDelayMs === null ? '' : ` (mail after ${c.mailDelayMs} ms vs ${c.baselineMailDelayMs} ms)`) +
        `: ${c.lowerBound ? '≥ ' : ''}${c.p99Ratio ?? 'n/a'}, p50 ratio ${c.p50Ratio ?? 'n/a'}`,
    );
  }
  say(
    `for context (arithmetic, not measured): 5-minute polling detects a due step after 0–300 s, median 150 s`,
  );
  say(`total wall time ${secs(doc.totalWallMs)}`);
}

/** The largest count in any 10-s bucket of `instants` (epoch ms), per second. */
function peakRate(instants: number[]): number {
  const buckets = new Map<number, number>();
  for (const t of instants) {
    const b = Math.floor(t / 10_000);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  return Math.max(0, ...buckets.values()) / 10;
}

function cpuMsPer(from: CpuSnapshot, to: CpuSnapshot, count: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(to.ms)) {
    if (from.ms[name] === undefined || count === 0) continue;
    out[name] = round((to.ms[name] - from.ms[name]) / count, 2);
  }
  return out;
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || b === 0) return null;
  return round(a / b, 2);
}

/** The chain an escalation of an unassigned case reaches: a service manager and upper management. */
const MAIL_PEOPLE = [
  { id: 'bench-manager', name: '售后服务经理', roles: ['manager'] },
  { id: 'bench-executive', name: '高层', roles: ['executive'] },
  { id: 'bench-desk', name: '客服专员', roles: ['specialist'] },
];

async function runSize(
  n: number,
  opts: EscalationBenchOptions,
  knownRate?: number,
  mailDelayMs?: number,
): Promise<SizeResult> {
  const smtp = mailDelayMs === undefined ? undefined : await startSlowSmtp(mailDelayMs);
  const calibration = calibrate();
  say(
    `machine calibration (idle, median of 5): JSON ${calibration.jsonMs} ms, SHA-256 ${calibration.sha256Ms} ms`,
  );
  const wallStart = Date.now();
  const notes: string[] = [];
  const probeCases = opts.probe;
  const cache =
    opts.cache === 'default' ? undefined : opts.cache === 'auto' ? n + probeCases + 100 : opts.cache;
  const stack = await startStack({
    workerEnv: {
      ...(cache !== undefined ? { WORKER_MAX_CACHED_WORKFLOWS: String(cache) } : {}),
      // Cached workflows live in the worker's V8 heap (~0.3 MB each here): room for 10,000 and more.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=8192`.trim(),
      ...opts.workerEnv,
      ...(smtp ? { SMTP_URL: smtp.url, MAIL_FROM: 'bench <bench@localhost>' } : {}),
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
  });
  if (opts.keep) say(`stack files kept in ${stack.dir}`);
  let db: DbHandle | undefined;
  let connection: Connection | undefined;
  try {
    const stackStartMs = Date.now() - wallStart;
    db = connectDb(stack.databaseUrl, { max: 10 });
    connection = await Connection.connect({ address: stack.temporalAddress });
    const deps: IntakeDeps = {
      db: db.db,
      temporal: new Client({ connection, namespace: 'default' }),
      taskQueue: stack.taskQueue,
      timing: { surveyDelayMs: 24 * HOUR_MS, surveyExpiryMs: 7 * 24 * HOUR_MS },
      slaSnapshots: new SlaSnapshots(),
    };
    await addCalendarAndPolicy(db, 'bench-probe', PROBE_LINE, NEVER);
    if (smtp)
      await db.db.insert(people).values(
        MAIL_PEOPLE.map((p) => ({
          ...p,
          email: `${p.id}@bench.localhost`,
          preferences: { channels: { default: ['email' as const] } },
        })),
      );

    // 2. Probe: the creation rate on this machine and stack.
    // The first half warms up (JIT, connections, caches); the rate is taken over the second half.
    const probeStart = Date.now();
    const probeNow = new Date().toISOString();
    const half = Math.floor(probeCases / 2);
    let halfAt = probeStart;
    const probeFailures = await createCases(
      deps,
      probeCases,
      opts.concurrency,
      (i) => intake(`probe-${opts.seed}`, i, PROBE_LINE, probeNow),
      (done) => {
        if (done === half) halfAt = Date.now();
      },
    );
    const probeMs = Date.now() - probeStart;
    if (probeFailures > 0) notes.push(`${probeFailures} probe cases failed to open`);
    const probeRate = (probeCases - half) / (Math.max(1, Date.now() - halfAt) / 1000);
    say(`probe: ${probeCases} cases in ${secs(probeMs)} (${probeRate.toFixed(0)} cases/s after warm-up)`);

    // 3. Schedule: every step after the (estimated) end of creation. The short probe underestimates the
    // rate of a long run (warm-up), so the faster of the probe and the previous size's measured rate is
    // taken, with 15 % to spare; if it was too optimistic, the steps due before creation ended are reported.
    const rate = Math.max(probeRate, knownRate ?? 0);
    const estimatedCreationMs = Math.round((n / rate) * 1000 * 1.15 + 5_000);
    const windowMs = opts.windowMs ?? Math.min(300_000, Math.max(10_000, n * 30));
    const marginMs = opts.marginMs ?? Math.min(30_000, 10_000 + n * 20);
    const firstDue = estimatedCreationMs + marginMs; // M
    // The 75 % wave must start after creation: 0.75 T − W ≥ M. Real targets are hours, so a warning and
    // the breach of the same clocks never fall due together; a quarter of T at least W + 20 s keeps the
    // waves apart here too (each wave then asks for N / W steps per second, not twice that).
    const targetMs =
      Math.ceil(Math.max(((firstDue + windowMs) * 4) / 3, 4 * (windowMs + WAVE_GAP_MS)) / 4) * 4; // multiple of 4: exact ladder instants
    await addCalendarAndPolicy(db, 'bench-escalation', BENCH_LINE, hours(targetMs));
    const random = seededRandom(opts.seed + n);
    const start = Date.now();
    const reportedAt = Array.from({ length: n }, () => start - windowMs + Math.floor(random() * windowMs));
    const dueTimes = reportedAt
      .flatMap((r) => LADDER.map((f) => r + Math.floor(f * targetMs)))
      .sort((a, b) => a - b);
    const maxDue = dueTimes[dueTimes.length - 1];
    say(
      `schedule: response target ${secs(targetMs)}, steps due from +${secs(dueTimes[0] - start)} to ` +
        `+${secs(maxDue - start)} (3 waves of ${n}, each over ${secs(windowMs)}; creation estimated ${secs(estimatedCreationMs)})`,
    );

    // 4. Create the cases.
    const pids = stack.pids;
    const cpuBeforeCreation = cpuSnapshot(pids);
    const peakRss: Record<string, number> = {};
    const sampleRss = () => {
      for (const [role, group] of Object.entries(pids)) {
        const mib = rssMiB(group);
        if (mib !== undefined) peakRss[role] = Math.max(peakRss[role] ?? 0, mib);
      }
    };
    let created = 0;
    const ticker = setInterval(() => {
      sampleRss();
      const ms = Date.now() - start;
      say(`creating cases ${created}/${n} (${secs(ms)}, ${(created / (ms / 1000)).toFixed(0)} cases/s)`);
    }, 2_000);
    let failures: number;
    try {
      failures = await createCases(
        deps,
        n,
        opts.concurrency,
        (i) => intake(`run-${opts.seed}-${n}`, i, BENCH_LINE, new Date(reportedAt[i]).toISOString()),
        (done) => {
          created = done;
        },
      );
    } finally {
      clearInterval(ticker);
    }
    const creationEnd = Date.now();
    const creationMs = creationEnd - start;
    const casesPerSecond = round(n / (creationMs / 1000));
    const dueBefore = dueTimes.filter((t) => t < creationEnd).length;
    say(`created ${n - failures}/${n} cases in ${secs(creationMs)} (${casesPerSecond} cases/s)`);
    if (failures > 0) notes.push(`${failures} cases failed to open (after retries)`);
    if (dueBefore > 0) {
      const msg = `${dueBefore} steps fell due before creation finished (creation took ${secs(creationMs)}, estimated ${secs(estimatedCreationMs)})`;
      notes.push(msg);
      say(`WARNING: ${msg}`);
    } else {
      say(`first step due ${secs(dueTimes[0] - creationEnd)} after creation ended`);
    }

    // The worker may still be starting the last workflows: note when every case had its 'created' event.
    let caughtUp: number | null = null;
    const cpuAfterCreation = cpuSnapshot(pids);
    const expected = (n - failures) * LADDER.length;
    let recorded = 0;
    let lastPrint = 0;
    let lastRecorded = -1;
    const deadline = maxDue + opts.graceMs;
    let cpuAtFirstDue: CpuSnapshot | undefined;
    const samples: TimelineSample[] = [];
    // The embedded database serves one statement at a time, so the progress count must stay cheap: rows
    // past the highest id seen so far (the primary key). A row committed after one with a higher id would
    // be missed that way, so once every step is due, and to confirm the end, it counts them all.
    let seenId = 0;
    for (;;) {
      const dead = stack.dead();
      if (dead) throw new Error(`a stack process died: ${dead}`);
      const now = Date.now();
      if (caughtUp === null) {
        const [row] = await db.db.execute<{ n: string }>(
          sql`select count(*) as n from cases where product_line = ${BENCH_LINE} and version >= 1`,
        );
        if (Number(row.n) >= n - failures) {
          caughtUp = Date.now() - creationEnd;
          say(`worker had started all ${n - failures} workflows ${secs(caughtUp)} after creation ended`);
          if (Date.now() > dueTimes[0]) {
            const msg = `the worker was still starting workflows when the first steps fell due (all started ${secs(Date.now() - dueTimes[0])} after the first due instant)`;
            notes.push(msg);
            say(`NOTE: ${msg}`);
          }
        }
      }
      if (!cpuAtFirstDue && now >= dueTimes[0]) cpuAtFirstDue = cpuSnapshot(pids);
      if (now >= dueTimes[0] - BUCKET_MS) samples.push({ cpu: cpuSnapshot(pids), machine: machineCpu() });
      sampleRss();
      const dueNow = countAtOrBefore(dueTimes, now);
      const [row] = await db.db.execute<{ n: string; top: number | null }>(
        sql`select count(*) as n, max(id) as top from escalations where id > ${seenId}`,
      );
      recorded += Number(row.n);
      seenId = row.top ?? seenId;
      if (recorded >= expected || dueNow === dueTimes.length) {
        const [all] = await db.db.execute<{ n: string }>(sql`select count(*) as n from escalations`);
        recorded = Number(all.n);
      }
      if (now - lastPrint >= 5_000 || recorded >= expected) {
        const next = dueNow < dueTimes.length ? `, next due in ${secs(dueTimes[dueNow] - now)}` : '';
        if (recorded !== lastRecorded || now - lastPrint >= 15_000)
          say(`waiting for escalations ${recorded}/${expected} (due so far ${dueNow}${next})`);
        lastPrint = now;
        lastRecorded = recorded;
      }
      if (recorded >= expected) break;
      if (now > deadline) {
        notes.push(`gave up waiting ${secs(opts.graceMs)} after the last due instant`);
        say(
          `giving up: ${recorded}/${expected} escalations ${secs(opts.graceMs)} after the last due instant`,
        );
        break;
      }
      const sleep = dueNow === 0 ? Math.min(2_000, Math.max(100, dueTimes[0] - now)) : 1_000;
      await new Promise((r) => setTimeout(r, sleep));
    }
    const waitEnd = Date.now();
    const cpuEnd = cpuSnapshot(pids);
    samples.push({ cpu: cpuEnd, machine: machineCpu() });

    // 5. Statistics from the table.
    // One snapshot of every expected step: recorded ones with their lateness; steps never recorded
    // count, for a lower bound, as late as the moment of the snapshot.
    const snapshotAt = Date.now();
    const steps = await db.db.execute<{
      id: string;
      r: string;
      level: number | null;
      name: string | null;
      late_ms: string | null;
      due_ms: string | null;
      fired_ms: string | null;
      notified_ms: string | null;
    }>(sql`
      select c.id, extract(epoch from c.reported_at) * 1000 as r, e.level, e.name,
             extract(epoch from (e.fired_at - e.due_at)) * 1000 as late_ms,
             extract(epoch from e.due_at) * 1000 as due_ms, extract(epoch from e.fired_at) * 1000 as fired_ms,
             extract(epoch from (n.sent_at - e.due_at)) * 1000 as notified_ms
        from cases c
        left join escalations e on e.case_id = c.id and e.clock = 'response'
        left join notifications n on n.key = e.case_id || ':sla:' || e.clock || ':' || e.cycle || ':' || e.level
       where c.product_line = ${BENCH_LINE}`);
    const late: number[] = [];
    const notified: number[] = [];
    const dueAt: number[] = [];
    const firedAt: number[] = [];
    const byStep: Record<string, number[]> = {};
    const byCase = new Map<string, { reportedAt: number; levels: number[]; dueAt: number[] }>();
    for (const row of steps) {
      const entry = byCase.get(row.id) ?? { reportedAt: Math.round(Number(row.r)), levels: [], dueAt: [] };
      byCase.set(row.id, entry);
      const levels = entry.levels;
      if (row.level === null) continue;
      levels.push(Number(row.level));
      entry.dueAt.push(Math.round(Number(row.due_ms)));
      late.push(Number(row.late_ms));
      dueAt.push(Number(row.due_ms));
      firedAt.push(Number(row.fired_ms));
      if (row.notified_ms !== null) notified.push(Number(row.notified_ms));
      const key = `${row.level}:${row.name}`;
      if (!byStep[key]) byStep[key] = [];
      byStep[key].push(Number(row.late_ms));
    }
    const timeline = buildTimeline(
      dueAt.map((d, i) => ({ dueAt: d, firedAt: firedAt[i] })),
      samples,
      dueTimes[0],
    );
    printWorstBuckets(timeline);
    const censored: number[] = [];
    for (const { reportedAt: r, levels } of byCase.values()) {
      for (const step of DEFAULT_POLICY.escalation) {
        if (levels.includes(step.level)) continue;
        censored.push(Math.max(0, snapshotAt - (r + Math.floor(step.at * targetMs))));
      }
    }
    if (censored.length > 0) {
      notes.push(
        `${censored.length} escalations not recorded by the end of the wait: latenessMs covers the recorded ones only ` +
          'and understates lateness; latenessWithMissingAsLowerBoundMs bounds it from below',
      );
    }
    const [idle] = await db.db.execute<{ n: string }>(
      sql`select count(*) as n from cases where product_line = ${BENCH_LINE} and version = 0`,
    );
    const neverStarted = Number(idle.n);
    if (neverStarted > 0) {
      const msg = `${neverStarted} workflows had not completed their first workflow task (the 'created' projection) by the end`;
      notes.push(msg);
      say(`NOTE: ${msg}`);
    }
    // Every (N / 100)-th case, so the sample spans each wave from its start to its end.
    const sampled = [...byCase.entries()]
      .sort((a, b) => a[1].reportedAt - b[1].reportedAt)
      .filter((_, i, all) => i % Math.max(1, Math.floor(all.length / BREAKDOWN_SAMPLE)) === 0)
      .map(([id, c]) => ({ workflowId: caseWorkflowId(id), dueAt: [...c.dueAt].sort((a, b) => a - b) }));
    const breakdown = await latenessBreakdown(deps.temporal, sampled);
    say(
      `lateness parts (p50 / p99 ms, ${breakdown.steps} steps of ${breakdown.sampleCases} cases): timer late ` +
        `${breakdown.timerLateMs?.p50} / ${breakdown.timerLateMs?.p99}, fire ${breakdown.fireMs?.p50} / ` +
        `${breakdown.fireMs?.p99}, dispatch ${breakdown.dispatchMs?.p50} / ${breakdown.dispatchMs?.p99}`,
    );
    const [dup] = await db.db.execute<{ n: string }>(sql`
      select count(*) as n from (select case_id, clock, cycle, level from escalations
        group by 1, 2, 3, 4 having count(*) > 1) d`);

    return {
      cases: n,
      probeCases,
      calibration,
      schedule: {
        responseTargetMs: targetMs,
        windowMs,
        marginMs,
        estimatedCreationMs,
        firstDueAfterStartMs: dueTimes[0] - start,
        lastDueAfterStartMs: maxDue - start,
      },
      creation: {
        ms: creationMs,
        casesPerSecond,
        probeCasesPerSecond: round(probeRate),
        concurrency: opts.concurrency,
        failures,
        workerCaughtUpAfterMs: caughtUp,
        workflowsNotStartedAtEnd: neverStarted,
        stepsDueBeforeCreationEnded: dueBefore,
      },
      escalations: {
        expected,
        recorded: late.length,
        missing: Math.max(0, expected - late.length),
        duplicates: Number(dup.n),
        peakDuePerSecond: peakRate(dueAt),
        peakFiredPerSecond: peakRate(firedAt),
      },
      latenessMs: roundSummary(summarize(late)),
      latenessWithMissingAsLowerBoundMs:
        censored.length > 0 ? roundSummary(summarize([...late, ...censored])) : null,
      latenessByStepMs: Object.fromEntries(
        Object.entries(byStep)
          .sort()
          .map(([k, v]) => [k, roundSummary(summarize(v))]),
      ),
      notifiedLatenessMs: roundSummary(summarize(notified)),
      latenessBreakdown: {
        ...breakdown,
        timerLateMs: roundSummary(breakdown.timerLateMs),
        fireMs: roundSummary(breakdown.fireMs),
        dispatchMs: roundSummary(breakdown.dispatchMs),
      },
      cpuPercentOfOneCore: {
        creation: cpuPercent(cpuBeforeCreation, cpuAfterCreation),
        escalation: cpuAtFirstDue ? cpuPercent(cpuAtFirstDue, cpuEnd) : {},
      },
      cpuMsPerEscalation: cpuAtFirstDue ? cpuMsPer(cpuAtFirstDue, cpuEnd, late.length) : {},
      timeline,
      peakRssMiB: peakRss,
      phasesMs: {
        stackStart: stackStartMs,
        probe: probeMs,
        creation: creationMs,
        waitForEscalations: waitEnd - creationEnd,
      },
      wallMs: Date.now() - wallStart,
      notes,
      mail: smtp ? { delayMs: mailDelayMs!, people: MAIL_PEOPLE.length, accepted: smtp.accepted() } : null,
    };
  } finally {
    await connection?.close().catch(() => {});
    await db?.close().catch(() => {});
    await stack.stop();
    await smtp?.close();
  }
}

function roundSummary(s: Summary | null): Summary | null {
  if (!s) return null;
  return {
    count: s.count,
    min: round(s.min),
    mean: round(s.mean),
    p50: round(s.p50),
    p90: round(s.p90),
    p99: round(s.p99),
    max: round(s.max),
  };
}

/** The five 10-s buckets with the latest steps, with what the processes and the machine were doing. */
function printWorstBuckets(timeline: TimelineBucket[]) {
  const worst = [...timeline]
    .filter((b) => b.latenessP99Ms !== null)
    .sort((a, b) => (b.latenessP99Ms ?? 0) - (a.latenessP99Ms ?? 0))
    .slice(0, 5);
  for (const b of worst) {
    const cpu = Object.entries(b.cpuPercent)
      .map(([role, pct]) => `${role} ${pct}%`)
      .join(', ');
    say(
      `slowest 10 s at +${secs(b.fromMs)}: ${b.due} due, p99 ${b.latenessP99Ms} ms, max ${b.latenessMaxMs} ms; ` +
        `CPU ${cpu}; machine busy ${b.machineBusyPercent ?? '-'}%, steal ${b.stealPercent ?? '-'}%`,
    );
  }
}

function countAtOrBefore(sorted: number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function intake(run: string, i: number, line: string, reportedAt: string): Intake {
  return {
    channel: 'api',
    customer: { name: `压测客户 ${i}`, phone: `+86 139 ${String(i).padStart(8, '0')}` },
    product: { model: 'BX-1 压测机', serialNumber: `BENCH-${run}-${i}`, line },
    problem: { description: 'escalation benchmark case', severity: 'normal' },
    reportedAt,
    // Idempotent on the help desk reference, so a retried intake never opens a second case.
    externalRef: { system: 'bench', id: `${run}-${i}` },
  };
}

/** Opens `n` cases, `limit` in flight, retrying each up to 3 times; returns how many failed for good. */
export async function createCases(
  deps: IntakeDeps,
  n: number,
  limit: number,
  make: (i: number) => Intake,
  onDone?: (done: number) => void,
  /** Awaited before case i opens (pacing). */
  before?: (i: number) => Promise<void>,
): Promise<number> {
  let failures = 0;
  let firstError: unknown;
  await pool(
    n,
    limit,
    async (i) => {
      await before?.(i);
      for (let attempt = 1; ; attempt++) {
        try {
          await openCase(deps, make(i));
          return;
        } catch (err) {
          if (attempt >= 3) {
            failures += 1;
            firstError ??= err;
            return;
          }
          await new Promise((r) => setTimeout(r, 500 * attempt));
        }
      }
    },
    onDone,
  );
  if (firstError) say(`first intake failure: ${(firstError as Error).message ?? String(firstError)}`);
  return failures;
}

export async function addCalendarAndPolicy(db: DbHandle, id: string, line: string, response: Target) {
  const allDay = [{ start: '00:00', end: '24:00' }];
  await db.db
    .insert(calendars)
    .values({
      id: 'bench-always',
      name: '全天候 (bench)',
      timeZone: 'Asia/Shanghai',
      weekly: Array.from({ length: 7 }, () => allDay),
      workdayPeriods: allDay,
    })
    .onConflictDoNothing();
  const policy: SlaPolicy = {
    ...DEFAULT_POLICY,
    id,
    version: 1,
    name: `bench policy ${line}`,
    match: { productLine: line },
    calendarId: 'bench-always',
    targets: {
      response: { normal: response, emergency: response },
      arrival: { emergency: response },
      repair: { ordinary: NEVER, complex: NEVER },
    },
  };
  await db.db.insert(slaPolicies).values({ id, version: 1, name: policy.name, definition: policy });
}

export function machineInfo() {
  const list = cpus();
  let temporalCli: string | undefined;
  try {
    const path = process.env.TEMPORAL_CLI_PATH ?? `${process.cwd()}/.tools/bin/temporal`;
    temporalCli = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    temporalCli = undefined;
  }
  return {
    cpus: list.length,
    cpuModel: list[0]?.model,
    totalMemoryGiB: round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    temporalCli,
  };
}

function printTable(results: SizeResult[]) {
  const head = [
    'cases',
    'created/s',
    'expected',
    'recorded',
    'missing',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'wall',
  ];
  const rows = results.map((r) => [
    String(r.cases),
    String(r.creation.casesPerSecond),
    String(r.escalations.expected),
    String(r.escalations.recorded),
    String(r.escalations.missing),
    bound(r, 'p50'),
    bound(r, 'p90'),
    bound(r, 'p99'),
    bound(r, 'max'),
    secs(r.wallMs),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((x, c) => x.padStart(widths[c])).join('  ');
  console.log('');
  console.log('escalation lateness (fired_at − due_at)');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log('');
}

const fmt = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(0));
/**
 * With escalations missing, only the statistics counting each missing step as late as the end of the wait
 * bound the truth (from below), shown as "≥ x"; those of the recorded steps alone bound nothing.
 */
const bound = (r: SizeResult, key: 'p50' | 'p90' | 'p99' | 'max') => {
  const lower = r.latenessWithMissingAsLowerBoundMs;
  return lower ? `≥${fmt(lower[key])}` : fmt(r.latenessMs?.[key]);
};
