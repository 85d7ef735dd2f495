// Builds a Worker for the shouhou task queue. The worker process and the tests share it, so what is
// tested is what runs.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import { logNotifier, type Notifier } from './activities/notifier.js';
import type { Database } from './db/client.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  db: Database;
  notifier?: Notifier;
  /** A prebuilt bundle (tests build one per run); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxCachedWorkflows?: number;
}

export function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ db: deps.db, notifier: deps.notifier ?? logNotifier }),
    maxCachedWorkflows: deps.maxCachedWorkflows ?? 1000,
  });
}

export { NativeConnection };
