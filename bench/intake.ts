// Intake under load (issue 14): how many cases per second the API opens, how fast it answers at half that
// rate, and how much memory the workers hold once 10,000 cases are open — each against raw Temporal on the
// same server, in the same run.
//
//  Target   `stack`: npm start's processes (bench/support/stack.ts: the dev server with npm start's flags,
//           DEFAULT_WORKER_PROCESSES workers of worker.ts, one API process of api/server.ts);
//           `topology`: scripts/topology.ts (Temporal server on PostgreSQL, two compiled workers, two
//           compiled APIs; needs `npm run build` and scripts/build-temporal-server.sh). Requests go
//           round-robin over the API processes, over real HTTP, with a help desk key.
//  Baseline raw Temporal: a worker of its own (bench/support/burst-baseline/, the SDK's defaults) and, per
//           request, a client start-to-result of a workflow running one local activity that writes one row.
//
//  1. Warm-up: `--warmup` of each.
//  2. Throughput, closed loop: at each level of `--levels` (requests in flight), `--per-level` requests of
//     each kind back to back (the order alternating from level to level); throughput = completed ÷ wall.
//     The maximum over the levels is each kind's maximum; the ratio is the API's over raw Temporal's.
//  3. Latency at half the maximum, open loop: requests started at a fixed rate of half the API's maximum
//     for `--paced` seconds, each timed from its scheduled start (so a stall counts against it); then the
//     same rate for raw Temporal.
//  4. Memory: intakes until `--open-cases` cases are open, then the workers' RSS (sum and each) every 5 s
//     until it stops growing (at most `--settle` seconds), against their RSS before the first intake.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { freePort, sleep } from '../scripts/process-helpers.mjs';
import {
  DEFAULT_WORKER_PROCESSES,
  TUNED_DEV_SERVER_ENV,
  WORKER_NODE_FLAGS,
} from '../scripts/temporal-dev-flags.mjs';
import { machineInfo, TUNED_TEMPORAL_ARGS } from './escalation.js';
import { createBaselineTable } from './support/burst-baseline/activities.js';
import { calibrate } from './support/calibration.js';
import { cpuPercent, cpuSnapshot, rssMiB } from './support/cpu.js';
import { type Stack, startStack } from './support/stack.js';
import { round, type Summary, summarize } from './support/stats.js';
import { startTopologyStack } from './support/topology-stack.js';

export interface IntakeBenchOptions {
  on: 'stack' | 'topology';
  levels: number[];
  perLevel: number;
  warmup: number;
  pacedSeconds: number;
  openCases: number;
  settleSeconds: number;
  out: string;
  command: string;
  keep: boolean;
  /** `--on stack` only: Node flags after the workers' own (a later V8 flag wins), and extra environment. */
  workerNodeFlags?: string[];
  workerEnv?: Record<string, string>;
  /** `--on stack` only: Node flags of the API process (e.g. --cpu-prof). */
  apiNodeFlags?: string[];
}

const say = (msg: string) => console.log(`[intake ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const BASELINE_QUEUE = `bench-intake-baseline-${process.pid}`;

interface Target {
  apiUrls: string[];
  key: string;
  temporalAddress: string;
  databaseUrl: string;
  /** The workers' task queue, where the running cases are counted (stack only). */
  taskQueue?: string;
  /** Pids by role (worker, api, temporal, postgres, baseline) for CPU and memory. */
  pids: Record<string, number[]>;
  stop(): Promise<void>;
}

/** The API process of npm start's stack: api/server.ts with one help desk key and no rate limit in the way. */
const HELPDESK_KEY = `shk_benchintake${process.pid}_${randomBytes(24).toString('base64url')}`;

async function stackTarget(o: IntakeBenchOptions): Promise<Target> {
  const apiPort = await freePort();
  const stack: Stack = await startStack({
    workers: DEFAULT_WORKER_PROCESSES,
    temporalArgs: TUNED_TEMPORAL_ARGS,
    temporalEnv: TUNED_DEV_SERVER_ENV,
    workerNodeFlags: [...WORKER_NODE_FLAGS, ...(o.workerNodeFlags ?? [])],
    workerEnv: o.workerEnv,
    beforeWorkers: async (url) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await createBaselineTable(sql);
      await sql.end();
    },
    extraProcesses: [
      {
        name: 'api',
        entry: 'api/server.ts',
        nodeFlags: o.apiNodeFlags,
        env: {
          HOST: '127.0.0.1',
          PORT: String(apiPort),
          API_KEYS: `${HELPDESK_KEY}=helpdesk:bench-desk`,
          RATE_LIMIT_PER_MINUTE: '10000000',
          LOG_LEVEL: 'warn',
        },
        ready: '',
        readyPort: apiPort,
      },
      {
        name: 'baseline',
        entry: 'bench/support/burst-baseline/worker.ts',
        env: { BASELINE_TASK_QUEUE: BASELINE_QUEUE },
        ready: 'baseline worker polling',
      },
    ],
    keep: o.keep,
    log: say,
  });
  return {
    apiUrls: [`http://127.0.0.1:${apiPort}`],
    key: HELPDESK_KEY,
    temporalAddress: stack.temporalAddress,
    databaseUrl: stack.databaseUrl,
    taskQueue: stack.taskQueue,
    pids: stack.pids,
    stop: () => stack.stop(),
  };
}

async function topologyTarget(o: IntakeBenchOptions): Promise<Target> {
  const t = await startTopologyStack({ baselineQueue: BASELINE_QUEUE, keep: o.keep, log: say });
  return {
    apiUrls: t.apiUrls,
    key: t.keys.helpdesk!,
    temporalAddress: t.temporalAddress,
    databaseUrl: t.databaseUrl,
    pids: t.pids,
    stop: () => t.stop(),
  };
}

let serial = 0;
function intakeBody() {
  serial += 1;
  const id = `${process.pid}-${serial}`;
  return JSON.stringify({
    channel: 'api',
    customer: { name: `压测客户 ${serial}`, phone: `+86 139 ${String(serial).padStart(8, '0')}` },
    product: { model: 'HX-200 空压机', serialNumber: `INTAKE-${id}`, purchaseDate: '2025-03-01' },
    problem: { description: '压缩机异响', severity: 'normal' },
    externalRef: { system: 'bench-intake', id },
  });
}

interface Run {
  completed: number;
  failed: number;
  firstError?: string;
  wallMs: number;
  perSecond: number;
  latencyMs: Summary | null;
  cpuPercent: Record<string, number>;
}

export async function runIntakeBench(o: IntakeBenchOptions): Promise<void> {
  const started = Date.now();
  const calibration = calibrate();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  say(`starting the ${o.on === 'stack' ? "npm start's stack" : 'production topology'}`);
  const target = o.on === 'stack' ? await stackTarget(o) : await topologyTarget(o);
  const connection = await Connection.connect({ address: target.temporalAddress });
  const client = new Client({ connection });
  let next = 0;
  const api = async (): Promise<void> => {
    const base = target.apiUrls[next++ % target.apiUrls.length];
    const res = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' },
      body: intakeBody(),
    });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST /api/v1/cases ${res.status}: ${text.slice(0, 300)}`);
  };
  const raw = async (): Promise<void> => {
    serial += 1;
    const id = `raw-${process.pid}-${serial}`;
    await client.workflow.execute('burstBaseline', {
      taskQueue: BASELINE_QUEUE,
      workflowId: id,
      args: [{ id, instants: [0] }],
    });
  };
  const kinds = { api, raw } as const;

  /** What a run of requests gives: its latencies, throughput over its wall time and CPU per process. */
  const summary = (
    samples: number[],
    failed: number,
    firstError: string | undefined,
    t0: number,
    cpu0: ReturnType<typeof cpuSnapshot>,
  ): Run => {
    const wallMs = performance.now() - t0;
    return {
      completed: samples.length,
      failed,
      firstError,
      wallMs: round(wallMs),
      perSecond: round((samples.length / wallMs) * 1000, 2),
      latencyMs: summarize(samples.map((x) => round(x))),
      cpuPercent: cpuPercent(cpu0, cpuSnapshot(target.pids)),
    };
  };

  const closedLoop = async (kind: keyof typeof kinds, n: number, inFlight: number): Promise<Run> => {
    const samples: number[] = [];
    let failed = 0;
    let firstError: string | undefined;
    let issued = 0;
    const cpu0 = cpuSnapshot(target.pids);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (issued < n) {
          issued += 1;
          const s = performance.now();
          try {
            await kinds[kind]();
            samples.push(performance.now() - s);
          } catch (err) {
            failed += 1;
            firstError ??= (err as Error).message;
          }
        }
      }),
    );
    return summary(samples, failed, firstError, t0, cpu0);
  };

  const openLoop = async (kind: keyof typeof kinds, perSecond: number, seconds: number): Promise<Run> => {
    const samples: number[] = [];
    let failed = 0;
    let firstError: string | undefined;
    const n = Math.max(1, Math.round(perSecond * seconds));
    const interval = 1000 / perSecond;
    const cpu0 = cpuSnapshot(target.pids);
    const t0 = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(
        kinds[kind]().then(
          () => void samples.push(performance.now() - due),
          (err) => {
            failed += 1;
            firstError ??= (err as Error).message;
          },
        ),
      );
    }
    await Promise.all(inFlight);
    return summary(samples, failed, firstError, t0, cpu0);
  };

  const line = (what: string, r: Run) =>
    say(
      `${what}: ${r.completed} in ${round(r.wallMs / 1000)} s = ${r.perSecond}/s, p50 ${r.latencyMs?.p50} ms, ` +
        `p99 ${r.latencyMs?.p99} ms${r.failed ? `, ${r.failed} FAILED (${r.firstError})` : ''}`,
    );

  try {
    const rssIdle = Object.fromEntries(
      (target.pids.worker ?? []).map((pid, i) => [`worker-${i + 1}`, rssMiB([pid]) ?? null]),
    );
    say(`warm-up: ${o.warmup} of each`);
    line('warm-up api', await closedLoop('api', o.warmup, 4));
    line('warm-up raw', await closedLoop('raw', o.warmup, 4));

    const levels: { inFlight: number; api: Run; raw: Run }[] = [];
    for (const [i, inFlight] of o.levels.entries()) {
      const order: (keyof typeof kinds)[] = i % 2 === 0 ? ['raw', 'api'] : ['api', 'raw'];
      const got: Partial<Record<keyof typeof kinds, Run>> = {};
      for (const kind of order) {
        got[kind] = await closedLoop(kind, o.perLevel, inFlight);
        line(`${kind} × ${inFlight} in flight`, got[kind]!);
      }
      levels.push({ inFlight, api: got.api!, raw: got.raw! });
    }
    const best = (kind: 'api' | 'raw') =>
      levels.reduce((b, l) => (l[kind].perSecond > b[kind].perSecond ? l : b), levels[0]!);
    const apiMax = best('api').api.perSecond;
    const rawMax = best('raw').raw.perSecond;
    const throughputRatio = round(apiMax / rawMax, 2);
    say(
      `maximum: api ${apiMax}/s (${best('api').inFlight} in flight), raw ${rawMax}/s → ratio ${throughputRatio}`,
    );

    const rate = round(apiMax / 2, 2);
    say(`paced at ${rate}/s (half the API's maximum) for ${o.pacedSeconds} s each`);
    const pacedApi = await openLoop('api', rate, o.pacedSeconds);
    line('paced api', pacedApi);
    const pacedRaw = await openLoop('raw', rate, o.pacedSeconds);
    line('paced raw', pacedRaw);

    // Memory: open cases until o.openCases exist (every API intake of this run stays open).
    const sql = postgres(target.databaseUrl, { max: 1, onnotice: () => {} });
    const open = async () =>
      Number((await sql`select count(*)::int as n from cases where closed_at is null`)[0]!.n);
    let have = await open();
    const toOpen = Math.max(0, o.openCases - have);
    say(`memory: opening ${toOpen} more cases to reach ${o.openCases} open`);
    const fill = { completed: 0, failed: 0 };
    const fillInFlight = best('api').inFlight;
    const t0 = performance.now();
    let issued = 0;
    await Promise.all(
      Array.from({ length: fillInFlight }, async () => {
        while (issued < toOpen) {
          issued += 1;
          try {
            await api();
            fill.completed += 1;
          } catch {
            fill.failed += 1;
          }
          if (fill.completed % 1000 === 0 && fill.completed > 0)
            say(
              `  ${fill.completed}/${toOpen} (${round((fill.completed / (performance.now() - t0)) * 1000, 1)}/s)`,
            );
        }
      }),
    );
    have = await open();
    // Workflows the server runs: each took its first workflow task on a worker, which now caches it.
    const running = async () => {
      try {
        const queue = target.taskQueue ? ` AND TaskQueue="${target.taskQueue}"` : '';
        return (
          await client.workflow.count(`WorkflowType="serviceCase" AND ExecutionStatus="Running"${queue}`)
        ).count;
      } catch {
        return null;
      }
    };
    const rssSeries: {
      atS: number;
      workers: number | null;
      each: (number | null)[];
      runningWorkflows: number | null;
    }[] = [];
    const settleStart = Date.now();
    let last = -1;
    let flat = 0;
    while (Date.now() - settleStart < o.settleSeconds * 1000) {
      const each = (target.pids.worker ?? []).map((pid) => rssMiB([pid]) ?? null);
      const sum = each.reduce<number>((s, x) => s + (x ?? 0), 0);
      rssSeries.push({
        atS: round((Date.now() - settleStart) / 1000),
        workers: round(sum),
        each,
        runningWorkflows: await running(),
      });
      say(`  RSS workers ${round(sum)} MiB (${each.join(' + ')})`);
      flat = Math.abs(sum - last) < 5 ? flat + 1 : 0;
      last = sum;
      if (flat >= 3) break;
      await sleep(5_000);
    }
    await sql.end();
    const peak = Math.max(...rssSeries.map((s) => s.workers ?? 0));
    const settled = rssSeries.at(-1)!;

    const result = {
      benchmark: 'intake',
      command: o.command,
      date: new Date().toISOString(),
      on: o.on,
      machine: machineInfo(),
      calibration,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((x) => round(x, 2)) },
      settings: {
        levels: o.levels,
        perLevel: o.perLevel,
        warmup: o.warmup,
        pacedSeconds: o.pacedSeconds,
        openCases: o.openCases,
        workerNodeFlags: o.on === 'stack' ? [...WORKER_NODE_FLAGS, ...(o.workerNodeFlags ?? [])] : undefined,
        workerEnv: o.workerEnv,
        apiNodeFlags: o.on === 'stack' && o.apiNodeFlags?.length ? o.apiNodeFlags : undefined,
        apiProcesses: target.apiUrls.length,
        workerProcesses: target.pids.worker?.length ?? 0,
        baseline:
          'bench/support/burst-baseline (one process, SDK defaults): start-to-result of a workflow with one local activity writing one row',
      },
      targets: {
        throughputRatio: '≥ 0.8 of raw Temporal',
        pacedP99Ms: '≤ 150 at half the maximum throughput (production topology)',
        workerRssMiB: '≤ 1024 in all with 10,000 open cases',
      },
      throughput: { levels, apiMaxPerSecond: apiMax, rawMaxPerSecond: rawMax, ratio: throughputRatio },
      paced: { perSecond: rate, api: pacedApi, raw: pacedRaw },
      memory: {
        openCases: have,
        fill: { ...fill, inFlight: fillInFlight, wallMs: round(performance.now() - t0) },
        idleMiB: rssIdle,
        peakWorkersMiB: peak,
        settledWorkersMiB: settled.workers,
        settledEachMiB: settled.each,
        series: rssSeries,
      },
      verdict: {
        throughputRatioMet: throughputRatio >= 0.8,
        pacedP99Met: (pacedApi.latencyMs?.p99 ?? Number.POSITIVE_INFINITY) <= 150,
        memoryMet: peak <= 1024,
      },
      totalWallMs: Date.now() - started,
    };
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
    say(
      `throughput ratio ${throughputRatio} (api ${apiMax}/s, raw ${rawMax}/s); paced p99 api ${pacedApi.latencyMs?.p99} ms, ` +
        `raw ${pacedRaw.latencyMs?.p99} ms; workers RSS peak ${peak} MiB with ${have} open cases → ${o.out}`,
    );
  } finally {
    await connection.close();
    await target.stop();
  }
}
