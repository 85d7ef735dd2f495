// The watch of one purchase order bought for stock (`purchase-order-watch-<order id>`). A case's orders
// are watched by its partsRequest; an order the reorder Schedule asked for has no case, and an order kept
// as stock when its request was cancelled has lost its request's watch, so this small workflow does it,
// without a case: it sleeps until the next escalation step of the order (level 1 at the promised
// date, to procurement; level 2 after PARTS_LATE_ESCALATION more working time of procurement's
// calendar, to the service manager), escalates, and ends once the order is delivered in full, closed or
// cancelled. The API signals it whenever the order moves; every wake-up reads the order again, so the
// history holds one activity per change or step — a handful of events over the order's life.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { purchaseOrderChangedSignal } from './parts-signals.js';

const act = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export interface PurchaseOrderWatchInput {
  purchaseOrderId: string;
}

export interface PurchaseOrderWatchResult {
  purchaseOrderId: string;
  /** Why the watch ended: the order's status, or 'received' once every unit arrived. */
  ended: string;
  escalations: Array<{ level: number; dueAt: string }>;
}

export async function purchaseOrderWatch(input: PurchaseOrderWatchInput): Promise<PurchaseOrderWatchResult> {
  const { purchaseOrderId } = input;
  const escalations: PurchaseOrderWatchResult['escalations'] = [];
  let changes = 0;
  setHandler(purchaseOrderChangedSignal, () => {
    changes += 1;
  });
  for (;;) {
    const seen = changes;
    const watch = await act.purchaseOrderLateStep({ purchaseOrderId });
    if (watch.ended) return { purchaseOrderId, ended: watch.ended, escalations };
    const changed = () => changes !== seen;
    const next = watch.next;
    if (!next) {
      // Every level fired: nothing more to escalate, wait for the delivery (or cancellation).
      await condition(changed);
      continue;
    }
    if (await condition(changed, Math.max(1, Date.parse(next.dueAt) - Date.now()))) continue;
    await act.escalateLateOrder({ purchaseOrderId, level: next.level, dueAt: next.dueAt, caseId: null });
    escalations.push({ level: next.level, dueAt: next.dueAt });
  }
}
