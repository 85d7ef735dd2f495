// The worker process: runs case workflows and their activities until SIGINT/SIGTERM.
import { Client, Connection } from '@temporalio/client';
import { ensureReorderSchedule } from './activities/parts/schedule.js';
import { loadConfig } from './config.js';
import { connectDb } from './db/client.js';
import { createWorker, NativeConnection } from './worker-factory.js';

const config = loadConfig();
const connection = await NativeConnection.connect({ address: config.temporal.address });
// The activities' own client: it wakes webhook dispatchers after a transition commits.
const clientConnection = await Connection.connect({ address: config.temporal.address });
const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
const dbHandle = connectDb(config.databaseUrl, { max: Number(process.env.WORKER_DB_POOL ?? 10) });
/** Optional non-negative integer from the environment (the SDK checks the range); unset keeps the default. */
const optionalInt = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
};
const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  db: dbHandle.db,
  temporal,
  webhooks: config.webhooks,
  allowPrivateWebhookTargets: config.allowPrivateWebhookTargets,
  parts: config.parts,
  maxCachedWorkflows: optionalInt('WORKER_MAX_CACHED_WORKFLOWS'),
  maxConcurrentWorkflowTaskExecutions: optionalInt('WORKER_MAX_CONCURRENT_WORKFLOW_TASKS'),
  maxConcurrentActivityTaskExecutions: optionalInt('WORKER_MAX_CONCURRENT_ACTIVITIES'),
});
await ensureReorderSchedule(temporal, config.temporal.taskQueue, config.parts.reorderIntervalMs);
console.log(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
// Worker.run installs its own SIGINT/SIGTERM handling and drains in-flight tasks before returning.
await worker.run();
await dbHandle.close();
await clientConnection.close();
await connection.close();
console.log('worker stopped');
