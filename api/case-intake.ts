// Opening a case: reserve the case row (idempotent on the help desk's own ticket reference — the
// same reference from another help desk key is another ticket), then start
// its workflow. Duplicates — sequential or concurrent — find the reserved row and make sure its
// workflow runs, so a case is never opened twice and never left without its workflow.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import { intakeColumns } from '../activities/case-projection.js';
import type { Database } from '../db/client.js';
import { caseEvents, cases } from '../db/schema.js';
import { currentSlaGeneration, type SlaSnapshots } from '../db/sla-store.js';
import { caseWorkflowId, type Intake } from '../domain/case.js';
import { CASE_SEVERITY, CASE_STAGE } from '../workflows/search-attributes.js';
import { type ServiceCaseInput, serviceCase } from '../workflows/service-case.js';
import { findCaseByExternalRef } from './case-read-model.js';
import { unavailable } from './problem.js';

export interface IntakeDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  timing: ServiceCaseInput['timing'];
  /** The SLA configuration kept in memory between intakes. */
  slaSnapshots: SlaSnapshots;
}

type CaseRow = typeof cases.$inferSelect;

export async function openCase(
  deps: IntakeDeps,
  intake: Intake,
  by: { keyId: string | null; actor: string } = { keyId: null, actor: 'system' },
): Promise<{ created: boolean; row: CaseRow }> {
  const { db } = deps;
  const [{ id, generation }] = await db.execute<{ id: string; generation: string }>(
    sql`select ('C' || lpad(nextval('case_number_seq')::text, 7, '0')) as id, ${currentSlaGeneration} as generation`,
  );
  const subject = {
    severity: intake.problem.severity,
    productLine: intake.product.line,
    customerTier: intake.customer.tier,
  };
  const sla = await deps.slaSnapshots.snapshot(db, generation, subject, new Date(intake.reportedAt));
  // The row and its 'created' event are written by one statement (so together, and in one round trip
  // instead of a transaction's four): a case is visible with its timeline at once, and the workflow's own
  // projection of the same event is a no-op.
  const opened = db.$with('opened').as(
    db
      .insert(cases)
      .values({
        id,
        workflowId: caseWorkflowId(id),
        ...intakeColumns(intake),
        stage: 'intake',
        sla,
        createdByKey: by.keyId,
        createdBy: by.actor,
      })
      // The only conflict possible is the ticket reference of this help desk (cases_external_ref_uq,
      // a partial expression index — hence no target here); ids come from a sequence.
      .onConflictDoNothing()
      .returning(),
  );
  // Written only when the case row was: the event is selected from what the insert returned.
  const createdEvent = db.$with('created_event', {}).as(
    sql`insert into ${caseEvents} (case_id, seq, type, from_stage, to_stage, actor, at, data)
        select id, 1, 'created', null, 'intake', ${by.actor}::text, created_at,
               jsonb_build_object('channel', ${intake.channel}::text)
        from ${opened}`,
  );
  const inserted = await db.with(opened, createdEvent).select().from(opened);

  if (inserted.length === 1) {
    const row = inserted[0];
    try {
      await startCaseWorkflow(deps, row);
    } catch (err) {
      // Undo the reservation so a retry of the same intake starts afresh instead of finding a husk.
      await db.delete(cases).where(and(eq(cases.id, row.id), eq(cases.version, 0)));
      throw unavailable(`the workflow engine did not accept the case: ${(err as Error).message}`);
    }
    return { created: true, row };
  }

  const existing = await findCaseByExternalRef(
    db,
    by.keyId,
    intake.externalRef!.system,
    intake.externalRef!.id,
  );
  if (!existing) throw unavailable('the case for this external reference is being withdrawn; retry');
  if (existing.version === 0) await startCaseWorkflow(deps, existing).catch(() => {});
  return { created: false, row: existing };
}

/** Starts the case workflow from its reserved row; a workflow that already runs (or ran) is kept. */
async function startCaseWorkflow(deps: IntakeDeps, row: CaseRow) {
  const input: ServiceCaseInput = {
    caseId: row.id,
    intake: intakeOf(row),
    createdAt: row.createdAt.toISOString(),
    timing: deps.timing,
    sla: row.sla!,
    ...(row.createdBy ? { createdBy: row.createdBy } : {}),
  };
  try {
    await deps.temporal.workflow.start(serviceCase, {
      workflowId: row.workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: CASE_STAGE, value: 'intake' },
        { key: CASE_SEVERITY, value: row.severity },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

function intakeOf(row: CaseRow): Intake {
  return {
    channel: row.channel as Intake['channel'],
    customer: {
      name: row.customerName,
      ...(row.customerPhone ? { phone: row.customerPhone } : {}),
      ...(row.customerEmail ? { email: row.customerEmail } : {}),
      ...(row.customerTier ? { tier: row.customerTier } : {}),
      ...(row.customerRegion ? { region: row.customerRegion } : {}),
    },
    product: {
      model: row.productModel,
      serialNumber: row.serialNumber,
      ...(row.purchaseDate ? { purchaseDate: row.purchaseDate } : {}),
      ...(row.productLine ? { line: row.productLine } : {}),
    },
    problem: { description: row.description, severity: row.severity as Intake['problem']['severity'] },
    reportedAt: row.reportedAt.toISOString(),
    ...(row.externalSystem ? { externalRef: { system: row.externalSystem, id: row.externalId! } } : {}),
    ...(row.imported ? { imported: true } : {}),
  };
}
