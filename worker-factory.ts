// Builds the Workers of a shouhou worker process: the cases' task queue (workflows, their activities) and
// the deliveries' (notification and webhook deliveries, workflows/task-queues.ts), or one of them. The
// worker process and the tests share it, so what is tested is what runs.
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { type PayloadCodec, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import type { NotificationSettings } from './activities/notifications/index.js';
import { logNotifier, type Notifier } from './activities/notifier.js';
import type { WebhookDispatchSettings } from './activities/webhook-outbox.js';
import { dataConverterFor } from './codec/payload-codec.js';
import type { Database } from './db/client.js';
import type { PartsSettings } from './domain/parts/request.js';
import { type WorkflowThreadWatch, watchWorkflowThreads } from './worker-threads.js';
import { notificationSweeper } from './workflows/notification-sweeper.js';
import { deliveriesTaskQueue } from './workflows/task-queues.js';

// Run from source (tsx, tests) this module is .ts; compiled by `npm run build` it is dist/….js, beside the
// compiled workflows.
const SOURCE_EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
export const WORKFLOWS_PATH = fileURLToPath(new URL(`./workflows/index${SOURCE_EXT}`, import.meta.url));
/** True in the compiled build: the worker then loads the bundles `npm run build` made, never webpack. */
export const COMPILED = SOURCE_EXT === '.js';

// Modules of the workflow bundle evaluated once per workflow thread instead of once per workflow. In the
// SDK's reusable V8 context every workflow gets a module cache of its own, so without this each cached case
// holds its own copy of every workflow and domain module — their closures, constants and caches: ~70 KiB
// of a case's ~150 KiB (bench/README.md, "intake"). Preloading workflows/index shares it and everything it
// imports (workflows/, domain/, @temporalio/workflow's API). The SDK deep-freezes what these modules
// export. What it requires of them (docs/operations.md, "Worker memory"): no module-level state that
// belongs to one workflow — a module-level `let`, or a collection a workflow adds its own data to, would
// leak between cases and break determinism. Module-level caches of pure functions (calendar.ts: time-zone
// formatters and day offsets) are fine, and now shared.
export const WORKFLOW_PRELOAD_MODULES = [WORKFLOWS_PATH];

// Workflow tasks a worker process takes at once (the SDK's default is 40). A workflow's clock is
// measured from when its task started, but its timer only runs from when the task completes; a task
// taken while many others wait for the one workflow thread completes late, so every timer it arms fires
// late. That is why this was 5 (p99 0.19 s instead of 0.32–0.36 s after a burst of new cases; bench/
// README.md, "Tuning"). But a task mostly waits rather than computes — the escalation's local activity
// writes to the database, a task's completion is a round trip to the server — and since every escalation
// also runs a notification-delivery workflow (three more tasks), 5 slots were the bottleneck: at 1,000
// open cases, 33 steps/s, tasks waited 35–84 s for a slot while the workers used half a core, and
// escalations fired p99 59–84 s late. With 20 the same run gave p99 7.0 s (bench/README.md,
// "escalation", 2026-12-01 evening).
export const WORKFLOW_TASK_SLOTS = 20;

// How long a workflow task may wait on this worker's own (sticky) queue before the server moves it to the
// shared queue (the SDK's default is 10 s). When thousands of SLA steps fall due at one instant, each
// worker's sticky queue holds more than 10 s of work: with 10 s the tasks not started by then went to the
// shared queue, where a worker has one poller of its five, and waited there ~55 s — the minute-long pause
// of every burst (bench/README.md, "burst"). Two minutes lets a burst of a few thousand steps drain where
// the workflows are cached. What it costs: when a worker process is killed outright, the tasks already
// waiting on its queue wait up to this long. Nothing else: a graceful stop hands the queue back at once
// (the SDK calls ShutdownWorker), and the server sends new tasks to the shared queue once a sticky queue
// has had no poll for 10 s.
export const STICKY_QUEUE_TIMEOUT = '2 minutes';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  notifier?: Notifier;
  /** Client the activities wake webhook dispatchers with (on this task queue); none: they rely on the sweep. */
  temporal?: Client;
  webhooks?: WebhookDispatchSettings;
  allowPrivateWebhookTargets?: boolean;
  parts?: PartsSettings;
  notifications?: NotificationSettings;
  /** Continue-as-new threshold of the quality issues the activities raise from failure clusters. */
  complaints?: { historyLimit?: number };
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxCachedWorkflows?: number;
  /** Workflow task slots (default WORKFLOW_TASK_SLOTS) and activity task slots (default the SDK's). */
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
  /** Tracing interceptors and sinks (observability/tracing.ts), when tracing is on. */
  tracing?: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Encrypts the payloads the worker sends (PAYLOAD_KEYS); give `temporal` the same one. */
  payloadCodec?: PayloadCodec;
  /** When a workflow thread counts as stuck (worker-threads.ts; default WORKFLOW_THREAD_STUCK_AFTER_MS). */
  workflowThreadWatch?: Partial<WorkflowThreadWatch>;
}

/**
 * What a worker process serves (WORKER_ROLE):
 * - `all` (the default): both task queues, so one process is a complete worker;
 * - `cases`: the cases' queue only — the workflows, the SLA timers and every other activity;
 * - `deliveries`: the deliveries' queue only, typically at a lower CPU priority (worker.ts, WORKER_NICE),
 *   so that sending mail and webhooks never delays a timer.
 * A deployment that runs `cases` processes needs at least one `deliveries` process, or nothing is sent.
 */
export type WorkerRole = 'all' | 'cases' | 'deliveries';
export const WORKER_ROLES: readonly WorkerRole[] = ['all', 'cases', 'deliveries'];

/** The Workers of one process, run and stopped together. */
export interface ShouhouWorker {
  readonly workers: readonly Worker[];
  /** Runs every Worker until shutdown (or SIGINT/SIGTERM); rejects if one fails. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createWorker(deps: WorkerDeps, role: WorkerRole = 'all'): Promise<ShouhouWorker> {
  const activities = createActivities({
    db: deps.db,
    notifier: deps.notifier ?? logNotifier,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    webhooks: deps.webhooks,
    allowPrivateWebhookTargets: deps.allowPrivateWebhookTargets,
    parts: deps.parts,
    notifications: deps.notifications,
    historyLimit: deps.complaints?.historyLimit,
  });
  const workers: Worker[] = [];
  if (role !== 'deliveries') workers.push(await casesWorker(deps, activities));
  if (role !== 'cases') {
    try {
      workers.push(
        await Worker.create({
          connection: deps.connection,
          namespace: deps.namespace,
          taskQueue: deliveriesTaskQueue(deps.taskQueue),
          // Activities only: the dispatcher workflows stay on the cases' queue with everything else.
          activities,
          dataConverter: dataConverterFor(deps.payloadCodec),
          ...(deps.maxConcurrentActivityTaskExecutions !== undefined
            ? { maxConcurrentActivityTaskExecutions: deps.maxConcurrentActivityTaskExecutions }
            : {}),
          ...(deps.tracing?.interceptors?.activity
            ? { interceptors: { activity: deps.tracing.interceptors.activity } }
            : {}),
        }),
      );
    } catch (err) {
      for (const w of workers) w.shutdown();
      throw err;
    }
  }
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    workers,
    async run() {
      const runs = workers.map((w) => w.run());
      try {
        await Promise.all(runs);
      } catch (err) {
        // One Worker failed: stop the other too, so the process ends instead of half-serving.
        shutdown();
        await Promise.allSettled(runs);
        throw err;
      }
    },
    shutdown,
  };
}

function casesWorker(deps: WorkerDeps, activities: ReturnType<typeof createActivities>): Promise<Worker> {
  // Workflow code runs without Node's timer thread on every entry into the sandbox, under a watch per
  // thread instead: those timer threads doubled a workflow task's time on the workflow thread
  // (worker-threads.ts, bench/README.md "sandbox").
  watchWorkflowThreads(deps.workflowThreadWatch);
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle
      ? { workflowBundle: deps.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
    activities,
    dataConverter: dataConverterFor(deps.payloadCodec),
    maxCachedWorkflows: deps.maxCachedWorkflows ?? 1000,
    maxConcurrentWorkflowTaskExecutions: deps.maxConcurrentWorkflowTaskExecutions ?? WORKFLOW_TASK_SLOTS,
    stickyQueueScheduleToStartTimeout: STICKY_QUEUE_TIMEOUT,
    ...(deps.maxConcurrentActivityTaskExecutions !== undefined
      ? { maxConcurrentActivityTaskExecutions: deps.maxConcurrentActivityTaskExecutions }
      : {}),
    ...deps.tracing,
  });
}

/**
 * Starts the notification sweeper unless it runs (every worker process asks; one runs). It starts the
 * delivery of notifications queued while Temporal could not be reached.
 */
export async function startNotificationSweeper(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.workflow.start(notificationSweeper, {
      workflowId: 'notification-sweeper',
      taskQueue,
      args: [{ intervalMs: 60_000, graceMs: 60_000 }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

export { NativeConnection };
