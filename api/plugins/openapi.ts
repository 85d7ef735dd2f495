// The OpenAPI 3.1 document is generated from the route schemas and served with a docs UI at /docs.
// Two things every route shares are added here instead of in each route: the problem answers that do
// not depend on the route (401/403/429, 400 for bad input, 413/415 for bodies, the Idempotency-Key
// answers of POSTs — see implicitProblemStatuses), added to the route's response schema when it is
// registered; and the Idempotency-Key header of every POST, documented here and checked by the
// idempotency plugin (which names the rule in its 400 answer).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { implicitProblemStatuses, problemResponse } from '../schema-parts.js';
import { WEBHOOK_COMPONENTS, WEBHOOK_OPERATIONS } from '../webhook-events.js';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency.js';

export const OPENAPI_INFO = {
  title: 'shouhou 售后 API',
  version: '1.0.0',
  description:
    'After-sales service cases as durable workflows: intake (受理), diagnosis (故障诊断), parts (待料), repair ' +
    '(维修实施), the customer verdict (维修结果反馈) and the satisfaction survey (满意度调查), with SLA clocks ' +
    'that escalate on their own; complaints (投诉) and the quality loop to R&D and production (质量改进) as ' +
    'workflows beside them. Errors are application/problem+json (the Problem schema). Every POST ' +
    'honours Idempotency-Key. Outbound webhooks are described under `webhooks` and in docs/webhooks.md.',
};

const idempotencyKeyHeader = {
  type: 'string',
  pattern: IDEMPOTENCY_KEY_PATTERN,
  description:
    '1–200 visible ASCII characters (0x21–0x7E: no spaces, no control or non-ASCII characters), ' +
    'e.g. a UUID. The same key with the same body within 24 h replays the first answer ' +
    '(Idempotent-Replayed: true); with another body it answers 422; while the first is still running, 409. ' +
    'Keys are scoped to the API key that sends them.',
};

type RouteSchema = FastifySchema & { hide?: boolean; response?: Record<string, unknown> };

export async function registerOpenApi(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as RouteSchema | undefined;
    if (!schema || schema.hide) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const method = methods.includes('POST') ? 'POST' : methods[0];
    const response = { ...(schema.response ?? {}) };
    const input = { method, url: route.url, schema: schema as Record<string, unknown> };
    for (const status of implicitProblemStatuses(input)) {
      response[status] ??= problemResponse(status);
    }
    route.schema = { ...schema, response };
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      servers: [{ url: 'http://127.0.0.1:3000', description: 'npm start on this machine (HOST and PORT)' }],
      components: {
        // Both ways of presenting the one API key, each named for what it is.
        securitySchemes: {
          bearerApiKey: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'shk_<id>_<secret>',
            description:
              'An API key (shk_<id>_<secret>) sent as a bearer token: "Authorization: Bearer shk_…". ' +
              'Keys are issued by admins (POST /api/v1/api-keys) or set in API_KEYS; each has a role.',
          },
          apiKeyHeader: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description: 'The same API key in the X-API-Key header instead of Authorization.',
          },
          ...WEBHOOK_COMPONENTS.securitySchemes,
        },
        // Plain JSON-schema literals; the OpenAPI types want their own (mutable) shapes.
        schemas: WEBHOOK_COMPONENTS.schemas as never,
      },
      security: [{ bearerApiKey: [] }, { apiKeyHeader: [] }],
      webhooks: WEBHOOK_OPERATIONS as never,
      tags: [
        { name: 'cases', description: '服务工单 service cases' },
        {
          name: 'case steps',
          description: 'Human steps of a case; 409 when the step does not fit the stage',
        },
        {
          name: 'calendars',
          description: '工作日历 business calendars: working periods, holidays, make-up days',
        },
        {
          name: 'sla policies',
          description: '服务标准 SLA policies, versioned; cases keep the version they opened under',
        },
        { name: 'escalations', description: 'Warnings and escalations fired by SLA clocks' },
        {
          name: 'events',
          description: 'Live events (server-sent) of the cases a key may read, for the dashboard',
        },
        {
          name: 'webhooks',
          description: 'Signed outbound webhooks: subscriptions, delivery log, redelivery',
        },
        {
          name: 'parts',
          description: '备件 spare parts: catalogue, stock ledger, parts requests, purchases, suppliers',
        },
        { name: 'complaints', description: '投诉 complaints: intake, classification, routing, reports' },
        {
          name: 'complaint steps',
          description: 'Human steps of a complaint; 409 when the step does not fit the stage',
        },
        {
          name: 'complaint policies',
          description: '投诉处理标准: classification matrix, targets, routing; versioned',
        },
        {
          name: 'quality',
          description: '质量改进 CAPA: failure codes, roll-ups, repeat failures, quality issues',
        },
        {
          name: 'quality steps',
          description: 'Steps of a quality issue; 409 when the step does not fit the stage',
        },
        { name: 'access', description: 'API keys and the audit trail (admins)' },
        { name: 'system', description: 'Health' },
      ],
    },
    // Shared schemas keep their own names (Problem, Case, …) instead of def-0, def-1…
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url, route }) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!schema || !methods.includes('POST') || !url.startsWith('/api/')) return { schema, url };
      const headers = (schema.headers ?? { type: 'object', properties: {} }) as {
        properties?: Record<string, unknown>;
      };
      return {
        url,
        schema: {
          ...schema,
          headers: {
            ...headers,
            properties: { ...headers.properties, 'idempotency-key': idempotencyKeyHeader },
          },
        },
      };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
