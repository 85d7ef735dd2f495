// Every answer a test stack gives is checked against the OpenAPI document: its status must be declared
// for the route, its content type must be one the document names for that status, and its body must
// match the schema there. Since Fastify serialises answers with the response schemas — dropping what
// they do not name, truncating what they call an integer — the body the handler returned is also
// compared with the body sent: a field the document forgot shows up here instead of vanishing.

import { isDeepStrictEqual } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { openApiDocument } from '../../api/openapi-document.js';
import { partsEventSchemaName } from '../../api/webhook-events.js';

type Doc = Record<string, unknown> & { paths: Record<string, Record<string, Operation>> };
interface Operation {
  operationId?: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface ContractCheck {
  /** Answers that do not match the document, one line each. */
  violations: string[];
  /** `operationId status` of every answer checked. */
  exercised: Set<string>;
  doc: Doc;
}

let docPromise: Promise<Doc> | undefined;
/** The document, built once per test file. */
export const contractDocument = () => {
  docPromise ??= openApiDocument() as Promise<Doc>;
  return docPromise;
};

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

export async function checkContract(app: FastifyInstance): Promise<ContractCheck> {
  const doc = await contractDocument();
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'openapi');
  const check: ContractCheck = { violations: [], exercised: new Set(), doc };
  const sentByHandler = new WeakMap<FastifyRequest, string>();

  app.addHook('preSerialization', async (req, _reply, payload) => {
    sentByHandler.set(req, JSON.stringify(payload));
    return payload;
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const route = req.routeOptions.url;
    if (!route) return payload; // no such route: answered by the not-found handler
    const path = openApiPath(route);
    const method = req.method.toLowerCase();
    const op = doc.paths[path]?.[method];
    if (!op) {
      // Routes the document hides on purpose (the docs UI and the document itself) need no entry.
      if (!route.startsWith('/api/') && route !== '/health') return payload;
      check.violations.push(`${req.method} ${route}: not in the OpenAPI document`);
      return payload;
    }
    const status = String(reply.statusCode);
    const where = `${op.operationId ?? `${req.method} ${route}`} ${status}`;
    check.exercised.add(`${op.operationId} ${status}`);
    const declared = op.responses?.[status];
    if (!declared) {
      check.violations.push(`${where}: status not declared`);
      return payload;
    }
    const raw = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : null;
    if (!declared.content) {
      // A 204 goes out without a body whatever the handler returned (Fastify drops it).
      if (raw && reply.statusCode !== 204)
        check.violations.push(`${where}: declared without a body, answered ${raw.slice(0, 200)}`);
      return payload;
    }
    const type = String(reply.getHeader('content-type') ?? '')
      .split(';')[0]
      .trim();
    if (!declared.content[type]) {
      check.violations.push(`${where}: content type ${type} not declared`);
      return payload;
    }
    if (raw === null) {
      // A stream (server-sent events) cannot be read here without taking it from the client: its status
      // and content type are checked, its events by the test that reads them (sseEventCheck).
      if (type !== 'text/event-stream') check.violations.push(`${where}: body is not text`);
      return payload;
    }
    // Text answers (Prometheus metrics, CSV exports) are strings to their schema, not JSON.
    const json = type === 'application/json' || type.endsWith('+json');
    const body = json ? JSON.parse(raw) : raw;
    const ref = `openapi#/${pointer('paths', path, method, 'responses', status, 'content', type, 'schema')}`;
    const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
    if (!validate(body)) {
      check.violations.push(
        `${where}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })} — ${raw.slice(0, 300)}`,
      );
    }
    const before = sentByHandler.get(req);
    if (json && before !== undefined && !isDeepStrictEqual(JSON.parse(before), body)) {
      check.violations.push(
        `${where}: the response schema changed the body (a field missing from the schema, or a number typed integer)\n` +
          `  handler: ${before.slice(0, 600)}\n  sent:    ${raw.slice(0, 600)}`,
      );
    }
    return payload;
  });
  return check;
}

/** Throws when answers did not match the document (called when a stack closes). */
export function assertContract(check: ContractCheck) {
  if (check.violations.length === 0) return;
  const unique = [...new Set(check.violations)];
  throw new Error(
    `${unique.length} answer(s) do not match the OpenAPI document (fix the route's response schema, see test/support/contract.ts):\n` +
      unique.slice(0, 15).join('\n'),
  );
}

/**
 * A check of webhook bodies against the document's webhook schemas (case.*, sla.*, complaint.*,
 * quality.* and parts.* events): null when the body matches, else what is wrong.
 */
export async function webhookBodyCheck(): Promise<(body: { type?: string }) => string | null> {
  const doc = await contractDocument();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'openapi');
  const schemas: Record<string, string> = {
    case: 'CaseWebhookEvent',
    sla: 'SlaWebhookEvent',
    complaint: 'ComplaintWebhookEvent',
    quality: 'QualityWebhookEvent',
  };
  // parts.* bodies differ per type: each has its own schema.
  const schemaOf = (type: string) =>
    type.startsWith('parts.') ? partsEventSchemaName(type) : (schemas[type.split('.')[0]] ?? null);
  return (body) => {
    const name = schemaOf(String(body.type));
    if (!name) return null;
    const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
    if (!validate) return `${body.type}: no body schema ${name} in the document`;
    return validate(body) ? null : `${body.type}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`;
  };
}

/**
 * A check of server-sent events against the document: the data of an event named `name` must match the
 * schema of that name in the `$defs` of the operation's text/event-stream answer. Null when it matches.
 */
export async function sseEventCheck(
  operationId: string,
): Promise<(event: { event: string; data: unknown }) => string | null> {
  const doc = await contractDocument();
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'openapi');
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op.operationId !== operationId) continue;
      const base = pointer(
        'paths',
        path,
        method,
        'responses',
        '200',
        'content',
        'text/event-stream',
        'schema',
      );
      return ({ event, data }) => {
        const validate = ajv.getSchema(`openapi#/${base}/$defs/${pointer(event)}`);
        if (!validate) return `${operationId}: event "${event}" is not documented`;
        return validate(data) ? null : `${event}: ${ajv.errorsText(validate.errors, { dataVar: 'data' })}`;
      };
    }
  }
  throw new Error(`no operation ${operationId} in the document`);
}
