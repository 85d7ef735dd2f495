// Records an escalation fired by an SLA clock in one transaction: the case's new state and timeline
// event, the escalation row, and the notification to its recipient. Unique per case, clock, cycle and
// level, so a retry records and sends nothing twice.

import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { CaseState } from '../domain/case.js';
import type { ClockName } from '../domain/sla-policy.js';
import type { CaseEvent } from './case-projection.js';
import type { Notification } from './notifier.js';
import { emitCaseWebhooks } from './webhook-outbox.js';

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

/**
 * Returns the webhook subscriptions to wake (the sla.* event goes to the outbox in the same transaction)
 * and whether the notification was sent already. Case row, timeline event, escalation and notification
 * are one statement: escalations come in bursts when many clocks fall due together, and each round trip
 * to the database is paid thousands of times. An escalation never changes the stage, so the case row
 * (which the 'created' projection wrote before any clock could fire) only takes the new state.
 */
export async function recordEscalation(
  db: Database,
  state: CaseState,
  event: CaseEvent,
  e: Escalation,
  n: Notification,
): Promise<{ wake: string[]; sent: boolean }> {
  return db.transaction(async (tx) => {
    const [row] = await tx.execute<{ sent_at: string | null }>(sql`
      with moved as (
        update cases
           set version = ${state.seq}, state = ${JSON.stringify(state)}::jsonb,
               breached = ${state.breached}, updated_at = ${event.at}::timestamptz
         where id = ${state.caseId} and version < ${state.seq}
      ), logged as (
        insert into case_events (case_id, seq, type, from_stage, to_stage, actor, at, data)
        values (${state.caseId}, ${event.seq}, ${event.type}, ${event.fromStage}, ${event.toStage},
                ${event.actor}, ${event.at}::timestamptz, ${JSON.stringify(event.data)}::jsonb)
        on conflict do nothing
      ), escalated as (
        insert into escalations (case_id, clock, cycle, level, name, due_at, fired_at, recipient, assignee, severity)
        values (${e.caseId}, ${e.clock}, ${e.cycle}, ${e.level}, ${e.name}, ${e.dueAt}::timestamptz,
                ${e.firedAt}::timestamptz, ${e.recipient}, ${e.assignee}, ${e.severity})
        on conflict do nothing
      )
      insert into notifications (key, case_id, kind, recipient, payload)
      values (${n.key}, ${n.caseId}, ${n.kind}, ${n.recipient}, ${JSON.stringify(n.payload)}::jsonb)
      on conflict (key) do update set key = excluded.key
      returning sent_at`);
    const wake = await emitCaseWebhooks(tx, state, event);
    return { wake, sent: row?.sent_at != null };
  });
}
