// A notification dispatcher (workflow id `notification-dispatch-<task queue>:<shard>`): delivers the
// notifications addressed to it (activities/notifications/dispatch.ts). It is woken by a signal when new
// ones are queued; otherwise it sleeps until its next delivery falls due (a retry's backoff, the end of
// someone's quiet hours) or, at the longest, `sweepIntervalMs` — the safety net for a lost wake-up.
import { continueAsNew, defineSignal, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { deliveriesQueueOption } from './activity-options.js';
import { wakeFlag } from './wake-flag.js';

export interface NotificationDispatcherInput {
  dispatcher: string;
  /** How long an idle dispatcher sleeps at most without being woken. */
  sweepIntervalMs: number;
  /** Turns per run before continue-as-new (default 500; tests use a few). */
  iterationsPerRun?: number;
}

export const notificationWakeSignal = defineSignal('wake');

const ITERATIONS_PER_RUN = 500;

export async function notificationDispatcher(input: NotificationDispatcherInput): Promise<void> {
  const { dispatchNotifications } = proxyActivities<CaseActivities>({
    ...deliveriesQueueOption(),
    // A turn hands back after about a minute; the heartbeat after every delivery notices a lost worker,
    // and the deliveries it had claimed are taken again when their lease ends.
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  });

  const wake = wakeFlag(notificationWakeSignal);

  const iterations = input.iterationsPerRun ?? ITERATIONS_PER_RUN;
  for (let i = 0; i < iterations && !workflowInfo().continueAsNewSuggested; i++) {
    wake.clear();
    const { more, nextDueInMs } = await dispatchNotifications({ dispatcher: input.dispatcher });
    if (more) continue;
    const wait =
      nextDueInMs === null
        ? input.sweepIntervalMs
        : Math.min(Math.max(nextDueInMs, 100), input.sweepIntervalMs);
    await wake.sleep(wait);
  }
  // Wake-ups that arrive meanwhile are not lost: the next run starts with a turn.
  await continueAsNew<typeof notificationDispatcher>(input);
}
