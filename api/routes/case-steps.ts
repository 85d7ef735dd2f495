// One POST route per human step of a case. Each step is a Temporal Update: the workflow's validator
// decides whether it fits the stage, so the answer (200 or 409) reflects the case itself.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { type CaseState, caseWorkflowId, isOpen, type Stage, type StepName } from '../../domain/case.js';
import {
  assignUpdate,
  cancelUpdate,
  checkInUpdate,
  customerRespondedUpdate,
  waitForCustomerUpdate,
  completeRepairUpdate,
  customerFeedbackUpdate,
  diagnoseUpdate,
  partsReadyUpdate,
  resolveAtIntakeUpdate,
  scheduleUpdate,
  surveyResponseUpdate,
} from '../../workflows/service-case.js';
import type { AppDeps } from '../app.js';
import { caseView, findCase } from '../case-read-model.js';
import { conflict, notFound, unavailable } from '../problem.js';
import { caseIdParams, stepBodies } from '../schemas.js';

// biome-ignore lint/suspicious/noExplicitAny: each update takes its own step type
const STEPS: Array<{ name: StepName; update: UpdateDefinition<CaseState, [any]>; summary: string }> = [
  {
    name: 'resolve-at-intake',
    update: resolveAtIntakeUpdate,
    summary: 'Answer a simple question at intake and close',
  },
  { name: 'assign', update: assignUpdate, summary: 'Assign (or reassign) the case to an engineer (派工)' },
  {
    name: 'diagnose',
    update: diagnoseUpdate,
    summary: 'Record the diagnosis: cause, plan, complexity, parts (诊断)',
  },
  { name: 'parts-ready', update: partsReadyUpdate, summary: 'The requested parts are available (到料)' },
  {
    name: 'schedule',
    update: scheduleUpdate,
    summary: 'Agree time and mode (on-site or carry-in) with the customer',
  },
  { name: 'check-in', update: checkInUpdate, summary: 'Engineer arrived on site / product received (签到)' },
  { name: 'complete-repair', update: completeRepairUpdate, summary: 'File the repair report (维修报告)' },
  {
    name: 'customer-feedback',
    update: customerFeedbackUpdate,
    summary: 'Customer accepts or disputes the repair',
  },
  {
    name: 'survey-response',
    update: surveyResponseUpdate,
    summary: 'Record the satisfaction survey answers',
  },
  {
    name: 'wait-for-customer',
    update: waitForCustomerUpdate,
    summary: 'The case waits on the customer (等待客户); clocks pause as the SLA policy says',
  },
  { name: 'customer-responded', update: customerRespondedUpdate, summary: 'The customer answered; clocks resume' },
  { name: 'cancel', update: cancelUpdate, summary: 'Cancel the case with a reason' },
];

export async function caseStepRoutes(app: FastifyInstance, deps: AppDeps) {
  for (const step of STEPS) {
    app.post<{
      Params: { id: string };
      Body: Record<string, unknown>;
      Headers: { 'idempotency-key'?: string };
    }>(
      `/api/v1/cases/:id/${step.name}`,
      {
        schema: {
          tags: ['case steps'],
          summary: step.summary,
          params: caseIdParams,
          body: stepBodies[step.name],
          headers: {
            type: 'object',
            properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
          },
        },
      },
      async (req) => {
        const row = await findCase(deps.db, req.params.id);
        if (!row) throw notFound('case', req.params.id);
        if (!isOpen(row.stage as Stage)) {
          throw conflict(`case ${row.id} is ${row.stage}; no further steps are possible`, {
            stage: row.stage,
          });
        }
        const handle = deps.temporal.workflow.getHandle(caseWorkflowId(row.id));
        const input = { actor: 'api', ...req.body };
        const idempotencyKey = req.headers['idempotency-key'];
        try {
          await handle.executeUpdate(step.update, {
            args: [input],
            ...(idempotencyKey ? { updateId: `${step.name}:${idempotencyKey}` } : {}),
          });
        } catch (err) {
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
