// Benchmarks: `npm run bench -- <name> [options]`. See bench/README.md.
//
//   escalation   SLA escalation lateness with many clocks falling due at once (issue 3)
//     --sizes 1000,10000       case counts, one fresh embedded stack each (default 1000,10000)
//     --concurrency 50         openCase calls in flight
//     --probe 200              cases opened first to measure the creation rate
//     --window <s>             spread of each wave of due instants (default clamp(N × 0.03 s, 10 s, 300 s))
//     --margin <s>             quiet time between the estimated end of creation and the first due instant
//     --grace <s>              wait after the last due instant for missing escalations (default 120)
//     --cache auto|default|N   WORKER_MAX_CACHED_WORKFLOWS (auto: every case stays cached)
//     --workers 2              worker processes on the one task queue (each caches the cases it took;
//                              default as `npm start`: DEFAULT_WORKER_PROCESSES)
//     --worker-env K=V         extra worker environment (repeatable)
//     --server tuned|stock     dev server flags: tuned (default) adds TUNED_TEMPORAL_ARGS to what
//                              `npm start` passes; stock passes only what `npm start` passes
//     --temporal-arg ARG       extra `temporal server start-dev` flag (repeatable, e.g.
//                              --temporal-arg=--dynamic-config-value --temporal-arg=KEY=VALUE)
//     --worker-node-flag FLAG  extra Node flag of the worker process (repeatable; V8 flags NODE_OPTIONS
//                              refuses, e.g. --worker-node-flag=--trace-gc)
//     --experimental-worker JSON   investigations: bench/support/experimental-worker.ts with these extra
//                              Temporal WorkerOptions instead of worker.ts
//     --mail-delays 0,2000     each size once per delay: escalations notify people by e-mail through a
//                              local mail server answering after that delay (the first is the baseline)
//     --seed N, --keep (keep temp dirs and logs), --out <file> (default bench/results/escalation.json)
//
//   parts        stock reservations under concurrency (issue 10; Postgres only: BENCH_DATABASE_URL)
//     --parts 10000 --warehouses 5 --requests 20000 --concurrency 50 --rounds 3 --seed N
//     --pool N (database connections; default concurrency + 5, so none waits for one; the worker's
//     WORKER_DB_POOL default is 10)
//     --out <file> (default bench/results/parts.json)
//
//   queries      the case list and the period reports over N cases generated in Postgres (issue 13)
//     --cases 100000 --rounds 3 --samples 200 (per list scenario; reports take a tenth) --seed N
//     --loads 10 (dashboard first loads in Chromium per round, with the headless flags and plainly)
//     --only dashboard (skip the list, report and baseline query scenarios)
//     --compare-dist DIR (another dashboard build, e.g. main's dashboard/dist copied aside: loaded
//     beside this one in the same run instead of the plain-launch baseline)
//     --keep (keep the temp dir), --out <file> (default bench/results/queries.json)
//
//   intake       intake throughput, latency at half of it, and worker memory with 10,000 open cases,
//                against raw Temporal start-to-result on the same server (issue 14)
//     --on stack|topology      npm start's processes (default) or scripts/topology.ts (needs npm run build
//                              and scripts/build-temporal-server.sh)
//     --levels 4,8,16,32 --per-level 400 --warmup 100 --paced 30 (s) --open-cases 10000 --settle 120 (s)
//     --worker-node-flag F, --worker-env K=V (repeatable; --on stack: after the workers' own flags/env)
//     --api-node-flag F        extra Node flag of the API process (repeatable; --on stack; e.g.
//                              --api-node-flag=--cpu-prof)
//     --keep, --out <file> (default bench/results/intake-<on>.json)
//
//   sandbox      what an entry into the workflow sandbox costs: a case's intake and escalation run in this
//                process: the SDK's default, the workers' watch, and the watch without promise stack
//                traces (issue 16)
//     --cases 300 (per batch) --rounds 5 --load 0,2 (busy processes beside it, one level after the other)
//     --out <file> (default bench/results/sandbox.json)
//
//   burst        N steps due at ONE instant among M open cases, against raw Temporal (issue 16)
//     --on stack|topology      npm start's stack (default) or scripts/topology.ts (compiled workers on the
//                              Temporal server on PostgreSQL; --temporal-arg and --worker-node-flag ignored)
//     --steps 2000 --cases 10000   N and M
//     --gap 60                 seconds between a baseline wave and the product wave after it
//     --pace <n>               cases opened per second after the warm-up (default 90 % of the slower of
//                              intake and the workers, as the warm-up measured them)
//     --backlog 100            never more cases opened and not yet started by the workers
//     --margin <s>             quiet time after the estimated end of intake (default max(30, M × 0.003))
//     --grace 300              wait after the last instant for missing steps
//     --no-baseline            product waves only
//     --diagnose 10            histories read after a product wave's pause longer than its baseline's
//     --cache default|N        WORKER_MAX_CACHED_WORKFLOWS (default: worker.ts's own, as `npm start`)
//     --experimental-worker JSON   as above
//     --workers, --worker-env, --temporal-arg, --worker-node-flag, --concurrency, --probe, --seed,
//     --keep as above; --out <file> (default bench/results/burst.json)
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_WORKER_PROCESSES,
  TUNED_DEV_SERVER_ENV,
  WORKER_NODE_FLAGS,
} from '../scripts/temporal-dev-flags.mjs';
import { runBurstBench } from './burst.js';
import { runEscalationBench, TUNED_TEMPORAL_ARGS } from './escalation.js';
import { runIntakeBench } from './intake.js';
import { runPartsBench } from './parts.js';
import { runQueriesBench } from './queries.js';
import { runSandboxBench } from './sandbox.js';
import { REPO_ROOT, stopAllStacks } from './support/stack.js';

const USAGE =
  'usage: npm run bench -- escalation [--sizes 1000,10000] [options]\n' +
  '       npm run bench -- burst [--steps 2000] [--cases 10000] [options]\n' +
  '       npm run bench -- parts [options]\n' +
  '       npm run bench -- sandbox [--cases 300] [--rounds 5] [--load 0,2]\n' +
  '       npm run bench -- queries [--cases 100000] [options]\n' +
  '       npm run bench -- intake [--on stack|topology] [options]  (see bench/README.md)';

function fail(msg: string): never {
  console.error(`bench: ${msg}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(raw: string, name: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function seconds(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) fail(`${name} must be a number of seconds, got "${raw}"`);
  return Math.round(n * 1000);
}

let interrupted = 0;
function onSignal(signal: NodeJS.Signals) {
  interrupted += 1;
  if (interrupted > 1) {
    console.error(`[bench] ${signal} again: killing the stack and exiting`);
    process.exit(130); // the exit hook of support/stack.ts SIGKILLs what is left
  }
  console.error(`[bench] ${signal}: stopping the stack and removing its temp files…`);
  stopAllStacks().finally(() => process.exit(130));
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const [name, ...rest] = process.argv.slice(2);
if (!['escalation', 'burst', 'parts', 'queries', 'intake', 'sandbox'].includes(name ?? ''))
  fail(name ? `unknown benchmark "${name}"` : 'name a benchmark');

if (name === 'sandbox') {
  const { values: sv } = parseArgs({
    args: rest,
    options: {
      cases: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '5' },
      load: { type: 'string', default: '0,2' },
      out: { type: 'string', default: join(REPO_ROOT, 'bench/results/sandbox.json') },
    },
    strict: true,
  });
  const loads = sv.load.split(',').map((x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 0) fail(`--load takes whole numbers of busy processes, got "${x}"`);
    return n;
  });
  await runSandboxBench({
    cases: positiveInt(sv.cases, '--cases'),
    rounds: positiveInt(sv.rounds, '--rounds'),
    loads,
    out: resolve(sv.out),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  });
  process.exit(0);
}

if (name === 'parts') {
  const { values: pv } = parseArgs({
    args: rest,
    options: {
      parts: { type: 'string', default: '10000' },
      warehouses: { type: 'string', default: '5' },
      requests: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '50' },
      pool: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      seed: { type: 'string', default: '20261201' },
      out: { type: 'string', default: join(REPO_ROOT, 'bench/results/parts.json') },
    },
    strict: true,
  });
  await runPartsBench({
    parts: positiveInt(pv.parts, '--parts'),
    warehouses: positiveInt(pv.warehouses, '--warehouses'),
    requests: positiveInt(pv.requests, '--requests'),
    concurrency: positiveInt(pv.concurrency, '--concurrency'),
    pool: pv.pool === undefined ? undefined : positiveInt(pv.pool, '--pool'),
    rounds: positiveInt(pv.rounds, '--rounds'),
    seed: positiveInt(pv.seed, '--seed'),
    out: pv.out,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  });
  process.exit(0);
}

if (name === 'queries') {
  let qv: ReturnType<typeof parseQueries>['values'];
  function parseQueries() {
    return parseArgs({
      args: rest,
      options: {
        cases: { type: 'string', default: '100000' },
        rounds: { type: 'string', default: '3' },
        samples: { type: 'string', default: '200' },
        loads: { type: 'string', default: '10' },
        only: { type: 'string' },
        'compare-dist': { type: 'string' },
        seed: { type: 'string', default: '20261213' },
        keep: { type: 'boolean', default: false },
        out: { type: 'string', default: join(REPO_ROOT, 'bench/results/queries.json') },
      },
      strict: true,
    });
  }
  try {
    qv = parseQueries().values;
  } catch (err) {
    fail((err as Error).message);
  }
  await runQueriesBench({
    cases: positiveInt(qv.cases, '--cases'),
    rounds: positiveInt(qv.rounds, '--rounds'),
    samples: positiveInt(qv.samples, '--samples'),
    loads: positiveInt(qv.loads, '--loads'),
    only:
      qv.only === undefined
        ? undefined
        : qv.only === 'dashboard'
          ? 'dashboard'
          : fail('--only takes dashboard'),
    compareDist:
      qv['compare-dist'] === undefined
        ? undefined
        : existsSync(join(qv['compare-dist'], 'index.html'))
          ? resolve(qv['compare-dist'])
          : fail(`--compare-dist: no index.html in ${qv['compare-dist']}`),
    seed: positiveInt(qv.seed, '--seed'),
    keep: qv.keep,
    out: qv.out,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  });
  process.exit(0);
}

if (name === 'intake') {
  const { values: iv } = parseArgs({
    args: rest,
    options: {
      on: { type: 'string', default: 'stack' },
      levels: { type: 'string', default: '4,8,16,32' },
      'per-level': { type: 'string', default: '400' },
      warmup: { type: 'string', default: '100' },
      paced: { type: 'string', default: '30' },
      'open-cases': { type: 'string', default: '10000' },
      settle: { type: 'string', default: '120' },
      'worker-node-flag': { type: 'string', multiple: true, default: [] },
      'worker-env': { type: 'string', multiple: true, default: [] },
      'api-node-flag': { type: 'string', multiple: true, default: [] },
      keep: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (iv.on !== 'stack' && iv.on !== 'topology') fail(`--on must be stack or topology, got "${iv.on}"`);
  await runIntakeBench({
    on: iv.on,
    levels: iv.levels.split(',').map((x) => positiveInt(x.trim(), '--levels')),
    perLevel: positiveInt(iv['per-level'], '--per-level'),
    warmup: positiveInt(iv.warmup, '--warmup'),
    pacedSeconds: positiveInt(iv.paced, '--paced'),
    openCases: positiveInt(iv['open-cases'], '--open-cases'),
    settleSeconds: positiveInt(iv.settle, '--settle'),
    workerNodeFlags: iv['worker-node-flag'],
    workerEnv: keyValues(iv['worker-env'], '--worker-env'),
    apiNodeFlags: iv['api-node-flag'],
    keep: iv.keep,
    out: iv.out ?? join(REPO_ROOT, `bench/results/intake-${iv.on}.json`),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  });
  process.exit(0);
}

/** KEY=VALUE pairs of a repeatable flag. */
function keyValues(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq < 1) fail(`${flag} needs KEY=VALUE, got "${kv}"`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function jsonObject(raw: string | undefined): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    fail('--experimental-worker needs a JSON object of WorkerOptions');
  }
}

if (name === 'burst') {
  let b: ReturnType<typeof parseBurst>;
  function parseBurst() {
    return parseArgs({
      args: rest,
      options: {
        on: { type: 'string', default: 'stack' },
        steps: { type: 'string', default: '2000' },
        cases: { type: 'string', default: '10000' },
        concurrency: { type: 'string', default: '50' },
        probe: { type: 'string', default: '200' },
        gap: { type: 'string', default: '60' },
        margin: { type: 'string' },
        pace: { type: 'string' },
        backlog: { type: 'string' },
        grace: { type: 'string', default: '300' },
        'no-baseline': { type: 'boolean', default: false },
        diagnose: { type: 'string', default: '10' },
        'experimental-worker': { type: 'string' },
        cache: { type: 'string', default: 'default' },
        workers: { type: 'string', default: String(DEFAULT_WORKER_PROCESSES) },
        'worker-env': { type: 'string', multiple: true, default: [] },
        'temporal-arg': { type: 'string', multiple: true, default: [] },
        'worker-node-flag': { type: 'string', multiple: true, default: [] },
        seed: { type: 'string', default: '20240601' },
        keep: { type: 'boolean', default: false },
        out: { type: 'string', default: join(REPO_ROOT, 'bench/results/burst.json') },
      },
      strict: true,
    });
  }
  try {
    b = parseBurst();
  } catch (err) {
    fail((err as Error).message);
  }
  const o = b.values;
  try {
    // `npm start`'s stack: its dev-server flags and GOGC, its worker Node flags and worker processes.
    if (o.on !== 'stack' && o.on !== 'topology') fail(`--on must be stack or topology, got "${o.on}"`);
    await runBurstBench({
      on: o.on,
      steps: positiveInt(o.steps, '--steps'),
      cases: positiveInt(o.cases, '--cases'),
      concurrency: positiveInt(o.concurrency, '--concurrency'),
      probe: positiveInt(o.probe, '--probe'),
      gapMs: seconds(o.gap, '--gap') ?? 60_000,
      marginMs: seconds(o.margin, '--margin'),
      pace: o.pace === undefined ? undefined : positiveInt(o.pace, '--pace'),
      backlog: o.backlog === undefined ? undefined : positiveInt(o.backlog, '--backlog'),
      graceMs: seconds(o.grace, '--grace') ?? 300_000,
      baseline: !o['no-baseline'],
      experimentalWorkerOptions: jsonObject(o['experimental-worker']),
      diagnose: o.diagnose === '0' ? 0 : positiveInt(o.diagnose, '--diagnose'),
      cache: o.cache === 'default' ? 'default' : positiveInt(o.cache, '--cache'),
      workers: positiveInt(o.workers, '--workers'),
      workerEnv: keyValues(o['worker-env'], '--worker-env'),
      temporalArgs: [...TUNED_TEMPORAL_ARGS, ...o['temporal-arg']],
      temporalEnv: TUNED_DEV_SERVER_ENV,
      workerNodeFlags: [...WORKER_NODE_FLAGS, ...o['worker-node-flag']],
      seed: positiveInt(o.seed, '--seed'),
      keep: o.keep,
      out: o.out,
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
    });
  } catch (err) {
    if (interrupted) await new Promise(() => {});
    console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stopAllStacks();
    process.exit(1);
  }
  process.exit(0);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: rest,
    options: {
      sizes: { type: 'string', default: '1000,10000' },
      concurrency: { type: 'string', default: '50' },
      probe: { type: 'string', default: '200' },
      window: { type: 'string' },
      margin: { type: 'string' },
      grace: { type: 'string', default: '120' },
      cache: { type: 'string', default: 'auto' },
      workers: { type: 'string', default: String(DEFAULT_WORKER_PROCESSES) },
      'worker-env': { type: 'string', multiple: true, default: [] },
      'temporal-arg': { type: 'string', multiple: true, default: [] },
      'worker-node-flag': { type: 'string', multiple: true, default: [] },
      server: { type: 'string', default: 'tuned' },
      'experimental-worker': { type: 'string' },
      seed: { type: 'string', default: '20240601' },
      keep: { type: 'boolean', default: false },
      'mail-delays': { type: 'string' },
      out: { type: 'string', default: join(REPO_ROOT, 'bench/results/escalation.json') },
    },
    strict: true,
  });
}
try {
  parsed = parse();
} catch (err) {
  fail((err as Error).message);
}
const v = parsed.values;
const sizes = v.sizes.split(',').map((s) => positiveInt(s.trim(), '--sizes'));
const workerEnv = keyValues(v['worker-env'], '--worker-env');
if (v.server !== 'tuned' && v.server !== 'stock') fail(`--server is tuned or stock, got "${v.server}"`);
let experimentalWorkerOptions: Record<string, unknown> | undefined;
if (v['experimental-worker'] !== undefined) {
  try {
    experimentalWorkerOptions = JSON.parse(v['experimental-worker']);
  } catch {
    fail('--experimental-worker needs a JSON object of WorkerOptions');
  }
}
const tuned = v.server === 'tuned';
const cache = v.cache === 'auto' || v.cache === 'default' ? v.cache : positiveInt(v.cache, '--cache');

try {
  await runEscalationBench({
    sizes,
    concurrency: positiveInt(v.concurrency, '--concurrency'),
    probe: positiveInt(v.probe, '--probe'),
    windowMs: seconds(v.window, '--window'),
    marginMs: seconds(v.margin, '--margin'),
    graceMs: seconds(v.grace, '--grace') ?? 120_000,
    cache,
    workers: positiveInt(v.workers, '--workers'),
    workerEnv,
    temporalArgs: [...(tuned ? TUNED_TEMPORAL_ARGS : []), ...v['temporal-arg']],
    // What `npm start` gives the dev server and the worker besides flags (scripts/temporal-dev-flags.mjs).
    temporalEnv: tuned ? TUNED_DEV_SERVER_ENV : {},
    workerNodeFlags: [...(tuned ? WORKER_NODE_FLAGS : []), ...v['worker-node-flag']],
    experimentalWorkerOptions,
    mailDelaysMs:
      v['mail-delays'] === undefined
        ? undefined
        : v['mail-delays'].split(',').map((s) => {
            const ms = Number(s.trim());
            if (!Number.isInteger(ms) || ms < 0) fail(`--mail-delays takes milliseconds, got "${s}"`);
            return ms;
          }),
    seed: positiveInt(v.seed, '--seed'),
    keep: v.keep,
    out: v.out,
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
  });
} catch (err) {
  if (interrupted) await new Promise(() => {}); // the signal handler exits
  console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await stopAllStacks();
  process.exit(1);
}
process.exit(0);
