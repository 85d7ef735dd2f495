// Prometheus metrics of the API and worker processes (prom-client), served at /metrics by each: HTTP
// requests by route and status with their latency, the business counters (escalations by level,
// notifications, webhook deliveries) and Node's process metrics. The worker's /metrics adds the Temporal
// SDK's own metrics (observability/worker-metrics.ts). Counters live per process: Prometheus sums them
// over the processes it scrapes.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequestDuration = new Histogram({
  name: 'shouhou_http_request_duration_seconds',
  help: 'HTTP requests answered by the API, by method, route pattern and status code (rate: the _count)',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const escalationsTotal = new Counter({
  name: 'shouhou_escalations_total',
  help: 'SLA escalation steps fired and notified, by ladder level and clock',
  labelNames: ['level', 'clock'] as const,
  registers: [registry],
});

export const notificationsTotal = new Counter({
  name: 'shouhou_notifications_total',
  help: 'Notifications handed to the notifier, by kind and outcome (sent, failed)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

export const webhookDeliveriesTotal = new Counter({
  name: 'shouhou_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome (delivered, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** The text exposition format of every metric of this process. */
export const metricsText = (): Promise<string> => registry.metrics();
export const METRICS_CONTENT_TYPE = registry.contentType;
