// Sends a subscription's pending webhook deliveries, oldest first, and records every attempt. The first
// failure is recorded and thrown: the dispatcher's activity retry (exponential backoff) sends it again,
// and nothing queued behind it goes out first.
import { createHmac } from 'node:crypto';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { webhookAttempts, webhookDeliveries, webhookEvents, webhookSubscriptions } from '../db/schema.js';
import { webhookDeliveriesTotal } from '../observability/metrics.js';

import { forbiddenTarget } from './webhook-target.js';

export const DELIVERY_TIMEOUT_MS = 10_000;

/** `Shouhou-Signature`: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. */
export function signature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** The JSON a receiver gets for an event: its stored payload with the event id first. */
export function eventBody(event: { id: number; payload: unknown }): string {
  return JSON.stringify({ id: event.id, ...(event.payload as Record<string, unknown>) });
}

/**
 * A receiver that is down or refuses is expected, not a fault of ours: the failure is BENIGN (logged at
 * debug level, no failure metrics); the delivery log shows every attempt.
 */
const deliveryFailed = (message: string) =>
  ApplicationFailure.create({
    type: 'WebhookDeliveryFailed',
    message,
    category: ApplicationFailureCategory.BENIGN,
  });

export interface DeliverResult {
  /** Deliveries sent successfully by this call. */
  delivered: number;
  /** A full batch was sent: there may be more pending right away. */
  more: boolean;
  /** False when the subscription is gone or deactivated: its dispatcher ends. */
  active: boolean;
}

export interface DeliverOptions {
  /** Called after each attempt (the activity heartbeats). */
  onAttempt?: () => void;
  timeoutMs?: number;
  /** Deliver to loopback and private-network addresses too (see webhook-target.ts). */
  allowPrivateTargets?: boolean;
}

export async function deliverPending(
  db: Database,
  input: { subscriptionId: string; batch: number },
  opts: DeliverOptions = {},
): Promise<DeliverResult> {
  const [sub] = await db
    .select()
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.id, input.subscriptionId));
  if (!sub?.active) return { delivered: 0, more: false, active: false };

  const pending = await db
    .select({
      id: webhookDeliveries.id,
      redeliveryRequests: webhookDeliveries.redeliveryRequests,
      eventId: webhookEvents.id,
      type: webhookEvents.type,
      payload: webhookEvents.payload,
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(and(eq(webhookDeliveries.subscriptionId, sub.id), eq(webhookDeliveries.status, 'pending')))
    .orderBy(asc(webhookDeliveries.id))
    .limit(input.batch);

  let delivered = 0;
  for (const d of pending) {
    const body = eventBody({ id: d.eventId, payload: d.payload });
    const timestamp = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const refused = await forbiddenTarget(sub.url, opts.allowPrivateTargets ?? false);
      if (refused) throw new Error(refused);
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'shouhou-webhooks/1',
          'shouhou-event': d.type,
          'shouhou-delivery': String(d.id),
          'shouhou-timestamp': String(timestamp),
          'shouhou-signature': signature(sub.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? DELIVERY_TIMEOUT_MS),
      });
      statusCode = res.status;
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
      // The answer's body is not read, let alone kept: a receiver URL may point anywhere, and the
      // delivery log must not become a way to read what an internal address answers.
      await res.body?.cancel().catch(() => {});
    } catch (err) {
      error = describeFetchError(err);
    }
    const durationMs = Math.round(performance.now() - started);
    const ok = error === null;
    const unchanged = sql`${webhookDeliveries.redeliveryRequests} = ${d.redeliveryRequests}`;
    await db.transaction(async (tx) => {
      await tx.insert(webhookAttempts).values({ deliveryId: d.id, statusCode, error, durationMs });
      await tx
        .update(webhookDeliveries)
        .set({
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          lastAttemptAt: new Date(),
          lastStatusCode: statusCode,
          lastError: error,
          // A redelivery asked for while this attempt was in flight keeps the delivery pending.
          ...(ok
            ? {
                status: sql`case when ${unchanged} then 'delivered' else 'pending' end`,
                deliveredAt: sql`case when ${unchanged} then now() end`,
              }
            : {}),
        })
        .where(eq(webhookDeliveries.id, d.id));
    });
    webhookDeliveriesTotal.inc({ outcome: ok ? 'delivered' : 'failed' });
    opts.onAttempt?.();
    if (!ok) throw deliveryFailed(`delivery ${d.id} (${d.type}) to ${sub.url} failed: ${error}`);
    delivered += 1;
  }
  return { delivered, more: pending.length === input.batch, active: true };
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error && !('cause' in err) && err.name === 'Error') return err.message;
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message}: ${cause}` : String(e?.message ?? err);
}
