// Writes a case transition to the read model. Safe to run more than once: the timeline row is keyed
// on (case, seq) and the case row only moves forward in version.
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { caseEvents, cases } from '../db/schema.js';
import { type CaseState, caseWorkflowId, type Intake, isOpen, type Stage } from '../domain/case.js';
import type { SlaSnapshot } from '../domain/sla-policy.js';
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

/**
 * Projects a transition; `sla` (the intake snapshot) is written only when the row is first inserted.
 * Returns the webhook subscriptions whose dispatchers to wake once the transaction has committed.
 */
export async function projectCase(
  db: Database,
  state: CaseState,
  event: CaseEvent,
  sla?: SlaSnapshot,
): Promise<string[]> {
  return db.transaction((tx) => projectCaseIn(tx, state, event, sla));
}

export async function projectCaseIn(
  tx: Tx,
  state: CaseState,
  event: CaseEvent,
  sla?: SlaSnapshot,
): Promise<string[]> {
  const { intake } = state;
  const row = {
    id: state.caseId,
    workflowId: caseWorkflowId(state.caseId),
    ...intakeColumns(intake),
    stage: state.stage,
    outcome: state.outcome ?? null,
    severity: state.severity,
    complexity: state.complexity ?? null,
    assignee: state.assignee ?? null,
    createdAt: new Date(state.createdAt),
    updatedAt: new Date(event.at),
    closedAt: !isOpen(state.stage) && state.closedAt ? new Date(state.closedAt) : null,
    version: state.seq,
    state,
    breached: state.breached,
    sla: sla ?? null,
  };
  await tx
    .insert(cases)
    .values(row)
    .onConflictDoUpdate({
      target: cases.id,
      set: {
        stage: row.stage,
        outcome: row.outcome,
        severity: row.severity,
        complexity: row.complexity,
        assignee: row.assignee,
        updatedAt: row.updatedAt,
        closedAt: row.closedAt,
        version: row.version,
        state: row.state,
        breached: row.breached,
      },
      setWhere: sql`${cases.version} < ${row.version}`,
    });
  await insertCaseEvent(tx, state.caseId, event);
  // Webhook events of the transition (outbox), in the same transaction.
  return emitCaseWebhooks(tx, state, event);
}

/** The timeline row of a transition; a retry adds nothing (keyed on case and seq). */
export function insertCaseEvent(q: Database | Tx, caseId: string, event: CaseEvent) {
  return q
    .insert(caseEvents)
    .values({
      caseId,
      seq: event.seq,
      type: event.type,
      fromStage: event.fromStage,
      toStage: event.toStage,
      actor: event.actor,
      at: new Date(event.at),
      data: event.data,
    })
    .onConflictDoNothing();
}
