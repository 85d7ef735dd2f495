// Temporal helpers for development, tests and `npm start`:
//  - ensureSearchAttributes(): registers the custom search attributes the workflows use;
//  - startDevServer(): runs `temporal server start-dev` as a child process and waits until it answers.
//
// CLI: `node --import tsx scripts/setup-temporal.ts` waits for the Temporal server at TEMPORAL_ADDRESS
// (TEMPORAL_NAMESPACE) to answer and registers the search attributes there.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import Long from 'long';
import { loadConfig } from '../config.js';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';
import { assertPortFree, sleep } from './process-helpers.mjs';

/** temporal.api.enums.v1.IndexedValueType, by SDK search attribute type. */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};
const TYPE_NAME: Record<number, string> = Object.fromEntries(
  Object.entries(INDEXED_VALUE_TYPE).map(([name, n]) => [n, name]),
);

/** gRPC status codes used below. */
const GRPC_ALREADY_EXISTS = 6;

/** A list-filter clause that is only valid once the server knows the attribute. */
function probeClause(name: string, type: SearchAttributeType): string {
  switch (type) {
    case 'BOOL':
      return `${name} = true`;
    case 'INT':
    case 'DOUBLE':
      return `${name} = 0`;
    case 'DATETIME':
      return `${name} = '2000-01-01T00:00:00Z'`;
    default:
      return `${name} = '__probe__'`;
  }
}

/**
 * Registers every key of ALL_SEARCH_ATTRIBUTES on `namespace` (only the missing ones; "already exists" is
 * fine) and waits until the server accepts them in list filters. Throws if a key exists with another type.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  const listCustom = async (): Promise<Record<string, number>> => {
    const res = await connection.operatorService.listSearchAttributes({ namespace });
    return (res.customAttributes ?? {}) as Record<string, number>;
  };

  const existing = await listCustom();
  const missing: Record<string, number> = {};
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    const wanted = INDEXED_VALUE_TYPE[key.type];
    const have = existing[key.name];
    if (have === undefined) missing[key.name] = wanted;
    else if (have !== wanted) {
      throw new Error(
        `search attribute ${key.name} already exists in namespace "${namespace}" with type ` +
          `${TYPE_NAME[have] ?? have}, but the workflows need ${key.type}`,
      );
    }
  }

  if (Object.keys(missing).length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Someone else (another test worker, another process) registered them in the meantime.
      if (!(isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS)) throw err;
    }
  }

  // Wait until the attributes are listed AND usable in visibility queries (the frontend's namespace
  // cache may lag behind the registry for a moment).
  const query = ALL_SEARCH_ATTRIBUTES.map((k) => probeClause(k.name, k.type)).join(' OR ');
  const deadline = Date.now() + timeoutMs;
  let lastProblem = '';
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      const now = await listCustom();
      const absent = ALL_SEARCH_ATTRIBUTES.filter((k) => now[k.name] === undefined).map((k) => k.name);
      if (absent.length === 0) {
        await connection.workflowService.countWorkflowExecutions({ namespace, query });
        return;
      }
      lastProblem = `not listed yet: ${absent.join(', ')}`;
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `search attributes not usable in namespace "${namespace}" after ${timeoutMs} ms: ${lastProblem}`,
      );
    }
    await sleep(delay);
  }
}

/**
 * Connects to a Temporal server, retrying until it answers and `namespace` exists (a freshly started server
 * registers its namespaces a moment after it opens its port).
 */
export async function connectWhenReady(
  address: string,
  namespace = 'default',
  { timeoutMs = 60_000, isDead }: { timeoutMs?: number; isDead?: () => string | undefined } = {},
): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const dead = isDead?.();
    if (dead) throw new Error(dead);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.withDeadline(Date.now() + 2_000, () =>
        connection!.workflowService.describeNamespace({ namespace }),
      );
      return connection;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      await connection?.close().catch(() => {});
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Temporal at ${address} (namespace "${namespace}") not ready after ${timeoutMs} ms: ${lastError}`,
      );
    }
    await sleep(200);
  }
}

export interface DevServerOptions {
  /** Path of the `temporal` CLI binary (see scripts/ensure-temporal-cli.sh). */
  cliPath: string;
  /** Frontend gRPC port. */
  port: number;
  /** Web UI port. */
  uiPort: number;
  /** SQLite file for persistent state; undefined → in-memory (lost when the server stops). */
  dbFile?: string;
  /** Namespace to create at launch besides "default". */
  namespace?: string;
  /** File that receives the server's output; undefined → kept in memory for error messages only. */
  log?: string;
  /** How long to wait for the server to answer (default 60 s). */
  readyTimeoutMs?: number;
}

export interface DevServer {
  /** host:port of the frontend, for Connection.connect / TEMPORAL_ADDRESS. */
  address: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>;
}

const TAIL_BYTES = 4_000;

/** Starts `temporal server start-dev` and resolves once it answers gRPC calls. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${opts.port}`;
  await assertPortFree(opts.port, '127.0.0.1', 'Temporal gRPC', 'another Temporal server still running?');
  await assertPortFree(opts.uiPort, '127.0.0.1', 'Temporal UI', 'another Temporal server still running?');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);

  // Output goes either to the log file (appended) or to an in-memory tail.
  let memoryTail = '';
  let logFd: number | undefined;
  let logStart = 0;
  if (opts.log) {
    logFd = openSync(opts.log, 'a');
    logStart = statSync(opts.log).size;
  }
  const child: ChildProcess = spawn(opts.cliPath, args, {
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd); // the child has its own copy
  const keepTail = (chunk: Buffer) => {
    memoryTail = (memoryTail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const logTail = (): string => {
    if (!opts.log) return memoryTail;
    try {
      const text = readFileSync(opts.log, 'utf8');
      return text.slice(Math.max(logStart, text.length - TAIL_BYTES));
    } catch {
      return '';
    }
  };

  let exitInfo: string | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      spawnError = err;
      exitInfo = `failed to start: ${err.message}`;
      resolve();
    });
  });
  // Never leave an orphaned server behind if our own process ends without calling stop().
  const killOnExit = () => {
    if (exitInfo === undefined) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
    })();
    return stopping;
  };

  await new Promise<void>((resolve) => {
    child.once('spawn', resolve);
    child.once('error', () => resolve());
  });
  try {
    const deathMessage = () =>
      exitInfo === undefined
        ? undefined
        : `temporal dev server ${spawnError ? '' : 'exited early, '}${exitInfo}`;
    const ready = connectWhenReady(address, opts.namespace ?? 'default', {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      isDead: deathMessage,
    });
    // Fail as soon as the process dies instead of after the current connection attempt.
    const died = exited.then(() => {
      throw new Error(deathMessage());
    });
    ready.then((c) => c.close()).catch(() => {});
    died.catch(() => {});
    await Promise.race([ready, died]);
  } catch (err) {
    await stop();
    const message = err instanceof Error ? err.message : String(err);
    const tail = logTail().trim();
    throw new Error(
      `${message}\n  command: ${opts.cliPath} ${args.join(' ')}` +
        (tail ? `\n  last output${opts.log ? ` (${opts.log})` : ''}:\n${tail}` : ''),
    );
  }
  return { address, stop };
}

/**
 * Registers `namespace` on a server that does not have it yet (a full Temporal server starts with none;
 * the dev server and auto-setup create "default" themselves). Waits until the server answers first.
 */
export async function ensureNamespace(
  address: string,
  namespace: string,
  { retentionDays = 7, timeoutMs = 120_000 }: { retentionDays?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 2_000 });
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(retentionDays * 24 * 3600) },
      });
      return;
    } catch (err) {
      if (isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS) return;
      if (Date.now() > deadline) throw err;
    } finally {
      await connection?.close().catch(() => {});
    }
    await sleep(500);
  }
}

// CLI entry: register the namespace (TEMPORAL_CREATE_NAMESPACE=true) and the search attributes on the
// configured server.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { temporal } = loadConfig(process.env);
  const timeoutMs = Number(process.env.TEMPORAL_READY_TIMEOUT_MS ?? 60_000);
  try {
    if (process.env.TEMPORAL_CREATE_NAMESPACE === 'true')
      await ensureNamespace(temporal.address, temporal.namespace, { timeoutMs });
    const connection = await connectWhenReady(temporal.address, temporal.namespace, { timeoutMs });
    await ensureSearchAttributes(connection, temporal.namespace);
    await connection.close();
    console.log(
      `search attributes ready on ${temporal.address} (namespace ${temporal.namespace}): ` +
        ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}:${k.type}`).join(', '),
    );
  } catch (err) {
    console.error(`setup-temporal: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
