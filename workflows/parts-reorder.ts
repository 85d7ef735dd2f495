// The reorder run of the `parts-reorder` Schedule: a purchase (requests for quotes to the qualified
// suppliers) for every part whose available stock has fallen below its reorder point; then every
// purchase order bought for stock and still due (a reorder's, or one kept as stock by a cancelled
// request) gets its late-delivery watch, should the API or the cancellation have stopped before
// starting it.
import { patched, proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

const { proposeReorders, watchReorderOrders } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '1 minute',
});

export async function partsReorder(): Promise<string[]> {
  const proposed = await proposeReorders();
  if (patched('reorder-order-watches')) await watchReorderOrders();
  return proposed;
}
