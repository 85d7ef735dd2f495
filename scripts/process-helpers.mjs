// Ports, the Temporal CLI lookup and child-process helpers shared by `npm start` (scripts/start.mjs), the
// test setup, scripts/setup-temporal.ts, the production topology (scripts/topology.ts), the chaos
// scenarios and the benchmark. Plain JavaScript without dependencies: start.mjs imports it before
// node_modules exists.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** An error whose message is enough for the user (no stack trace needed). */
export class UserFacingError extends Error {}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1') {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * Resolves if nothing listens on host:port, so a new server does not silently talk to an old one; rejects
 * with a UserFacingError naming `what` otherwise.
 */
export function assertPortFree(port, host, what, hint = 'is an earlier run still going?') {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', (err) =>
      rej(
        new UserFacingError(
          err.code === 'EADDRINUSE'
            ? `${what} port ${host}:${port} is already in use — ${hint}`
            : `cannot use ${what} port ${host}:${port}: ${err.message}`,
        ),
      ),
    );
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => res()));
  });
}

/** True once something accepts TCP connections on host:port. */
export function tcpAnswers(port, host = '127.0.0.1') {
  return new Promise((res) => {
    const sock = createConnection({ port, host });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      res(true);
    });
    sock.once('error', () => res(false));
    sock.once('timeout', () => {
      sock.destroy();
      res(false);
    });
  });
}

/** A whole number from `env[name]` in [min, max]; unset or empty gives `fallback`. */
export function envInt(env, name, fallback, min, max, expected) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserFacingError(`${name} must be ${expected}, got "${raw}"`);
  return n;
}

/**
 * Path of a usable Temporal CLI, from scripts/ensure-temporal-cli.sh (TEMPORAL_CLI_PATH, the PATH, .tools/,
 * else a build or download, which may take minutes). `onLine` receives its progress lines; `track` is
 * given the helper process so a caller that stops meanwhile can kill it (and a `go install` it started).
 */
export function findTemporalCli({ env = process.env, onLine, track } = {}) {
  return new Promise((res, rej) => {
    const child = spawn('bash', [join(REPO_ROOT, 'scripts/ensure-temporal-cli.sh')], {
      cwd: REPO_ROOT,
      env,
      detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track?.(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const lines = createInterface({ input: child.stderr, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => (onLine ? onLine(line) : console.error(line)));
    child.once('error', (err) => rej(new UserFacingError(`cannot run bash: ${err.message}`)));
    child.once('exit', (code) => {
      const path = out.trim().split('\n').pop();
      if (code === 0 && path) res(path);
      else rej(new UserFacingError('no usable Temporal CLI (see the messages of ensure-temporal-cli above)'));
    });
  });
}

/**
 * Signals a child started with `detached: true` together with every process it started (it leads its
 * own process group). Does nothing once it has exited.
 */
export function killGroup(child, signal) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** The last `bytes` characters of a log file ('' if it cannot be read). */
export function tail(file, bytes = 3000) {
  try {
    return readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
