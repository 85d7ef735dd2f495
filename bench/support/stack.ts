// The embedded stack a benchmark runs against, each piece a child process of its own so the benchmark
// process is only a client: the Temporal CLI dev server (SQLite file in a temp dir), the embedded
// PostgreSQL of scripts/embedded-postgres.ts (data in the same temp dir), and the worker (worker.ts). Children are started
// in their own process groups, so a Ctrl-C reaches only the benchmark, which then stops them in order
// (worker, database, Temporal) and removes the temp dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, rmSync, type WriteStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runMigrations } from '../../db/migrate.js';
import { bundleWorkflows } from '../../scripts/bundle-workflows.js';
import {
  findTemporalCli,
  freePort,
  killGroup,
  REPO_ROOT,
  tail as tailOf,
  tcpAnswers,
} from '../../scripts/process-helpers.mjs';
import { connectWhenReady, ensureSearchAttributes } from '../../scripts/setup-temporal.js';
import { DEFAULT_DELIVERY_WORKER_PROCESSES, workerRoleOf } from '../../scripts/temporal-dev-flags.mjs';

export { REPO_ROOT };

export interface StackOptions {
  /** Extra environment of the worker process (WORKER_MAX_CACHED_WORKFLOWS, NODE_OPTIONS, …). */
  workerEnv?: Record<string, string>;
  /** Extra flags of `temporal server start-dev` (e.g. --dynamic-config-value K=V). */
  temporalArgs?: string[];
  /** Extra environment of the dev server (GOGC). */
  temporalEnv?: Record<string, string>;
  /** Node flags of the worker process, before its entry (V8 heap settings). */
  workerNodeFlags?: string[];
  /** Worker entry relative to the repo (default worker.ts). */
  workerEntry?: string;
  /**
   * Worker processes (default 1), all polling the one task queue; each keeps the cases whose workflow
   * tasks it took cached (sticky), so each caches about 1/workers of them.
   */
  workers?: number;
  /**
   * Worker processes serving only the deliveries' task queue at lower priority (WORKER_ROLE=deliveries),
   * as npm start runs them (default DEFAULT_DELIVERY_WORKER_PROCESSES); the others then serve only the
   * cases' queue. 0: every worker serves both.
   */
  deliveryWorkers?: number;
  /**
   * Other Node processes started after the workers, with the same database and Temporal address (e.g.
   * the burst benchmark's baseline worker); `ready` is the start of the line that says it is up.
   */
  extraProcesses?: {
    name: string;
    entry: string;
    env?: Record<string, string>;
    /** Node flags before its entry (e.g. --cpu-prof). */
    nodeFlags?: string[];
    /** Start of the line that says it is up (or, with readyPort, a port that accepts connections). */
    ready: string;
    readyPort?: number;
  }[];
  /** Runs once the database is migrated, before any worker starts (e.g. to create a bench table). */
  beforeWorkers?: (databaseUrl: string) => Promise<void>;
  /** Keep the temp dir (logs, databases) after stopping. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  dir: string;
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  temporalCli: string;
  /** Output of each worker process (the [notify] lines included). */
  workerLogs: string[];
  /** Process ids of the children, by role (temporal, postgres, worker: one per worker process). */
  pids: Record<string, number[]>;
  /** Describes a child that has exited although it should be running; undefined when all are alive. */
  dead(): string | undefined;
  stop(): Promise<void>;
}

interface Child {
  /** temporal, postgres, worker-2, …: what logs and errors call it. */
  name: string;
  /** temporal, postgres or worker: what CPU and memory figures are summed by. */
  role: string;
  proc: ChildProcess;
  exited: Promise<void>;
  exit?: string;
  logFile: string;
}

/** Every child of every stack of this process, so an abrupt exit can still kill them. */
const allChildren = new Set<Child>();
/** Stacks started (or starting) and not yet stopped, for stopAllStacks on Ctrl-C. */
const activeStops = new Set<() => Promise<void>>();

/** Stops every stack of this process, including one that is still starting. */
export async function stopAllStacks(): Promise<void> {
  await Promise.all([...activeStops].map((stop) => stop()));
}
process.once('exit', () => {
  for (const c of allChildren) if (c.exit === undefined) killGroup(c.proc, 'SIGKILL');
});

/** Path of the Temporal CLI (scripts/ensure-temporal-cli.sh; TEMPORAL_CLI_PATH first). */
export const temporalCliPath = (): Promise<string> => findTemporalCli();

/** Spawns a child in its own process group, its output appended to `logFile`; `onLine` sees each line. */
function launch(
  name: string,
  role: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  onLine?: (line: string) => void,
): Child {
  const out: WriteStream = createWriteStream(logFile, { flags: 'a' });
  const proc = spawn(command, args, {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = { name, role, proc, logFile, exited: Promise.resolve() };
  child.exited = new Promise<void>((done) => {
    proc.once('exit', (code, signal) => {
      child.exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
      allChildren.delete(child);
      done();
    });
    proc.once('error', (err) => {
      child.exit = `could not start: ${err.message}`;
      allChildren.delete(child);
      done();
    });
  });
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    stream.pipe(out, { end: false });
    if (onLine) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
  }
  proc.once('exit', () => setTimeout(() => out.end(), 100));
  allChildren.add(child);
  return child;
}

function pidsByRole(children: Child[]): Record<string, number[]> {
  const pids: Record<string, number[]> = {};
  for (const c of children) if (c.proc.pid) pids[c.role] = [...(pids[c.role] ?? []), c.proc.pid];
  return pids;
}

const tail = (file: string, bytes = 3000): string => tailOf(file, bytes).trim();

/** Waits until `ready()` is true, failing if the child exits first or the time runs out. */
async function waitFor(child: Child, ready: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (child.exit !== undefined)
      throw new Error(`${child.name} ${child.exit} before ${what}; last output:\n${tail(child.logFile)}`);
    if (Date.now() > deadline)
      throw new Error(
        `${child.name}: no ${what} after ${timeoutMs} ms; last output:\n${tail(child.logFile)}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopChild(child: Child, timeoutMs: number): Promise<void> {
  if (child.exit !== undefined) return;
  killGroup(child.proc, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child.proc, 'SIGKILL'), timeoutMs);
  await child.exited;
  clearTimeout(timer);
}

/**
 * Starts Temporal and PostgreSQL side by side, registers the search attributes, applies the migrations and
 * starts the worker; resolves once the worker polls. On failure everything started is stopped again.
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'shouhou-bench-'));
  // Run as root, PostgreSQL runs as the user `postgres`, which must be able to reach its directory.
  chmodSync(dir, 0o711);
  const children: Child[] = [];
  const taskQueue = `bench-${process.pid}-${Date.now()}`;
  const temporalCli = await temporalCliPath();
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The workers (case and delivery workers, extra processes) first — they drain their tasks — then
      // the database they write to, then Temporal.
      const last = ['postgres', 'temporal'];
      for (const role of ['', ...last]) {
        const group = children.filter((x) => (role ? x.role === role : !last.includes(x.role)));
        await Promise.all(group.map((c) => stopChild(c, role === 'temporal' ? 10_000 : 15_000)));
      }
      if (!opts.keep) rmSync(dir, { recursive: true, force: true });
      activeStops.delete(stop);
    })();
    return stopping;
  };
  activeStops.add(stop);

  try {
    const [temporalPort, uiPort, pgPort] = [await freePort(), await freePort(), await freePort()];

    // Temporal dev server, persistent state in a SQLite file (as `npm start` runs it).
    const temporalArgs = [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(temporalPort),
      '--ui-port',
      String(uiPort),
      '--headless',
      '--db-filename',
      join(dir, 'temporal.db'),
      '--log-level',
      'warn',
      ...(opts.temporalArgs ?? []),
    ];
    const temporal = launch(
      'temporal',
      'temporal',
      temporalCli,
      temporalArgs,
      { ...process.env, ...opts.temporalEnv },
      join(dir, 'temporal.log'),
    );
    children.push(temporal);

    // Embedded PostgreSQL (durable, as npm start runs it).
    let databaseUrl: string | undefined;
    const postgres = launch(
      'postgres',
      'postgres',
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/embedded-postgres.ts')],
      { ...process.env, EMBEDDED_PG_DATA_DIR: join(dir, 'postgres'), EMBEDDED_PG_PORT: String(pgPort) },
      join(dir, 'postgres.log'),
      (line) => {
        const m = /^ready (\S+)/.exec(line);
        if (m) databaseUrl = m[1];
      },
    );
    children.push(postgres);

    const temporalAddress = `127.0.0.1:${temporalPort}`;
    const temporalReady = (async () => {
      const connection = await connectWhenReady(temporalAddress, 'default', {
        timeoutMs: 90_000,
        isDead: () =>
          temporal.exit === undefined
            ? undefined
            : `temporal dev server ${temporal.exit}; last output:\n${tail(temporal.logFile)}`,
      });
      try {
        await ensureSearchAttributes(connection, 'default');
      } finally {
        await connection.close();
      }
      log(`temporal dev server ready on ${temporalAddress}`);
    })();
    const dbReady = (async () => {
      await waitFor(postgres, () => databaseUrl !== undefined, 180_000, '"ready" line');
      await runMigrations(databaseUrl!);
      log(`postgres ready on ${databaseUrl}, migrations applied`);
    })();
    const results = await Promise.allSettled([temporalReady, dbReady]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;

    if (stopping) throw new Error('stack stopped while starting');
    await opts.beforeWorkers?.(databaseUrl!);
    const workerCount = opts.workers ?? 1;
    // As npm start does: one workflow bundle for every worker process, instead of webpack in each (which
    // also leaves each worker holding a few hundred MB it never needs again).
    const bundle = join(dir, 'workflow-bundle.js');
    if (!opts.workerEntry) writeFileSync(bundle, await bundleWorkflows());
    const deliveryCount = opts.deliveryWorkers ?? DEFAULT_DELIVERY_WORKER_PROCESSES;
    const workers = Array.from({ length: workerCount + deliveryCount }, (_, i) => {
      const delivery = i >= workerCount;
      const name = delivery
        ? deliveryCount === 1
          ? 'deliveries'
          : `deliveries-${i - workerCount + 1}`
        : workerCount === 1
          ? 'worker'
          : `worker-${i + 1}`;
      let polling = false;
      const worker = launch(
        name,
        delivery ? 'deliveries' : 'worker',
        process.execPath,
        [
          ...(opts.workerNodeFlags ?? []),
          '--import',
          'tsx',
          // A delivery worker is always the product's: investigations vary the case workers.
          join(REPO_ROOT, delivery ? 'worker.ts' : (opts.workerEntry ?? 'worker.ts')),
        ],
        {
          ...process.env,
          DATABASE_URL: databaseUrl!,
          TEMPORAL_ADDRESS: temporalAddress,
          TEMPORAL_NAMESPACE: 'default',
          TEMPORAL_TASK_QUEUE: taskQueue,
          // Each worker's /metrics on a free port of its own.
          WORKER_METRICS_PORT: '0',
          ...(opts.workerEntry ? {} : { WORKFLOW_BUNDLE: bundle }),
          ...opts.workerEnv,
          WORKER_ROLE: workerRoleOf(delivery, deliveryCount),
        },
        join(dir, `${name}.log`),
        (line) => {
          if (line.includes('worker polling')) polling = true;
        },
      );
      children.push(worker);
      return { worker, polling: () => polling };
    });
    const extras = (opts.extraProcesses ?? []).map((x) => {
      let ready = false;
      const child = launch(
        x.name,
        x.name,
        process.execPath,
        [...(x.nodeFlags ?? []), '--import', 'tsx', join(REPO_ROOT, x.entry)],
        {
          ...process.env,
          DATABASE_URL: databaseUrl!,
          TEMPORAL_ADDRESS: temporalAddress,
          TEMPORAL_NAMESPACE: 'default',
          // The workers' queue: an API process started here must start its workflows where the workers
          // poll (without it the intake benchmark's API started every case on the default queue, where
          // no worker ran them, and measured neither their work nor their memory).
          TEMPORAL_TASK_QUEUE: taskQueue,
          ...x.env,
        },
        join(dir, `${x.name}.log`),
        (line) => {
          if (x.readyPort === undefined && line.startsWith(x.ready)) ready = true;
        },
      );
      children.push(child);
      if (x.readyPort !== undefined) {
        const port = x.readyPort;
        const probe = setInterval(() => {
          void tcpAnswers(port).then((up) => {
            if (up) {
              ready = true;
              clearInterval(probe);
            }
          });
        }, 200);
        void child.exited.then(() => clearInterval(probe));
      }
      return { child, ready: () => ready, line: x.readyPort !== undefined ? `port ${x.readyPort}` : x.ready };
    });
    await Promise.all([
      ...workers.map((w) => waitFor(w.worker, w.polling, 180_000, '"worker polling" line')),
      ...extras.map((x) => waitFor(x.child, x.ready, 180_000, `"${x.line}" line`)),
    ]);
    log(`${workerCount === 1 ? 'worker' : `${workerCount} workers`} polling task queue ${taskQueue}`);

    return {
      dir,
      databaseUrl: databaseUrl!,
      temporalAddress,
      taskQueue,
      temporalCli,
      workerLogs: workers.map((w) => w.worker.logFile),
      pids: pidsByRole(children),
      dead: () => {
        const gone = children.find((c) => c.exit !== undefined);
        return gone ? `${gone.name} ${gone.exit}; last output:\n${tail(gone.logFile)}` : undefined;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
