// OpenTelemetry tracing, off unless the environment asks for it (the standard OTel variables):
//   OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT   spans over OTLP/HTTP to a collector
//   OTEL_TRACES_EXPORTER=console                                       spans printed to stdout (debugging)
//   OTEL_SERVICE_NAME                                                  default shouhou-api / shouhou-worker
// When on: the API traces each HTTP request, and its Temporal client carries the trace into the workflow
// (@temporalio/interceptors-opentelemetry), whose workflow and activity spans continue it on the worker.
// The workflow interceptors are part of the workflow bundle, so the worker then loads the bundle built
// with them (dist/workflow-bundle-otel.js).
import { createRequire } from 'node:module';
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';

export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(
    env.OTEL_EXPORTER_OTLP_ENDPOINT ||
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ||
      env.OTEL_TRACES_EXPORTER === 'console',
  );
}

export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Client interceptors that put the current trace into workflow starts, updates and queries. */
  clientInterceptors: { workflow: OpenTelemetryWorkflowClientInterceptor[] };
  /** Flushes pending spans. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider for this process; undefined when tracing is off. */
export function startTracing(
  defaultServiceName: string,
  env: NodeJS.ProcessEnv = process.env,
): Tracing | undefined {
  if (!tracingEnabled(env)) return undefined;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || defaultServiceName });
  const exporter =
    env.OTEL_TRACES_EXPORTER === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  return {
    spanProcessor,
    resource,
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    shutdown: () => provider.shutdown(),
  };
}

/** The workflow interceptors of @temporalio/interceptors-opentelemetry (they send spans to a sink). */
export const OTEL_WORKFLOW_INTERCEPTORS = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * Worker options that trace activities and export the workflows' spans (through a sink). With a prebuilt
 * bundle the workflow interceptors must be in it already (`bundled`); otherwise they are bundled at start.
 */
export function workerTracingOptions(
  tracing: Tracing,
  { bundled }: { bundled: boolean },
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...(bundled ? {} : { workflowModules: [OTEL_WORKFLOW_INTERCEPTORS] }),
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: {
      exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource),
    } as InjectedSinks<never>,
  };
}

/** One span per HTTP request, active while the request is handled (so workflow calls continue it). */
export function traceRequests(app: FastifyInstance) {
  const tracer = trace.getTracer('shouhou-api');
  const spans = new WeakMap<object, Span>();
  app.addHook('onRequest', (req, _reply, done) => {
    const span = tracer.startSpan(`${req.method} ${req.routeOptions.url ?? 'unmatched'}`, {
      attributes: {
        'http.request.method': req.method,
        'url.path': req.url.split('?')[0],
        'shouhou.request_id': req.id,
      },
    });
    spans.set(req, span);
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const span = spans.get(req);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
