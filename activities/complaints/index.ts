// Activities of the complaint workflow: project each transition into the read model (row, timeline,
// linked cases, customer-visible updates, webhook outbox) and record the escalations its clocks fire.
// Idempotent: the timeline is keyed on (complaint, seq), escalations on (complaint, clock, cycle, level),
// notifications on their key, webhook events on their dedupe key; the row only moves forward in version.
// Notifications are queued and handed to their dispatcher (activities/notifications), which
// resolves the people; a write no retry can cure fails as non-retryable UnstorableData.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { complaintEscalations, complaintEvents, complaints, complaintUpdates } from '../../db/schema.js';
import {
  type ComplaintState,
  complaintSeverity,
  isComplaintOpen,
} from '../../domain/complaints/complaint.js';
import { complaintEscalationKind } from '../../domain/escalation-step.js';
import { storableJson } from '../../domain/storable-text.js';
import { insertNotification, recordNotification } from '../notification-record.js';
import { queued, queueNotification, wakeNotificationDispatcher } from '../notifications/dispatch.js';
import type { NotificationDeps } from '../notifications/index.js';
import type { Notification } from '../notifier.js';
import { type ProjectionFailure, repairAndRecord, writeOrFailFor } from '../projection-failure.js';
import { type TimelineEvent, timelineColumns } from '../timeline-row.js';
import { type OutboxEvent, type WakeDeps, wakeDispatchers, writeWebhookEvent } from '../webhook-outbox.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface ComplaintEvent extends TimelineEvent {
  /** A customer-visible update (it reset the progress clock), with the deadline it met or missed. */
  update?: { kind: string; dueAt: string | null };
}

export interface ComplaintEscalation {
  complaintId: string;
  clock: string;
  cycle: number;
  level: number;
  name: string;
  dueAt: string;
  firedAt: string;
  recipient: string;
  owner: string | null;
  priority: string;
}

export type ComplaintActivityDeps = WakeDeps & NotificationDeps;

export interface ComplaintProjection {
  state: ComplaintState;
  event: ComplaintEvent;
}
export interface ComplaintEscalationInput extends ComplaintProjection {
  escalation: ComplaintEscalation;
}

/** The webhook events of a complaint transition: created, escalated, stage_changed and closed. */
export function complaintWebhookEvents(
  state: ComplaintState,
  event: ComplaintEvent,
  ownerKeyId: string | null,
): OutboxEvent[] {
  const types =
    event.type === 'created'
      ? ['complaint.created']
      : event.type === 'escalated'
        ? ['complaint.escalated']
        : event.fromStage !== event.toStage
          ? ['complaint.stage_changed', ...(isComplaintOpen(state.stage) ? [] : ['complaint.closed'])]
          : [];
  const ext = state.intake.externalRef;
  const complaint = {
    id: state.complaintId,
    stage: state.stage,
    priority: state.classification.priority,
    department: state.department,
    owner: state.owner ?? null,
    rejections: state.rejections,
    externalRef: ext ? { system: ext.system, id: ext.id } : null,
  };
  const data = {
    seq: event.seq,
    transition: event.type,
    stage: event.toStage,
    previousStage: event.fromStage,
    actor: event.actor,
    ...(event.type === 'escalated' ? event.data : {}),
  };
  return types.map((type) => ({
    dedupeKey: `complaint:${state.complaintId}:${event.seq}:${type}`,
    type,
    caseId: null,
    ownerKeyId,
    payload: { type, occurredAt: event.at, caseId: null, complaintId: state.complaintId, data, complaint },
  }));
}

/** Moves the row to `state` (only forward), writes the timeline event and what hangs off it. */
async function projectIn(tx: Tx, state: ComplaintState, event: ComplaintEvent): Promise<string[]> {
  const closed = !isComplaintOpen(state.stage);
  const moved = await tx
    .update(complaints)
    .set({
      stage: state.stage,
      priority: state.classification.priority,
      urgency: state.classification.urgency,
      importance: state.classification.importance,
      department: state.department,
      owner: state.owner ?? null,
      updatedAt: new Date(event.at),
      closedAt: closed && state.closedAt ? new Date(state.closedAt) : null,
      version: state.seq,
      state,
      breached: state.breached,
      rejections: state.rejections,
    })
    .where(and(eq(complaints.id, state.complaintId), lt(complaints.version, state.seq)))
    .returning({ ownerKeyId: complaints.createdByKey });
  await tx
    .insert(complaintEvents)
    .values({
      complaintId: state.complaintId,
      ...timelineColumns(event),
    })
    .onConflictDoNothing();
  if (state.linkedCases.length > 0) {
    // Only cases that exist: a link to an unknown id was refused by the API already.
    await tx.execute(sql`
      insert into complaint_cases (complaint_id, case_id)
      select ${state.complaintId}, id from cases where id in ${state.linkedCases}
      on conflict do nothing`);
  }
  if (event.update) {
    const at = new Date(event.at);
    const dueAt = event.update.dueAt ? new Date(event.update.dueAt) : null;
    await tx
      .insert(complaintUpdates)
      .values({
        complaintId: state.complaintId,
        seq: event.seq,
        kind: event.update.kind,
        owner: state.owner ?? null,
        at,
        dueAt,
        onTime: dueAt === null || at.getTime() <= dueAt.getTime(),
      })
      .onConflictDoNothing();
  }
  let ownerKeyId = moved[0]?.ownerKeyId ?? null;
  if (moved.length === 0) {
    const [row] = await tx
      .select({ k: complaints.createdByKey })
      .from(complaints)
      .where(eq(complaints.id, state.complaintId));
    ownerKeyId = row?.k ?? null;
  }
  const wake = new Set<string>();
  for (const e of complaintWebhookEvents(state, event, ownerKeyId))
    for (const id of await writeWebhookEvent(tx, e)) wake.add(id);
  return [...wake];
}

/**
 * The notification of a fired step. The owner rides along as the chain's start (owner → team lead →
 * managers, docs/people.md) and the priority as the severity: a P1 complaint is an emergency.
 */
export const escalationNotification = (e: ComplaintEscalation): Notification => ({
  key: `complaint:${e.complaintId}:${e.clock}:${e.cycle}:${e.level}`,
  caseId: e.complaintId,
  kind: complaintEscalationKind(e.clock, e.name),
  recipient: e.recipient,
  payload: { ...e, assignee: e.owner, severity: complaintSeverity(e.priority) },
});

export function createComplaintActivities(deps: ComplaintActivityDeps) {
  const { db } = deps;

  async function project(input: ComplaintProjection): Promise<void> {
    const wake = await db.transaction((tx) => projectIn(tx, input.state, input.event));
    await wakeDispatchers(deps, wake);
  }

  async function escalate(input: ComplaintEscalationInput): Promise<void> {
    const e = input.escalation;
    const n = queued(deps, escalationNotification(e));
    const { wake, sent } = await db.transaction(async (tx) => {
      const w = await projectIn(tx, input.state, input.event);
      await tx
        .insert(complaintEscalations)
        .values({
          complaintId: e.complaintId,
          clock: e.clock,
          cycle: e.cycle,
          level: e.level,
          name: e.name,
          dueAt: new Date(e.dueAt),
          firedAt: new Date(e.firedAt),
          recipient: e.recipient,
          owner: e.owner,
          priority: e.priority,
        })
        .onConflictDoNothing();
      const [noted] = await insertNotification(tx as unknown as Database, n);
      return { wake: w, sent: noted?.sentAt != null };
    });
    if (!sent) wakeNotificationDispatcher(deps, n.dispatcher);
    await wakeDispatchers(deps, wake);
  }

  return {
    async projectComplaint(input: ComplaintProjection): Promise<void> {
      await writeOrFailFor(() => project(input));
    },

    /** Records an escalation with the transition that shows it, and queues its notification once. */
    async recordComplaintEscalation(input: ComplaintEscalationInput): Promise<void> {
      await writeOrFailFor(() => escalate(input));
    },

    /**
     * After a complaint write failed for good: writes the transition once more with its text made
     * storable, records the failure (projection_failures) and alerts the administrators.
     */
    async recordComplaintWriteFailure(input: {
      failure: ProjectionFailure;
      projection?: ComplaintProjection;
      escalation?: ComplaintEscalationInput;
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
      await queueNotification(deps, alert, (n) => recordNotification(db, n));
      return { repaired };
    },
  };
}

export type ComplaintActivities = ReturnType<typeof createComplaintActivities>;
