// Records an escalation fired by an SLA clock: the case's new state and timeline event, the escalation
// row, and the notification to its recipient. Unique per case, clock, cycle and level, so a retry
// records and sends nothing twice.
import type { Database } from '../db/client.js';
import { escalations } from '../db/schema.js';
import type { CaseState } from '../domain/case.js';
import type { ClockName } from '../domain/sla-policy.js';
import { type CaseEvent, projectCaseIn } from './case-projection.js';

export interface Escalation {
  caseId: string;
  clock: ClockName;
  cycle: number;
  level: number;
  name: string;
  dueAt: string;
  firedAt: string;
  recipient: string;
  assignee: string | null;
  severity: string;
}

export const escalationKind = (e: Pick<Escalation, 'level' | 'name'>) =>
  e.level === 1 ? 'sla.warning' : e.name === 'breach' ? 'sla.breached' : 'sla.escalated';

/** Returns the webhook subscriptions to wake (the sla.* event is written by projectCaseIn, same transaction). */
export async function recordEscalation(db: Database, state: CaseState, event: CaseEvent, e: Escalation) {
  return db.transaction(async (tx) => {
    const wake = await projectCaseIn(tx, state, event);
    await tx
      .insert(escalations)
      .values({
        caseId: e.caseId,
        clock: e.clock,
        cycle: e.cycle,
        level: e.level,
        name: e.name,
        dueAt: new Date(e.dueAt),
        firedAt: new Date(e.firedAt),
        recipient: e.recipient,
        assignee: e.assignee,
        severity: e.severity,
      })
      .onConflictDoNothing();
    return wake;
  });
}
