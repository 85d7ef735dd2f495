// Records an escalation fired by an SLA clock in one statement: the case's new state and timeline
// event, the escalation row, and the notification to its recipient. Unique per case, clock, cycle and
// level, so a retry records and sends nothing twice.

import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { CaseState } from '../domain/case.js';
import type { ClockName } from '../domain/sla-policy.js';
import type { CaseEvent } from './case-projection.js';
import type { Notification } from './notifier.js';
import { caseWebhookEvents, webhookEventCtes, webhookWakeList } from './webhook-outbox.js';

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
 * Returns the webhook subscriptions to wake (the sla.* event goes to the outbox in the same statement)
 * and whether the notification was sent already. Case row, timeline event, escalation, notification and
 * outbox are one statement, so one transaction without a round trip inside it: escalations come in
 * bursts when many clocks fall due together, and the embedded database serves one transaction at a
 * time — an open transaction waiting for the worker's next statement would hold up every other one.
 * An escalation never changes the stage, so the case row (which the 'created' projection wrote before
 * any clock could fire) only takes the new state.
 */
export async function recordEscalation(
  db: Database,
  state: CaseState,
  event: CaseEvent,
  e: Escalation,
  n: Notification,
): Promise<{ wake: string[]; sent: boolean }> {
  const [outbox] = caseWebhookEvents(state, event); // exactly one sla.* event
  const [row] = await db.execute<{ sent_at: string | null; wake: string[] }>(sql`
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
    ), noted as (
      insert into notifications (key, case_id, kind, recipient, payload)
      values (${n.key}, ${n.caseId}, ${n.kind}, ${n.recipient}, ${JSON.stringify(n.payload)}::jsonb)
      on conflict (key) do update set key = excluded.key
      returning sent_at
    ), ${webhookEventCtes(outbox)}
    select (select sent_at from noted) as sent_at, array(${webhookWakeList(outbox)}) as wake`);
  return { wake: row?.wake ?? [], sent: row?.sent_at != null };
}
