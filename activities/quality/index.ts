// Activities of the quality loop: project quality-issue transitions, record their escalations, tell
// linked cases and complaints, and — after each case transition — record the failure codes it carries,
// link a repeat failure to the earlier repair, and raise a quality issue when failures cluster.
// Notifications are queued and handed to their dispatcher (activities/notifications); a write no
// retry can cure fails as non-retryable UnstorableData.
import type { Client } from '@temporalio/client';
import { and, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { currentQualityPolicy } from '../../db/complaint-store.js';
import {
  caseFailures,
  cases,
  qualityEscalations,
  qualityEvents,
  qualityIssueLinks,
  qualityIssues,
} from '../../db/schema.js';
import type { FailureCoding } from '../../domain/case.js';
import { complaintWorkflowId } from '../../domain/complaints/complaint.js';
import { qualityEscalationKind } from '../../domain/escalation-step.js';
import { clusterOf, REPEAT_WINDOW_DAYS } from '../../domain/quality/cluster.js';
import { isQualityOpen, type QualityIssueState } from '../../domain/quality/issue.js';
import { storableJson } from '../../domain/storable-text.js';
import { qualityIssueSignal } from '../../workflows/complaint.js';
import { casesLinkedSignal } from '../../workflows/quality-issue.js';
import type { CaseEvent } from '../case-projection.js';
import { insertNotification, recordNotification } from '../notification-record.js';
import { queued, queueNotification, wakeNotificationDispatcher } from '../notifications/dispatch.js';
import type { NotificationDeps } from '../notifications/index.js';
import type { Notification } from '../notifier.js';
import { type ProjectionFailure, repairAndRecord, writeOrFailFor } from '../projection-failure.js';
import { type TimelineEvent, timelineColumns } from '../timeline-row.js';
import { type OutboxEvent, type WakeDeps, wakeDispatchers, writeWebhookEvent } from '../webhook-outbox.js';
import { clusterKeyOf, raiseQualityIssue } from './raise.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export type QualityEvent = TimelineEvent;

export interface QualityEscalation {
  issueId: string;
  clock: string;
  cycle: number;
  level: number;
  name: string;
  dueAt: string;
  firedAt: string;
  recipient: string;
  owner: string | null;
}

export type QualityActivityDeps = WakeDeps & NotificationDeps & { temporal?: Client; taskQueue?: string };

export interface QualityProjection {
  state: QualityIssueState;
  event: QualityEvent;
}
export interface QualityEscalationInput extends QualityProjection {
  escalation: QualityEscalation;
}

/**
 * The notification of a fired stage deadline. An owner who is a person starts the chain (owner → team
 * lead → managers); a department desk resolves to the people of that department (docs/people.md).
 */
export const qualityEscalationNotification = (e: QualityEscalation): Notification => ({
  key: `quality:${e.issueId}:${e.clock}:${e.cycle}:${e.level}`,
  caseId: e.issueId,
  kind: qualityEscalationKind(e.name),
  recipient: e.recipient,
  payload: { ...e, assignee: e.owner, severity: 'normal' },
});

export function qualityWebhookEvents(state: QualityIssueState, event: QualityEvent): OutboxEvent[] {
  const types =
    event.type === 'raised'
      ? ['quality.raised']
      : event.type === 'escalated'
        ? ['quality.escalated']
        : event.fromStage !== event.toStage
          ? ['quality.stage_changed', ...(isQualityOpen(state.stage as never) ? [] : ['quality.closed'])]
          : [];
  const issue = {
    id: state.issueId,
    stage: state.stage,
    source: state.intake.source,
    model: state.intake.model,
    causeCode: state.intake.causeCode ?? null,
    owner: state.owner,
    caseIds: state.caseIds,
    complaintIds: state.complaintIds,
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
    dedupeKey: `quality:${state.issueId}:${event.seq}:${type}`,
    type,
    caseId: null,
    ownerKeyId: null,
    payload: { type, occurredAt: event.at, caseId: null, qualityIssueId: state.issueId, data, issue },
  }));
}

async function projectIn(tx: Tx, state: QualityIssueState, event: QualityEvent): Promise<string[]> {
  const open = isQualityOpen(state.stage);
  await tx
    .update(qualityIssues)
    .set({
      stage: state.stage,
      owner: state.owner,
      updatedAt: new Date(event.at),
      closedAt: !open && state.closedAt ? new Date(state.closedAt) : null,
      version: state.seq,
      state,
      breached: state.breached,
    })
    .where(and(eq(qualityIssues.id, state.issueId), lt(qualityIssues.version, state.seq)));
  await tx
    .insert(qualityEvents)
    .values({
      issueId: state.issueId,
      ...timelineColumns(event),
    })
    .onConflictDoNothing();
  const links = [
    ...state.caseIds.map((refId) => ({ issueId: state.issueId, kind: 'case' as const, refId })),
    ...state.complaintIds.map((refId) => ({ issueId: state.issueId, kind: 'complaint' as const, refId })),
  ];
  if (links.length > 0) await tx.insert(qualityIssueLinks).values(links).onConflictDoNothing();
  const wake = new Set<string>();
  for (const e of qualityWebhookEvents(state, event))
    for (const id of await writeWebhookEvent(tx, e)) wake.add(id);
  return [...wake];
}

/** The failure codes a case transition carries, if any (diagnoses and repair reports). */
function codingOf(event: CaseEvent): { source: 'diagnosis' | 'repair_report'; f: FailureCoding } | undefined {
  const source =
    event.type === 'diagnosed'
      ? 'diagnosis'
      : event.type === 'repair_completed'
        ? 'repair_report'
        : undefined;
  const f = (event.data as { failure?: FailureCoding }).failure;
  if (!source || !f || !(f.symptomCode || f.causeCode || f.actionCode)) return undefined;
  return { source, f };
}

export function createQualityActivities(deps: QualityActivityDeps & { historyLimit?: number }) {
  const { db } = deps;
  /** Queues a notification (once per key) for its dispatcher. */
  async function send(n: Notification) {
    await queueNotification(deps, n, (q) => recordNotification(db, q));
  }

  async function project(input: QualityProjection): Promise<void> {
    const wake = await db.transaction((tx) => projectIn(tx, input.state, input.event));
    await wakeDispatchers(deps, wake);
  }

  async function escalate(input: QualityEscalationInput): Promise<void> {
    const e = input.escalation;
    const n = queued(deps, qualityEscalationNotification(e));
    const { wake, sent } = await db.transaction(async (tx) => {
      const w = await projectIn(tx, input.state, input.event);
      await tx
        .insert(qualityEscalations)
        .values({ ...e, dueAt: new Date(e.dueAt), firedAt: new Date(e.firedAt) })
        .onConflictDoNothing();
      const [noted] = await insertNotification(tx as unknown as Database, n);
      return { wake: w, sent: noted?.sentAt != null };
    });
    if (!sent) wakeNotificationDispatcher(deps, n.dispatcher);
    await wakeDispatchers(deps, wake);
  }

  /** The intake facts of a case the quality loop keys on (the projection carries a patch, not them). */
  type CaseFacts = { caseId: string; serialNumber: string; model: string };
  async function factsOf(caseId: string): Promise<CaseFacts | undefined> {
    const [row] = await db
      .select({ serialNumber: cases.serialNumber, model: cases.productModel })
      .from(cases)
      .where(eq(cases.id, caseId));
    return row ? { caseId, ...row } : undefined;
  }

  /**
   * Marks a new case on a serial repaired within the window before it as a repeat of that case. One
   * statement that reads the case's serial and report time itself: it runs inside the new case's first
   * workflow task (intake's projection is a local activity), for every case opened.
   */
  async function linkRepeat(caseId: string): Promise<void> {
    await db.execute(sql`
      update cases c set repeat_of = earlier.id
      from cases n
      join lateral (
        select p.id from cases p
        join case_events ev on ev.case_id = p.id and ev.type = 'repair_completed'
        where p.serial_number = n.serial_number and p.id <> n.id
          and ev.at >= n.reported_at - make_interval(secs => ${REPEAT_WINDOW_DAYS * 86_400})
          and ev.at <= n.reported_at
        order by ev.at desc limit 1
      ) earlier on true
      where n.id = ${caseId} and c.id = n.id and c.repeat_of is null`);
  }

  /** Records the failure codes of a transition; raises (or joins) a quality issue when they cluster. */
  async function recordFailure(state: CaseFacts, event: CaseEvent): Promise<void> {
    const coding = codingOf(event);
    if (!coding) return;
    const { f, source } = coding;
    const at = new Date(event.at);
    const model = state.model;
    await db
      .insert(caseFailures)
      .values({
        caseId: state.caseId,
        seq: event.seq,
        source,
        model,
        batch: f.batch ?? null,
        serialNumber: state.serialNumber,
        symptomCode: f.symptomCode ?? null,
        causeCode: f.causeCode ?? null,
        actionCode: f.actionCode ?? null,
        at,
      })
      .onConflictDoNothing();
    if (!f.causeCode) return;
    const rule = (await currentQualityPolicy(db)).cluster;
    const rows = await db
      .select({ caseId: caseFailures.caseId, at: caseFailures.at })
      .from(caseFailures)
      .where(
        and(
          eq(caseFailures.model, model),
          eq(caseFailures.causeCode, f.causeCode),
          gte(caseFailures.at, new Date(at.getTime() - rule.windowDays * 86_400_000)),
          lte(caseFailures.at, at),
        ),
      );
    const latest = { caseId: state.caseId, model, causeCode: f.causeCode, at: event.at };
    const cluster = clusterOf(
      rule,
      latest,
      rows.map((r) => ({ caseId: r.caseId, model, causeCode: f.causeCode!, at: r.at.toISOString() })),
    );
    if (!cluster) return;
    const { created, row } = await raiseQualityIssue(
      deps,
      {
        source: 'cluster',
        title: `批量故障: ${model} / ${f.causeCode}`,
        description: `${cluster.length} cases with cause code ${f.causeCode} on model ${model} within ${rule.windowDays} days`,
        model,
        causeCode: f.causeCode,
        caseIds: cluster,
        complaintIds: [],
        raisedAt: event.at,
      },
      { createdBy: 'system', clusterKey: clusterKeyOf(model, f.causeCode) },
    );
    if (!created && deps.temporal) {
      // The cluster's issue is open already: this case joins it.
      await deps.temporal.workflow
        .getHandle(row.workflowId)
        .signal(casesLinkedSignal, { caseIds: [state.caseId] })
        .catch(() => undefined);
    }
  }

  return {
    /** After every case projection: repeat-failure link at the first, failure codes at the coded ones. */
    async afterCaseProjected(caseId: string, event: CaseEvent): Promise<void> {
      if (event.seq === 1) await linkRepeat(caseId);
      if (!codingOf(event)) return;
      const facts = await factsOf(caseId);
      if (!facts) return;
      await recordFailure(facts, event);
    },

    async projectQualityIssue(input: QualityProjection): Promise<void> {
      await writeOrFailFor(() => project(input));
    },

    async recordQualityEscalation(input: QualityEscalationInput): Promise<void> {
      await writeOrFailFor(() => escalate(input));
    },

    /**
     * After a quality-issue write failed for good: writes the transition once more with its text made
     * storable, records the failure (projection_failures) and alerts the administrators.
     */
    async recordQualityWriteFailure(input: {
      failure: ProjectionFailure;
      projection?: QualityProjection;
      escalation?: QualityEscalationInput;
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
      await send(alert);
      return { repaired };
    },

    /** Tells linked complaints (a signal their workflow records) and linked cases' engineers (a notification). */
    async tellLinked(input: {
      issueId: string;
      closed: boolean;
      summary: string;
      caseIds: string[];
      complaintIds: string[];
    }): Promise<void> {
      const phase = input.closed ? 'closed' : 'linked';
      for (const complaintId of input.complaintIds) {
        if (deps.temporal) {
          // A complaint that has ended takes no signal; it needs none.
          await deps.temporal.workflow
            .getHandle(complaintWorkflowId(complaintId))
            .signal(qualityIssueSignal, {
              issueId: input.issueId,
              closed: input.closed,
              summary: input.summary,
            })
            .catch(() => undefined);
        }
      }
      if (!input.closed) return;
      const assignees =
        input.caseIds.length === 0
          ? []
          : await db
              .select({ id: cases.id, assignee: cases.assignee })
              .from(cases)
              .where(inArray(cases.id, input.caseIds));
      for (const c of assignees) {
        await send({
          key: `quality:${input.issueId}:${phase}:case:${c.id}`,
          caseId: c.id,
          kind: 'quality.closed',
          recipient: c.assignee ?? 'service-desk',
          payload: { qualityIssueId: input.issueId, caseId: c.id, summary: input.summary },
        });
      }
    },
  };
}

export type QualityActivities = Omit<ReturnType<typeof createQualityActivities>, 'afterCaseProjected'>;
