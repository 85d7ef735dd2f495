// Writes a case transition to the read model. Safe to run more than once: the timeline row is keyed
// on (case, seq) and the case row only moves forward in version.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { caseEvents, cases } from '../db/schema.js';
import { type CaseState, caseWorkflowId, type Intake, isOpen, type Stage } from '../domain/case.js';
import { type CaseSummary, caseSummary, type StatePatch } from '../domain/case-projection.js';
import type { SlaSnapshot } from '../domain/sla-policy.js';
import { patchedState } from './case-state-sql.js';
import { timelineColumns } from './timeline-row.js';
import { emitCaseWebhooks } from './webhook-outbox.js';

export interface CaseEvent {
  seq: number;
  type: string;
  fromStage: Stage | null;
  toStage: Stage;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

/** The columns of a case row that come from its intake record. */
export function intakeColumns(intake: Intake) {
  return {
    externalSystem: intake.externalRef?.system ?? null,
    externalId: intake.externalRef?.id ?? null,
    channel: intake.channel,
    severity: intake.problem.severity,
    customerName: intake.customer.name,
    customerPhone: intake.customer.phone ?? null,
    customerEmail: intake.customer.email ?? null,
    customerTier: intake.customer.tier ?? null,
    customerRegion: intake.customer.region ?? null,
    productModel: intake.product.model,
    productLine: intake.product.line ?? null,
    serialNumber: intake.product.serialNumber,
    purchaseDate: intake.product.purchaseDate ?? null,
    description: intake.problem.description,
    reportedAt: new Date(intake.reportedAt),
    imported: intake.imported === true,
  };
}

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** A transition as the workflow sends it: the case's summary, a patch of its state, the timeline event. */
export interface ProjectionInput {
  case: CaseSummary;
  patch: StatePatch;
  event: CaseEvent;
  /** The SLA snapshot of the intake, written only when the row is first inserted. */
  sla?: SlaSnapshot;
}

/** As workflow code before state patches sent it (tasks scheduled then may still run): the whole state. */
export interface WholeStateProjection {
  state: CaseState;
  event: CaseEvent;
  sla?: SlaSnapshot;
}

/** Either form, as a summary and a patch (the whole state replaces what the row holds). */
export function asPatch<T extends { event: CaseEvent }>(
  input: (T & { case: CaseSummary; patch: StatePatch }) | (T & { state: CaseState }),
): T & { case: CaseSummary; patch: StatePatch } {
  if (!('state' in input)) return input;
  const { state, ...rest } = input;
  return { ...(rest as unknown as T), case: caseSummary(state), patch: { replace: true, set: { ...state } } };
}

/**
 * Projects a transition. Returns the webhook subscriptions whose dispatchers to wake once the
 * transaction has committed.
 */
export async function projectCase(
  db: Database,
  input: ProjectionInput | WholeStateProjection,
): Promise<string[]> {
  return db.transaction((tx) => projectCaseIn(tx, asPatch(input)));
}

export async function projectCaseIn(tx: Tx, input: ProjectionInput): Promise<string[]> {
  const { case: c, patch, event, sla } = input;
  const columns = {
    stage: c.stage,
    outcome: c.outcome,
    severity: c.severity,
    complexity: c.complexity,
    assignee: c.assignee,
    updatedAt: new Date(event.at),
    closedAt: !isOpen(c.stage) && c.closedAt ? new Date(c.closedAt) : null,
    version: c.seq,
    breached: c.breached,
  };
  if (patch.replace) {
    // The whole state: the row may not exist yet (the intake's own projection writes it, unless the API
    // did) and takes the state as it is.
    const state = (patch.set ?? {}) as unknown as CaseState;
    await tx
      .insert(cases)
      .values({
        id: c.caseId,
        workflowId: caseWorkflowId(c.caseId),
        ...intakeColumns(state.intake),
        ...columns,
        createdAt: new Date(c.createdAt),
        state,
        sla: sla ?? null,
      })
      .onConflictDoUpdate({
        target: cases.id,
        set: { ...columns, state },
        setWhere: sql`${cases.version} < ${c.seq}`,
      });
  } else {
    // A patch of the state the row holds: the workflow writes in seq order, so the row holds the state
    // of the previous write; a retry of a write already done changes nothing (version).
    await tx
      .update(cases)
      .set({ ...columns, state: patchedState(sql`${cases.state}`, patch) })
      .where(and(eq(cases.id, c.caseId), lt(cases.version, c.seq)));
  }
  await insertCaseEvent(tx, c.caseId, event);
  // Webhook events of the transition (outbox), in the same transaction.
  return emitCaseWebhooks(tx, c, event);
}

/** The timeline row of a transition; a retry adds nothing (keyed on case and seq). */
export function insertCaseEvent(q: Database | Tx, caseId: string, event: CaseEvent) {
  return q
    .insert(caseEvents)
    .values({
      caseId,
      ...timelineColumns(event),
    })
    .onConflictDoNothing();
}
