// The HTTP API, built by a function from its dependencies so tests and the server share it.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { WebhookDispatchSettings } from '../activities/webhook-outbox.js';
import type { AesGcmPayloadCodec } from '../codec/payload-codec.js';
import type { Database } from '../db/client.js';
import type { PartsSettings } from '../domain/parts/request.js';
import { traceRequests } from '../observability/tracing.js';
import type { ServiceCaseInput } from '../workflows/service-case.js';
import type { FailureThrottleSettings } from './auth/failure-throttle.js';
import type { BootstrapKey } from './auth/keys.js';
import { DEFAULT_TICKET_TTL_MS, StreamTickets } from './auth/stream-tickets.js';
import { type CaseAccessSettings, DEFAULT_CASE_ACCESS } from './case-access.js';
import { CASE_SCHEMAS } from './case-schemas.js';
import { type DashboardSettings, registerDashboard } from './dashboard.js';
import { INSIGHT_SCHEMAS } from './insight/schemas.js';
import { LIVE_EVENT_SCHEMAS } from './live-event-schemas.js';
import { DEFAULT_LIVE_EVENT_SETTINGS, LiveCaseEvents, type LiveEventSettings } from './live-events.js';
import { requestLogFields } from './log-redaction.js';
import { registerAudit } from './plugins/audit.js';
import { registerAuth } from './plugins/auth.js';
import { registerIdempotency } from './plugins/idempotency.js';
import { registerInputText } from './plugins/input-text.js';
import { registerMetrics } from './plugins/metrics.js';
import { registerOpenApi } from './plugins/openapi.js';
import { clientErrorHandler, frameworkErrors, registerProblems } from './plugins/problems.js';
import { registerRequestId } from './plugins/request-id.js';
import { registerSecurity } from './plugins/security.js';
import { PROBLEM_SCHEMA } from './problem.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { budgetRoutes } from './routes/budgets.js';
import { calendarRoutes } from './routes/calendars.js';
import { caseStepRoutes } from './routes/case-steps.js';
import { caseRoutes } from './routes/cases.js';
import { codecRoutes, DEFAULT_CODEC_ORIGINS, registerCodecCors } from './routes/codec.js';
import { complaintRoutes } from './routes/complaints/index.js';
import { COMPLAINT_SCHEMAS } from './routes/complaints/schemas.js';
import { costRoutes } from './routes/costs.js';
import { escalationRoutes } from './routes/escalations.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { partsRoutes } from './routes/parts/index.js';
import { peopleRoutes } from './routes/people/index.js';
import { productModelRoutes } from './routes/product-models.js';
import { qualityRoutes } from './routes/quality/index.js';
import { QUALITY_SCHEMAS } from './routes/quality/schemas.js';
import { reportRoutes } from './routes/reports.js';
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
  /** Failed authentications per client address and window before 429 (default 20 per 5 min). */
  authFailures?: FailureThrottleSettings;
  /** How long a step request waits for its workflow before answering 504 (default 30 s). */
  stepTimeoutMs?: number;
  /** How far before now a case's reportedAt may lie (default 30 days). */
  intakeMaxBackdateMs?: number;
  /** Which cases engineers read (default: those assigned to them). */
  caseAccess?: CaseAccessSettings;
  bodyLimitBytes?: number;
  /** Proxies whose X-Forwarded-For names the client address (TRUST_PROXY); default none. */
  trustProxy?: boolean | number | string[];
  logger?: FastifyServerOptions['logger'];
  /** One OpenTelemetry span per request (api/server.ts switches it on with tracing). */
  traceRequests?: boolean;
  /** Encrypts workflow payloads; the codec endpoint decrypts them for the Temporal UI (none: 503). */
  payloadCodec?: AesGcmPayloadCodec;
  /** Browser origins allowed to call the codec endpoint (default: the local Temporal UI). */
  codecCorsOrigins?: readonly string[];
  /** Complaints and quality issues: continue-as-new threshold (history events), largest evidence file (bytes). */
  complaints?: { historyLimit?: number; evidenceMaxBytes?: number };
  /** The live event stream: heartbeat and horizon retry periods, ticket lifetime (default 1 min). */
  eventStream?: Partial<LiveEventSettings> & { ticketTtlMs?: number };
  /** The dashboard web app served under /dashboard/ (the built files; none: not served). */
  dashboard?: DashboardSettings;
}

export const DEFAULT_STEP_TIMEOUT_MS = 30_000;
export const DEFAULT_INTAKE_MAX_BACKDATE_MS = 30 * 86_400_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: withRedactedUrls(deps.logger),
    bodyLimit: deps.bodyLimitBytes ?? 256 * 1024,
    // Reject what a client did not mean to send instead of silently dropping or coercing it.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    routerOptions: { ignoreTrailingSlash: true },
    // Our own id for every request; a client's X-Request-Id is kept beside it (plugins/request-id.ts).
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    frameworkErrors,
    clientErrorHandler,
    // A boolean, a hop count or a list, all of which Fastify takes; the cast only steers its overloads.
    trustProxy: (deps.trustProxy ?? false) as FastifyServerOptions['trustProxy'] & boolean,
  });
  registerRequestId(app);
  // Shared schemas: components of the OpenAPI document, referenced as { $ref: '<$id>#' }.
  for (const schema of [
    PROBLEM_SCHEMA,
    ...CASE_SCHEMAS,
    ...COMPLAINT_SCHEMAS,
    ...QUALITY_SCHEMAS,
    ...LIVE_EVENT_SCHEMAS,
    ...INSIGHT_SCHEMAS,
  ])
    app.addSchema(schema);
  registerProblems(app);
  registerCodecCors(app, deps.codecCorsOrigins ?? DEFAULT_CODEC_ORIGINS);
  const streamTickets = new StreamTickets(
    deps.db,
    deps.eventStream?.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS,
    new Set((deps.bootstrapKeys ?? []).map((k) => k.id)),
  );
  // Listens to the database only once a stream opens.
  const liveEvents = new LiveCaseEvents(
    deps.db,
    { ...DEFAULT_LIVE_EVENT_SETTINGS, ...deps.eventStream },
    app.log,
  );
  // Open streams would keep the server from closing.
  app.addHook('preClose', () => liveEvents.close());
  registerAuth(app, {
    db: deps.db,
    bootstrapKeys: deps.bootstrapKeys ?? [],
    authFailures: deps.authFailures ?? { limit: 20, windowMs: 5 * 60_000 },
    caseAccess: deps.caseAccess ?? DEFAULT_CASE_ACCESS,
    streamTickets,
  });
  registerInputText(app);
  await registerSecurity(app, { rateLimitPerMinute: deps.rateLimitPerMinute ?? 600 });
  registerIdempotency(app, deps.db);
  registerAudit(app, deps.db);
  await registerOpenApi(app);
  registerMetrics(app);
  if (deps.traceRequests) traceRequests(app);
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
    await peopleRoutes(scope, deps);
    await codecRoutes(scope, deps);
    await reportRoutes(scope, deps);
    await costRoutes(scope, deps);
    await budgetRoutes(scope, deps);
    await productModelRoutes(scope, deps);
    await complaintRoutes(scope, deps);
    await qualityRoutes(scope, deps);
    await eventRoutes(scope, { ...deps, liveEvents, streamTickets });
  });
  if (deps.dashboard) await registerDashboard(app, deps.dashboard);
  return app;
}

/** The logger options with request URLs redacted (stream tickets travel in the query string). */
function withRedactedUrls(logger: AppDeps['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return { ...base, serializers: { ...base.serializers, req: requestLogFields } };
}
