// The production topology (scripts/topology.ts: Temporal server on PostgreSQL, compiled workers and APIs)
// as a benchmark stack: the same shape as bench/support/stack.ts's, so a benchmark runs on either, plus
// the API processes and their keys. The burst baseline's worker runs beside it when asked.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { killGroup, REPO_ROOT } from '../../scripts/process-helpers.mjs';
import { startTopology } from '../../scripts/topology.js';
import { createBaselineTable } from './burst-baseline/activities.js';
import type { Stack } from './stack.js';

export interface TopologyStack extends Stack {
  apiUrls: string[];
  keys: Record<string, string>;
}

export async function startTopologyStack(opts: {
  /** Task queue of the burst baseline's worker, started beside the topology; none: no baseline. */
  baselineQueue?: string;
  workerEnv?: Record<string, string>;
  portBase?: number;
  keep?: boolean;
  log?: (line: string) => void;
}): Promise<TopologyStack> {
  const dir = join(REPO_ROOT, '.data', `bench-topology-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const t = await startTopology({
    dir,
    portBase: opts.portBase ?? 7600,
    workerEnv: opts.workerEnv,
    log: opts.log,
  });
  let baseline: ChildProcess | undefined;
  let baselineExit: string | undefined;
  try {
    if (opts.baselineQueue) {
      const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
      await createBaselineTable(sql);
      await sql.end();
      const out = createWriteStream(join(dir, 'logs', 'baseline-worker.log'), { flags: 'a' });
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/burst-baseline/worker.ts'], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          DATABASE_URL: t.databaseUrl,
          TEMPORAL_ADDRESS: t.temporalAddress,
          BASELINE_TASK_QUEUE: opts.baselineQueue,
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      baseline = child;
      child.stdout?.pipe(out, { end: false });
      child.stderr?.pipe(out, { end: false });
      child.once('exit', (code, signal) => {
        baselineExit = signal ? `killed by ${signal}` : `exited with code ${code}`;
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (b: Buffer) => {
          if (b.toString().includes('baseline worker polling')) resolve();
        });
        child.once('exit', () => reject(new Error(`baseline worker ${baselineExit} before polling`)));
      });
    }
  } catch (err) {
    await t.down();
    throw err;
  }
  const pids: Record<string, number[]> = {};
  for (const [name, p] of t.procs) {
    const role = name.replace(/-\d+$/, '');
    if (p.child.pid) pids[role] = [...(pids[role] ?? []), p.child.pid];
  }
  if (baseline?.pid) pids['baseline-worker'] = [baseline.pid];
  return {
    dir,
    databaseUrl: t.databaseUrl,
    temporalAddress: t.temporalAddress,
    taskQueue: 'shouhou',
    temporalCli: join(REPO_ROOT, '.tools/bin/temporal-server'),
    workerLogs: [...t.procs.values()].filter((p) => p.name.startsWith('worker')).map((p) => p.logFile),
    pids,
    apiUrls: t.apiUrls,
    keys: t.keys,
    dead: () => {
      const gone = [...t.procs.values()].find((p) => p.exit !== undefined);
      if (gone) return `${gone.name} ${gone.exit}`;
      return baselineExit ? `baseline worker ${baselineExit}` : undefined;
    },
    async stop() {
      if (baseline && baselineExit === undefined) killGroup(baseline, 'SIGTERM');
      await t.down();
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}
