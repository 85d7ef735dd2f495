// The burst benchmark's baseline (bench/burst.ts), not part of the product and not registered in
// workflows/index.ts: what raw Temporal does with N workflows asleep until the same instant, each then
// recording that it woke with one local activity. Its own worker (worker.ts beside this file) bundles it.
import { proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { BaselineActivities } from './activities.js';

const { recordWake } = proxyLocalActivities<BaselineActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Sleeps until each instant (epoch ms) in turn and records the wake-up. */
export async function burstBaseline(input: { id: string; instants: number[] }): Promise<void> {
  for (const [wave, at] of input.instants.entries()) {
    const remaining = at - Date.now();
    if (remaining > 0) await sleep(remaining);
    await recordWake({ id: input.id, wave, dueAt: at, firedAt: Date.now() });
  }
}
