// One POST route per human step of a case. Each step is a Temporal Update: the workflow's validator
// decides whether it fits the stage, so the answer (200 or 409) reflects the case itself.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { caseWorkflowId, instantMisfit, isOpen, type Stage, type StepName } from '../../domain/case.js';
import {
  assignUpdate,
  type CaseStepResult,
  cancelUpdate,
  checkInUpdate,
  completeRepairUpdate,
  customerFeedbackUpdate,
  customerRespondedUpdate,
  diagnoseUpdate,
  partsReadyUpdate,
  recordContactUpdate,
  resolveAtIntakeUpdate,
  scheduleUpdate,
  surveyResponseUpdate,
  waitForCustomerUpdate,
} from '../../workflows/service-case.js';
import { type AppDeps, DEFAULT_STEP_TIMEOUT_MS } from '../app.js';
import type { Permission } from '../auth/roles.js';
import { assertMayAct } from '../case-access.js';
import { caseView, findCase } from '../case-read-model.js';
import { caseRef } from '../case-schemas.js';
import { findActiveEngineer } from '../engineers.js';
import { actorOf } from '../plugins/auth.js';
import { conflict, notFound, Problem, timedOut, unavailable, unprocessable } from '../problem.js';
import { problemResponses } from '../schema-parts.js';
import { caseIdParams, stepBodies } from '../schemas.js';
import { assertFailureCoding } from './quality/failure-coding.js';

const STEPS: Array<{
  /** URL segment, when not the step name. */
  path?: string;
  name: StepName;
  operationId: string;
  // biome-ignore lint/suspicious/noExplicitAny: each update takes its own step type
  update: UpdateDefinition<CaseStepResult, [any]>;
  summary: string;
}> = [
  {
    name: 'resolve-at-intake',
    operationId: 'resolveAtIntake',
    update: resolveAtIntakeUpdate,
    summary: 'Answer a simple question at intake and close',
  },
  {
    name: 'assign',
    operationId: 'assignCase',
    update: assignUpdate,
    summary: 'Assign (or reassign) the case to an engineer (派工)',
  },
  {
    name: 'diagnose',
    operationId: 'diagnoseCase',
    update: diagnoseUpdate,
    summary: 'Record the diagnosis: cause, plan, complexity, parts (诊断)',
  },
  {
    name: 'parts-ready',
    operationId: 'markPartsReady',
    update: partsReadyUpdate,
    summary: 'The requested parts are available (到料)',
  },
  {
    name: 'schedule',
    operationId: 'scheduleRepair',
    update: scheduleUpdate,
    summary: 'Agree time and mode (on-site or carry-in) with the customer',
  },
  {
    name: 'check-in',
    operationId: 'checkIn',
    update: checkInUpdate,
    summary: 'Engineer arrived on site / product received (签到)',
  },
  {
    name: 'complete-repair',
    operationId: 'completeRepair',
    update: completeRepairUpdate,
    summary: 'File the repair report (维修报告)',
  },
  {
    name: 'customer-feedback',
    operationId: 'recordCustomerFeedback',
    update: customerFeedbackUpdate,
    summary: 'Customer accepts or disputes the repair',
  },
  {
    name: 'survey-response',
    operationId: 'recordSurveyResponse',
    update: surveyResponseUpdate,
    summary: 'Record the satisfaction survey answers',
  },
  {
    name: 'wait-for-customer',
    operationId: 'waitForCustomer',
    update: waitForCustomerUpdate,
    summary: 'The case waits on the customer (等待客户); clocks pause as the SLA policy says',
  },
  {
    name: 'customer-responded',
    operationId: 'recordCustomerResponded',
    update: customerRespondedUpdate,
    summary: 'The customer answered; clocks resume',
  },
  {
    name: 'record-contact',
    operationId: 'recordContact',
    path: 'messages',
    update: recordContactUpdate,
    summary:
      'Inbound from the help desk: a customer reply or a contact attempt (a reply ends a wait on the customer)',
  },
  {
    name: 'cancel',
    operationId: 'cancelCase',
    update: cancelUpdate,
    summary: 'Cancel the case with a reason',
  },
];

type CaseRow = NonNullable<Awaited<ReturnType<typeof findCase>>>;

/** What the API checks itself before a step reaches the workflow (it knows the case row and the people). */
async function edgeCheck(deps: AppDeps, name: StepName, body: Record<string, unknown>, row: CaseRow) {
  if (name === 'assign') {
    const engineer = body.engineer as string;
    if (!(await findActiveEngineer(deps, engineer))) {
      throw new Problem(
        422,
        'unknown-engineer',
        'Invalid content',
        `engineer "${engineer}" is not an active engineer; a case is assigned only to one`,
        { field: 'engineer', engineer },
      );
    }
  }
  if (name === 'check-in' || name === 'record-contact') {
    const at = body.at as string | undefined;
    const misfit = instantMisfit(
      name === 'check-in' ? 'check-in time' : 'contact time',
      at,
      { reportedAt: row.reportedAt.toISOString(), createdAt: row.createdAt.toISOString() },
      Date.now(),
    );
    if (misfit) throw unprocessable(misfit);
  }
}

export async function caseStepRoutes(app: FastifyInstance, deps: AppDeps) {
  const timeoutMs = deps.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  for (const step of STEPS) {
    app.post<{
      Params: { id: string };
      Body: Record<string, unknown>;
      Headers: { 'idempotency-key'?: string };
    }>(
      `/api/v1/cases/:id/${step.path ?? step.name}`,
      {
        schema: {
          operationId: step.operationId,
          tags: ['case steps'],
          summary: step.summary,
          params: caseIdParams,
          body: stepBodies[step.name],
          response: {
            200: { description: 'The case after the step, as the read model now shows it', ...caseRef },
            ...problemResponses(404, 503, 504),
            409: {
              ...problemResponses(409)[409],
              description:
                'The step does not fit the stage of the case (or its own rule), the case is closed, or the same Idempotency-Key is still in progress',
            },
          },
        },
        config: { permission: (step.path ? `cases.${step.path}` : `cases.${step.name}`) as Permission },
      },
      async (req) => {
        const principal = req.principal!;
        const row = await findCase(deps.db, req.params.id);
        if (!row) throw notFound('case', req.params.id);
        assertMayAct(principal, row);
        if (!isOpen(row.stage as Stage)) {
          throw conflict(`case ${row.id} is ${row.stage}; no further steps are possible`, {
            stage: row.stage,
          });
        }
        await edgeCheck(deps, step.name, req.body, row);
        await assertFailureCoding(deps.db, req.body);
        const handle = deps.temporal.workflow.getHandle(caseWorkflowId(row.id));
        const input = { ...req.body, actor: actorOf(principal) };
        const idempotencyKey = req.headers['idempotency-key'];
        // A workflow that does not answer (no worker, a step stuck behind a failing one) must not hold
        // the request — and a connection — forever.
        const deadline = AbortSignal.timeout(timeoutMs);
        try {
          await deps.temporal.withAbortSignal(deadline, () =>
            handle.executeUpdate(step.update, {
              args: [input],
              // The same Idempotency-Key reaches the workflow as the same update: applied once.
              ...(idempotencyKey ? { updateId: `${step.name}:${principal.keyId}:${idempotencyKey}` } : {}),
            }),
          );
        } catch (err) {
          if (deadline.aborted) {
            throw timedOut(
              `case ${row.id} did not answer the step within ${timeoutMs / 1000} s; it may still be applied — ` +
                'send it again with the same Idempotency-Key to learn its outcome',
              { stage: row.stage },
            );
          }
          throw stepError(err, row.id);
        }
        const after = await findCase(deps.db, row.id);
        return caseView(deps.db, after!);
      },
    );
  }
}

function stepError(err: unknown, caseId: string) {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    if (err.cause.type === 'StepRejected') return conflict(err.cause.message);
  }
  if (err instanceof WorkflowNotFoundError) {
    return conflict(`case ${caseId} no longer accepts steps (its workflow has completed)`);
  }
  return unavailable(`the workflow engine could not take the step: ${(err as Error).message}`);
}
