// One dispatcher per webhook subscription (workflow id `webhook-dispatch-<subscriptionId>`): delivers
// the subscription's pending deliveries in outbox order, one batch per activity. The activity stops at
// the first failed delivery and throws, so Temporal retries it with exponential backoff and nothing
// behind a failed event overtakes it: events reach a receiver in order per subscription, hence per case.
//
// It is woken by a signal whenever the outbox gains a delivery for its subscription (sent after the
// transaction that wrote it commits); as a safety net for a lost wake-up it also looks on its own
// every `sweepIntervalMs`. A deactivated or deleted subscription ends it; the API starts it again when
// the subscription is reactivated.
import { continueAsNew, defineSignal, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';
import { deliveriesQueueOption } from './activity-options.js';
import { wakeFlag } from './wake-flag.js';

export interface WebhookDispatcherInput {
  subscriptionId: string;
  /** Longest pause between retries of a failing delivery (backoff starts at 1 s and doubles). */
  retryMaxIntervalMs: number;
  /** How often the dispatcher looks for pending deliveries without being woken. */
  sweepIntervalMs: number;
  /** Loop iterations per run before continue-as-new (default 500; tests use a few). */
  iterationsPerRun?: number;
}

export const wakeSignal = defineSignal('wake');

/** Deliveries per activity: small, so one activity stays well inside its timeout. */
const BATCH = 50;
/** Loop iterations per run before the history is cut with continue-as-new. */
const ITERATIONS_PER_RUN = 500;

export async function webhookDispatcher(input: WebhookDispatcherInput): Promise<void> {
  const { deliverPendingWebhooks } = proxyActivities<CaseActivities>({
    ...deliveriesQueueOption(),
    // At most BATCH posts of at most 10 s each; the heartbeat after every post notices a lost worker.
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: input.retryMaxIntervalMs,
      // unlimited attempts: a receiver that is down gets everything once it is back
    },
  });

  const wake = wakeFlag(wakeSignal);

  const iterations = input.iterationsPerRun ?? ITERATIONS_PER_RUN;
  // Every wake-up is a history event too: the server's suggestion also cuts the run short.
  for (let i = 0; i < iterations && !workflowInfo().continueAsNewSuggested; i++) {
    wake.clear();
    const { more, active } = await deliverPendingWebhooks({
      subscriptionId: input.subscriptionId,
      batch: BATCH,
    });
    if (!active) return;
    if (!more) await wake.sleep(input.sweepIntervalMs);
  }
  // Wake-ups that arrive meanwhile are not lost: the next run starts by delivering what is pending.
  await continueAsNew<typeof webhookDispatcher>(input);
}
