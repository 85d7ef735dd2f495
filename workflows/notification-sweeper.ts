// The safety net behind notification delivery (workflow id `notification-sweeper`): every dispatcher
// with work waiting longer than a grace period (its wake-up lost: Temporal unreachable for a moment, a
// worker that died in between) is woken, and started if it does not run; notifications queued by a
// process without Temporal are given a dispatcher. The worker process starts it.
import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

export interface NotificationSweeperInput {
  intervalMs: number;
  /** Only notifications queued longer ago than this: younger ones are still being started. */
  graceMs: number;
}

export async function notificationSweeper(input: NotificationSweeperInput): Promise<void> {
  const { dispatchQueuedNotifications } = proxyActivities<CaseActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  for (let i = 0; i < 200; i++) {
    await dispatchQueuedNotifications({ graceMs: input.graceMs, batch: 200 });
    await sleep(input.intervalMs);
  }
  await continueAsNew<typeof notificationSweeper>(input);
}
