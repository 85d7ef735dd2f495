// What the parts routes share: refusals and database errors as problems, keyset pages, and the wake-up
// of webhook dispatchers and of the parts request a purchase belongs to.
import { sql } from 'drizzle-orm';
import { watchStockOrders } from '../../../activities/parts/order-watch.js';
import { type Outcome, StockShortage } from '../../../activities/parts/procurement.js';
import { wakeDispatchers } from '../../../activities/webhook-outbox.js';
import { PartsRejected, partsRequestWorkflowId } from '../../../domain/parts/request.js';
import { partsChangedSignal } from '../../../workflows/parts-signals.js';
import type { AppDeps } from '../../app.js';
import { Problem } from '../../problem.js';

/** Runs a parts operation; its refusals and the database's constraint errors become problems. */
export async function answer<T>(deps: AppDeps, op: () => Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await op();
  } catch (err) {
    throw asProblem(err);
  }
  await wakeDispatchers(
    { temporal: deps.temporal, taskQueue: deps.taskQueue, webhooks: deps.webhooks },
    outcome.wake,
  );
  return outcome.value;
}

export function asProblem(err: unknown): unknown {
  if (err instanceof PartsRejected) {
    if (err.kind === 'not-found') return new Problem(404, 'not-found', 'Not found', err.message);
    if (err.kind === 'conflict') return new Problem(409, 'step-rejected', 'Conflict', err.message);
    return new Problem(422, 'invalid-content', 'Invalid content', err.message);
  }
  if (err instanceof StockShortage)
    return new Problem(409, 'insufficient-stock', 'Insufficient stock', err.message, {
      partNumber: err.partNumber,
      warehouseId: err.warehouseId,
      available: err.available,
    });
  // drizzle wraps the driver's error; Postgres names the constraint.
  const pg = ((err as { cause?: unknown })?.cause ?? err) as {
    code?: string;
    detail?: string;
    constraint_name?: string;
  };
  if (pg?.code === '23503')
    return new Problem(
      422,
      'unknown-reference',
      'Invalid content',
      `refers to something that does not exist: ${pg.detail ?? ''}`,
    );
  if (pg?.code === '23514')
    return new Problem(
      409,
      'stock-invariant',
      'Conflict',
      `refused by the stock invariant ${pg.constraint_name ?? ''}`,
    );
  return err;
}

/**
 * Tells whoever watches a purchase that it moved (quote, order, delivery, inspection): the parts request
 * it belongs to, or — for a purchase bought for stock (a reorder, or kept as stock when its request was
 * cancelled), which no request watches — the watches of its orders.
 */
export async function nudgeRequestOf(deps: AppDeps, purchaseOrOrderId: string): Promise<void> {
  const rows = await deps.db.execute<{ request_id: string | null; origin: string; status: string }>(sql`
    select p.request_id, p.origin, p.status from purchases p left join purchase_orders o on o.purchase_id = p.id
    where p.id = ${purchaseOrOrderId} or o.id = ${purchaseOrOrderId} limit 1`);
  if (rows[0]?.origin === 'reorder' || rows[0]?.status === 'kept_as_stock') {
    try {
      await watchStockOrders(
        { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue },
        purchaseOrOrderId,
      );
    } catch (err) {
      // The change is committed; the reorder Schedule's next run starts a watch that is missing.
      console.warn(`[parts] watch of ${purchaseOrOrderId} not started now: ${(err as Error).message}`);
    }
    return;
  }
  const requestId = rows[0]?.request_id;
  if (!requestId) return;
  try {
    await deps.temporal.workflow.getHandle(partsRequestWorkflowId(requestId)).signal(partsChangedSignal);
  } catch {
    // The request has ended (cancelled or issued): nobody waits on the purchase.
  }
}

export const limitOf = (raw?: string) => (raw ? Number(raw) : 50);
export const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());
