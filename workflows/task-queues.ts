// The task queue that delivers notifications and webhooks: beside, not on, the one the SLA timers use.
// A delivery waits on someone else's server (a mail relay, a help desk) and costs CPU for every message;
// on the cases' own queue it competes with the escalations that fire next, so a slow or busy receiver
// made timers late. On its own queue it can be served by a worker process of lower priority
// (WORKER_ROLE=deliveries, docs/operations.md) while a single-process worker still serves both.
export const DELIVERIES_QUEUE_SUFFIX = '-deliveries';
export const deliveriesTaskQueue = (taskQueue: string): string => `${taskQueue}${DELIVERIES_QUEUE_SUFFIX}`;
