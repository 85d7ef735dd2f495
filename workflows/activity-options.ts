// Retry policies of the activities the case, complaint and quality-issue workflows call, and how a write
// that failed for good is described for projection_failures. Workflow code: deterministic.
import {
  type ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import type { ProjectionFailure } from '../activities/index.js';
import { storableText, UNSTORABLE_DATA } from '../domain/storable-text.js';
import { deliveriesTaskQueue } from './task-queues.js';

/**
 * Writes to the read model and notifications. A write no retry can cure fails at once (UnstorableData,
 * thrown by the activity); any other failure is retried for about half an hour (60 attempts, at most
 * 30 s apart), then the workflow records it and goes on instead of holding every later step behind it.
 */
export const WRITE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 60,
    nonRetryableErrorTypes: [UNSTORABLE_DATA],
  },
};

/**
 * Where a dispatcher's deliveries run: on the deliveries' own task queue, so a worker of lower priority can
 * serve them without slowing the timers (task-queues.ts). Runs begun before that kept the workflow's queue.
 */
export function deliveriesQueueOption(): Pick<ActivityOptions, 'taskQueue'> {
  return patched('deliveries-own-task-queue')
    ? { taskQueue: deliveriesTaskQueue(workflowInfo().taskQueue) }
    : {};
}

/** Recording a failed write retries until the database takes it: it writes only text made storable. */
export const RECORD_FAILURE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};

/**
 * The record of a write that failed for good: which subject (a case, complaint or quality issue), which
 * transition and activity, and what the failure said (its type and, from the database, the SQLSTATE).
 */
export function writeFailure(
  subjectId: string,
  activity: ProjectionFailure['activity'],
  event: { seq: number; type: string },
  err: ActivityFailure | ApplicationFailure,
): ProjectionFailure {
  // A regular activity's failure wraps what it threw; a local activity's failure is what it threw.
  const cause = err instanceof ApplicationFailure ? err : err.cause;
  return {
    caseId: subjectId,
    seq: event.seq,
    activity,
    eventType: storableText(event.type),
    errorType: cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : 'ActivityFailure',
    errorCode:
      (cause instanceof ApplicationFailure ? (cause.details?.[0] as { code?: string })?.code : undefined) ??
      undefined,
    message: cause?.message ?? err.message,
  };
}
