// One quality issue (质量问题, CAPA) as a durable workflow: R&D analysis (root cause; affected models,
// batches and serial ranges) → improvement plan → production change → verification → closed. Each stage
// has an owner (its department's desk until someone is named) and a deadline on the SLA engine's
// calendar whose ladder escalates; a failed verification goes back to planning. When it closes, the
// linked complaints and cases are told. Continues as new with its state once its history grows long.
// Writes to the read model go out in seq order; one that fails for good is recorded and the issue goes on
// (as the case workflow does: workflows/activity-options.ts, activities/projection-failure.ts).
import type { UpdateDefinition } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities, Notification, ProjectionFailure } from '../activities/index.js';
import type {
  QualityEscalation,
  QualityEscalationInput,
  QualityEvent,
  QualityProjection,
} from '../activities/quality/index.js';
import {
  type AnalyzeStep,
  type AssignQualityStep,
  type CancelQualityStep,
  isQualityOpen,
  type LinkQualityStep,
  type PlanStep,
  type ProductionChangeStep,
  type QualityIssueIntake,
  type QualityIssueState,
  type QualityPolicySnapshot,
  type QualityStage,
  type QualityStepName,
  qualityStepMisfit,
  STAGE_DESKS,
  type VerifyStep,
  type WorkingQualityStage,
} from '../domain/quality/issue.js';
import { type Clock, dueSteps, fireStep, nextDue, startClock, stopClock } from '../domain/sla-clock.js';
import { makeStorableInPlace, storableJson } from '../domain/storable-text.js';
import { RECORD_FAILURE_OPTIONS, WRITE_ACTIVITY_OPTIONS, writeFailure } from './activity-options.js';

const { projectQualityIssue, recordQualityEscalation, tellLinked, notify } =
  proxyActivities<CaseActivities>(WRITE_ACTIVITY_OPTIONS);
const { recordQualityWriteFailure } = proxyActivities<CaseActivities>(RECORD_FAILURE_OPTIONS);

export const QUALITY_HISTORY_LIMIT = 5_000;

export interface QualityIssueInput {
  issueId: string;
  intake: QualityIssueIntake;
  createdBy: string;
  snapshot: QualityPolicySnapshot;
  historyLimit?: number;
  state?: QualityIssueState;
}

const u = <A>(name: QualityStepName) => defineUpdate<QualityIssueState, [A]>(`quality-${name}`);
export const assignQualityUpdate = u<AssignQualityStep>('assign');
export const analyzeUpdate = u<AnalyzeStep>('analyze');
export const planUpdate = u<PlanStep>('plan');
export const productionChangeUpdate = u<ProductionChangeStep>('production-change');
export const verifyUpdate = u<VerifyStep>('verify');
export const linkQualityUpdate = u<LinkQualityStep>('link');
export const cancelQualityUpdate = u<CancelQualityStep>('cancel');
/** A case whose failure joins the cluster this issue was raised for. */
export const casesLinkedSignal = defineSignal<[{ caseIds: string[] }]>('cases-linked');
export const qualityStateQuery = defineQuery<QualityIssueState>('state');

const stageClock = (stage: WorkingQualityStage) => `stage:${stage}`;

export async function qualityIssue(input: QualityIssueInput): Promise<QualityIssueState> {
  const { policy, calendar } = input.snapshot;
  const firstRun = input.state === undefined;
  const now = () => new Date().toISOString();
  const targetOf = (stage: WorkingQualityStage) => input.intake.targets?.[stage] ?? policy.targets[stage];
  const state: QualityIssueState = input.state ?? {
    issueId: input.issueId,
    stage: 'analysis',
    intake: input.intake,
    createdBy: input.createdBy,
    policy: { id: policy.id, version: policy.version },
    owner: STAGE_DESKS.analysis,
    caseIds: [...input.intake.caseIds],
    complaintIds: [...input.intake.complaintIds],
    plans: [],
    changes: [],
    verifications: [],
    assignments: [],
    clocks: {
      [stageClock('analysis')]: startClock(
        calendar,
        stageClock('analysis'),
        targetOf('analysis'),
        policy.escalation,
        new Date(input.intake.raisedAt),
      ),
    },
    breached: false,
    seq: 1,
  };
  const historyLimit = input.historyLimit ?? QUALITY_HISTORY_LIMIT;
  const snapshot = () => JSON.parse(JSON.stringify(state)) as QualityIssueState;
  let clockMoves = 0;
  let recording = 0;
  let pending = Promise.resolve<unknown>(undefined);
  // Set after a write failed for good: from then on every write carries only storable text.
  let storableOnly = false;
  let writes: Promise<unknown> = Promise.resolve();

  const created = firstRun
    ? writeProjection({
        state: snapshot(),
        event: {
          seq: 1,
          type: 'raised',
          fromStage: null,
          toStage: 'analysis',
          actor: input.createdBy,
          at: input.intake.raisedAt,
          data: { source: input.intake.source, caseIds: state.caseIds, complaintIds: state.complaintIds },
        },
      })
    : Promise.resolve();

  // Writes to the read model go out strictly in seq order (see the complaint workflow for why).
  function inSeqOrder(write: () => Promise<void>): Promise<void> {
    const done = writes.then(write);
    writes = done.catch(() => undefined);
    return done;
  }

  function writeProjection(input: QualityProjection): Promise<void> {
    return inSeqOrder(async () => {
      const payload = storableOnly ? storableJson(input) : input;
      try {
        await projectQualityIssue(payload);
      } catch (err) {
        await writeFailed('projectQualityIssue', err, payload.event, { projection: payload });
      }
    });
  }

  function writeEscalation(input: QualityEscalationInput): Promise<void> {
    return inSeqOrder(async () => {
      const payload = storableOnly ? storableJson(input) : input;
      try {
        await recordQualityEscalation(payload);
      } catch (err) {
        await writeFailed('recordQualityEscalation', err, payload.event, { escalation: payload });
      }
    });
  }

  /** A write failed for good: recorded (made storable, projection_failures, an alert) and the issue goes on. */
  async function writeFailed(
    activity: ProjectionFailure['activity'],
    err: unknown,
    event: QualityEvent,
    what: { projection?: QualityProjection; escalation?: QualityEscalationInput },
  ): Promise<void> {
    if (!(err instanceof ActivityFailure)) throw err;
    storableOnly = true;
    makeStorableInPlace(state);
    const failure = writeFailure(state.issueId, activity, event, err);
    log.warn('quality-issue write failed for good; recording it and going on', {
      issueId: state.issueId,
      seq: event.seq,
      activity,
      errorType: failure.errorType,
    });
    await recordQualityWriteFailure({ failure, ...storableJson(what) });
  }

  /** Sends a notification; one that cannot be queued is logged, the step goes on. */
  async function alert(n: Omit<Notification, 'caseId'>): Promise<void> {
    const full: Notification = { ...n, caseId: state.issueId, payload: { ...n.payload, severity: 'normal' } };
    try {
      await notify(storableOnly ? storableJson(full) : full);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('notification failed for good', { issueId: state.issueId, kind: n.kind });
    }
  }

  /** Tells linked complaints and cases; one that cannot be told is logged, the step goes on. */
  async function tell(input: Parameters<typeof tellLinked>[0]): Promise<void> {
    try {
      await tellLinked(input);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('telling linked complaints and cases failed for good', { issueId: state.issueId });
    }
  }

  function enter(stage: QualityStage) {
    const from = state.stage as WorkingQualityStage;
    const c = state.clocks[stageClock(from)];
    if (c) stopClock(calendar, c, new Date());
    state.stage = stage;
    if (isQualityOpen(stage)) {
      const s = stage as WorkingQualityStage;
      const previous = state.clocks[stageClock(s)];
      state.clocks[stageClock(s)] = startClock(
        calendar,
        stageClock(s),
        targetOf(s),
        policy.escalation,
        new Date(),
        previous ? previous.cycle + 1 : 0,
      );
      state.owner = STAGE_DESKS[s];
    } else {
      state.closedAt = now();
      for (const clock of Object.values(state.clocks)) stopClock(calendar, clock, new Date());
    }
    clockMoves += 1;
  }

  async function transition(type: string, to: QualityStage, actor: string, data: Record<string, unknown>) {
    const from = state.stage;
    if (to !== from) enter(to);
    state.seq += 1;
    const event: QualityEvent = {
      seq: state.seq,
      type,
      fromStage: from,
      toStage: to,
      actor,
      at: now(),
      data,
    };
    const s = snapshot();
    await writeProjection({ state: s, event });
    if (to !== from && isQualityOpen(to)) {
      await alert({
        key: `quality:${state.issueId}:stage:${state.seq}`,
        kind: 'quality.stage',
        recipient: state.owner,
        payload: { qualityIssueId: state.issueId, stage: to },
      });
    }
    return s;
  }

  function step<A>(
    update: UpdateDefinition<QualityIssueState, [A]>,
    name: QualityStepName,
    handler: (input: A) => Promise<QualityIssueState>,
    rule?: (input: A) => string | undefined,
  ) {
    setHandler(update, handler, {
      validator: (arg: A) => {
        const reason = qualityStepMisfit(state, name) ?? rule?.(arg);
        if (reason)
          throw ApplicationFailure.create({ type: 'StepRejected', message: reason, nonRetryable: true });
      },
    });
  }

  step(
    assignQualityUpdate,
    'assign',
    async ({ actor, owner }) => {
      state.owner = owner;
      state.assignments.push({ stage: state.stage, owner, at: now(), by: actor });
      const s = await transition('assigned', state.stage, actor, { owner });
      await alert({
        key: `quality:${state.issueId}:assigned:${state.seq}`,
        kind: 'quality.assigned',
        recipient: owner,
        payload: { qualityIssueId: state.issueId, stage: state.stage },
      });
      return s;
    },
    ({ owner }) =>
      owner === state.owner ? `quality issue ${state.issueId} is already with ${owner}` : undefined,
  );

  step(
    analyzeUpdate,
    'analyze',
    async ({ actor, ...analysis }) => {
      state.analysis = { ...analysis, at: now(), by: actor };
      return transition('analyzed', 'planning', actor, { ...analysis });
    },
    ({ serialRanges }) => {
      const bad = serialRanges.find((r) => r.from > r.to);
      return bad ? `serial range ${bad.from}–${bad.to} ends before it starts` : undefined;
    },
  );

  step(planUpdate, 'plan', async ({ actor, plan }) => {
    state.plans.push({ plan, at: now(), by: actor });
    return transition('planned', 'production_change', actor, { plan });
  });

  step(productionChangeUpdate, 'production-change', async ({ actor, ...change }) => {
    state.changes.push({ ...change, at: now(), by: actor });
    return transition('production_changed', 'verification', actor, { ...change });
  });

  step(verifyUpdate, 'verify', async ({ actor, effective, note }) => {
    state.verifications.push({ effective, note, at: now(), by: actor });
    if (!effective) return transition('not_effective', 'planning', actor, { note });
    const s = await transition('closed', 'closed', actor, { note });
    await tell({
      issueId: state.issueId,
      closed: true,
      summary: note,
      caseIds: state.caseIds,
      complaintIds: state.complaintIds,
    });
    return s;
  });

  step(
    linkQualityUpdate,
    'link',
    async ({ actor, caseIds, complaintIds }) => {
      const newCases = (caseIds ?? []).filter((id) => !state.caseIds.includes(id));
      const newComplaints = (complaintIds ?? []).filter((id) => !state.complaintIds.includes(id));
      state.caseIds.push(...newCases);
      state.complaintIds.push(...newComplaints);
      const s = await transition('linked', state.stage, actor, {
        caseIds: newCases,
        complaintIds: newComplaints,
      });
      if (newComplaints.length > 0)
        await tell({
          issueId: state.issueId,
          closed: false,
          summary: '',
          caseIds: [],
          complaintIds: newComplaints,
        });
      return s;
    },
    ({ caseIds, complaintIds }) =>
      [...(caseIds ?? [])].every((id) => state.caseIds.includes(id)) &&
      [...(complaintIds ?? [])].every((id) => state.complaintIds.includes(id))
        ? 'nothing new to link'
        : undefined,
  );

  step(
    cancelQualityUpdate,
    'cancel',
    async ({ actor, reason }) => {
      state.cancellation = { reason, at: now(), by: actor };
      return transition('cancelled', 'cancelled', actor, { reason });
    },
    ({ reason }) => (reason.trim() === '' ? 'a cancellation needs a reason' : undefined),
  );

  setHandler(casesLinkedSignal, ({ caseIds }) => {
    const fresh = caseIds.filter((id) => !state.caseIds.includes(id));
    if (fresh.length === 0 || !isQualityOpen(state.stage)) return;
    state.caseIds.push(...fresh);
    pending = pending.then(() =>
      transition('linked', state.stage, 'system', { caseIds: fresh, complaintIds: [] }),
    );
  });
  setHandler(qualityStateQuery, () => state);

  await created;
  if (firstRun && state.complaintIds.length > 0) {
    await tell({
      issueId: state.issueId,
      closed: false,
      summary: input.intake.title,
      caseIds: [],
      complaintIds: state.complaintIds,
    });
  }

  const watching = watchClocks();
  const tooLong = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= historyLimit;
  };
  await condition(
    () => !isQualityOpen(state.stage) || (tooLong() && recording === 0 && allHandlersFinished()),
  );
  await pending;
  await writes;
  if (isQualityOpen(state.stage)) return continueAsNew<typeof qualityIssue>({ ...input, state });
  await watching;
  await writes;
  await condition(allHandlersFinished);
  return state;

  async function watchClocks() {
    while (isQualityOpen(state.stage)) {
      const seen = clockMoves;
      const moved = () => clockMoves !== seen || !isQualityOpen(state.stage);
      const next = nextDue(Object.values(state.clocks) as Clock<string>[]);
      if (next === undefined) {
        await condition(moved);
        continue;
      }
      const wait = Date.parse(next) - Date.now();
      if (wait > 0 && (await condition(moved, wait))) continue;
      recording += 1;
      try {
        await fireDueSteps();
      } finally {
        recording -= 1;
      }
    }
  }

  /** Fires every step that is due, then records them one by one (see the complaint workflow for why). */
  async function fireDueSteps() {
    const firedAt = new Date();
    const records: Array<{ state: QualityIssueState; event: QualityEvent; escalation: QualityEscalation }> =
      [];
    for (const clock of Object.values(state.clocks)) {
      for (const due of dueSteps(clock, firedAt)) {
        fireStep(clock, due, firedAt);
        if (clock.breached) state.breached = true;
        const recipient = due.recipient === 'assignee' ? state.owner : due.recipient;
        const escalation: QualityEscalation = {
          issueId: state.issueId,
          clock: clock.name,
          cycle: clock.cycle,
          level: due.level,
          name: due.name,
          dueAt: due.dueAt!,
          firedAt: due.firedAt!,
          recipient,
          owner: state.owner,
        };
        state.seq += 1;
        const event: QualityEvent = {
          seq: state.seq,
          type: 'escalated',
          fromStage: state.stage,
          toStage: state.stage,
          actor: 'system',
          at: escalation.firedAt,
          data: {
            clock: clock.name,
            cycle: clock.cycle,
            level: due.level,
            name: due.name,
            dueAt: escalation.dueAt,
            recipient,
          },
        };
        records.push({ state: snapshot(), event, escalation });
      }
    }
    for (const record of records) await writeEscalation(record);
  }
}
