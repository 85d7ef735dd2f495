// Retry policies of the activities the case, complaint and quality-issue workflows call. Workflow code:
// deterministic, imports only a constant from the domain.
import type { ActivityOptions } from '@temporalio/workflow';
import { UNSTORABLE_DATA } from '../domain/storable-text.js';

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

/** Recording a failed write retries until the database takes it: it writes only text made storable. */
export const RECORD_FAILURE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
};
