// The life of one complaint (投诉, policy section 6) as a durable workflow: intake with its classification
// and route, acknowledgement, investigation (findings, evidence, corrective actions with owners and
// deadlines), the answer the customer accepts or rejects, and the effectiveness check before close.
// Beside the stages run the clocks, all on the SLA engine: acknowledge and resolve targets per priority,
// the progress-update clock (any customer-visible update restarts it; it stops once resolved) and one
// clock per corrective action (a reminder before its deadline, escalations after). Complaints can last
// long, so the workflow continues as new with its state once its history grows past a limit. Writes to
// the read model go out in seq order; one that fails for good is recorded and the complaint goes on
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
import type {
  ComplaintEscalation,
  ComplaintEscalationInput,
  ComplaintEvent,
  ComplaintProjection,
} from '../activities/complaints/index.js';
import type { CaseActivities, Notification, ProjectionFailure } from '../activities/index.js';
import type { Target } from '../domain/calendar.js';
import {
  type AcknowledgeStep,
  type AddActionStep,
  type AnswerStep,
  actionClock,
  type ComplaintIntake,
  type ComplaintStage,
  type ComplaintState,
  type ComplaintStepName,
  type CompleteActionStep,
  type CustomerResponseStep,
  complaintSeverity,
  complaintStepMisfit,
  complaintStepRule,
  type EffectivenessStep,
  type EvidenceStep,
  type FindingStep,
  isComplaintOpen,
  isResolved,
  type LinkCaseStep,
  type ProgressUpdateStep,
  type QualityIssueLinkedSignal,
  type ReclassifyStep,
  type RouteStep,
  type WaiveActionsStep,
  type WithdrawStep,
} from '../domain/complaints/complaint.js';
import { type ComplaintPolicySnapshot, classify, type Priority } from '../domain/complaints/policy.js';
import { departmentDesk, routeComplaint } from '../domain/complaints/routing.js';
import {
  type Clock,
  dueSteps,
  fireStep,
  nextDue,
  reopenClock,
  retargetClock,
  startClock,
  stopClock,
} from '../domain/sla-clock.js';
import { makeStorableInPlace, storableJson } from '../domain/storable-text.js';
import { RECORD_FAILURE_OPTIONS, WRITE_ACTIVITY_OPTIONS, writeFailure } from './activity-options.js';

const { projectComplaint, recordComplaintEscalation, notify } =
  proxyActivities<CaseActivities>(WRITE_ACTIVITY_OPTIONS);
const { recordComplaintWriteFailure } = proxyActivities<CaseActivities>(RECORD_FAILURE_OPTIONS);

/** Default history length after which a complaint continues as new (Temporal's own hint comes later). */
export const COMPLAINT_HISTORY_LIMIT = 5_000;

export interface ComplaintInput {
  complaintId: string;
  intake: ComplaintIntake;
  createdAt: string;
  createdBy: string;
  /** The complaint policy version and calendar, fixed at intake. */
  snapshot: ComplaintPolicySnapshot;
  /** Continue as new once the history has this many events. */
  historyLimit?: number;
  /** The state carried over by continue-as-new; absent on the first run. */
  state?: ComplaintState;
}

const u = <A>(name: ComplaintStepName) => defineUpdate<ComplaintState, [A]>(name);
export const acknowledgeUpdate = u<AcknowledgeStep>('acknowledge');
export const reclassifyUpdate = u<ReclassifyStep>('reclassify');
export const routeUpdate = u<RouteStep>('route');
export const recordFindingUpdate = u<FindingStep>('record-finding');
export const attachEvidenceUpdate = u<EvidenceStep>('attach-evidence');
export const linkCaseUpdate = u<LinkCaseStep>('link-case');
export const addActionUpdate = u<AddActionStep>('add-action');
export const completeActionUpdate = u<CompleteActionStep>('complete-action');
export const waiveActionsUpdate = u<WaiveActionsStep>('waive-actions');
export const progressUpdateUpdate = u<ProgressUpdateStep>('progress-update');
export const answerUpdate = u<AnswerStep>('answer');
export const customerResponseUpdate = u<CustomerResponseStep>('customer-response');
export const effectivenessCheckUpdate = u<EffectivenessStep>('effectiveness-check');
export const withdrawUpdate = u<WithdrawStep>('withdraw');
/** A quality issue raised from (or linked to) the complaint reports its progress and its close. */
export const qualityIssueSignal = defineSignal<[QualityIssueLinkedSignal]>('quality-issue');
export const complaintStateQuery = defineQuery<ComplaintState>('state');

const HOUR_MS = 3_600_000;

function initialState(input: ComplaintInput): ComplaintState {
  const { policy, calendar } = input.snapshot;
  const c = input.intake.complaint;
  const priority = classify(policy.matrix, c.urgency, c.importance);
  const route = routeComplaint(policy.routing, {
    category: c.category,
    productLine: input.intake.product.line,
    region: input.intake.customer.region,
  });
  const start = new Date(input.intake.reportedAt);
  const t = policy.targets[priority];
  return {
    complaintId: input.complaintId,
    stage: 'registered',
    intake: input.intake,
    createdAt: input.createdAt,
    createdBy: input.createdBy,
    policy: { id: policy.id, version: policy.version },
    classification: { urgency: c.urgency, importance: c.importance, priority },
    reclassifications: [],
    department: route.department,
    ...(route.owner ? { owner: route.owner } : {}),
    routing: [
      {
        department: route.department,
        ...(route.owner ? { owner: route.owner } : {}),
        rule: route.rule,
        at: input.createdAt,
        by: 'system',
      },
    ],
    linkedCases: [...(input.intake.caseIds ?? [])],
    findings: [],
    evidence: [],
    actions: [],
    answers: [],
    responses: [],
    rejections: 0,
    updates: [],
    effectiveness: [],
    qualityIssues: [],
    clocks: {
      acknowledge: startClock(calendar, 'acknowledge', t.acknowledge, policy.escalation, start),
      resolve: startClock(calendar, 'resolve', t.resolve, policy.escalation, start),
      progress: startClock(calendar, 'progress', t.progressUpdate, policy.progressEscalation, start),
    },
    breached: false,
    seq: 1,
    runs: 1,
  };
}

export async function complaint(input: ComplaintInput): Promise<ComplaintState> {
  const { policy, calendar } = input.snapshot;
  const firstRun = input.state === undefined;
  const state: ComplaintState = input.state ?? initialState(input);
  const historyLimit = input.historyLimit ?? COMPLAINT_HISTORY_LIMIT;
  const now = () => new Date().toISOString();
  const snapshot = () => JSON.parse(JSON.stringify(state)) as ComplaintState;
  const ownerOrDesk = () => state.owner ?? departmentDesk(state.department);

  let clockMoves = 0;
  let recording = 0;
  const clockList = () => Object.values(state.clocks) as Clock<string>[];
  const stop = (name: string) => {
    const c = state.clocks[name];
    if (c) stopClock(calendar, c, new Date());
    clockMoves += 1;
  };

  // Set after a write failed for good: from then on every write carries only storable text.
  let storableOnly = false;
  let writes: Promise<unknown> = Promise.resolve();

  // Intake is projected before any handler is set: an update that raced the start is delivered as soon
  // as its handler is registered and must find the row already moved.
  const created = firstRun
    ? writeProjection({
        state: snapshot(),
        event: {
          seq: 1,
          type: 'created',
          fromStage: null,
          toStage: 'registered',
          actor: input.createdBy,
          at: input.createdAt,
          data: {
            channel: input.intake.channel,
            classification: state.classification,
            department: state.department,
            owner: state.owner ?? null,
            rule: state.routing[0]?.rule ?? null,
          },
        },
      })
    : Promise.resolve();

  // Writes to the read model go out strictly in seq order: handlers interleave at their awaits, and two
  // steps (or a step and an escalation) written concurrently could otherwise commit — and emit their
  // webhooks — out of order. Each write starts when the one before it is done.
  function inSeqOrder(write: () => Promise<void>): Promise<void> {
    const done = writes.then(write);
    writes = done.catch(() => undefined);
    return done;
  }

  function writeProjection(input: ComplaintProjection): Promise<void> {
    return inSeqOrder(async () => {
      const payload = storableOnly ? storableJson(input) : input;
      try {
        await projectComplaint(payload);
      } catch (err) {
        await writeFailed('projectComplaint', err, payload.event, { projection: payload });
      }
    });
  }

  function writeEscalation(input: ComplaintEscalationInput): Promise<void> {
    return inSeqOrder(async () => {
      const payload = storableOnly ? storableJson(input) : input;
      try {
        await recordComplaintEscalation(payload);
      } catch (err) {
        await writeFailed('recordComplaintEscalation', err, payload.event, { escalation: payload });
      }
    });
  }

  /**
   * A write to the read model failed for good: records the failure (the transition written with its
   * text made storable, a projection_failures row, an alert to the administrators) and goes on.
   */
  async function writeFailed(
    activity: ProjectionFailure['activity'],
    err: unknown,
    event: ComplaintEvent,
    what: { projection?: ComplaintProjection; escalation?: ComplaintEscalationInput },
  ): Promise<void> {
    if (!(err instanceof ActivityFailure)) throw err;
    storableOnly = true;
    makeStorableInPlace(state);
    const failure = writeFailure(state.complaintId, activity, event, err);
    log.warn('complaint write failed for good; recording it and going on', {
      complaintId: state.complaintId,
      seq: event.seq,
      activity,
      errorType: failure.errorType,
    });
    await recordComplaintWriteFailure({ failure, ...storableJson(what) });
  }

  /** Sends a notification; one that cannot be queued is logged, the step goes on. */
  async function alert(n: Omit<Notification, 'caseId'>): Promise<void> {
    const full: Notification = {
      ...n,
      caseId: state.complaintId,
      payload: { ...n.payload, severity: complaintSeverity(state.classification.priority) },
    };
    try {
      await notify(storableOnly ? storableJson(full) : full);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('notification failed for good', { complaintId: state.complaintId, kind: n.kind });
    }
  }

  async function transition(
    type: string,
    to: ComplaintStage,
    actor: string,
    data: Record<string, unknown>,
    update?: ComplaintEvent['update'],
  ) {
    const from = state.stage;
    state.stage = to;
    state.seq += 1;
    if (!isComplaintOpen(to)) {
      state.closedAt = now();
      for (const name of Object.keys(state.clocks)) stop(name);
    }
    const event: ComplaintEvent = {
      seq: state.seq,
      type,
      fromStage: from,
      toStage: to,
      actor,
      at: now(),
      data,
      ...(update ? { update } : {}),
    };
    const s = snapshot();
    await writeProjection({ state: s, event });
    return s;
  }

  /** A customer-visible update: recorded with the progress deadline it met or missed, and the clock restarts. */
  function customerUpdate(
    kind: 'acknowledge' | 'progress' | 'answer',
    message: string,
    actor: string,
    channel: AcknowledgeStep['channel'],
  ) {
    const progress = state.clocks.progress;
    const dueAt = progress?.status === 'running' ? (progress.deadline ?? null) : null;
    state.updates.push({ kind, message, channel, at: now(), by: actor });
    if (progress && !isResolved(state.stage)) {
      stopClock(calendar, progress, new Date());
      state.clocks.progress = startClock(
        calendar,
        'progress',
        policy.targets[state.classification.priority].progressUpdate,
        policy.progressEscalation,
        new Date(),
        progress.cycle + 1,
      );
    }
    clockMoves += 1;
    return { kind, dueAt };
  }

  function step<A>(
    update: UpdateDefinition<ComplaintState, [A]>,
    name: ComplaintStepName,
    handler: (input: A) => Promise<ComplaintState>,
    rule?: (input: A) => string | undefined,
  ) {
    setHandler(update, handler, {
      validator: (arg: A) => {
        const reason =
          complaintStepMisfit(state, name) ??
          complaintStepRule(state, name, arg as Record<string, unknown>) ??
          rule?.(arg);
        if (reason)
          throw ApplicationFailure.create({ type: 'StepRejected', message: reason, nonRetryable: true });
      },
    });
  }

  async function tellUpperManagementOfP1(reason: string) {
    await alert({
      key: `complaint:${state.complaintId}:p1:${state.seq}`,
      kind: 'complaint.p1',
      recipient: 'upper-management',
      payload: { complaintId: state.complaintId, reason, classification: state.classification },
    });
  }

  step(acknowledgeUpdate, 'acknowledge', async ({ actor, message, channel }) => {
    stop('acknowledge');
    const update = customerUpdate('acknowledge', message, actor, channel);
    return transition('acknowledged', 'investigating', actor, { message, channel }, update);
  });

  step(
    reclassifyUpdate,
    'reclassify',
    async ({ actor, urgency, importance, reason }) => {
      const from = { ...state.classification };
      const priority: Priority = classify(policy.matrix, urgency, importance);
      state.classification = { urgency, importance, priority };
      state.reclassifications.push({ from, to: { ...state.classification }, reason, at: now(), by: actor });
      const t = policy.targets[priority];
      const retarget: Array<[string, Target]> = [
        ['acknowledge', t.acknowledge],
        ['resolve', t.resolve],
        ['progress', t.progressUpdate],
      ];
      for (const [name, target] of retarget) {
        const c = state.clocks[name];
        if (c && c.status !== 'stopped') retargetClock(calendar, c, target);
      }
      clockMoves += 1;
      const s = await transition('reclassified', state.stage, actor, {
        from,
        to: state.classification,
        reason,
      });
      if (priority === 'P1' && from.priority !== 'P1') await tellUpperManagementOfP1(reason);
      return s;
    },
    ({ reason }) => (reason.trim() === '' ? 'a revised classification needs a reason' : undefined),
  );

  step(routeUpdate, 'route', async ({ actor, department, owner, reason }) => {
    state.department = department;
    state.owner = owner;
    state.routing.push({ department, ...(owner ? { owner } : {}), rule: null, reason, at: now(), by: actor });
    const s = await transition('routed', state.stage, actor, { department, owner: owner ?? null, reason });
    await alert({
      key: `complaint:${state.complaintId}:routed:${state.seq}`,
      kind: 'complaint.routed',
      recipient: ownerOrDesk(),
      payload: { complaintId: state.complaintId, department, owner: owner ?? null },
    });
    return s;
  });

  step(recordFindingUpdate, 'record-finding', async ({ actor, text, caseIds }) => {
    const ids = caseIds ?? [];
    state.findings.push({ text, caseIds: ids, at: now(), by: actor });
    for (const id of ids) if (!state.linkedCases.includes(id)) state.linkedCases.push(id);
    return transition('finding_recorded', state.stage, actor, { text, caseIds: ids });
  });

  step(
    attachEvidenceUpdate,
    'attach-evidence',
    async ({ actor, ...evidence }) => {
      state.evidence.push({ ...evidence, at: now(), by: actor });
      return transition('evidence_attached', state.stage, actor, { ...evidence });
    },
    ({ evidenceId }) =>
      state.evidence.some((e) => e.evidenceId === evidenceId)
        ? `evidence ${evidenceId} is attached already`
        : undefined,
  );

  step(
    linkCaseUpdate,
    'link-case',
    async ({ actor, caseId }) => {
      state.linkedCases.push(caseId);
      return transition('case_linked', state.stage, actor, { caseId });
    },
    ({ caseId }) => (state.linkedCases.includes(caseId) ? `case ${caseId} is linked already` : undefined),
  );

  step(
    addActionUpdate,
    'add-action',
    async ({ actor, description, type, responsible, deadline, within }) => {
      const id = `A${state.actions.length + 1}`;
      const at = new Date();
      // An instant deadline runs in wall time, so the reminder falls at the same fraction of the time left.
      const target: Target = within ?? {
        amount: (Date.parse(deadline!) - at.getTime()) / HOUR_MS,
        unit: 'hours',
      };
      const clock = startClock(calendar, actionClock(id), target, policy.actionEscalation, at);
      state.clocks[clock.name] = clock;
      clockMoves += 1;
      state.actions.push({
        id,
        description,
        type,
        responsible,
        deadline: clock.deadline!,
        status: 'open',
        at: at.toISOString(),
        by: actor,
      });
      const s = await transition('action_added', state.stage, actor, {
        actionId: id,
        description,
        type,
        responsible,
        deadline: clock.deadline,
      });
      await alert({
        key: `complaint:${state.complaintId}:action:${id}:assigned`,
        kind: 'complaint.action_assigned',
        recipient: responsible,
        payload: { complaintId: state.complaintId, actionId: id, description, deadline: clock.deadline },
      });
      return s;
    },
    ({ deadline, within }) => {
      if ((deadline === undefined) === (within === undefined))
        return 'a corrective action needs either a deadline (an instant) or within (a duration), not both';
      if (deadline !== undefined && !(Date.parse(deadline) > Date.now()))
        return `deadline ${deadline} is not in the future`;
      return undefined;
    },
  );

  step(completeActionUpdate, 'complete-action', async ({ actor, actionId, result }) => {
    const action = state.actions.find((a) => a.id === actionId)!;
    action.status = 'done';
    action.completed = { result, at: now(), by: actor };
    stop(actionClock(actionId));
    return transition('action_completed', state.stage, actor, { actionId, result });
  });

  step(
    waiveActionsUpdate,
    'waive-actions',
    async ({ actor, reason }) => {
      state.waiver = { reason, at: now(), by: actor };
      const open = state.actions.filter((a) => a.status === 'open').map((a) => a.id);
      return transition('actions_waived', state.stage, actor, { reason, actions: open });
    },
    ({ reason }) => (reason.trim() === '' ? 'a waiver needs a reason' : undefined),
  );

  step(progressUpdateUpdate, 'progress-update', async ({ actor, message, channel }) => {
    const update = customerUpdate('progress', message, actor, channel);
    return transition('progress_update', state.stage, actor, { message, channel }, update);
  });

  step(answerUpdate, 'answer', async ({ actor, answer, channel }) => {
    state.answers.push({ answer, channel, round: state.rejections, at: now(), by: actor });
    const update = customerUpdate('answer', answer, actor, channel);
    return transition('answered', 'answered', actor, { answer, channel, round: state.rejections }, update);
  });

  step(customerResponseUpdate, 'customer-response', async ({ actor, accepted, comment }) => {
    state.responses.push({
      accepted,
      ...(comment ? { comment } : {}),
      round: state.rejections,
      at: now(),
      by: actor,
    });
    if (accepted) {
      // Resolved: no more progress updates are owed and the resolve clock stops.
      stop('resolve');
      stop('progress');
      return transition('answer_accepted', 'verifying', actor, { comment: comment ?? null });
    }
    state.rejections += 1;
    // A new round needs its own waiver for actions left open.
    state.waiver = undefined;
    const s = await transition('answer_rejected', 'investigating', actor, {
      comment: comment ?? null,
      round: state.rejections,
    });
    await alert({
      key: `complaint:${state.complaintId}:rejected:${state.rejections}`,
      kind: 'complaint.answer_rejected',
      recipient: ownerOrDesk(),
      payload: { complaintId: state.complaintId, comment: comment ?? null, round: state.rejections },
    });
    return s;
  });

  step(effectivenessCheckUpdate, 'effectiveness-check', async ({ actor, effective, note }) => {
    state.effectiveness.push({ effective, note, at: now(), by: actor });
    if (effective) return transition('closed', 'closed', actor, { note });
    const resolve = state.clocks.resolve;
    if (resolve) state.clocks.resolve = reopenClock(calendar, resolve, new Date(), 'continue');
    clockMoves += 1;
    return transition('not_effective', 'investigating', actor, { note });
  });

  step(
    withdrawUpdate,
    'withdraw',
    async ({ actor, reason }) => {
      state.withdrawal = { reason, at: now(), by: actor };
      return transition('withdrawn', 'withdrawn', actor, { reason });
    },
    ({ reason }) => (reason.trim() === '' ? 'a withdrawal needs a reason' : undefined),
  );

  let signalled = Promise.resolve<unknown>(undefined);
  setHandler(qualityIssueSignal, ({ issueId, closed, summary }) => {
    if (!isComplaintOpen(state.stage)) return;
    const known = state.qualityIssues.find((q) => q.issueId === issueId);
    if (known && known.closed === closed) return;
    if (known) known.closed = closed;
    else state.qualityIssues.push({ issueId, closed, ...(summary ? { summary } : {}), at: now() });
    signalled = signalled.then(() =>
      transition(closed ? 'quality_issue_closed' : 'quality_issue_linked', state.stage, 'system', {
        issueId,
        summary: summary ?? null,
      }),
    );
  });

  setHandler(complaintStateQuery, () => state);

  await created;
  if (firstRun) {
    if (state.classification.priority === 'P1') await tellUpperManagementOfP1('P1 at intake');
    await alert({
      key: `complaint:${state.complaintId}:routed:1`,
      kind: 'complaint.routed',
      recipient: ownerOrDesk(),
      payload: { complaintId: state.complaintId, department: state.department, owner: state.owner ?? null },
    });
  }

  const watching = watchClocks();
  const tooLong = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= historyLimit;
  };
  await condition(
    () => !isComplaintOpen(state.stage) || (tooLong() && recording === 0 && allHandlersFinished()),
  );
  if (isComplaintOpen(state.stage)) {
    await signalled;
    await writes;
    state.runs += 1;
    // Timers and handlers of this run end here; the next run re-arms the clocks from the state.
    return continueAsNew<typeof complaint>({ ...input, state });
  }
  await watching;
  await signalled;
  await writes;
  await condition(allHandlersFinished);
  return state;

  async function watchClocks() {
    while (isComplaintOpen(state.stage)) {
      const seen = clockMoves;
      const moved = () => clockMoves !== seen || !isComplaintOpen(state.stage);
      const next = nextDue(clockList());
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

  /**
   * Fires every step that is due, then records them one by one. All are fired (and their records built)
   * before the first await: a handler running meanwhile may replace or stop a clock, which clears the
   * due instants of its steps.
   */
  async function fireDueSteps() {
    const firedAt = new Date();
    const records: Array<{ state: ComplaintState; event: ComplaintEvent; escalation: ComplaintEscalation }> =
      [];
    for (const clock of clockList()) {
      for (const due of dueSteps(clock, firedAt)) {
        fireStep(clock, due, firedAt);
        if (clock.breached && (clock.name === 'acknowledge' || clock.name === 'resolve'))
          state.breached = true;
        const action = clock.name.startsWith('action:')
          ? state.actions.find((a) => actionClock(a.id) === clock.name)
          : undefined;
        const recipient =
          due.recipient === 'assignee'
            ? ownerOrDesk()
            : due.recipient === 'responsible'
              ? (action?.responsible ?? ownerOrDesk())
              : due.recipient;
        const escalation: ComplaintEscalation = {
          complaintId: state.complaintId,
          clock: clock.name,
          cycle: clock.cycle,
          level: due.level,
          name: due.name,
          dueAt: due.dueAt!,
          firedAt: due.firedAt!,
          recipient,
          owner: state.owner ?? null,
          priority: state.classification.priority,
        };
        state.seq += 1;
        const event: ComplaintEvent = {
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
            ...(action ? { actionId: action.id } : {}),
          },
        };
        records.push({ state: snapshot(), event, escalation });
      }
    }
    for (const record of records) await writeEscalation(record);
  }
}
