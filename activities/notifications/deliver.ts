// Delivers one notification to one person: the inbox item first (always, silently, also in quiet
// hours), then the person's push channels in order until one takes it. Every try of every channel is
// logged. A channel that cannot reach the person (no address, nothing configured) is skipped; when every
// channel failed and at least one of them might succeed later, the attempt answers `retry` — its
// dispatcher tries again after a backoff (the delivery workflows of before threw, and Temporal retried).
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  cases,
  inboxItems,
  notificationAttempts,
  notificationDeliveries,
  notifications,
  people,
  teams,
} from '../../db/schema.js';
import { isChannel } from '../../domain/people/channels.js';
import { type MessageData, render } from '../../domain/people/templates.js';
import { type ChannelSenders, ChannelUnavailable } from './channel.js';

export type DeliverOutcome =
  | { status: 'delivered'; channel: string }
  | { status: 'failed' }
  | { status: 'deferred'; notBefore: string };

export type AttemptOutcome = DeliverOutcome | { status: 'retry'; attempts: number; error: string };

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/** One attempt at one delivery. */
export async function attemptDelivery(
  db: Database,
  senders: ChannelSenders,
  deliveryId: number,
): Promise<AttemptOutcome> {
  const [row] = await db
    .select({ d: notificationDeliveries, n: notifications, p: people, robots: teams.robots })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.key, notificationDeliveries.notificationKey))
    .innerJoin(people, eq(people.id, notificationDeliveries.personId))
    .leftJoin(teams, eq(teams.id, people.teamId))
    .where(eq(notificationDeliveries.id, deliveryId));
  if (!row) return { status: 'failed' };
  const { d, n, p } = row;
  if (d.status === 'delivered') return { status: 'delivered', channel: d.channel ?? 'inbox' };
  if (d.status === 'failed') return { status: 'failed' };

  const payload = n.payload as Record<string, unknown>;
  const data: MessageData = {
    ...payload,
    caseId: n.caseId,
    purchaseOrderId: n.purchaseOrderId,
    kind: n.kind,
    reason: d.reason,
    recipientName: p.name,
  };
  const message = render(n.kind, p.locale, data);
  const severity = typeof payload.severity === 'string' ? payload.severity : null;
  await db
    .insert(inboxItems)
    .values({
      personId: p.id,
      notificationKey: n.key,
      kind: n.kind,
      caseId: n.caseId,
      severity,
      title: message.title,
      body: message.body,
    })
    .onConflictDoNothing();
  // Quiet hours hold the push channels; the inbox is silent and has it at once.
  if (d.notBefore && d.notBefore.getTime() > Date.now())
    return { status: 'deferred', notBefore: d.notBefore.toISOString() };

  const addressee = {
    id: p.id,
    name: p.name,
    email: p.email,
    mobile: p.mobile,
    wecomId: p.wecomId,
    dingtalkId: p.dingtalkId,
    feishuId: p.feishuId,
    robots: row.robots ?? (n.caseId ? await caseTeamRobots(db, n.caseId) : {}),
  };
  const outgoing = { kind: n.kind, caseId: n.caseId, severity, title: message.title, body: message.body };
  let retryable = false;
  const errors: string[] = [];
  for (const channel of d.channels) {
    if (!isChannel(channel)) continue;
    const sender = senders[channel];
    const started = performance.now();
    let error: string | null = null;
    try {
      if (!sender) throw new ChannelUnavailable(`${channel} is not configured on this server`);
      await sender.send(addressee, outgoing);
    } catch (err) {
      error = err instanceof ChannelUnavailable ? `skipped: ${describe(err)}` : describe(err);
      if (!(err instanceof ChannelUnavailable)) retryable = true;
    }
    const durationMs = Math.round(performance.now() - started);
    await db
      .insert(notificationAttempts)
      .values({ deliveryId, channel, ok: error === null, error, durationMs });
    if (error === null) {
      await db
        .update(notificationDeliveries)
        .set({
          status: 'delivered',
          dueAt: null,
          channel,
          deliveredAt: new Date(),
          attempts: sql`${notificationDeliveries.attempts} + 1`,
          lastError: errors.length ? errors.join('; ').slice(0, 1000) : null,
        })
        .where(eq(notificationDeliveries.id, deliveryId));
      return { status: 'delivered', channel };
    }
    errors.push(`${channel}: ${error}`);
  }
  if (!retryable) {
    // Nothing could reach the person outside the application: the inbox item is the delivery.
    await db
      .update(notificationDeliveries)
      .set({
        status: 'delivered',
        dueAt: null,
        channel: 'inbox',
        deliveredAt: new Date(),
        attempts: sql`${notificationDeliveries.attempts} + 1`,
        lastError: errors.length ? errors.join('; ').slice(0, 1000) : null,
      })
      .where(eq(notificationDeliveries.id, deliveryId));
    return { status: 'delivered', channel: 'inbox' };
  }
  const [counted] = await db
    .update(notificationDeliveries)
    .set({
      attempts: sql`${notificationDeliveries.attempts} + 1`,
      lastError: errors.join('; ').slice(0, 1000),
    })
    .where(eq(notificationDeliveries.id, deliveryId))
    .returning({ attempts: notificationDeliveries.attempts });
  return {
    status: 'retry',
    attempts: counted?.attempts ?? d.attempts + 1,
    error: `delivery ${deliveryId} to ${p.id} failed on every channel: ${errors.join('; ')}`,
  };
}

/**
 * The activity of the delivery workflows of before (workflows/notification-delivery.ts), kept for those
 * still running: an attempt to retry throws, and Temporal retries it with backoff.
 */
export async function deliverNotification(
  db: Database,
  senders: ChannelSenders,
  deliveryId: number,
): Promise<DeliverOutcome> {
  const outcome = await attemptDelivery(db, senders, deliveryId);
  if (outcome.status !== 'retry') return outcome;
  // A channel that is down is expected, not our fault: BENIGN keeps it out of failure metrics.
  throw ApplicationFailure.create({
    type: 'NotificationDeliveryFailed',
    message: outcome.error,
    category: ApplicationFailureCategory.BENIGN,
  });
}

/**
 * The robots of the chat groups of the case's team (its assignee's): where a person without a team of
 * their own — a manager, upper management — is reached about that case.
 */
async function caseTeamRobots(db: Database, caseId: string) {
  const [row] = await db
    .select({ robots: teams.robots })
    .from(cases)
    .innerJoin(people, eq(people.id, cases.assignee))
    .innerJoin(teams, eq(teams.id, people.teamId))
    .where(eq(cases.id, caseId));
  return row?.robots ?? {};
}

/** After the last retry: the delivery stays failed (the inbox still has the item). */
export async function markDeliveryFailed(db: Database, deliveryId: number): Promise<void> {
  await db
    .update(notificationDeliveries)
    .set({ status: 'failed', dueAt: null })
    .where(
      sql`${notificationDeliveries.id} = ${deliveryId} and ${notificationDeliveries.status} <> 'delivered'`,
    );
}
