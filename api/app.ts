// The HTTP API, built by a function from its dependencies so tests and the server share it.
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Database } from '../db/client.js';
import type { ServiceCaseInput } from '../workflows/service-case.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerProblems } from './plugins/problems.js';
import { PROBLEM_SCHEMA } from './problem.js';
import { calendarRoutes } from './routes/calendars.js';
import { caseStepRoutes } from './routes/case-steps.js';
import { caseRoutes } from './routes/cases.js';
import { escalationRoutes } from './routes/escalations.js';
import { healthRoutes } from './routes/health.js';
import { slaPolicyRoutes } from './routes/sla-policies.js';

export interface AppDeps {
  db: Database;
  temporal: Client;
  taskQueue: string;
  timing: ServiceCaseInput['timing'];
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
  });
  app.addSchema(PROBLEM_SCHEMA);
  registerProblems(app);
  await registerOpenApi(app);
  await app.register(async (scope) => {
    await healthRoutes(scope, deps);
    await caseRoutes(scope, deps);
    await caseStepRoutes(scope, deps);
    await calendarRoutes(scope, deps);
    await slaPolicyRoutes(scope, deps);
    await escalationRoutes(scope, deps);
  });
  return app;
}
