// The reorder run of the `parts-reorder` Schedule: a purchase (requests for quotes to the qualified
// suppliers) for every part whose available stock has fallen below its reorder point.
import { proxyActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

const { proposeReorders } = proxyActivities<CaseActivities>({ startToCloseTimeout: '1 minute' });

export async function partsReorder(): Promise<string[]> {
  return proposeReorders();
}
