// The notifications table is the queue of notifications: one row per business key, so a retried
// activity queues nothing twice. The dispatcher named on the row (workflows/notification-dispatcher.ts)
// resolves the recipients and sends; sent_at says the row was resolved and handed to the process's
// notifier.
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { notifications } from '../db/schema.js';
import { notificationsTotal } from '../observability/metrics.js';
import type { Notification, Notifier } from './notifier.js';

/**
 * Records `n` unless its key exists and answers its `sent_at` either way: the no-op update on conflict
 * makes RETURNING answer for an existing row too, so it is one round trip (or one part of a statement).
 */
export function insertNotification(db: Database, n: Notification) {
  return db
    .insert(notifications)
    .values({
      key: n.key,
      caseId: n.caseId,
      purchaseOrderId: n.purchaseOrderId ?? null,
      kind: n.kind,
      recipient: n.recipient,
      payload: n.payload,
      dispatcher: n.dispatcher ?? null,
    })
    .onConflictDoUpdate({ target: notifications.key, set: { key: sql`excluded.key` } })
    .returning({ sentAt: notifications.sentAt });
}

/** Records `n` unless its key exists; true when it was sent already (a retry after a success). */
export async function recordNotification(db: Database, n: Notification): Promise<boolean> {
  const [row] = await insertNotification(db, n);
  return row?.sentAt != null;
}

/**
 * Hands a recorded notification to the process's notifier and marks it sent, when its dispatcher plans
 * it.
 */
export async function sendRecorded(db: Database, notifier: Notifier, n: Notification): Promise<void> {
  try {
    await notifier.send(n);
  } catch (err) {
    notificationsTotal.inc({ kind: n.kind, outcome: 'failed' });
    throw err;
  }
  notificationsTotal.inc({ kind: n.kind, outcome: 'sent' });
  await db
    .update(notifications)
    .set({ sentAt: new Date(), dispatchedAt: sql`coalesce(${notifications.dispatchedAt}, now())` })
    .where(eq(notifications.key, n.key));
}
