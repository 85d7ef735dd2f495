// The HTTP API, built by a function from its dependencies so tests and the server share it.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { WebhookDispatchSettings } from '../activities/webhook-outbox.js';
import type { Database } from '../db/client.js';
import type { PartsSettings } from '../domain/parts/request.js';
import type { ServiceCaseInput } from '../workflows/service-case.js';
import type { BootstrapKey } from './auth/keys.js';
import { registerAudit } from './plugins/audit.js';
import { registerAuth } from './plugins/auth.js';
import { registerIdempotency } from './plugins/idempotency.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerProblems } from './plugins/problems.js';
import { registerSecurity } from './plugins/security.js';
import { PROBLEM_SCHEMA } from './problem.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { calendarRoutes } from './routes/calendars.js';
import { caseStepRoutes } from './routes/case-steps.js';
import { caseRoutes } from './routes/cases.js';
import { escalationRoutes } from './routes/escalations.js';
import { healthRoutes } from './routes/health.js';
import { partsRoutes } from './routes/parts/index.js';
import { slaPolicyRoutes } from './routes/sla-policies.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface AppDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  timing: ServiceCaseInput['timing'];
  /** Retry ceiling and sweep period of the webhook dispatchers the API starts (default 5 min each). */
  webhooks?: WebhookDispatchSettings;
  /** Spare parts: the approval threshold of purchase orders (default 5000). */
  parts?: PartsSettings;
  /** Keys from API_KEYS, held in memory (the api_keys table holds the rest). */
  bootstrapKeys?: BootstrapKey[];
  rateLimitPerMinute?: number;
  bodyLimitBytes?: number;
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimitBytes ?? 256 * 1024,
    // Reject what a client did not mean to send instead of silently dropping or coercing it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
    // A caller's own request id is kept (and echoed) so both sides can find one request in their logs.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addSchema(PROBLEM_SCHEMA);
  registerProblems(app);
  registerAuth(app, { db: deps.db, bootstrapKeys: deps.bootstrapKeys ?? [] });
  await registerSecurity(app, { rateLimitPerMinute: deps.rateLimitPerMinute ?? 600 });
  registerIdempotency(app, deps.db);
  registerAudit(app, deps.db);
  await registerOpenApi(app);
  await app.register(async (scope) => {
    await healthRoutes(scope, deps);
    await caseRoutes(scope, deps);
    await caseStepRoutes(scope, deps);
    await calendarRoutes(scope, deps);
    await slaPolicyRoutes(scope, deps);
    await escalationRoutes(scope, deps);
    await webhookRoutes(scope, deps);
    await apiKeyRoutes(scope, deps);
    await auditRoutes(scope, deps);
    await partsRoutes(scope, deps);
  });
  return app;
}
