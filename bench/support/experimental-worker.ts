// For investigations only (`--experimental-worker`): the product worker (createWorker's activities and
// workflows) with extra Temporal WorkerOptions from BENCH_WORKER_OPTIONS (JSON), e.g.
// {"maxConcurrentWorkflowTaskPolls": 40}. It shows what an option would change before worker.ts exposes it;
// the benchmark's numbers come from worker.ts unless this flag is given (the results say which).
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { logNotifier } from '../../activities/notifier.js';
import { loadConfig } from '../../config.js';
import { connectDb } from '../../db/client.js';
import {
  NativeConnection,
  STICKY_QUEUE_TIMEOUT,
  WORKFLOW_TASK_SLOTS,
  WORKFLOWS_PATH,
} from '../../worker-factory.js';

const config = loadConfig();
const extra = JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as Record<string, unknown>;
const connection = await NativeConnection.connect({ address: config.temporal.address });
const dbHandle = connectDb(config.databaseUrl, { max: Number(process.env.WORKER_DB_POOL ?? 10) });
const worker = await Worker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  workflowsPath: WORKFLOWS_PATH,
  activities: createActivities({ db: dbHandle.db, notifier: logNotifier }),
  maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 1000),
  maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
  stickyQueueScheduleToStartTimeout: STICKY_QUEUE_TIMEOUT,
  ...extra,
});
console.log(
  `worker polling task queue "${config.temporal.taskQueue}" (experimental options ${JSON.stringify(extra)})`,
);
await worker.run();
await dbHandle.close();
await connection.close();
