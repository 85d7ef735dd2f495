// The worker process: runs case workflows and their activities until SIGINT/SIGTERM.
// Production runs the compiled build (`node dist/worker.js`), which loads the workflow bundle `npm run
// build` made; from source (tsx) it loads WORKFLOW_BUNDLE if given (npm start bundles once for all its
// workers), else bundles the workflows itself at start.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { ensureReorderSchedule } from './activities/parts/schedule.js';
import { dataConverterFor, payloadCodecFromEnv } from './codec/payload-codec.js';
import { loadConfig } from './config.js';
import { connectDb } from './db/client.js';
import { limitHeapGrowth, parseHeapGrowingPercent } from './observability/heap-growth.js';
import { logFormat, makeLineLogger, workerLogger } from './observability/logging.js';
import { lowerProcessPriority } from './observability/process-priority.js';
import { startTracing, workerTracingOptions } from './observability/tracing.js';
import { startWorkerMetricsServer } from './observability/worker-metrics.js';
import { freePort } from './scripts/process-helpers.mjs';
import {
  COMPILED,
  createWorker,
  NativeConnection,
  startNotificationSweeper,
  WORKER_ROLES,
  type WorkerRole,
} from './worker-factory.js';

const config = loadConfig();
const role = (process.env.WORKER_ROLE || 'all') as WorkerRole;
if (!WORKER_ROLES.includes(role)) {
  console.error(`WORKER_ROLE must be one of ${WORKER_ROLES.join(', ')}, got "${process.env.WORKER_ROLE}"`);
  process.exit(1);
}
// A deliveries process yields the CPU to the timers: sending mail and webhooks can wait a little, an
// escalation should not (WORKER_NICE, default 10 there and 0 elsewhere; docs/operations.md).
const niceRaw = process.env.WORKER_NICE || (role === 'deliveries' ? '10' : '0');
const nice = Number(niceRaw);
if (!Number.isInteger(nice) || nice < 0 || nice > 19) {
  console.error(`WORKER_NICE must be a whole number from 0 to 19, got "${niceRaw}"`);
  process.exit(1);
}
const priority = nice > 0 ? lowerProcessPriority(nice) : undefined;
// While a burst of escalations is worked off, a worker's heap grows by at most 30 % past what is alive
// instead of V8's up to 4× of mostly garbage (observability/heap-growth.ts; bench/README.md, "Memory").
let heapGrowingPercent: number | undefined;
try {
  heapGrowingPercent = parseHeapGrowingPercent(process.env.WORKER_HEAP_GROWING_PERCENT ?? '30');
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
if (heapGrowingPercent) limitHeapGrowth(heapGrowingPercent);
const format = logFormat();
const log = makeLineLogger(format);
const tracing = startTracing('shouhou-worker');

// The SDK's native core exports its metrics for Prometheus on an internal port; /metrics (below) serves
// them together with this process's own counters.
const metricsPortRaw = process.env.WORKER_METRICS_PORT ?? '9464';
const metricsOn = metricsPortRaw !== 'off';
const corePort = metricsOn ? await freePort() : undefined;
Runtime.install({
  logger: workerLogger(format, (process.env.LOG_LEVEL?.toUpperCase() as 'INFO' | undefined) ?? 'INFO'),
  telemetryOptions: corePort
    ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}`, useSecondsForDurations: true } } }
    : {},
});

/** Which prebuilt bundle this process loads, if any. */
function workflowBundlePath(): string | undefined {
  if (process.env.WORKFLOW_BUNDLE) return process.env.WORKFLOW_BUNDLE;
  if (!COMPILED) return undefined;
  const file = fileURLToPath(
    new URL(tracing ? './workflow-bundle-otel.js' : './workflow-bundle.js', import.meta.url),
  );
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  return file;
}

const payloadCodec = payloadCodecFromEnv();
if (!payloadCodec) {
  if (config.api.production) {
    console.error(
      'NODE_ENV=production and PAYLOAD_KEYS is empty: refusing to write customer data in plain text.',
    );
    process.exit(1);
  }
  console.warn('PAYLOAD_KEYS is not set: workflow payloads travel and are stored in plain text');
}
const connection = await NativeConnection.connect({ address: config.temporal.address });
// The activities' own client: it wakes webhook dispatchers after a transition commits.
const clientConnection = await Connection.connect({ address: config.temporal.address });
const temporal = new Client({
  connection: clientConnection,
  namespace: config.temporal.namespace,
  interceptors: tracing?.clientInterceptors,
  dataConverter: dataConverterFor(payloadCodec),
});
const dbHandle = connectDb(config.databaseUrl, { max: Number(process.env.WORKER_DB_POOL ?? 10) });
/** Optional non-negative integer from the environment (the SDK checks the range); unset keeps the default. */
const optionalInt = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
};
const bundle = role === 'deliveries' ? undefined : workflowBundlePath();
const worker = await createWorker(
  {
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db: dbHandle.db,
    temporal,
    webhooks: config.webhooks,
    allowPrivateWebhookTargets: config.allowPrivateWebhookTargets,
    parts: config.parts,
    workflowBundle: bundle ? { codePath: bundle } : undefined,
    notifications: config.notifications,
    complaints: { historyLimit: config.complaints.historyLimit },
    maxCachedWorkflows: optionalInt('WORKER_MAX_CACHED_WORKFLOWS'),
    maxConcurrentWorkflowTaskExecutions: optionalInt('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'),
    maxConcurrentActivityTaskExecutions: optionalInt('WORKER_MAX_CONCURRENT_ACTIVITIES'),
    workflowThreadWatch: { promiseStacks: process.env.WORKFLOW_STACK_TRACES === 'true' },
    tracing: tracing ? workerTracingOptions(tracing, { bundled: bundle !== undefined }) : undefined,
    payloadCodec,
  },
  role,
);
if (role !== 'deliveries') {
  await ensureReorderSchedule(temporal, config.temporal.taskQueue, config.parts.reorderIntervalMs);
  await startNotificationSweeper(temporal, config.temporal.taskQueue);
}
const metrics = metricsOn
  ? await startWorkerMetricsServer({
      host: process.env.WORKER_METRICS_HOST ?? '127.0.0.1',
      port: Number(metricsPortRaw),
      coreMetricsUrl: `http://127.0.0.1:${corePort}/metrics`,
    })
  : undefined;
log(
  'info',
  `worker polling ${worker.workers.map((w) => `"${w.options.taskQueue}"`).join(' and ')} on ${config.temporal.address}`,
  {
    role,
    ...(priority ? { nice: priority } : {}),
    ...(heapGrowingPercent ? { heapGrowingPercent } : {}),
    metrics: metrics
      ? `http://${process.env.WORKER_METRICS_HOST ?? '127.0.0.1'}:${metrics.port}/metrics`
      : 'off',
    bundle: role === 'deliveries' ? 'none (activities only)' : (bundle ?? 'built at start'),
    tracing: tracing ? 'on' : 'off',
  },
);
// Worker.run installs its own SIGINT/SIGTERM handling and drains in-flight tasks before returning.
await worker.run();
await metrics?.close();
await dbHandle.close();
await clientConnection.close();
await connection.close();
await tracing?.shutdown();
log('info', 'worker stopped');
