// Webhook events through a transactional outbox. A projected transition writes its webhook event(s) in
// the transaction that writes the transition, together with one pending delivery per active
// subscription that wants the type; so an event exists exactly when its transition does, and a retried
// activity adds nothing (the event is unique on its dedupe key). After the commit the caller wakes the
// subscriptions' dispatcher workflows, which do the HTTP.
import type { Client } from '@temporalio/client';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { CaseSummary } from '../domain/case-projection.js';
import { firedStepEventType, isFiredStepTransition } from '../domain/escalation-step.js';
import { familyWildcard, type WebhookEventType } from '../domain/webhooks.js';
import {
  type WebhookDispatcherInput,
  wakeSignal,
  webhookDispatcher,
} from '../workflows/webhook-dispatcher.js';
import type { CaseEvent } from './case-projection.js';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

export interface OutboxEvent {
  /** Unique per cause, e.g. `${caseId}:${seq}:${type}`. */
  dedupeKey: string;
  type: string;
  caseId: string | null;
  /** For events of other kinds than cases (complaints): the API key that opened the subject, for 'own' scopes. */
  ownerKeyId?: string | null;
  /** The body sent to receivers, without `id` (the event id, added when it is sent). */
  payload: {
    type: string;
    occurredAt: string;
    caseId: string | null;
    data: Record<string, unknown>;
  } & Record<string, unknown>;
}

/** Transitions within a stage that the help desk must hear about: it is the one to contact the customer. */
const CUSTOMER_TYPES: Record<string, WebhookEventType> = {
  waiting_for_customer: 'case.waiting_for_customer',
  customer_responded: 'case.customer_responded',
  customer_replied: 'case.customer_responded',
  contact_attempted: 'case.contact_attempted',
};

/**
 * The webhook events of one case transition: case.created for the first, the sla.* type for an
 * escalation, the customer's events (waiting on them, their answer, a contact attempt), and
 * case.stage_changed for a move to another stage and, when that stage ends the case, case.closed after
 * it (the same seq: receivers deduplicate on the event id). Other transitions within a stage
 * (reassignment, rescheduling) emit none.
 */
export function caseWebhookEvents(c: CaseSummary, event: CaseEvent): OutboxEvent[] {
  const sla: WebhookEventType | undefined = isFiredStepTransition(event.type)
    ? firedStepEventType(event.data as { at?: number; level: number })
    : undefined;
  const customer = CUSTOMER_TYPES[event.type];
  const types: string[] =
    event.type === 'created'
      ? ['case.created']
      : sla
        ? [sla]
        : customer
          ? [customer]
          : event.fromStage !== event.toStage
            ? [
                'case.stage_changed',
                ...(event.toStage === 'closed' || event.toStage === 'cancelled' ? ['case.closed'] : []),
              ]
            : [];
  if (types.length === 0) return [];

  const summary = {
    id: c.caseId,
    stage: c.stage,
    severity: c.severity,
    assignee: c.assignee,
    outcome: c.outcome,
    externalRef: c.externalRef,
    waitingForCustomer: c.waitingForCustomer,
  };
  const data: Record<string, unknown> = {
    seq: event.seq,
    transition: event.type,
    stage: event.toStage,
    previousStage: event.fromStage,
    actor: event.actor,
  };
  if (customer) {
    // What the step recorded, under the names docs/webhooks.md gives them.
    const d = event.data as Record<string, string | undefined>;
    const fields = { reason: d.reason, note: d.note, channel: d.channel, message: d.message };
    const contact = { outcome: d.outcome, contactedAt: d.occurredAt };
    for (const [k, v] of Object.entries({ ...fields, ...contact })) if (v !== undefined) data[k] = v;
  }
  if (sla) {
    const d = event.data as {
      clock: string;
      cycle?: number;
      level: number;
      dueAt: string;
      recipient: string;
    };
    Object.assign(data, {
      clock: d.clock,
      cycle: d.cycle ?? null,
      level: d.level,
      dueAt: d.dueAt,
      firedAt: event.at,
      recipient: d.recipient,
    });
  }
  return types.map((type) => ({
    dedupeKey: `${c.caseId}:${event.seq}:${type}`,
    type,
    caseId: c.caseId,
    payload: { type, occurredAt: event.at, caseId: c.caseId, data, case: summary },
  }));
}

/**
 * The common table expressions that write one event and a pending delivery for every active
 * subscription that wants it (nothing at all when none does: the outbox is a queue, the case timeline is
 * the history). `added` holds the deliveries this statement wrote; see webhookWakeList.
 */
export function webhookEventCtes(e: OutboxEvent): SQL {
  const owner =
    e.ownerKeyId !== undefined
      ? sql`${e.ownerKeyId}`
      : sql`(select created_by_key from cases where id = ${e.caseId})`;
  return sql`
    subs as (
      select id from webhook_subscriptions
      where active
        and (event_types ? ${e.type} or event_types ? ${familyWildcard(e.type)} or event_types ? '*')
        and (case_scope = 'all'
             or owner_key_id = ${owner})
    ), ev as (
      insert into webhook_events (dedupe_key, type, case_id, payload)
      select ${e.dedupeKey}, ${e.type}, ${e.caseId}, ${JSON.stringify(e.payload)}::jsonb
      where exists (select 1 from subs)
      on conflict (dedupe_key) do nothing
      returning id
    ), added as (
      insert into webhook_deliveries (subscription_id, event_id)
      select subs.id, ev.id from subs cross join ev
      on conflict do nothing
      returning subscription_id
    )`;
}

/**
 * The subscriptions with a pending delivery of the event — also when an earlier, committed attempt wrote
 * it — so the caller can wake their dispatchers after the commit. Goes with webhookEventCtes.
 */
export function webhookWakeList(e: OutboxEvent): SQL {
  return sql`
    select subscription_id from added
    union
    select d.subscription_id from webhook_deliveries d join webhook_events w on w.id = d.event_id
    where w.dedupe_key = ${e.dedupeKey} and d.status = 'pending'`;
}

/** Writes one event (webhookEventCtes); returns the subscriptions to wake (webhookWakeList). */
export async function writeWebhookEvent(tx: Tx, e: OutboxEvent): Promise<string[]> {
  const rows = await tx.execute<{ subscription_id: string }>(
    sql`with ${webhookEventCtes(e)} ${webhookWakeList(e)}`,
  );
  return rows.map((r) => r.subscription_id);
}

/** Writes the webhook events of a case transition inside its transaction; returns subscriptions to wake. */
export async function emitCaseWebhooks(tx: Tx, c: CaseSummary, event: CaseEvent): Promise<string[]> {
  const wake = new Set<string>();
  for (const e of caseWebhookEvents(c, event)) for (const id of await writeWebhookEvent(tx, e)) wake.add(id);
  return [...wake];
}

export type WebhookDispatchSettings = Omit<WebhookDispatcherInput, 'subscriptionId'>;

export const DEFAULT_WEBHOOK_DISPATCH: WebhookDispatchSettings = {
  retryMaxIntervalMs: 5 * 60_000,
  sweepIntervalMs: 5 * 60_000,
};

export const dispatcherWorkflowId = (subscriptionId: string) => `webhook-dispatch-${subscriptionId}`;

export interface WakeDeps {
  temporal?: Client;
  taskQueue?: string;
  webhooks?: WebhookDispatchSettings;
}

/**
 * Signals each subscription's dispatcher, starting it if it does not run. Without a Temporal client
 * (a process configured without one) nothing is signalled and the dispatchers find the deliveries on
 * their periodic sweep.
 */
export async function wakeDispatchers(deps: WakeDeps, subscriptionIds: readonly string[]): Promise<void> {
  const { temporal, taskQueue } = deps;
  if (!temporal || !taskQueue) return;
  const settings = deps.webhooks ?? DEFAULT_WEBHOOK_DISPATCH;
  await Promise.all(
    subscriptionIds.map((subscriptionId) =>
      temporal.workflow.signalWithStart(webhookDispatcher, {
        workflowId: dispatcherWorkflowId(subscriptionId),
        taskQueue,
        args: [{ subscriptionId, ...settings }],
        signal: wakeSignal,
        signalArgs: [],
      }),
    ),
  );
}
