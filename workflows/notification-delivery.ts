// Superseded by the notification dispatchers (workflows/notification-dispatcher.ts) and kept so the
// delivery workflows started before them finish: nothing starts this workflow any more.
//
// One workflow per notification (`notification-<key>`), started after the transaction that queued it
// commits — never inside the SLA timer's task, so a slow mail server cannot make a timer late. It
// resolves the recipients once, then delivers to each person in parallel: every delivery is an activity
// with retries and backoff, a person in quiet hours is delivered to when they end (a durable timer), and
// a delivery whose retries are used up is marked failed.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/index.js';

export interface NotificationDeliveryInput {
  key: string;
  /** Attempts per delivery (each tries all of the person's channels), and the longest pause between. */
  maxAttempts: number;
  retryMaxIntervalMs: number;
}

export async function notificationDelivery(input: NotificationDeliveryInput): Promise<void> {
  const { planNotification, markDeliveryFailed } = proxyActivities<CaseActivities>({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  const { deliverNotification } = proxyActivities<CaseActivities>({
    // Each channel times out after 10–20 s; five of them fit.
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: input.retryMaxIntervalMs,
      maximumAttempts: input.maxAttempts,
    },
  });
  const { deliveries } = await planNotification({ key: input.key });
  await Promise.all(
    deliveries.map(async ({ id }) => {
      for (;;) {
        let outcome: Awaited<ReturnType<typeof deliverNotification>>;
        try {
          outcome = await deliverNotification({ deliveryId: id });
        } catch {
          await markDeliveryFailed({ deliveryId: id });
          return;
        }
        if (outcome.status !== 'deferred') return;
        await sleep(Math.max(1, Date.parse(outcome.notBefore) - Date.now()));
      }
    }),
  );
}
