// Writes no retry can cure. A transition whose text the database refuses (a NUL, a lone surrogate, a
// value out of range) fails the same way on every attempt; retried without end it wedged the case, and
// every later step waited behind it. Such errors leave the activity as non-retryable UnstorableData
// failures; the workflow then calls recordProjectionFailure, which writes the transition with its text
// made storable, records what happened in projection_failures and alerts the administrators.
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../db/client.js';
import { projectionFailures } from '../db/schema.js';
import { storableText, UNSTORABLE_DATA } from '../domain/storable-text.js';
import type { Notification } from './notifier.js';

/**
 * SQLSTATEs no retry cures: class 22 (data exception: invalid byte sequence, unsupported Unicode
 * escape, invalid JSON, value out of range…) and the integrity rules a value breaks by itself (NOT
 * NULL, CHECK). Unique and foreign-key violations are left to retry: a concurrent write can cure them.
 */
const incurable = (code: string) => code.startsWith('22') || code === '23502' || code === '23514';

/** The database's own error behind drizzle's wrapper (which quotes the query and its parameters). */
function postgresError(err: unknown): { code: string; message: string } | undefined {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.message === 'string')
      return { code: e.code, message: e.message };
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * The error to throw for `err`: a non-retryable UnstorableData failure when no retry can cure it, else
 * `err` itself. The message names what the database refused, never the values (they may hold personal
 * data, and the failure is kept in the workflow's history).
 */
export function classifyWriteError(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  const pg = postgresError(err);
  if (pg && incurable(pg.code))
    return ApplicationFailure.create({
      type: UNSTORABLE_DATA,
      nonRetryable: true,
      message: `the database refused the write (SQLSTATE ${pg.code}: ${pg.message})`,
      details: [{ code: pg.code }],
    });
  // JSON.stringify of a cycle or a BigInt, an invalid Date turned into a timestamp: the same input fails
  // the same way every time.
  if (!pg && (err instanceof TypeError || err instanceof RangeError))
    return ApplicationFailure.create({
      type: UNSTORABLE_DATA,
      nonRetryable: true,
      message: `the write could not be encoded (${err.name}: ${err.message})`,
    });
  // Retried; but without drizzle's wrapper, whose message quotes the parameters into the history.
  const e = err as { name?: string; cause?: unknown };
  if (e?.name === 'DrizzleQueryError' && e.cause instanceof Error) return e.cause;
  return err;
}

/** Runs a write, turning errors no retry can cure into non-retryable failures. */
export async function writeOrFailFor<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw classifyWriteError(err);
  }
}

export interface ProjectionFailure {
  /** The subject whose transition failed: a case, a complaint (CP…) or a quality issue (Q…). */
  caseId: string;
  seq: number;
  activity:
    | 'projectCase'
    | 'escalate'
    | 'projectComplaint'
    | 'recordComplaintEscalation'
    | 'projectQualityIssue'
    | 'recordQualityEscalation';
  eventType: string;
  errorType: string;
  errorCode?: string;
  message: string;
}

/** Who is alerted: the administrators, who can read the failure and the workflow's history. */
export const PROJECTION_FAILURE_RECIPIENT = 'admin';

export function projectionFailureNotification(f: ProjectionFailure, repaired: boolean): Notification {
  return {
    key: `${f.caseId}:projection-failed:${f.seq}:${f.activity}`,
    caseId: f.caseId,
    kind: 'system.projection_failed',
    recipient: PROJECTION_FAILURE_RECIPIENT,
    payload: {
      caseId: f.caseId,
      seq: f.seq,
      activity: f.activity,
      eventType: f.eventType,
      errorType: f.errorType,
      errorCode: f.errorCode ?? null,
      repaired,
    },
  };
}

/** Records the failure once per case, seq and activity; returns the alert to send. */
export async function insertProjectionFailure(
  db: Database,
  f: ProjectionFailure,
  repaired: boolean,
): Promise<Notification> {
  const clean = {
    caseId: storableText(f.caseId),
    seq: f.seq,
    activity: f.activity,
    eventType: storableText(f.eventType).slice(0, 200),
    errorType: storableText(f.errorType).slice(0, 200),
    errorCode: f.errorCode ? storableText(f.errorCode).slice(0, 20) : null,
    message: storableText(f.message).slice(0, 2000),
  };
  await db
    .insert(projectionFailures)
    .values({ ...clean, repaired })
    .onConflictDoNothing();
  return projectionFailureNotification({ ...clean, errorCode: clean.errorCode ?? undefined }, repaired);
}

/**
 * After a write failed for good (UnstorableData, or retries exhausted): `rewrite` writes the transition
 * once more with its text made storable; then the failure is recorded. A database that is down still
 * fails this (the caller's activity is retried); a transition that cannot be written even so is recorded
 * as not repaired. Returns the alert for the administrators.
 */
export async function repairAndRecord(
  db: Database,
  failure: ProjectionFailure,
  rewrite: (() => Promise<void>) | undefined,
): Promise<{ repaired: boolean; alert: Notification }> {
  let repaired = false;
  try {
    await rewrite?.();
    repaired = true;
  } catch (err) {
    const classified = classifyWriteError(err);
    if (!(classified instanceof ApplicationFailure && classified.nonRetryable)) throw classified;
  }
  return { repaired, alert: await insertProjectionFailure(db, failure, repaired) };
}
