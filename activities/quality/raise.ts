// Raising a quality issue: reserve its row (one open issue per failure cluster, by a partial unique
// index), link the cases and complaints it comes from, then start its workflow. A retry finds the
// reserved row and makes sure its workflow runs, so an issue is never raised twice nor left without one.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { loadQualitySnapshot } from '../../db/complaint-store.js';
import { qualityIssueLinks, qualityIssues } from '../../db/schema.js';
import { type QualityIssueIntake, qualityWorkflowId, STAGE_DESKS } from '../../domain/quality/issue.js';
import { type QualityIssueInput, qualityIssue } from '../../workflows/quality-issue.js';

export interface RaiseDeps {
  db: Database;
  temporal?: Client;
  taskQueue?: string;
  /** Continue-as-new threshold handed to the workflow. */
  historyLimit?: number;
}

type IssueRow = typeof qualityIssues.$inferSelect;

const OPEN_CLUSTER = sql`${qualityIssues.clusterKey} is not null and ${qualityIssues.stage} not in ('closed', 'cancelled')`;

export const clusterKeyOf = (model: string, causeCode: string) => JSON.stringify([model, causeCode]);

export async function findOpenCluster(db: Database, clusterKey: string): Promise<IssueRow | undefined> {
  const [row] = await db
    .select()
    .from(qualityIssues)
    .where(and(eq(qualityIssues.clusterKey, clusterKey), OPEN_CLUSTER));
  return row;
}

export async function raiseQualityIssue(
  deps: RaiseDeps,
  intake: QualityIssueIntake,
  opts: { createdBy: string; clusterKey?: string },
): Promise<{ created: boolean; row: IssueRow }> {
  const { db } = deps;
  const snapshot = await loadQualitySnapshot(db, new Date(intake.raisedAt));
  const [{ id }] = await db.execute<{ id: string }>(
    sql`select ('Q' || lpad(nextval('quality_issue_number_seq')::text, 7, '0')) as id`,
  );
  const inserted = await db.transaction(async (tx) => {
    const rows = await tx
      .insert(qualityIssues)
      .values({
        id,
        workflowId: qualityWorkflowId(id),
        source: intake.source,
        title: intake.title,
        model: intake.model,
        causeCode: intake.causeCode ?? null,
        stage: 'analysis',
        owner: STAGE_DESKS.analysis,
        clusterKey: opts.clusterKey ?? null,
        policy: snapshot,
        intake,
        createdBy: opts.createdBy,
      })
      .onConflictDoNothing({ target: qualityIssues.clusterKey, where: OPEN_CLUSTER })
      .returning();
    if (rows.length === 1) {
      const links = [
        ...intake.caseIds.map((refId) => ({ issueId: id, kind: 'case' as const, refId })),
        ...intake.complaintIds.map((refId) => ({ issueId: id, kind: 'complaint' as const, refId })),
      ];
      if (links.length > 0) await tx.insert(qualityIssueLinks).values(links).onConflictDoNothing();
    }
    return rows;
  });
  const row = inserted[0] ?? (opts.clusterKey ? await findOpenCluster(db, opts.clusterKey) : undefined);
  if (!row) throw new Error('the quality issue of this cluster is being closed; retry');
  if (inserted.length === 1 || row.version === 0) await startQualityWorkflow(deps, row);
  return { created: inserted.length === 1, row };
}

/** Starts the workflow of a reserved issue; one that already runs (or ran) is kept. */
export async function startQualityWorkflow(deps: RaiseDeps, row: IssueRow): Promise<void> {
  if (!deps.temporal || !deps.taskQueue) return;
  const input: QualityIssueInput = {
    issueId: row.id,
    intake: row.intake,
    createdBy: row.createdBy ?? 'system',
    snapshot: row.policy,
    ...(deps.historyLimit ? { historyLimit: deps.historyLimit } : {}),
  };
  try {
    await deps.temporal.workflow.start(qualityIssue, {
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
