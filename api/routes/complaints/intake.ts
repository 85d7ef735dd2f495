// Opening a complaint: reserve its row (idempotent on the help desk's reference, also when two arrive
// together), then start its workflow. A duplicate finds the reserved row and makes sure its workflow
// runs, so a complaint is never opened twice and never left without its workflow.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../../db/client.js';
import { loadComplaintSnapshot } from '../../../db/complaint-store.js';
import { cases, complaints } from '../../../db/schema.js';
import { type ComplaintIntake, complaintWorkflowId } from '../../../domain/complaints/complaint.js';
import { classify } from '../../../domain/complaints/policy.js';
import { routeComplaint } from '../../../domain/complaints/routing.js';
import { type ComplaintInput, complaint } from '../../../workflows/complaint.js';
import { unavailable, unprocessable } from '../../problem.js';
import { type ComplaintRow, findComplaintByExternalRef } from './read-model.js';

export interface ComplaintIntakeDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  historyLimit?: number;
}

/** 422 naming the case ids that do not exist. */
export async function assertCasesExist(db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db
    .select({ id: cases.id })
    .from(cases)
    .where(inArray(cases.id, [...ids]));
  const known = new Set(found.map((r) => r.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw unprocessable(`unknown case ${missing.map((m) => `"${m}"`).join(', ')}`);
}

/** 422 naming the complaint ids that do not exist. */
export async function assertComplaintsExist(db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db
    .select({ id: complaints.id })
    .from(complaints)
    .where(inArray(complaints.id, [...ids]));
  const known = new Set(found.map((r) => r.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw unprocessable(`unknown complaint ${missing.map((m) => `"${m}"`).join(', ')}`);
}

export async function openComplaint(
  deps: ComplaintIntakeDeps,
  intake: ComplaintIntake,
  by: { keyId: string | null; actor: string },
): Promise<{ created: boolean; row: ComplaintRow }> {
  const { db } = deps;
  await assertCasesExist(db, intake.caseIds ?? []);
  const snapshot = await loadComplaintSnapshot(db, intake.product.line, new Date(intake.reportedAt));
  const c = intake.complaint;
  const priority = classify(snapshot.policy.matrix, c.urgency, c.importance);
  const route = routeComplaint(snapshot.policy.routing, {
    category: c.category,
    productLine: intake.product.line,
    region: intake.customer.region,
  });
  const [{ id }] = await db.execute<{ id: string }>(
    sql`select ('CP' || lpad(nextval('complaint_number_seq')::text, 7, '0')) as id`,
  );
  const inserted = await db
    .insert(complaints)
    .values({
      id,
      workflowId: complaintWorkflowId(id),
      externalSystem: intake.externalRef?.system ?? null,
      externalId: intake.externalRef?.id ?? null,
      channel: intake.channel,
      stage: 'registered',
      priority,
      urgency: c.urgency,
      importance: c.importance,
      category: c.category,
      department: route.department,
      owner: route.owner ?? null,
      customerName: intake.customer.name,
      customerPhone: intake.customer.phone ?? null,
      customerEmail: intake.customer.email ?? null,
      region: intake.customer.region ?? null,
      productModel: intake.product.model,
      productLine: intake.product.line ?? null,
      serialNumber: intake.product.serialNumber ?? null,
      purchaseDate: intake.product.purchaseDate,
      description: c.description,
      reportedAt: new Date(intake.reportedAt),
      policy: snapshot,
      intake,
      createdByKey: by.keyId,
      createdBy: by.actor,
    })
    .onConflictDoNothing({ target: [complaints.externalSystem, complaints.externalId] })
    .returning();

  if (inserted.length === 1) {
    const row = inserted[0];
    try {
      await startComplaintWorkflow(deps, row);
    } catch (err) {
      await db.delete(complaints).where(and(eq(complaints.id, row.id), eq(complaints.version, 0)));
      throw unavailable(`the workflow engine did not accept the complaint: ${(err as Error).message}`);
    }
    return { created: true, row };
  }
  const existing = await findComplaintByExternalRef(db, intake.externalRef!.system, intake.externalRef!.id);
  if (!existing) throw unavailable('the complaint for this external reference is being withdrawn; retry');
  if (existing.version === 0) await startComplaintWorkflow(deps, existing).catch(() => {});
  return { created: false, row: existing };
}

async function startComplaintWorkflow(deps: ComplaintIntakeDeps, row: ComplaintRow) {
  const input: ComplaintInput = {
    complaintId: row.id,
    intake: row.intake,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy ?? 'system',
    snapshot: row.policy,
    ...(deps.historyLimit ? { historyLimit: deps.historyLimit } : {}),
  };
  try {
    await deps.temporal.workflow.start(complaint, {
      workflowId: row.workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
