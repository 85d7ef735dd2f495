// Records an escalation fired by an SLA clock in one statement: the case's new state and timeline
// event, the escalation row, and the notification to its recipient. Unique per case, clock, cycle and
// level, so a retry records and sends nothing twice.

import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { cases, escalations } from '../db/schema.js';
import type { CaseSummary, StatePatch } from '../domain/case-projection.js';
import { firedStepEventType } from '../domain/escalation-step.js';
import type { ClockName } from '../domain/sla-policy.js';
import { type CaseEvent, insertCaseEvent } from './case-projection.js';
import { patchedState } from './case-state-sql.js';
import { insertNotification } from './notification-record.js';
import type { Notification } from './notifier.js';
import { caseWebhookEvents, webhookEventCtes, webhookWakeList } from './webhook-outbox.js';

export interface Escalation {
  caseId: string;
  clock: ClockName;
  cycle: number;
  level: number;
  name: string;
  /** The step's fraction of the clock's target; absent in records from before it was carried. */
  at?: number;
  dueAt: string;
  firedAt: string;
  recipient: string;
  assignee: string | null;
  severity: string;
  /** Overdue when its imported case arrived: recorded, but nobody is notified and no webhook goes out. */
  imported?: boolean;
}

/** The notification kind of an escalation (sla.warning, sla.breached, sla.escalated). */
export const escalationKind = (e: Pick<Escalation, 'level' | 'at'>) => firedStepEventType(e);

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
  input: { case: CaseSummary; patch: StatePatch; event: CaseEvent },
  e: Escalation,
  n: Notification,
): Promise<{ wake: string[]; sent: boolean }> {
  const { case: c, patch } = input;
  // The clock's cycle goes with the event (the timeline and the sla.* webhook say which run of it fired).
  const event: CaseEvent = { ...input.event, data: { cycle: e.cycle, ...input.event.data } };
  const [outbox] = caseWebhookEvents(c, event); // exactly one sla.* event
  const moved = db
    .update(cases)
    .set({
      version: c.seq,
      state: patchedState(sql`${cases.state}`, patch),
      breached: c.breached,
      updatedAt: new Date(event.at),
    })
    .where(and(eq(cases.id, c.caseId), lt(cases.version, c.seq)));
  const escalated = db
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
      imported: e.imported === true,
    })
    .onConflictDoNothing();
  if (e.imported) {
    // History, not news: no notification, no sla.* webhook; reported as sent so nothing is delivered.
    await db.execute(sql`
      with moved as ${moved}, logged as ${insertCaseEvent(db, c.caseId, event)}, escalated as ${escalated}
      select 1`);
    return { wake: [], sent: true };
  }
  // Each builder renders itself in parentheses.
  const [row] = await db.execute<{ sent_at: string | null; wake: string[] }>(sql`
    with moved as ${moved}, logged as ${insertCaseEvent(db, c.caseId, event)},
      escalated as ${escalated}, noted as ${insertNotification(db, n)}, ${webhookEventCtes(outbox)}
    select (select sent_at from noted) as sent_at, array(${webhookWakeList(outbox)}) as wake`);
  return { wake: row?.wake ?? [], sent: row?.sent_at != null };
}
