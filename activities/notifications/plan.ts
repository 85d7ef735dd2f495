// Turns a queued notification into deliveries: resolves who gets it (for an escalation, the chain as it
// stood when the step fired), picks each person's channels for the kind of event, holds it for their
// quiet hours unless it is an emergency, and records who and why on the notification and on the
// escalation — in one transaction, once: a retry finds the resolution and plans nothing again.
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  cases,
  complaintEscalations,
  escalations,
  notificationDeliveries,
  notifications,
  people,
  qualityEscalations,
} from '../../db/schema.js';
import { escalationSubject } from '../../domain/escalation-step.js';
import { type Resolution, resolveRecipients } from '../../domain/people/chain.js';
import { channelsFor, quietUntil } from '../../domain/people/channels.js';
import { sendRecorded } from '../notification-record.js';
import type { Notification, Notifier } from '../notifier.js';
import { loadDirectory } from './directory.js';

export interface PlannedDelivery {
  id: number;
  personId: string;
}

interface EscalationPayload {
  clock?: string;
  cycle?: number;
  level?: number;
  firedAt?: string;
  assignee?: string | null;
  severity?: string;
}

/** Escalations (a case's sla.*, a complaint's or quality issue's clock) follow the chain as it stood when they fired. */
export const isEscalationKind = (kind: string) => escalationSubject(kind) !== undefined;

export async function planNotification(
  db: Database,
  notifier: Notifier,
  key: string,
): Promise<{ deliveries: PlannedDelivery[]; resolution: Resolution | null }> {
  const [n] = await db.select().from(notifications).where(eq(notifications.key, key));
  if (!n) return { deliveries: [], resolution: null };
  let resolution = n.resolution;
  if (!resolution) {
    const p = n.payload as EscalationPayload;
    const escalation = isEscalationKind(n.kind);
    const at = escalation && p.firedAt ? new Date(p.firedAt) : n.createdAt;
    // Notifications other than escalations do not carry the severity; the case row has it (complaints and
    // quality issues carry theirs in every notification).
    const severity =
      p.severity ??
      (n.caseId
        ? (await db.select({ s: cases.severity }).from(cases).where(eq(cases.id, n.caseId)))[0]?.s
        : undefined) ??
      'normal';
    const resolved = resolveRecipients(await loadDirectory(db, at), {
      target: n.recipient,
      assignee: p.assignee ?? null,
      severity,
      at,
      escalation,
    });
    resolution = resolved;
    await db.transaction(async (tx) => {
      // Only the first planner writes: the row lock orders concurrent ones, the second sees the resolution.
      const [locked] = await tx
        .select({ resolution: notifications.resolution })
        .from(notifications)
        .where(eq(notifications.key, key))
        .for('update');
      if (locked?.resolution) {
        resolution = locked.resolution;
        return;
      }
      const ids = resolved.recipients.map((r) => r.personId);
      const prefs = ids.length
        ? await tx
            .select({ id: people.id, preferences: people.preferences })
            .from(people)
            .where(sql`${people.id} in ${ids}`)
        : [];
      const now = new Date();
      for (const r of resolved.recipients) {
        const pref = prefs.find((x) => x.id === r.personId)?.preferences ?? {};
        // Emergencies ignore quiet hours.
        const held = severity === 'emergency' ? null : quietUntil(pref.quietHours, now);
        await tx
          .insert(notificationDeliveries)
          .values({
            notificationKey: key,
            personId: r.personId,
            reason: `${r.position}: ${r.reason}`,
            channels: channelsFor(pref, n.kind),
            status: held ? 'deferred' : 'pending',
            notBefore: held,
            // Due at once even when held: the first attempt puts the item in the inbox, then waits.
            dispatcher: n.dispatcher,
            dueAt: n.dispatcher ? now : null,
          })
          .onConflictDoNothing();
      }
      await tx
        .update(notifications)
        .set({ resolution: resolved, dispatchedAt: sql`coalesce(${notifications.dispatchedAt}, now())` })
        .where(eq(notifications.key, key));
      if (escalation && n.caseId && p.clock && p.cycle !== undefined && p.level !== undefined) {
        const subjectId = n.caseId;
        // Who was notified is shown on the escalation it resolved: a case's, a complaint's or a quality issue's.
        const subject = escalationSubject(n.kind);
        if (subject === 'case')
          await tx
            .update(escalations)
            .set({ notified: resolved })
            .where(
              and(
                eq(escalations.caseId, subjectId),
                eq(escalations.clock, p.clock),
                eq(escalations.cycle, p.cycle),
                eq(escalations.level, p.level),
              ),
            );
        else if (subject === 'complaint')
          await tx
            .update(complaintEscalations)
            .set({ notified: resolved })
            .where(
              and(
                eq(complaintEscalations.complaintId, subjectId),
                eq(complaintEscalations.clock, p.clock),
                eq(complaintEscalations.cycle, p.cycle),
                eq(complaintEscalations.level, p.level),
              ),
            );
        else
          await tx
            .update(qualityEscalations)
            .set({ notified: resolved })
            .where(
              and(
                eq(qualityEscalations.issueId, subjectId),
                eq(qualityEscalations.clock, p.clock),
                eq(qualityEscalations.cycle, p.cycle),
                eq(qualityEscalations.level, p.level),
              ),
            );
      }
    });
  }
  // The process's own notifier (the log by default) hears of every notification once it is resolved.
  if (!n.sentAt) {
    const out: Notification = {
      key: n.key,
      caseId: n.caseId,
      purchaseOrderId: n.purchaseOrderId,
      kind: n.kind,
      recipient: n.recipient,
      payload: n.payload as Record<string, unknown>,
    };
    // Sent, marked and counted (shouhou_notifications_total) the one way every notification is.
    await sendRecorded(db, notifier, out);
  }
  const deliveries = await db
    .select({ id: notificationDeliveries.id, personId: notificationDeliveries.personId })
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.notificationKey, key))
    .orderBy(notificationDeliveries.id);
  return { deliveries, resolution };
}
