// Activity factory: all I/O of the workflows, built from injected dependencies so tests and the
// worker share one implementation. Every activity is idempotent (Temporal runs them at least once).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import type { CaseState } from '../domain/case.js';
import type { CaseSummary, StatePatch } from '../domain/case-projection.js';
import type { PartsSettings } from '../domain/parts/request.js';
import { storableJson } from '../domain/storable-text.js';
import { escalationsTotal } from '../observability/metrics.js';
import {
  asPatch,
  type CaseEvent,
  type ProjectionInput,
  projectCase,
  type WholeStateProjection,
} from './case-projection.js';
import { createComplaintActivities } from './complaints/index.js';
import { type Escalation, escalationKind, recordEscalation } from './escalation.js';
import { recordNotification } from './notification-record.js';
import { queued, queueNotification, wakeNotificationDispatcher } from './notifications/dispatch.js';
import { createNotificationActivities, type NotificationSettings } from './notifications/index.js';
import type { Notification, Notifier } from './notifier.js';
import { createPartsActivities } from './parts/index.js';
import { type ProjectionFailure, repairAndRecord, writeOrFailFor } from './projection-failure.js';
import { createQualityActivities } from './quality/index.js';
import { deliverPending } from './webhook-delivery.js';
import { type WebhookDispatchSettings, wakeDispatchers } from './webhook-outbox.js';

export interface ActivityDeps {
  db: Database;
  notifier: Notifier;
  /** Wakes webhook dispatchers after a transition commits; without it they find work on their sweep. */
  temporal?: Client;
  /** Task queue the webhook dispatchers run on (this worker's). */
  taskQueue?: string;
  /** Retry ceiling and sweep period of webhook dispatchers this process starts. */
  webhooks?: WebhookDispatchSettings;
  /** Deliver webhooks (and chat-robot / SMS posts) to private-network addresses (development, on-site receivers). */
  allowPrivateWebhookTargets?: boolean;
  /** Approval threshold, late-order escalation and reorder period of the parts flow. */
  parts?: PartsSettings;
  /** Channels notifications reach people through (SMTP, SMS) and their retry settings. */
  notifications?: NotificationSettings;
  /** Continue-as-new threshold of the quality issues the activities raise (default: the workflow's). */
  historyLimit?: number;
}

export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  const { afterCaseProjected, ...quality } = createQualityActivities(deps);
  /** Queues a notification (once per key) for its dispatcher, which sends it. */
  async function notify(n: Notification): Promise<void> {
    await queueNotification(deps, n, (q) => writeOrFailFor(() => recordNotification(db, q)));
  }

  /**
   * Wakes webhook dispatchers without waiting for the signals: for writes that run as local activities,
   * inside a workflow task (see escalate). One that fails is left to the dispatchers' sweeps.
   */
  function wakeInBackground(activity: string, key: string, wake: string[]): void {
    wakeDispatchers(deps, wake).catch((err: Error) =>
      console.warn(`[${activity}] ${key}: webhooks left to the sweep: ${err?.message ?? err}`),
    );
  }

  async function project(input: ProjectionInput | WholeStateProjection, wakeAfter = false): Promise<void> {
    const caseId = 'state' in input ? input.state.caseId : input.case.caseId;
    const wake = await projectCase(db, input);
    // As a local activity (intake's projection) this runs inside the case's workflow task, so the
    // dispatchers are woken after it rather than awaited, as escalate() does and for the same reason.
    if (wakeAfter) wakeInBackground('projectCase', `${caseId}:${input.event.seq}`, wake);
    else await wakeDispatchers(deps, wake);
    // Repeat-failure link and failure codes (quality loop); idempotent like the projection.
    await afterCaseProjected(caseId, input.event);
  }
  async function escalate(whole: EscalationInput | WholeStateEscalation): Promise<void> {
    const input = asPatch(whole);
    const e = input.escalation;
    const n = queued(deps, {
      key: `${e.caseId}:sla:${e.clock}:${e.cycle}:${e.level}`,
      caseId: e.caseId,
      kind: escalationKind(e),
      recipient: e.recipient,
      payload: { ...e },
    });
    const { wake, sent } = await recordEscalation(db, input, e, n);
    // Recording is all the SLA timer waits for. This runs as a local activity inside the case's workflow
    // task, so whatever it awaits holds one of the process's few workflow-task slots: awaiting the
    // dispatchers' signals (round trips to a server that is busy exactly when many steps fall due) made
    // the escalation take ~180 ms instead of its database writes, and a burst queued behind the slots
    // for tens of seconds (bench/README.md, "escalation"). The signals are sent after the task instead
    // (the notification dispatcher's coalesced: one in flight per dispatcher); what a crashed process
    // leaves unsent is found by the dispatchers' own sweeps and the notification sweeper.
    if (!sent) wakeNotificationDispatcher(deps, n.dispatcher);
    wakeInBackground('escalate', n.key, wake);
    if (!sent) escalationsTotal.inc({ level: String(e.level), clock: e.clock });
  }

  return {
    ...createPartsActivities(deps),
    notify,
    ...createNotificationActivities(deps),
    ...createComplaintActivities(deps),
    ...quality,

    async projectCase(input: ProjectionInput | WholeStateProjection): Promise<void> {
      await writeOrFailFor(() => project(input, Context.current().info.isLocal));
    },

    /**
     * Records one escalation and queues its notification, as a local activity inside the workflow task
     * of the timer that fired it; the notification's dispatcher is woken after the commit and does the
     * sending, so no channel's slowness reaches the timer. Returns when it was done, by this
     * machine's clock: the workflow times the clock's next step from then rather than from when its
     * task began.
     */
    async escalate(input: EscalationInput | WholeStateEscalation): Promise<{ recordedAt: string }> {
      await writeOrFailFor(() => escalate(input));
      return { recordedAt: new Date().toISOString() };
    },

    /**
     * After a write failed for good (UnstorableData, or retries exhausted): writes the transition once
     * more with its text made storable, records the failure and alerts. A database that is down still
     * fails this activity, which is retried; a transition that cannot be written even so is recorded
     * as not repaired.
     */
    async recordProjectionFailure(input: {
      failure: ProjectionFailure;
      projection?: ProjectionInput;
      escalation?: EscalationInput;
    }): Promise<{ repaired: boolean }> {
      const { escalation, projection } = input;
      const { repaired, alert } = await repairAndRecord(
        db,
        input.failure,
        escalation
          ? () => escalate(storableJson(escalation))
          : projection
            ? () => project(storableJson(projection))
            : undefined,
      );
      await notify(alert);
      return { repaired };
    },

    /** One batch of a webhook subscription's pending deliveries, in order; throws at the first failure. */
    async deliverPendingWebhooks(input: { subscriptionId: string; batch: number }) {
      return deliverPending(db, input, {
        onAttempt: () => Context.current().heartbeat(),
        allowPrivateTargets: deps.allowPrivateWebhookTargets ?? false,
      });
    },
  };
}

export interface EscalationInput {
  case: CaseSummary;
  patch: StatePatch;
  event: CaseEvent;
  escalation: Escalation;
}
/** As workflow code before state patches sent it (tasks scheduled then may still run): the whole state. */
export interface WholeStateEscalation {
  state: CaseState;
  event: CaseEvent;
  escalation: Escalation;
}
export type { ProjectionInput, WholeStateProjection } from './case-projection.js';

export type CaseActivities = ReturnType<typeof createActivities>;
export type { CaseEvent } from './case-projection.js';
export type { Escalation } from './escalation.js';
export type { Notification } from './notifier.js';
export type { ProjectionFailure } from './projection-failure.js';
