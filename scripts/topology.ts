// The production topology on one machine, without Docker (docker-compose.yml describes the same):
//
//   PostgreSQL      embedded (scripts/embedded-postgres.ts), databases temporal, temporal_visibility, shouhou
//   Temporal        the server built from its Go module (scripts/build-temporal-server.sh) on that Postgres,
//                   schema by temporal-sql-tool, TOPOLOGY_HISTORY_SHARDS history shards (default 8)
//   workers ×2      node dist/worker.js (the compiled build, loading the prebuilt workflow bundle)
//   APIs ×2         node dist/api/server.js, NODE_ENV=production
//
//   npm run build && bash scripts/build-temporal-server.sh    once
//   npm run topology                                          start; Ctrl-C stops everything
//
// State in .data/topology/ (git-ignored): Postgres data, logs of every process, the API keys. Ports (all
// on 127.0.0.1) from TOPOLOGY_PORT_BASE (default 7400): Temporal frontend +0, history +1, matching +2,
// worker service +3, membership +10…+13, Temporal metrics +20, Postgres +30, APIs +100 and +101, worker
// metrics +200 and +201.
//
// The chaos scenarios (bench/chaos.ts) drive the same topology through startTopology().
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { ROLES } from '../api/auth/roles.js';
import { newPayloadKey } from '../codec/payload-codec.js';
import { runMigrations } from '../db/migrate.js';
import { killGroup, REPO_ROOT, sleep, tail, tcpAnswers } from './process-helpers.mjs';
import { connectWhenReady, ensureNamespace, ensureSearchAttributes } from './setup-temporal.js';
import {
  DEFAULT_DELIVERY_WORKER_PROCESSES,
  PRODUCTION_CASE_WORKER_CACHE,
  WORKER_NODE_FLAGS,
  workerRoleOf,
} from './temporal-dev-flags.mjs';

const TOOLS = join(REPO_ROOT, '.tools');
const DIST = join(REPO_ROOT, 'dist');

/**
 * The first TypeScript source edited after the file dist/ compiled from it, if any: the topology runs the
 * compiled build, and a build older than the code would run (and measure) what the code no longer is.
 */
function newerSource(dir = DIST): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'dashboard') continue;
      const found = newerSource(path);
      if (found) return found;
    } else if (entry.name.endsWith('.js')) {
      const source = join(REPO_ROOT, relative(DIST, path)).replace(/\.js$/, '.ts');
      if (existsSync(source) && statSync(source).mtimeMs > statSync(path).mtimeMs)
        return relative(REPO_ROOT, source);
    }
  }
  return undefined;
}

export interface TopologyOptions {
  /** State directory (default .data/topology); Postgres data survive restarts there. */
  dir?: string;
  portBase?: number;
  historyShards?: number;
  workers?: number;
  /** Processes serving only the deliveries' task queue, at lower priority (default 1; 0: workers serve both). */
  deliveryWorkers?: number;
  apis?: number;
  /** Extra environment of the worker processes. */
  workerEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface Proc {
  name: string;
  child: ChildProcess;
  logFile: string;
  exit?: string;
  exited: Promise<void>;
}

export interface Topology {
  dir: string;
  databaseUrl: string;
  temporalAddress: string;
  apiUrls: string[];
  workerMetricsUrls: string[];
  /** One API key per role (NODE_ENV=production APIs need API_KEYS). */
  keys: Record<string, string>;
  procs: Map<string, Proc>;
  /** SIGKILL a process (no clean-up: what a crash does). */
  kill(name: string): Promise<void>;
  /** SIGTERM and wait. */
  stop(name: string): Promise<void>;
  /** Starts a stopped or killed process again (same name, same ports). */
  restart(name: string): Promise<void>;
  /** Stops everything: APIs, workers, Temporal, Postgres. */
  down(): Promise<void>;
}

/** Renders the Temporal server's configuration for this topology (a subset of its development-postgres12). */
function temporalConfig(o: {
  pgPort: number;
  portBase: number;
  shards: number;
  password: string;
  dynamicConfig: string;
}): string {
  const ds = (db: string, conns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "127.0.0.1:${o.pgPort}"
        connectProtocol: tcp
        user: postgres
        password: "${o.password}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const svc = (name: string, grpc: number, membership: number, extra = '') => `
  ${name}:
    rpc:
      grpcPort: ${o.portBase + grpc}
      membershipPort: ${o.portBase + membership}
      bindOnLocalHost: true${extra}`;
  return `# Rendered by scripts/topology.ts
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${o.shards}
  datastores:
    default:${ds('temporal', 20)}
    visibility:${ds('temporal_visibility', 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:${o.portBase + 20}"
services:${svc('frontend', 0, 10)}${svc('history', 1, 11)}${svc('matching', 2, 12)}${svc('worker', 3, 13)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${o.portBase}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${o.dynamicConfig}"
  pollInterval: 10s
`;
}

// Eager activities as on the dev server (scripts/temporal-dev-flags.mjs); search attributes beyond the
// default few per type are allowed on SQL visibility.
const DYNAMIC_CONFIG = `system.enableActivityEagerExecution:
  - value: true
frontend.namespaceRPS:
  - value: 4800
`;

export async function startTopology(opts: TopologyOptions = {}): Promise<Topology> {
  const log = opts.log ?? ((l: string) => console.log(`[topology] ${l}`));
  const dir = opts.dir ?? join(REPO_ROOT, '.data/topology');
  const portBase = opts.portBase ?? Number(process.env.TOPOLOGY_PORT_BASE ?? 7400);
  const shards = opts.historyShards ?? Number(process.env.TOPOLOGY_HISTORY_SHARDS ?? 8);
  const workerCount = opts.workers ?? 2;
  const deliveryCount = opts.deliveryWorkers ?? DEFAULT_DELIVERY_WORKER_PROCESSES;
  const apiCount = opts.apis ?? 2;
  for (const [file, how] of [
    [join(TOOLS, 'bin/temporal-server'), 'bash scripts/build-temporal-server.sh'],
    [join(TOOLS, 'bin/temporal-sql-tool'), 'bash scripts/build-temporal-server.sh'],
    [join(DIST, 'worker.js'), 'npm run build'],
  ] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing — run: ${how}`);
  }
  const stale = newerSource();
  if (stale) throw new Error(`${stale} changed after the build in dist/ — run: npm run build`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  // Run as root, PostgreSQL runs as the user `postgres`, which must reach its data directory.
  chmodSync(dir, 0o755);

  const procs = new Map<string, Proc>();
  const specs = new Map<string, () => Proc>();
  const launch = (name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Proc => {
    const logFile = join(dir, 'logs', `${name}.log`);
    const out = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc: Proc = { name, child, logFile, exited: Promise.resolve() };
    proc.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        proc.exit = signal ? `killed by ${signal}` : `exited with code ${code}`;
        setTimeout(() => out.end(), 100);
        done();
      });
      child.once('error', (err) => {
        proc.exit = `could not start: ${err.message}`;
        done();
      });
    });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    procs.set(name, proc);
    return proc;
  };
  const define = (name: string, make: () => Proc) => {
    specs.set(name, make);
    return make();
  };
  const waitUntil = async (
    proc: Proc,
    ready: () => Promise<boolean> | boolean,
    what: string,
    ms = 180_000,
  ) => {
    const deadline = Date.now() + ms;
    while (!(await ready())) {
      if (proc.exit) throw new Error(`${proc.name} ${proc.exit} before ${what}; log:\n${tail(proc.logFile)}`);
      if (Date.now() > deadline)
        throw new Error(`${proc.name}: no ${what} after ${ms} ms; log:\n${tail(proc.logFile)}`);
      await sleep(200);
    }
  };
  const stopProc = async (proc: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000) => {
    if (!proc || proc.exit) return;
    killGroup(proc.child, signal);
    const timer = setTimeout(() => killGroup(proc.child, 'SIGKILL'), graceMs);
    await proc.exited;
    clearTimeout(timer);
  };
  const lineSeen = (proc: Proc, pattern: RegExp) => {
    let seen = false;
    for (const stream of [proc.child.stdout, proc.child.stderr])
      if (stream) createInterface({ input: stream }).on('line', (l) => (seen ||= pattern.test(l)));
    return () => seen;
  };

  const down = async () => {
    const order = ['api', 'worker', 'deliveries', 'temporal', 'postgres'];
    for (const role of order)
      await Promise.all([...procs.values()].filter((p) => p.name.startsWith(role)).map((p) => stopProc(p)));
  };

  try {
    // ---- PostgreSQL
    const pgPort = portBase + 30;
    const pgPassword = 'postgres';
    let pgReady: () => boolean = () => false;
    const startPostgres = () => {
      const p = launch(
        'postgres',
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'scripts/embedded-postgres.ts')],
        {
          ...process.env,
          EMBEDDED_PG_DATA_DIR: join(dir, 'postgres'),
          EMBEDDED_PG_PORT: String(pgPort),
        },
      );
      pgReady = lineSeen(p, /^ready /);
      return p;
    };
    const pg = define('postgres', startPostgres);
    await waitUntil(pg, () => pgReady(), 'ready line');
    const adminUrl = `postgres://postgres:${pgPassword}@127.0.0.1:${pgPort}/postgres`;
    const databaseUrl = `postgres://postgres:${pgPassword}@127.0.0.1:${pgPort}/shouhou`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    const have = new Set((await admin`select datname from pg_database`).map((r) => r.datname as string));
    if (!have.has('shouhou')) await admin.unsafe('create database shouhou');
    await admin.end();
    log(`postgres on 127.0.0.1:${pgPort} (data ${join(dir, 'postgres')})`);

    // ---- Temporal schema (idempotent: setup-schema at 0.0 only once, update-schema to the newest)
    const sqlTool = (db: string, ...args: string[]) => {
      const res = spawnSync(
        join(TOOLS, 'bin/temporal-sql-tool'),
        [
          '--plugin',
          'postgres12',
          '--ep',
          '127.0.0.1',
          '-p',
          String(pgPort),
          '-u',
          'postgres',
          '--pw',
          pgPassword,
          '--db',
          db,
          ...args,
        ],
        { encoding: 'utf8' },
      );
      if (res.status !== 0)
        throw new Error(`temporal-sql-tool ${args.join(' ')} on ${db}: ${res.stderr || res.stdout}`);
    };
    for (const [db, schema] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      if (!have.has(db)) {
        sqlTool(db, 'create-database');
        sqlTool(db, 'setup-schema', '-v', '0.0');
      }
      sqlTool(db, 'update-schema', '-d', join(TOOLS, 'temporal-schema', schema, 'versioned'));
    }
    log(`temporal schema up to date (temporal, temporal_visibility; ${shards} history shards)`);

    // ---- Temporal server
    const tdir = join(dir, 'temporal');
    mkdirSync(join(tdir, 'config'), { recursive: true });
    writeFileSync(
      join(tdir, 'config', 'production.yaml'),
      temporalConfig({
        pgPort,
        portBase,
        shards,
        password: pgPassword,
        dynamicConfig: join(tdir, 'dynamicconfig.yaml'),
      }),
    );
    writeFileSync(join(tdir, 'dynamicconfig.yaml'), DYNAMIC_CONFIG);
    const temporalAddress = `127.0.0.1:${portBase}`;
    const startTemporal = () =>
      launch(
        'temporal',
        join(TOOLS, 'bin/temporal-server'),
        ['--root', tdir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
        { ...process.env, GOGC: process.env.GOGC ?? '400' },
      );
    const temporal = define('temporal', startTemporal);
    await waitUntil(temporal, () => tcpAnswers(portBase), 'frontend port');
    await ensureNamespace(temporalAddress, 'default');
    const connection = await connectWhenReady(temporalAddress, 'default', { timeoutMs: 120_000 });
    await ensureSearchAttributes(connection, 'default', { timeoutMs: 120_000 });
    await connection.close();
    log(`temporal server on ${temporalAddress}, search attributes registered`);

    // ---- shouhou
    await runMigrations(databaseUrl);
    const keysFile = join(dir, 'api-keys.json');
    const keys: Record<string, string> = existsSync(keysFile)
      ? JSON.parse(readFileSync(keysFile, 'utf8'))
      : Object.fromEntries(
          ROLES.map((role) => [
            role,
            `shk_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64url')}`,
          ]),
        );
    writeFileSync(keysFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
    // NODE_ENV=production refuses to write customer data to Temporal in plain text: one payload key for the
    // topology's life, kept beside the API keys so its histories stay readable across restarts.
    const payloadKeyFile = join(dir, 'payload-keys');
    const payloadKeys =
      process.env.PAYLOAD_KEYS ||
      (existsSync(payloadKeyFile) ? readFileSync(payloadKeyFile, 'utf8').trim() : newPayloadKey('topology'));
    writeFileSync(payloadKeyFile, `${payloadKeys}\n`, { mode: 0o600 });
    const appEnv = {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'shouhou',
      API_KEYS: Object.entries(keys)
        .map(([role, key]) => `${key}=${role}:ops-${role}`)
        .join(','),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? 'true',
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'json',
      PAYLOAD_KEYS: payloadKeys,
    };
    const workerMetricsUrls: string[] = [];
    const readiness: Promise<void>[] = [];
    for (let i = 1; i <= workerCount + deliveryCount; i++) {
      // Case workers first, then the delivery workers (worker-factory.ts, WORKER_ROLE).
      const delivery = i > workerCount;
      const name = delivery ? `deliveries-${i - workerCount}` : `worker-${i}`;
      const port = portBase + 200 + i - 1;
      workerMetricsUrls.push(`http://127.0.0.1:${port}/metrics`);
      let polling: () => boolean = () => false;
      const proc = define(name, () => {
        const p = launch(name, process.execPath, [...WORKER_NODE_FLAGS, join(DIST, 'worker.js')], {
          ...appEnv,
          WORKER_METRICS_PORT: String(port),
          WORKER_MAX_CACHED_WORKFLOWS:
            process.env.WORKER_MAX_CACHED_WORKFLOWS ?? String(PRODUCTION_CASE_WORKER_CACHE),
          ...opts.workerEnv,
          WORKER_ROLE: workerRoleOf(delivery, deliveryCount),
        });
        polling = lineSeen(p, /worker polling/);
        return p;
      });
      readiness.push(waitUntil(proc, () => polling(), '"worker polling" line'));
    }
    const apiUrls: string[] = [];
    for (let i = 1; i <= apiCount; i++) {
      const name = `api-${i}`;
      const port = portBase + 100 + i - 1;
      apiUrls.push(`http://127.0.0.1:${port}`);
      const proc = define(name, () =>
        launch(name, process.execPath, [join(DIST, 'api/server.js')], {
          ...appEnv,
          HOST: '127.0.0.1',
          PORT: String(port),
        }),
      );
      readiness.push(waitUntil(proc, () => tcpAnswers(port), 'API port'));
    }
    await Promise.all(readiness);
    log(`${workerCount} workers, ${deliveryCount} delivery workers and ${apiCount} APIs up`);

    // Readiness checks after a restart, by process kind.
    const readyAgain = async (name: string, proc: Proc) => {
      if (name === 'postgres') await waitUntil(proc, () => pgReady(), 'ready line');
      else if (name === 'temporal') {
        await waitUntil(proc, () => tcpAnswers(portBase), 'frontend port');
        (await connectWhenReady(temporalAddress, 'default', { timeoutMs: 120_000 })).close();
      } else if (name.startsWith('api')) {
        const port = Number(new URL(apiUrls[Number(name.split('-')[1]) - 1]!).port);
        await waitUntil(proc, () => tcpAnswers(port), 'API port');
      } else {
        const seen = lineSeen(proc, /worker polling/);
        await waitUntil(proc, seen, '"worker polling" line');
      }
    };
    return {
      dir,
      databaseUrl,
      temporalAddress,
      apiUrls,
      workerMetricsUrls,
      keys,
      procs,
      kill: (name) => stopProc(procs.get(name), 'SIGKILL'),
      stop: (name) => stopProc(procs.get(name)),
      async restart(name) {
        await stopProc(procs.get(name));
        const make = specs.get(name);
        if (!make) throw new Error(`no process ${name}`);
        await readyAgain(name, make());
      },
      down,
    };
  } catch (err) {
    await down();
    throw err;
  }
}

// CLI: start, print where everything is, stop on Ctrl-C / SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let topology: Topology | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('[topology] stopping: APIs, workers, Temporal, Postgres');
    await topology?.down();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    topology = await startTopology();
    console.log(
      [
        '[topology] running — Ctrl-C stops everything',
        `    APIs            ${topology.apiUrls.join('  ')}   (/health, /metrics, /docs)`,
        `    worker metrics  ${topology.workerMetricsUrls.join('  ')}`,
        `    Temporal        ${topology.temporalAddress}   (server on Postgres; logs ${join(topology.dir, 'logs')})`,
        `    Postgres        ${topology.databaseUrl}`,
        `    API keys        ${join(topology.dir, 'api-keys.json')}`,
      ].join('\n'),
    );
    // A process that dies on its own takes the topology down (as npm start does).
    await Promise.race([...topology.procs.values()].map((p) => p.exited.then(() => p)));
    if (!stopping) {
      const dead = [...topology.procs.values()].find((p) => p.exit);
      console.error(`[topology] ${dead?.name} ${dead?.exit}; last lines:\n${dead ? tail(dead.logFile) : ''}`);
      await stopAll(1);
    }
  } catch (err) {
    console.error(`[topology] ${(err as Error).stack ?? err}`);
    process.exit(1);
  }
}
