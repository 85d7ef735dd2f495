// The life of one service case (docs/process.md), from intake to close, as a durable workflow.
// Human steps arrive as Updates: each validator rejects a step that does not fit the stage before it
// enters history; each handler moves the case and waits until the read model has the transition,
// so the API can answer with what the database now shows. SLA clocks run beside the stages: one
// timer for the next escalation step of any clock, re-armed whenever a step moves a clock.

import type { UpdateDefinition } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  CaseActivities,
  CaseEvent,
  Escalation,
  EscalationInput,
  ProjectionFailure,
  ProjectionInput,
} from '../activities/index.js';
import {
  type AssignStep,
  type CancelStep,
  type CaseState,
  type CheckInStep,
  type CompleteRepairStep,
  type ContactStep,
  type CustomerFeedbackStep,
  type CustomerRespondedStep,
  type DiagnoseStep,
  type Intake,
  instantMisfit,
  isOpen,
  type PartLine,
  type PartsReadyStep,
  type ResolveAtIntakeStep,
  type ScheduleStep,
  type Stage,
  type StepName,
  type SurveyResponseStep,
  stepMisfit,
  type WaitForCustomerStep,
} from '../domain/case.js';
import { caseSummary, type Projected, type StatePatch, statePatch } from '../domain/case-projection.js';
import { firedStepTransition } from '../domain/escalation-step.js';
import { type PartsRequestInput, partsRequestId, partsRequestWorkflowId } from '../domain/parts/request.js';
import {
  type Clock,
  dueSteps,
  fireStep,
  nextDue,
  pauseClock,
  reopenClock,
  resumeClock,
  retargetClock,
  startCaseClocks,
  stopClock,
} from '../domain/sla-clock.js';
import type { ClockName, PauseReason, SlaSnapshot } from '../domain/sla-policy.js';
import { makeStorableInPlace, storableJson, storableText } from '../domain/storable-text.js';
import { RECORD_FAILURE_OPTIONS, WRITE_ACTIVITY_OPTIONS, writeFailure } from './activity-options.js';
import {
  changePartsRequestUpdate,
  partsChangedSignal,
  partsReservedSignal,
  repairPartsSignal,
} from './parts-signals.js';
import { CASE_ASSIGNEE, CASE_BREACHED, CASE_STAGE } from './search-attributes.js';

// A write no retry can cure fails at once (UnstorableData); any other failure is retried for about half
// an hour, then the workflow records it and goes on (workflows/activity-options.ts).
const activityOptions = WRITE_ACTIVITY_OPTIONS;
const { projectCase, notify, escalate, cancelPartsRequest } =
  proxyActivities<CaseActivities>(activityOptions);
const { recordProjectionFailure } = proxyActivities<CaseActivities>(RECORD_FAILURE_OPTIONS);
/**
 * Every change made to running cases with patched() up to 2026-12-02, as one patch. Core records each
 * patch as a marker plus an upsert of the TemporalChangeVersion search attribute (a visibility write on
 * the server), so with a patch per change a new case recorded one pair at intake and two more pairs in
 * the workflow task of its first escalation — the task the first burst of a day runs for every case at
 * once. A case begun since records this one pair at intake and none later. A case begun before has no
 * such marker: while it replays this patch reads false and its own markers decide, as before; once it
 * runs live it takes this one, which answers what each of its own would have answered live. A later
 * change gets a patch of its own.
 */
const CHANGES_UNTIL_2026_12_02 = 'case-changes-until-2026-12-02';
function changed(patchId: string): boolean {
  return patched(CHANGES_UNTIL_2026_12_02) || patched(patchId);
}

/** Stages in which the engineer may still change the parts of a case. */
const CHANGEABLE: readonly Stage[] = ['awaiting_parts', 'diagnosed', 'scheduled'];
// An escalation is recorded by a local activity: it runs inside the workflow task its timer woke, so a
// step costs one workflow task instead of two plus an activity task, which is what decides how many
// clocks can fall due together before escalations run late (bench/README.md, "Tuning").
const local = proxyLocalActivities<CaseActivities>(activityOptions);

export interface ServiceCaseInput {
  caseId: string;
  intake: Intake;
  createdAt: string;
  timing: { surveyDelayMs: number; surveyExpiryMs: number };
  /** The SLA policy version and calendar the case runs under, fixed at intake. */
  sla: SlaSnapshot;
  /** Who opened the case (the person of the API key). */
  createdBy?: string;
}

export const resolveAtIntakeUpdate = defineUpdate<CaseStepResult, [ResolveAtIntakeStep]>('resolve-at-intake');
export const assignUpdate = defineUpdate<CaseStepResult, [AssignStep]>('assign');
export const diagnoseUpdate = defineUpdate<CaseStepResult, [DiagnoseStep]>('diagnose');
export const partsReadyUpdate = defineUpdate<CaseStepResult, [PartsReadyStep]>('parts-ready');
export const scheduleUpdate = defineUpdate<CaseStepResult, [ScheduleStep]>('schedule');
export const checkInUpdate = defineUpdate<CaseStepResult, [CheckInStep]>('check-in');
export const completeRepairUpdate = defineUpdate<CaseStepResult, [CompleteRepairStep]>('complete-repair');
export const customerFeedbackUpdate = defineUpdate<CaseStepResult, [CustomerFeedbackStep]>(
  'customer-feedback',
);
export const surveyResponseUpdate = defineUpdate<CaseStepResult, [SurveyResponseStep]>('survey-response');
export const waitForCustomerUpdate = defineUpdate<CaseStepResult, [WaitForCustomerStep]>('wait-for-customer');
export const customerRespondedUpdate = defineUpdate<CaseStepResult, [CustomerRespondedStep]>(
  'customer-responded',
);
export const recordContactUpdate = defineUpdate<CaseStepResult, [ContactStep]>('record-contact');
export const cancelUpdate = defineUpdate<CaseStepResult, [CancelStep]>('cancel');
export const caseStateQuery = defineQuery<CaseState>('state');

/**
 * What a step answers: the case, its stage and the seq of the step's transition (the API reads the rest
 * from the read model). Not the whole state: every answer is kept in the case's history.
 */
export interface CaseStepResult {
  caseId: string;
  stage: Stage;
  seq: number;
}

export async function serviceCase(input: ServiceCaseInput): Promise<CaseState> {
  const { policy, calendar } = input.sla;
  const severity = input.intake.problem.severity;
  // Every clock starts when the customer reported, not when the case reached us.
  const clocks = startCaseClocks(input.sla, severity, new Date(input.intake.reportedAt));
  const state: CaseState = {
    caseId: input.caseId,
    stage: 'intake',
    severity: input.intake.problem.severity,
    intake: input.intake,
    createdAt: input.createdAt,
    disputes: 0,
    assignments: [],
    diagnoses: [],
    repairReports: [],
    feedback: [],
    contacts: [],
    clocks,
    breached: false,
    slaPolicy: { id: policy.id, version: policy.version },
    seq: 1,
  };
  const now = () => new Date().toISOString();
  const caseStart = { reportedAt: input.intake.reportedAt, createdAt: input.createdAt };
  // Read-model writes in seq order (inSeqOrder) and, once one failed for good, storable text only (writeFailed).
  let writes: Promise<unknown> = Promise.resolve();
  let storableOnly = false;
  // What the read model was last sent of the state: each write sends only what changed since
  // (domain/case-projection.ts), so the history grows with what happened, not with its square.
  let projected: Projected;
  let wasInSeqOrder = true;
  /** The state's patch since the last write; the whole state when writes are not (yet) in seq order. */
  function patchNow(): StatePatch {
    // Executions from before seq-ordered writes wrote concurrently: the row may hold any of their
    // states, so they send it whole — and so does the first ordered write after them.
    const inOrder = changed('projections-in-seq-order');
    if (!inOrder || !wasInSeqOrder) projected = undefined;
    wasInSeqOrder = inOrder;
    const next = statePatch(projected, state as unknown as Record<string, unknown>);
    projected = next.projected;
    return next.patch;
  }

  // Intake (受理) is the first transition. It is projected before any handler is registered, because
  // an update that raced the start is delivered the moment its handler is set. It is written by a local
  // activity, inside the workflow's first task, so that task also arms the first SLA timer: the history
  // a case rests on until its first step falls due is one workflow task (8 events instead of 13, without
  // the state and SLA snapshot a scheduled activity's input repeats), and that history is what the server
  // reads and a worker replays for every case no longer in a worker's cache when its step falls due
  // (bench/README.md, "burst"). Histories from before scheduled an activity.
  const created = project(
    {
      case: caseSummary(state),
      patch: patchNow(),
      event: {
        seq: 1,
        type: 'created',
        fromStage: null,
        toStage: 'intake',
        actor: input.createdBy ?? 'system',
        at: input.createdAt,
        data: { channel: input.intake.channel },
      },
      sla: input.sla,
    },
    changed('intake-projection-as-local-activity'),
  );

  // Clock moves. Each bumps `clockMoves` so the escalation timer re-arms for the new next step.
  let clockMoves = 0;
  const clockList = () => Object.values(clocks) as Clock[];
  function stopClocks(...names: ClockName[]) {
    for (const name of names) if (clocks[name]) stopClock(calendar, clocks[name], new Date());
    clockMoves += 1;
  }
  function pauseClocks(reason: PauseReason) {
    for (const name of policy.pauses[reason])
      if (clocks[name]) pauseClock(calendar, clocks[name], reason, new Date());
    clockMoves += 1;
  }
  function resumeClocks(reason: PauseReason) {
    for (const c of clockList()) resumeClock(calendar, c, reason, new Date());
    clockMoves += 1;
  }

  /** Moves the case to `to`, records why, and projects it; returns the state the caller sees. */
  async function transition(type: string, to: Stage, actor: string, data: Record<string, unknown>) {
    const from = state.stage;
    state.stage = to;
    state.seq += 1;
    if (!isOpen(to)) {
      state.closedAt = now();
      stopClocks(...(Object.keys(clocks) as ClockName[]));
    }
    upsertSearchAttributes([
      { key: CASE_STAGE, value: to },
      ...(state.assignee ? [{ key: CASE_ASSIGNEE, value: storableText(state.assignee) }] : []),
    ]);
    const event: CaseEvent = { seq: state.seq, type, fromStage: from, toStage: to, actor, at: now(), data };
    await project({ case: caseSummary(state), patch: patchNow(), event });
    return { caseId: state.caseId, stage: to, seq: event.seq };
  }

  // Writes to the read model go out strictly in seq order: update handlers interleave at their awaits,
  // and two steps (or a step and an escalation) projected concurrently could otherwise commit — and
  // emit their webhooks — out of order. Each write starts when the one before it is done. Histories
  // from before wrote each at once.
  function inSeqOrder<T>(write: () => Promise<T>): Promise<T> {
    if (!changed('projections-in-seq-order')) return write();
    const done = writes.then(write);
    writes = done.catch(() => undefined);
    return done;
  }

  function project(input: ProjectionInput, asLocalActivity = false): Promise<void> {
    return inSeqOrder(async () => {
      const payload = storableOnly ? storableJson(input) : input;
      try {
        await (asLocalActivity ? local.projectCase(payload) : projectCase(payload));
      } catch (err) {
        await writeFailed('projectCase', err, payload.event, { projection: payload });
      }
    });
  }

  /** Sends a notification; one that cannot be sent is logged (its row stays unsent), the step goes on. */
  async function alert(n: Parameters<typeof notify>[0]): Promise<void> {
    try {
      await notify(storableOnly ? storableJson(n) : n);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('notification failed for good', {
        caseId: state.caseId,
        kind: n.kind,
        error: err.cause?.message,
      });
    }
  }

  /**
   * A write to the read model failed for good: records the failure (the transition written with its text
   * made storable, a projection_failures row, an alert to the administrators) and lets the case go on.
   */
  async function writeFailed(
    activity: ProjectionFailure['activity'],
    err: unknown,
    event: CaseEvent,
    what: { projection?: ProjectionInput; escalation?: EscalationInput },
  ): Promise<void> {
    // Only an activity's failure is the read model's; histories from before never saw one (retried forever).
    // A local activity's failure arrives unwrapped, as the ApplicationFailure it threw (the SDK's core wraps
    // only its timeouts and cancellations in an ActivityFailure). Before this was known, such a failure
    // failed the case's workflow: no execution is still running that took that path.
    const activityFailed = err instanceof ActivityFailure || err instanceof ApplicationFailure;
    if (!activityFailed || !changed('projection-failure-recorded')) throw err;
    storableOnly = true;
    makeStorableInPlace(state);
    // The read model may lack what this write carried: the next write sends the whole state.
    projected = undefined;
    const failure = writeFailure(state.caseId, activity, event, err);
    log.warn('read-model write failed for good; recording it and going on', {
      caseId: state.caseId,
      seq: event.seq,
      activity,
      errorType: failure.errorType,
    });
    await recordProjectionFailure({ failure, ...storableJson(what) });
  }

  /** Registers a human step: the validator checks stage fit (and the step's own rule), the handler acts. */
  function step<A>(
    update: UpdateDefinition<CaseStepResult, [A]>,
    name: StepName,
    handler: (input: A) => Promise<CaseStepResult>,
    rule?: (input: A) => string | undefined,
  ) {
    setHandler(update, handler, {
      validator: (input: A) => {
        const reason = stepMisfit(state, name) ?? rule?.(input);
        if (reason)
          throw ApplicationFailure.create({ type: 'StepRejected', message: reason, nonRetryable: true });
      },
    });
  }

  // 1. Intake (受理): a simple question is answered at once; a complex one goes to an engineer.
  step(resolveAtIntakeUpdate, 'resolve-at-intake', async ({ actor, answer }) => {
    stopClocks('response');
    state.resolution = { answer, at: now(), by: actor };
    state.outcome = 'resolved_at_intake';
    return transition('resolved_at_intake', 'closed', actor, { answer });
  });

  step(
    assignUpdate,
    'assign',
    async ({ actor, engineer, expectedHandling }) => {
      const first = state.stage === 'intake';
      if (first) stopClocks('response');
      state.assignee = engineer;
      state.assignments.push({ engineer, expectedHandling, at: now(), by: actor });
      const snapshot = await transition(
        first ? 'assigned' : 'reassigned',
        first ? 'assigned' : state.stage,
        actor,
        {
          engineer,
          expectedHandling,
        },
      );
      await alert({
        key: `${state.caseId}:assigned:${state.seq}`,
        caseId: state.caseId,
        kind: 'case.assigned',
        recipient: state.assignee ?? engineer,
        payload: { caseId: state.caseId, stage: state.stage },
      });
      return snapshot;
    },
    ({ engineer }) =>
      engineer === state.assignee ? `case ${state.caseId} is already assigned to ${engineer}` : undefined,
  );

  // 2. Diagnosis (故障诊断): cause, plan and complexity; parts to order hold the case until they arrive.
  step(diagnoseUpdate, 'diagnose', async ({ actor, ...diagnosis }) => {
    state.complexity = diagnosis.complexity;
    if (clocks.repair) retargetClock(calendar, clocks.repair, policy.targets.repair[diagnosis.complexity]);
    if (diagnosis.parts.length > 0) pauseClocks('parts');
    else clockMoves += 1;
    state.diagnoses.push({ ...diagnosis, at: now(), by: actor, round: state.disputes });
    const next = diagnosis.parts.length > 0 ? 'awaiting_parts' : 'diagnosed';
    const snapshot = await transition('diagnosed', next, actor, { ...diagnosis });
    // Catalogue parts are requested by a child workflow that moves the case on once they are reserved.
    if (diagnosis.parts.length > 0 && changed('parts-request-child'))
      await requestParts(actor, diagnosis.parts);
    return snapshot;
  });

  /** Starts the partsRequest child when every listed part is in the catalogue; else parts-ready stays manual. */
  async function requestParts(actor: string, parts: PartLine[], change = 0): Promise<string | undefined> {
    if (!(await local.partsInCatalogue({ partNumbers: parts.map((p) => p.partNumber) }))) return undefined;
    const requestId = partsRequestId(state.caseId, state.disputes, state.diagnoses.length, change);
    const workflowId = partsRequestWorkflowId(requestId);
    const request: PartsRequestInput = {
      requestId,
      caseId: state.caseId,
      parentWorkflowId: workflowInfo().workflowId,
      lines: parts.map((p, i) => ({ lineNo: i + 1, partNumber: p.partNumber, quantity: p.quantity })),
      requestedBy: actor,
      calendar,
    };
    // Closing the case asks the request to stop: it releases what it reserved.
    await startChild('partsRequest', {
      workflowId,
      args: [request],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    state.partsRequest = { id: requestId, workflowId };
    return requestId;
  }

  // The engineer changes the parts: the request is cancelled (reservations released, placed orders kept or
  // cancelled as asked) and a new one started; a case that had its parts waits for them again.
  let partsChanges = 0;
  setHandler(
    changePartsRequestUpdate,
    async ({ actor, requestId, lines, reason, orders }) => {
      const old = state.partsRequest!;
      try {
        await cancelPartsRequest({ requestId, actor, reason, orders });
      } catch (err) {
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) throw err.cause;
        throw err;
      }
      await getExternalWorkflowHandle(old.workflowId)
        .signal(partsChangedSignal)
        .catch(() => undefined);
      partsChanges += 1;
      state.partsRequest = undefined;
      // Back to waiting before the new request starts, so its "reserved" finds the case waiting.
      if (state.stage !== 'awaiting_parts') pauseClocks('parts');
      await transition('parts_changed', 'awaiting_parts', actor, { lines, reason, replaced: requestId });
      const started = await requestParts(actor, lines, partsChanges);
      return { requestId: started ?? '' };
    },
    {
      validator: ({ requestId }) => {
        const reason = !CHANGEABLE.includes(state.stage)
          ? `the parts of case ${state.caseId} cannot change in stage "${state.stage}"`
          : state.partsRequest?.id !== requestId
            ? `parts request ${requestId} is not the open request of case ${state.caseId}`
            : undefined;
        if (reason)
          throw ApplicationFailure.create({ type: 'StepRejected', message: reason, nonRetryable: true });
      },
    },
  );

  setHandler(partsReservedSignal, async ({ requestId }) => {
    if (state.stage !== 'awaiting_parts' || state.partsRequest?.id !== requestId) return;
    state.partsReady = { note: `parts request ${requestId}: every line reserved`, at: now(), by: 'system' };
    resumeClocks('parts');
    await transition('parts_ready', 'diagnosed', 'system', { requestId });
  });

  step(partsReadyUpdate, 'parts-ready', async ({ actor, note }) => {
    state.partsReady = { note, at: now(), by: actor };
    resumeClocks('parts');
    return transition('parts_ready', 'diagnosed', actor, { note });
  });

  // Repair arrangement (维修安排): on-site or carry-in, at a time agreed with the customer.
  step(scheduleUpdate, 'schedule', async ({ actor, ...schedule }) => {
    const type = state.stage === 'scheduled' ? 'rescheduled' : 'scheduled';
    state.schedule = { ...schedule, at: now(), by: actor };
    return transition(type, 'scheduled', actor, { ...schedule });
  });

  // 3. Repair (维修实施): arrival on site, or receipt of a carried-in product, starts the repair.
  step(
    checkInUpdate,
    'check-in',
    async ({ actor, at, note }) => {
      const mode = state.schedule!.mode;
      stopClocks('arrival');
      state.checkIn = { arrivedAt: at ?? now(), mode, note, at: now(), by: actor };
      return transition('checked_in', 'in_repair', actor, { arrivedAt: state.checkIn.arrivedAt, mode, note });
    },
    ({ at }) => instantMisfit('check-in time', at, caseStart, Date.now()),
  );

  step(
    completeRepairUpdate,
    'complete-repair',
    async ({ actor, ...report }) => {
      stopClocks('repair');
      state.repairReports.push({ ...report, at: now(), by: actor, round: state.disputes });
      const snapshot = await transition('repair_completed', 'repaired', actor, { ...report });
      // The replaced parts are issued to the case by its parts request (only set under the patch).
      if (state.partsRequest) {
        const request = state.partsRequest;
        state.partsRequest = undefined;
        await getExternalWorkflowHandle(request.workflowId)
          .signal(repairPartsSignal, { lines: report.partsReplaced, actor })
          .catch(() => undefined); // the request has ended (cancelled): nothing to issue from it
      }
      return snapshot;
    },
    ({ test }) =>
      test.passed
        ? undefined
        : 'the post-repair test did not pass; file the repair report once the product passes its full test',
  );

  // 4. Result feedback (维修结果反馈): a dissatisfied customer sends the case back to the engineer.
  step(customerFeedbackUpdate, 'customer-feedback', async ({ actor, accepted, comment }) => {
    state.feedback.push({ accepted, comment, at: now(), by: actor, round: state.disputes });
    if (accepted) {
      state.survey = { dueAt: new Date(Date.now() + input.timing.surveyDelayMs).toISOString() };
      return transition('repair_accepted', 'survey', actor, { comment, surveyDueAt: state.survey.dueAt });
    }
    state.disputes += 1;
    if (clocks.repair)
      clocks.repair = reopenClock(calendar, clocks.repair, new Date(), policy.repairOnDispute);
    clockMoves += 1;
    state.schedule = undefined;
    state.checkIn = undefined;
    const snapshot = await transition('repair_disputed', 'assigned', actor, {
      comment,
      round: state.disputes,
    });
    await alert({
      key: `${state.caseId}:disputed:${state.disputes}`,
      caseId: state.caseId,
      kind: 'case.disputed',
      recipient: state.assignee ?? 'service-manager',
      payload: { caseId: state.caseId, comment, round: state.disputes },
    });
    return snapshot;
  });

  // 5. Satisfaction survey (满意度调查): answered by phone call-back or online questionnaire.
  step(surveyResponseUpdate, 'survey-response', async ({ actor, ...response }) => {
    state.survey!.response = { ...response, at: now(), by: actor };
    state.outcome = 'survey_answered';
    return transition('survey_answered', 'closed', actor, { ...response });
  });

  // Waiting on the customer (等待客户) pauses the clocks the policy names; the reply resumes them.
  step(
    waitForCustomerUpdate,
    'wait-for-customer',
    async ({ actor, reason }) => {
      state.waitingForCustomer = { reason, at: now(), by: actor };
      pauseClocks('customer');
      return transition('waiting_for_customer', state.stage, actor, { reason });
    },
    () => (state.waitingForCustomer ? `case ${state.caseId} is already waiting for the customer` : undefined),
  );

  step(
    customerRespondedUpdate,
    'customer-responded',
    async ({ actor, note }) => {
      state.waitingForCustomer = undefined;
      resumeClocks('customer');
      return transition('customer_responded', state.stage, actor, { note });
    },
    () => (state.waitingForCustomer ? undefined : `case ${state.caseId} is not waiting for the customer`),
  );

  // Inbound from the help desk: a customer reply also ends a wait on the customer.
  step(
    recordContactUpdate,
    'record-contact',
    async ({ actor, at, ...contact }) => {
      const occurredAt = at ?? now();
      state.contacts.push({ ...contact, occurredAt, at: now(), by: actor });
      if (contact.kind === 'customer_reply' && state.waitingForCustomer) {
        state.waitingForCustomer = undefined;
        resumeClocks('customer');
      }
      const type = contact.kind === 'customer_reply' ? 'customer_replied' : 'contact_attempted';
      return transition(type, state.stage, actor, { ...contact, occurredAt });
    },
    ({ at }) => instantMisfit('contact time', at, caseStart, Date.now()),
  );

  step(
    cancelUpdate,
    'cancel',
    async ({ actor, reason }) => {
      state.cancellation = { reason, at: now(), by: actor };
      state.outcome = 'cancelled';
      return transition('cancelled', 'cancelled', actor, { reason });
    },
    ({ reason }) => (reason.trim() === '' ? 'a cancellation needs a reason' : undefined),
  );

  setHandler(caseStateQuery, () => state);

  await created;
  const escalationsInFlight: Promise<unknown>[] = [];
  const watchingClocks = watchClocks();

  while (isOpen(state.stage)) {
    await condition(() => state.stage === 'survey' || !isOpen(state.stage));
    if (state.stage === 'survey') await runSurvey();
  }

  // Let escalations and handlers that are still projecting finish before the workflow completes.
  await watchingClocks;
  await Promise.all(escalationsInFlight);
  await condition(allHandlersFinished);
  return state;

  /** Sleeps until the next escalation step of any clock, fires what is due, and re-arms. */
  async function watchClocks() {
    // A timer runs from when the task that sets it completes, and a task that fired a step completes
    // only once the step is recorded. So the next timer is measured from when the recording finished,
    // not from when the task began: otherwise every later step would be late by the recording's time.
    let recordedAt: number | undefined;
    while (isOpen(state.stage)) {
      const seen = clockMoves;
      const moved = () => clockMoves !== seen || !isOpen(state.stage);
      const next = nextDue(clockList());
      const interrupted =
        next === undefined ? await condition(moved) : await waitUntil(moved, next, recordedAt);
      recordedAt = interrupted ? undefined : await fireDueSteps();
    }
  }

  /** Fires every step that is due; returns when the last of their records was done, if it waited for them. */
  async function fireDueSteps(): Promise<number | undefined> {
    const recordings: Promise<{ recordedAt: string } | undefined>[] = [];
    const firedAt = new Date();
    for (const clock of clockList()) {
      for (const due of dueSteps(clock, firedAt)) {
        fireStep(clock, due, firedAt);
        if (clock.breached && !state.breached) {
          state.breached = true;
          upsertSearchAttributes([{ key: CASE_BREACHED, value: true }]);
        }
        const recipient = due.recipient === 'assignee' ? (state.assignee ?? 'service-desk') : due.recipient;
        // A case imported from another system arrives with its overdue steps: they are history, recorded
        // as fired without paging anyone. Steps that fall due after it arrived fire as usual.
        const imported =
          state.intake.imported === true && Date.parse(due.dueAt!) <= Date.parse(input.createdAt);
        const escalation: Escalation = {
          caseId: state.caseId,
          clock: clock.name,
          cycle: clock.cycle,
          level: due.level,
          name: due.name,
          at: due.at,
          dueAt: due.dueAt!,
          firedAt: due.firedAt!,
          recipient,
          assignee: state.assignee ?? null,
          severity: state.severity,
          ...(imported ? { imported: true } : {}),
        };
        state.seq += 1;
        const type = firedStepTransition(due);
        const event: CaseEvent = {
          seq: state.seq,
          type,
          fromStage: state.stage,
          toStage: state.stage,
          actor: 'system',
          at: escalation.firedAt,
          data: {
            clock: clock.name,
            level: due.level,
            at: due.at,
            dueAt: escalation.dueAt,
            recipient,
            ...(imported ? { imported: true } : {}),
          },
        };
        const record: EscalationInput = { case: caseSummary(state), patch: patchNow(), event, escalation };
        const recorded = inSeqOrder(async () => {
          const payload = storableOnly ? storableJson(record) : record;
          try {
            // Histories from before the local activity scheduled a regular one.
            return await (changed('escalation-as-local-activity')
              ? local.escalate(payload)
              : escalate(payload));
          } catch (err) {
            await writeFailed('escalate', err, payload.event, { escalation: payload });
            return undefined;
          }
        });
        // Steps due together are recorded together; the clock re-arms once they are done (the task
        // could not complete before that anyway). Earlier histories re-armed at once and awaited the
        // records only when the case closed, and before that awaited each record in turn.
        if (changed('clock-rearmed-after-recording')) recordings.push(recorded);
        else if (changed('escalation-recording-does-not-block-clock')) escalationsInFlight.push(recorded);
        else await recorded;
      }
    }
    if (recordings.length === 0) return undefined;
    const done = await Promise.all(recordings);
    // Never earlier than the task's own time: a worker clock behind the server's must not delay a step.
    return Math.max(Date.now(), ...done.map((r) => (r ? Date.parse(r.recordedAt) : 0)));
  }

  async function runSurvey() {
    const survey = state.survey!;
    const settled = () => state.stage !== 'survey' || survey.response !== undefined;
    if (await waitUntil(settled, survey.dueAt)) return;

    survey.sentAt = now();
    survey.expiresAt = new Date(Date.now() + input.timing.surveyExpiryMs).toISOString();
    await transition('survey_sent', 'survey', 'system', { expiresAt: survey.expiresAt });
    await alert({
      key: `${state.caseId}:survey`,
      caseId: state.caseId,
      kind: 'survey.sent',
      recipient: state.intake.customer.email ?? state.intake.customer.phone ?? state.intake.customer.name,
      payload: { caseId: state.caseId, expiresAt: survey.expiresAt },
    });
    if (await waitUntil(settled, survey.expiresAt)) return;

    survey.expiredAt = now();
    state.outcome = 'survey_expired';
    await transition('survey_expired', 'closed', 'system', {});
  }
}

/** Waits for `done` until a deadline, counted from `from` (default: now); true when it came true first. */
async function waitUntil(done: () => boolean, deadline: string, from = Date.now()): Promise<boolean> {
  const remaining = Date.parse(deadline) - from;
  if (remaining <= 0) return done();
  return condition(done, remaining);
}
