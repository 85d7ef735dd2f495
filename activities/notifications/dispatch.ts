// Notifications are delivered by a few long-lived dispatcher workflows (workflows/notification-
// dispatcher.ts), not by one workflow each. A workflow per notification cost the Temporal server a start,
// three workflow tasks and two activities per escalation: when a thousand SLA steps fell due together
// that work queued in front of the timers themselves (bench/README.md, "escalation"). Now recording an
// escalation writes its notification with the name of the dispatcher that owns it, and wakes that
// dispatcher with a signal — coalesced per process, so a burst of a thousand escalations sends a few
// signals, not a thousand. The dispatcher's activity plans what is queued (who gets it, per person) and
// delivers what is due, many at once; a failed attempt is tried again after a backoff kept on the row
// (`due_at`), a person in quiet hours when they end. Every attempt is logged as before.
//
// A dispatcher is `<task queue>:<shard>`: a notification goes to the shard its key hashes to, so the
// work spreads over NOTIFY_DISPATCHERS activities (on any of the workers), and a process only ever
// delivers the notifications of its own task queue.
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  type NotificationDispatcherInput,
  notificationDispatcher,
  notificationWakeSignal,
} from '../../workflows/notification-dispatcher.js';
import type { Notification, Notifier } from '../notifier.js';
import type { ChannelSenders } from './channel.js';
import { attemptDelivery, markDeliveryFailed } from './deliver.js';
import { planNotification } from './plan.js';

export interface DispatchDeps {
  temporal?: Client;
  taskQueue?: string;
  notifications?: {
    /** Dispatchers per task queue (NOTIFY_DISPATCHERS, default 2). */
    dispatchers?: number;
    /** How often an idle dispatcher looks without being woken (default 1 min). */
    dispatcherSweepMs?: number;
  };
}

export const DEFAULT_DISPATCHERS = 2;
const DEFAULT_SWEEP_MS = 60_000;

export const notificationDispatcherWorkflowId = (dispatcher: string) => `notification-dispatch-${dispatcher}`;

/** FNV-1a of the key: the same key always lands on the same shard. */
function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

/** The dispatcher that owns `key`; null in a process without Temporal (the sweeper adopts those). */
export function dispatcherFor(deps: DispatchDeps, key: string): string | null {
  if (!deps.temporal || !deps.taskQueue) return null;
  const shards = Math.max(1, deps.notifications?.dispatchers ?? DEFAULT_DISPATCHERS);
  return `${deps.taskQueue}:${shardOf(key, shards)}`;
}

/** `n` addressed to the dispatcher that will deliver it; record it, then wake that dispatcher. */
export function queued(deps: DispatchDeps, n: Notification): Notification {
  return { ...n, dispatcher: dispatcherFor(deps, n.key) };
}

interface WakeState {
  inFlight: boolean;
  again: boolean;
}
const wakeStates = new WeakMap<Client, Map<string, WakeState>>();

/**
 * Wakes a dispatcher (starting it if it does not run) after the transaction that queued its work
 * committed. At most one signal per dispatcher is in flight from this process; wake-ups asked for
 * meanwhile are folded into one more signal after it. It does not wait: a signal that fails is logged
 * and the dispatcher's own sweep (and the notification sweeper) picks the work up.
 */
export function wakeNotificationDispatcher(deps: DispatchDeps, dispatcher: string | null | undefined): void {
  const { temporal, taskQueue } = deps;
  if (!dispatcher || !temporal || !taskQueue) return;
  const states = wakeStates.get(temporal) ?? new Map<string, WakeState>();
  wakeStates.set(temporal, states);
  const s = states.get(dispatcher) ?? { inFlight: false, again: false };
  states.set(dispatcher, s);
  if (s.inFlight) {
    s.again = true;
    return;
  }
  s.inFlight = true;
  const input: NotificationDispatcherInput = {
    dispatcher,
    sweepIntervalMs: deps.notifications?.dispatcherSweepMs ?? DEFAULT_SWEEP_MS,
  };
  void (async () => {
    try {
      do {
        s.again = false;
        await temporal.workflow.signalWithStart(notificationDispatcher, {
          workflowId: notificationDispatcherWorkflowId(dispatcher),
          taskQueue,
          args: [input],
          signal: notificationWakeSignal,
          signalArgs: [],
        });
      } while (s.again);
    } catch (err) {
      console.warn(`[notify] ${dispatcher} not woken now (its sweep will look): ${(err as Error).message}`);
    } finally {
      s.inFlight = false;
    }
  })();
}

export interface DispatchSettings {
  /** Attempts per delivery (each tries all of the person's channels) before it is marked failed. */
  maxAttempts: number;
  /** Longest pause between attempts; the first is 1 s, then it doubles. */
  retryMaxIntervalMs: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** How long one activity goes on before it hands back to its workflow (history stays small). */
  budgetMs?: number;
  /** How long a claimed delivery stays with this attempt before another may take it (a lost worker). */
  leaseMs?: number;
}

/** Backoff after the `attempts`-th failed attempt: 1 s, 2 s, 4 s… up to the ceiling. */
export const retryDelayMs = (attempts: number, ceilingMs: number) =>
  Math.min(1000 * 2 ** Math.max(0, attempts - 1), ceilingMs);

/**
 * One turn of a dispatcher: plans its queued notifications and delivers its due deliveries, up to
 * `concurrency` at a time, until nothing is left or the budget is spent. Answers whether work is left
 * and when its next delivery falls due.
 */
export async function dispatchNotifications(
  deps: { db: Database; notifier: Notifier; senders: ChannelSenders },
  dispatcher: string,
  settings: DispatchSettings,
  heartbeat: () => void,
): Promise<{ more: boolean; nextDueInMs: number | null }> {
  const { db } = deps;
  const concurrency = settings.concurrency ?? 50;
  const budgetMs = settings.budgetMs ?? 60_000;
  const leaseSecs = (settings.leaseMs ?? 5 * 60_000) / 1000;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const failedPlans = new Set<string>();
  for (;;) {
    const planned = await planQueued(deps, dispatcher, failedPlans);
    const free = concurrency - inFlight.size;
    const claimed =
      free > 0
        ? await db.execute<{ id: number }>(sql`
          update notification_deliveries set due_at = now() + make_interval(secs => ${leaseSecs})
          where id in (
            select id from notification_deliveries
            where dispatcher = ${dispatcher} and status in ('pending', 'deferred')
              and due_at is not null and due_at <= now()
            order by due_at limit ${free}
            for update skip locked)
          returning id`)
        : [];
    for (const { id } of claimed) {
      const p: Promise<void> = deliverOne(deps, id, settings).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    heartbeat();
    if (planned === 0 && claimed.length === 0 && inFlight.size === 0) break;
    if (Date.now() - started > budgetMs) {
      await Promise.all(inFlight);
      return { more: true, nextDueInMs: 0 };
    }
    // Look again when a delivery ends (a slot is free) or shortly: new work may have been queued.
    if (inFlight.size > 0) await Promise.race([...inFlight, new Promise((r) => setTimeout(r, 250))]);
  }
  const [next] = await db.execute<{ ms: number | null }>(sql`
    select (extract(epoch from min(due_at) - now()) * 1000)::float8 as ms from notification_deliveries
    where dispatcher = ${dispatcher} and status in ('pending', 'deferred') and due_at is not null`);
  return { more: false, nextDueInMs: next?.ms == null ? null : Math.max(0, next.ms) };
}

/**
 * Plans the dispatcher's notifications not yet handed to the process's notifier. Planning is
 * idempotent (a row lock and the stored resolution), so two turns racing plan nothing twice; one that
 * fails (the notifier refused) is left for the next turn rather than tried again in this one.
 */
async function planQueued(
  deps: { db: Database; notifier: Notifier },
  dispatcher: string,
  failed: Set<string>,
): Promise<number> {
  // The ones that failed in this turn are left out here, so they cannot crowd out newer ones.
  const skip = JSON.stringify([...failed]);
  const rows = await deps.db.execute<{ key: string }>(sql`
    select key from notifications
    where dispatcher = ${dispatcher} and sent_at is null and not (${skip}::jsonb ? key)
    order by created_at limit 100`);
  const todo = rows.map((r) => r.key);
  const outcomes = await Promise.allSettled(todo.map((key) => planNotification(deps.db, deps.notifier, key)));
  outcomes.forEach((o, i) => {
    if (o.status === 'rejected') {
      failed.add(todo[i] as string);
      console.warn(
        `[notify] planning ${todo[i]} failed (next turn tries again): ${(o.reason as Error)?.message}`,
      );
    }
  });
  return outcomes.filter((o) => o.status === 'fulfilled').length;
}

/** One attempt at a claimed delivery, and when it is due next if it is not done. */
async function deliverOne(
  deps: { db: Database; senders: ChannelSenders },
  id: number,
  settings: DispatchSettings,
): Promise<void> {
  const { db } = deps;
  try {
    const outcome = await attemptDelivery(db, deps.senders, id);
    if (outcome.status === 'deferred')
      await db.execute(
        sql`update notification_deliveries set due_at = ${outcome.notBefore} where id = ${id}`,
      );
    else if (outcome.status === 'retry') {
      if (outcome.attempts >= settings.maxAttempts) await markDeliveryFailed(db, id);
      else
        await db.execute(sql`
          update notification_deliveries
          set due_at = now() + make_interval(secs => ${retryDelayMs(outcome.attempts, settings.retryMaxIntervalMs) / 1000})
          where id = ${id}`);
    }
  } catch (err) {
    // Not a channel's answer (the database, a bug): try again soon; the lease covers a lost process.
    console.warn(`[notify] delivery ${id}: ${(err as Error).message}`);
    await db
      .execute(sql`update notification_deliveries set due_at = now() + interval '5 seconds' where id = ${id}`)
      .catch(() => undefined);
  }
}

/**
 * Queues `n` once per key for its dispatcher and wakes the dispatcher — unless a retry finds it sent
 * already. `record` writes the row (recordNotification; true when it was sent before).
 */
export async function queueNotification(
  deps: DispatchDeps,
  n: Notification,
  record: (n: Notification) => Promise<boolean>,
): Promise<void> {
  const q = queued(deps, n);
  if (!(await record(q))) wakeNotificationDispatcher(deps, q.dispatcher);
}
