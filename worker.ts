// The worker process: runs case workflows and their activities until SIGINT/SIGTERM.
import { loadConfig } from './config.js';
import { connectDb } from './db/client.js';
import { createWorker, NativeConnection } from './worker-factory.js';

const config = loadConfig();
const connection = await NativeConnection.connect({ address: config.temporal.address });
const dbHandle = connectDb(config.databaseUrl, { max: Number(process.env.WORKER_DB_POOL ?? 10) });
const worker = await createWorker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  db: dbHandle.db,
});
console.log(`worker polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
// Worker.run installs its own SIGINT/SIGTERM handling and drains in-flight tasks before returning.
await worker.run();
await dbHandle.close();
await connection.close();
console.log('worker stopped');
