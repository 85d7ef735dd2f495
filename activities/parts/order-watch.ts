// Starts and wakes the watches of purchase orders bought for stock (workflows/purchase-order-watch.ts):
// reorder orders, and orders kept as stock when their request was cancelled. Called by the API after
// every change of such a purchase (award, approval, delivery, inspection), by the cancellation that keeps
// an order as stock, and by the reorder Schedule's run, which starts the watch of any order a crash left
// without one.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Database } from '../../db/client.js';
import { purchaseOrderWatchId } from '../../domain/parts/request.js';
import { purchaseOrderChangedSignal } from '../../workflows/parts-signals.js';
import type { purchaseOrderWatch } from '../../workflows/purchase-order-watch.js';
import { stockOrders } from './procurement.js';

export interface WatchDeps {
  db: Database;
  temporal?: Client;
  taskQueue?: string;
}

/**
 * An order still due gets its watch started, or signalled when it runs (signal-with-start: one call,
 * no race between two callers); an order no longer due signals a running watch so it ends, and starts
 * nothing. Returns the orders whose watch was started or woken.
 */
export async function watchStockOrders(deps: WatchDeps, purchaseOrOrderId?: string): Promise<string[]> {
  const { temporal, taskQueue } = deps;
  if (!temporal || !taskQueue) return [];
  const touched: string[] = [];
  for (const o of await stockOrders(deps.db, purchaseOrOrderId)) {
    const workflowId = purchaseOrderWatchId(o.id);
    if (o.open) {
      await temporal.workflow.signalWithStart<typeof purchaseOrderWatch, []>('purchaseOrderWatch', {
        workflowId,
        taskQueue,
        args: [{ purchaseOrderId: o.id }],
        signal: purchaseOrderChangedSignal,
        signalArgs: [],
      });
      touched.push(o.id);
      continue;
    }
    try {
      await temporal.workflow.getHandle(workflowId).signal(purchaseOrderChangedSignal);
      touched.push(o.id);
    } catch (err) {
      // Never started, or already ended: nothing watches it, nothing needs to.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return touched;
}
