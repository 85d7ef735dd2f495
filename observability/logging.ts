// One log format for the worker and the API. LOG_FORMAT=json (the default, for log shippers): one JSON
// object a line with time, level, msg and the ids that find a request or a case again — reqId on the API
// (Fastify's request id, echoed as x-request-id), workflowId/runId/activityType on the worker (the SDK
// puts them on every workflow and activity log entry). LOG_FORMAT=pretty (what `npm start` sets): one
// readable line, `LEVEL message key=value…`.
import { Writable } from 'node:stream';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { DELIVERIES_QUEUE_SUFFIX } from '../workflows/task-queues.js';

export type LogFormat = 'json' | 'pretty';

export function logFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const raw = env.LOG_FORMAT ?? 'json';
  if (raw !== 'json' && raw !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, got "${raw}"`);
  return raw;
}

const PINO_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v);
}

/** `LEVEL message key=value…` without the time (the terminal, or npm start's prefix, gives context). */
export function prettyLine(level: string, msg: string, meta: Record<string, unknown> = {}): string {
  const fields = Object.entries(meta)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return [level.toUpperCase().padEnd(5), msg, ...fields].join(' ');
}

export function jsonLine(level: string, msg: string, meta: Record<string, unknown> = {}): string {
  return JSON.stringify({ time: new Date().toISOString(), level: level.toLowerCase(), msg, ...plain(meta) });
}

/** Errors and bigints as JSON can carry them. */
function plain(meta: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v instanceof Error) out[k] = { message: v.message, name: v.name, stack: v.stack };
    else if (typeof v === 'bigint') out[k] = v.toString();
    else out[k] = v;
  }
  return out;
}

/** Writes one log line for `level` in the process's format (errors and warnings to stderr). */
export function makeLineLogger(format: LogFormat) {
  return (level: string, msg: string, meta?: Record<string, unknown>) => {
    const line = format === 'pretty' ? prettyLine(level, msg, meta) : jsonLine(level, msg, meta);
    if (level === 'ERROR' || level === 'WARN' || level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  };
}

/**
 * The Temporal Runtime's logger for the worker: the SDK's own entries and those of workflows
 * (`log` from @temporalio/workflow, replay-aware) and activities, with their ids as fields.
 */
export function workerLogger(format: LogFormat, level: LogLevel = 'INFO'): DefaultLogger {
  const write = makeLineLogger(format);
  return new DefaultLogger(level, (entry: LogEntry) => {
    const { sdkComponent: _component, ...meta } = (entry.meta ?? {}) as LogMetadata & {
      sdkComponent?: string;
    };
    // The deliveries' Worker runs activities only, by design (worker-factory.ts): the SDK's warning that
    // it has no workflows says nothing an operator should act on, so it is logged at debug level.
    if (
      entry.level === 'WARN' &&
      entry.message.startsWith('No workflows registered') &&
      String(meta.taskQueue ?? '').endsWith(DELIVERIES_QUEUE_SUFFIX)
    ) {
      if (level === 'DEBUG' || level === 'TRACE') write('DEBUG', entry.message, meta);
      return;
    }
    write(entry.level, entry.message, meta);
  });
}

/**
 * A destination for Fastify's (pino's) JSON lines that rewrites each as a pretty line; JSON mode needs none.
 * Request logs keep reqId, method, url and status.
 */
export function prettyPinoStream(): Writable {
  let buffered = '';
  return new Writable({
    write(chunk, _enc, done) {
      buffered += chunk.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        process.stdout.write(`${rewrite(line)}\n`);
        nl = buffered.indexOf('\n');
      }
      done();
    },
  });
}

function rewrite(line: string): string {
  try {
    const { level, time: _t, pid: _p, hostname: _h, msg, req, res, responseTime, ...rest } = JSON.parse(line);
    const fields: Record<string, unknown> = { ...rest };
    if (req) Object.assign(fields, { method: req.method, url: req.url });
    if (res) fields.status = res.statusCode;
    if (responseTime !== undefined) fields.ms = Math.round(responseTime * 10) / 10;
    return prettyLine(PINO_LEVELS[level] ?? String(level), msg ?? '', fields);
  } catch {
    return line;
  }
}
