// The OpenAPI 3 document is generated from the route schemas and served with a docs UI at /docs.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
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
        },
      },
      security: [{ bearerApiKey: [] }, { apiKeyHeader: [] }],
      info: {
        title: 'shouhou 售后 API',
        version: '1.0.0',
        description:
          'After-sales service cases as durable workflows: intake, diagnosis, parts, repair, feedback, survey. ' +
          'Errors are application/problem+json.',
      },
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
          name: 'webhooks',
          description: 'Signed outbound webhooks: subscriptions, delivery log, redelivery',
        },
        {
          name: 'parts',
          description: '备件 spare parts: catalogue, stock ledger, parts requests, purchases, suppliers',
        },
        { name: 'access', description: 'API keys and the audit trail (admins)' },
        { name: 'system', description: 'Health' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
