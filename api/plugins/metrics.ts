// Request rate and latency for Prometheus, and GET /metrics (observability/metrics.ts). The route label is
// the route's pattern (/api/v1/cases/:id), not the URL, so the number of series stays bounded.
import type { FastifyInstance } from 'fastify';
import { httpRequestDuration, METRICS_CONTENT_TYPE, metricsText } from '../../observability/metrics.js';

export function registerMetrics(app: FastifyInstance) {
  app.addHook('onResponse', async (req, reply) => {
    httpRequestDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['system'],
        summary: 'Prometheus metrics of this API process (text exposition format)',
        description:
          'HTTP requests by route and status (shouhou_http_request_duration_seconds), Node process metrics. ' +
          'Unauthenticated like /health: keep it on the internal network.',
        response: {
          200: {
            description: 'Prometheus text format 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_req, reply) => reply.type(METRICS_CONTENT_TYPE).send(await metricsText()),
  );
}
