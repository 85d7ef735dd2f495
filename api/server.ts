// The API process. Production: node dist/api/server.js (npm run build); from source: node --import tsx api/server.ts
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor, payloadCodecFromEnv } from '../codec/payload-codec.js';
import { loadConfig } from '../config.js';
import { connectDb } from '../db/client.js';
import { logFormat, prettyPinoStream } from '../observability/logging.js';
import { startTracing } from '../observability/tracing.js';
import { buildApp } from './app.js';
import { type BootstrapKey, parseBootstrapKeys } from './auth/keys.js';
import { DEFAULT_DASHBOARD_ROOT } from './dashboard.js';

const config = loadConfig();
let bootstrapKeys: BootstrapKey[];
try {
  bootstrapKeys = parseBootstrapKeys(config.api.apiKeys);
} catch (err) {
  console.error(`API_KEYS: ${(err as Error).message}`);
  process.exit(1);
}
if (config.api.production && bootstrapKeys.length === 0) {
  console.error(
    'NODE_ENV=production and API_KEYS is empty: refusing to start an API nobody can be authorised on.',
  );
  process.exit(1);
}
const tracing = startTracing('shouhou-api');
const format = logFormat();
const payloadCodec = payloadCodecFromEnv();
if (!payloadCodec && config.api.production) {
  console.error(
    'NODE_ENV=production and PAYLOAD_KEYS is empty: refusing to write customer data in plain text.',
  );
  process.exit(1);
}
const dbHandle = connectDb(config.databaseUrl, { max: Number(process.env.API_DB_POOL ?? 10) });
const connection = await Connection.connect({ address: config.temporal.address });
const temporal = new Client({
  connection,
  namespace: config.temporal.namespace,
  interceptors: tracing?.clientInterceptors,
  dataConverter: dataConverterFor(payloadCodec),
});
const app = await buildApp({
  db: dbHandle.db,
  temporal,
  taskQueue: config.temporal.taskQueue,
  timing: config.timing,
  webhooks: config.webhooks,
  parts: config.parts,
  complaints: config.complaints,
  bodyLimitBytes: config.api.bodyLimitBytes,
  bootstrapKeys,
  rateLimitPerMinute: config.api.rateLimitPerMinute,
  authFailures: config.api.authFailures,
  stepTimeoutMs: config.api.stepTimeoutMs,
  intakeMaxBackdateMs: config.api.intakeMaxBackdateMs,
  caseAccess: { engineerCaseScope: config.api.engineerCaseScope },
  trustProxy: config.api.trustProxy,
  // JSON lines with the request id (reqId) by default; LOG_FORMAT=pretty (npm start) one readable line each.
  logger: {
    level: process.env.LOG_LEVEL ?? 'info',
    ...(format === 'pretty' ? { stream: prettyPinoStream() } : {}),
  },
  traceRequests: tracing !== undefined,
  payloadCodec,
  ...(config.api.codecCorsOrigins ? { codecCorsOrigins: config.api.codecCorsOrigins } : {}),
  eventStream: config.api.eventStream,
  dashboard: { root: config.api.dashboardDir ?? DEFAULT_DASHBOARD_ROOT },
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info(`${signal}: shutting down`);
  await app.close();
  await connection.close();
  await dbHandle.close();
  await tracing?.shutdown();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

await app.listen({ host: config.api.host, port: config.api.port });
