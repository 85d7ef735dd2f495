// The baseline's worker process (bench/burst.ts): one process, the SDK's default worker options, its own
// task queue (BASELINE_TASK_QUEUE), and its own bundle of workflows.ts — nothing of the product's worker.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import postgres from 'postgres';
import { baselineActivities } from './activities.js';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const sql = postgres(env('DATABASE_URL'), { max: 10, onnotice: () => {} });
const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await Worker.create({
  connection,
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  taskQueue: env('BASELINE_TASK_QUEUE'),
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities: baselineActivities(sql),
});
console.log(`baseline worker polling task queue "${env('BASELINE_TASK_QUEUE')}"`);
await worker.run();
await sql.end({ timeout: 5 });
await connection.close();
