// Embedded Postgres for development: PGlite (Postgres compiled to WASM, data in .data/pglite) served over
// the Postgres wire protocol on 127.0.0.1:$PGLITE_PORT, so the worker and the API — separate processes —
// can both use it through an ordinary Postgres client (postgres.js, drizzle, psql).
//
//   node --import tsx scripts/pglite-server.ts      → prints "ready postgres://…" once it accepts clients
//
// Why not PGLiteSocketServer from @electric-sql/pglite-socket? PGlite is ONE Postgres backend. That server
// accepts several connections but interleaves them message by message; only explicit BEGIN…COMMIT blocks
// are kept together. Extended-protocol sequences (Parse/Bind/Execute/Sync, which postgres.js uses for every
// parameterised query) from two connections then run into each other's unnamed portal and fail with
// 'portal "" does not exist' or worse — even with a pool of one connection per process, as soon as two
// processes are busy at once. So this server multiplexes at the right boundary instead: a connection owns
// the backend from its first message until the backend reports ReadyForQuery with status Idle (i.e. after
// Sync / a simple query, outside any transaction). Other connections wait their turn (FIFO). Any number of
// connections and any client pool size work; statements simply run one at a time, as with any PGlite.
//
// Consequences worth knowing:
//  - One transaction at a time: a connection that opens a transaction and then waits for ANOTHER
//    connection (e.g. code inside `sql.begin()` awaiting a query on the outer pool) waits forever — so an
//    owner that is idle inside a transaction for PGLITE_IDLE_IN_TX_TIMEOUT_MS (default 60 s) is
//    disconnected and rolled back, like Postgres's idle_in_transaction_session_timeout.
//  - Session state (SET, temp tables, LISTEN, prepared-statement names) is shared by all connections;
//    clients must use unique statement names (postgres.js does: random per connection). Statements a
//    connection prepared are deallocated when it disconnects.
//  - No authentication (any user/password is accepted), no TLS, no cancel requests; one database.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const MAX_MESSAGE = 256 * 1024 * 1024;

const READY_FOR_QUERY = 0x5a; // 'Z'
const COPY_IN_RESPONSE = 0x47; // 'G'
const STATUS_IDLE = 0x49; // 'I'

/** Frontend message builders. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
const SYNC = message('S', Buffer.alloc(0));
const COPY_FAIL = message('f', cstr('client disconnected'));
const ROLLBACK = message('Q', cstr('ROLLBACK'));
const closeStatement = (name: string) => message('C', Buffer.concat([Buffer.from('S'), cstr(name)]));

/** Backend ErrorResponse (FATAL) for the few errors this server reports itself. */
function fatal(code: string, text: string): Buffer {
  return message(
    'E',
    Buffer.concat([
      Buffer.from('S'),
      cstr('FATAL'),
      Buffer.from('V'),
      cstr('FATAL'),
      Buffer.from('C'),
      cstr(code),
      Buffer.from('M'),
      cstr(text),
      Buffer.from([0]),
    ]),
  );
}

interface Output {
  data: Buffer;
  /** Status byte of the last ReadyForQuery in the output, if any. */
  status?: number;
  /** The output switched the connection into COPY FROM STDIN mode (and did not leave it). */
  copyIn: boolean;
}

function scanOutput(data: Buffer, wasCopyIn: boolean): Output {
  let status: number | undefined;
  let copyIn = wasCopyIn;
  let off = 0;
  while (off + 5 <= data.length) {
    const type = data[off];
    const len = data.readInt32BE(off + 1);
    if (type === READY_FOR_QUERY && len === 5 && off + 5 < data.length) {
      status = data[off + 5];
      copyIn = false;
    } else if (type === COPY_IN_RESPONSE) {
      copyIn = true;
    }
    off += 1 + len;
  }
  return { data, status, copyIn };
}

class Session {
  static nextId = 1;
  readonly id = Session.nextId++;
  buffer: Buffer = Buffer.alloc(0);
  startedUp = false;
  closed = false;
  copyIn = false;
  /** Named prepared statements this connection created (deallocated when it leaves). */
  readonly statements = new Set<string>();
  /** Sequential work of this connection: messages in order, then the cleanup. */
  chain: Promise<void> = Promise.resolve();

  constructor(readonly socket: Socket) {}

  write(data: Buffer | Uint8Array): void {
    if (!this.closed && data.length > 0 && this.socket.writable) this.socket.write(data);
  }
}

export interface PgliteServerOptions {
  /** PGlite data directory; undefined → in-memory. */
  dataDir?: string;
  host?: string;
  /** 0 → a free port. */
  port?: number;
  /** Disconnect a connection idle inside a transaction for this long while holding the backend (0 = never). */
  idleInTransactionTimeoutMs?: number;
  /** Diagnostics (connection errors, timeouts). */
  log?: (line: string) => void;
}

export interface PgliteServer {
  readonly db: PGlite;
  readonly host: string;
  readonly port: number;
  /** postgres://postgres@host:port/postgres */
  readonly url: string;
  /** Closes all connections (rolling back their open transactions), then PGlite (flushing its data). */
  stop(): Promise<void>;
}

function portInUse(host: string, port: number): Error {
  return new Error(`port ${host}:${port} is already in use (another pglite server or Postgres?)`);
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolveFree, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? portInUse(host, port) : err),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolveFree()));
  });
}

export async function startPgliteServer(opts: PgliteServerOptions = {}): Promise<PgliteServer> {
  const host = opts.host ?? '127.0.0.1';
  const idleTimeoutMs = opts.idleInTransactionTimeoutMs ?? 60_000;
  const log = opts.log ?? ((line: string) => console.error(line));

  // Fail on a busy port before the (slow) PGlite start, not after it.
  if (opts.port) await assertPortFree(host, opts.port);
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir ? { dataDir: opts.dataDir } : {});

  // ---- the one backend, owned by one session at a time -------------------------------------------------
  let owner: Session | undefined;
  const waiting: Array<{ session: Session; grant: () => void }> = [];
  let idleTimer: NodeJS.Timeout | undefined;

  const acquire = (session: Session): Promise<void> => {
    if (owner === session) return Promise.resolve();
    if (owner === undefined) {
      owner = session;
      return Promise.resolve();
    }
    return new Promise((grant) => waiting.push({ session, grant }));
  };
  const release = (session: Session): void => {
    if (owner !== session) return;
    clearTimeout(idleTimer);
    idleTimer = undefined;
    const next = waiting.shift();
    owner = next?.session;
    next?.grant();
  };
  const armIdleTimer = (session: Session): void => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (idleTimeoutMs <= 0 || session.closed) return;
    idleTimer = setTimeout(() => {
      if (owner !== session || session.closed) return;
      log(
        `[pglite] connection #${session.id} idle in transaction for ${idleTimeoutMs} ms ` +
          `(${waiting.length} connection(s) waiting); disconnecting it and rolling back`,
      );
      session.write(
        fatal(
          '25P03',
          'terminating connection due to idle-in-transaction timeout (PGlite runs one transaction at a time)',
        ),
      );
      session.socket.end();
      closeSession(session);
    }, idleTimeoutMs);
    idleTimer.unref();
  };

  /** Runs one protocol message on the backend; the session must own it. */
  const run = async (session: Session, msg: Uint8Array): Promise<Output> => {
    const chunks: Uint8Array[] = [];
    await db.runExclusive(() =>
      db.execProtocolRawStream(msg, { onRawData: (chunk) => chunks.push(chunk.slice()) }),
    );
    const out = scanOutput(Buffer.concat(chunks), session.copyIn);
    session.copyIn = out.copyIn;
    return out;
  };

  /** Executes a client message: take the backend, run, answer, keep the backend until idle. */
  const execute = async (session: Session, msg: Buffer): Promise<void> => {
    await acquire(session);
    clearTimeout(idleTimer);
    idleTimer = undefined;
    if (session.closed) return; // cleanup (queued after us) will release
    const out = await run(session, msg);
    session.write(out.data);
    if (out.status === STATUS_IDLE) release(session);
    else armIdleTimer(session);
  };

  const pump = async (session: Session): Promise<void> => {
    while (!session.closed) {
      const buf = session.buffer;
      if (!session.startedUp) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (len === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
          session.buffer = buf.subarray(8);
          session.write(Buffer.from('N')); // no encryption; the client continues in plain text
          continue;
        }
        if (code === CANCEL_REQUEST) {
          session.socket.end(); // cancel is not supported; its connection just goes away
          closeSession(session);
          return;
        }
        if (code !== PROTOCOL_3 || len < 8 || len > 10_000) {
          session.write(fatal('08P01', `unsupported startup message (protocol ${code})`));
          session.socket.end();
          closeSession(session);
          return;
        }
        if (buf.length < len) return;
        session.buffer = buf.subarray(len);
        await execute(session, buf.subarray(0, len));
        if (!session.closed) session.startedUp = true;
        continue;
      }
      if (buf.length < 5) return;
      const type = buf[0];
      const len = buf.readInt32BE(1);
      if (len < 4 || len > MAX_MESSAGE) {
        session.write(fatal('08P01', `invalid message length ${len}`));
        session.socket.end();
        closeSession(session);
        return;
      }
      if (buf.length < 1 + len) return;
      const msg = buf.subarray(0, 1 + len);
      session.buffer = buf.subarray(1 + len);
      if (type === 0x58 /* 'X' Terminate */) {
        session.socket.end();
        closeSession(session);
        return;
      }
      if (type === 0x50 /* 'P' Parse */) {
        const end = msg.indexOf(0, 5);
        const name = msg.toString('utf8', 5, end);
        if (name) session.statements.add(name);
      } else if (type === 0x43 /* 'C' Close */ && msg[5] === 0x53 /* 'S' */) {
        session.statements.delete(msg.toString('utf8', 6, msg.indexOf(0, 6)));
      }
      await execute(session, msg);
    }
  };

  /** Leaves the backend clean after a connection is gone: no half sequence, no open transaction. */
  const cleanup = async (session: Session): Promise<void> => {
    if (!session.startedUp) {
      if (owner === session) release(session);
      const i = waiting.findIndex((w) => w.session === session);
      if (i >= 0) waiting.splice(i, 1);
      return;
    }
    const wasOwner = owner === session;
    if (!wasOwner && session.statements.size === 0) {
      const i = waiting.findIndex((w) => w.session === session);
      if (i >= 0) waiting.splice(i, 1);
      return;
    }
    await acquire(session);
    clearTimeout(idleTimer);
    idleTimer = undefined;
    try {
      if (wasOwner) {
        if (session.copyIn) await run(session, COPY_FAIL);
        const synced = await run(session, SYNC);
        if (synced.status !== STATUS_IDLE || db.isInTransaction()) await run(session, ROLLBACK);
      }
      if (session.statements.size > 0) {
        await run(session, Buffer.concat([...[...session.statements].map(closeStatement), SYNC]));
        session.statements.clear();
      }
    } finally {
      release(session);
    }
  };

  const sessions = new Set<Session>();
  const closeSession = (session: Session): void => {
    if (session.closed) return;
    session.closed = true;
    session.buffer = Buffer.alloc(0);
    if (!session.socket.destroyed) session.socket.destroySoon();
    session.chain = session.chain
      .then(() => cleanup(session))
      .catch((err) => log(`[pglite] cleanup of connection #${session.id} failed: ${String(err)}`))
      .finally(() => sessions.delete(session));
  };

  const server: Server = createServer((socket) => {
    const session = new Session(socket);
    sessions.add(session);
    socket.setNoDelay(true);
    socket.on('data', (data) => {
      if (session.closed) return;
      session.buffer = session.buffer.length ? Buffer.concat([session.buffer, data]) : data;
      session.chain = session.chain
        .then(() => pump(session))
        .catch((err) => {
          log(`[pglite] connection #${session.id}: ${err instanceof Error ? err.message : String(err)}`);
          session.write(fatal('XX000', `pglite server error: ${String(err)}`));
          closeSession(session);
        });
    });
    socket.on('error', () => closeSession(session)); // ECONNRESET etc.: just a client going away
    socket.on('close', () => closeSession(session));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', async (err: NodeJS.ErrnoException) => {
      await db.close().catch(() => {});
      reject(err.code === 'EADDRINUSE' ? portInUse(host, opts.port ?? 5433) : err);
    });
    server.listen({ host, port: opts.port ?? 5433, exclusive: true }, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 5433);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        for (const s of sessions) {
          s.socket.destroy();
          closeSession(s);
        }
      });
      await Promise.all([...sessions].map((s) => s.chain));
      clearTimeout(idleTimer);
      await db.close();
    })();
    return stopping;
  };

  return { db, host, port, url: `postgres://postgres@${host}:${port}/postgres`, stop };
}

// CLI entry: serve .data/pglite (or PGLITE_DATA_DIR) on PGLITE_HOST:PGLITE_PORT until SIGINT/SIGTERM.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dataDir = resolve(repoRoot, process.env.PGLITE_DATA_DIR ?? '.data/pglite');
  const port = Number(process.env.PGLITE_PORT ?? 5433);
  const host = process.env.PGLITE_HOST ?? '127.0.0.1';
  const idle = Number(process.env.PGLITE_IDLE_IN_TX_TIMEOUT_MS ?? 60_000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PGLITE_PORT must be a port number, got "${process.env.PGLITE_PORT}"`);
    process.exit(1);
  }
  const fresh = !existsSync(resolve(dataDir, 'PG_VERSION'));
  console.log(
    `opening PGlite data directory ${dataDir}${fresh ? ' (new: running initdb, takes a while)' : ''}`,
  );

  // Signals are handled from the start: one arriving during initdb waits for it, then closes cleanly.
  let srv: PgliteServer | undefined;
  let stopRequested: string | undefined;
  let signals = 0;
  const stopAndExit = (signal: string, server: PgliteServer) => {
    console.log(`${signal}: closing connections and PGlite`);
    server.stop().then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (err) => {
        console.error(`pglite-server: stop failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: string) => {
    if (++signals > 1) {
      console.error(`${signal} again: exiting without closing PGlite`);
      process.exit(1);
    }
    if (srv) stopAndExit(signal, srv);
    else {
      stopRequested = signal;
      console.log(`${signal}: will stop once PGlite has finished opening`);
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    srv = await startPgliteServer({ dataDir, host, port, idleInTransactionTimeoutMs: idle });
  } catch (err) {
    console.error(`pglite-server: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  if (stopRequested) stopAndExit(stopRequested, srv);
  else console.log(`ready ${srv.url}`);
}
