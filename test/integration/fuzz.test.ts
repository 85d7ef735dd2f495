// Property-based fuzzing. Every POST body: arbitrary JSON and mutations of valid bodies never get a
// 5xx. Every text field of every route — each string of each body, each query and path parameter,
// taken from the OpenAPI document so routes added later are fuzzed too — refuses control characters
// and invalid Unicode with a 400 naming the field, and takes any other text. At the end no case
// workflow is left stuck: each still answers a step (a cancel) through the API.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, ROLES } from '../../api/auth/roles.js';
import { call, intakeBody, post, repairReport, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 2_000, surveyExpiryMs: 2_000, engineers: ['eng-fuzz'] });
});
afterAll(() => stack?.close());

const seeds: Record<string, unknown> = {
  '/api/v1/cases': intakeBody(),
  'resolve-at-intake': { answer: 'a' },
  assign: { engineer: 'eng-fuzz' },
  diagnose: { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [{ partNumber: 'P', quantity: 1 }] },
  'parts-ready': { note: 'n' },
  schedule: { mode: 'onsite', agreedAt: '2026-12-01T09:00:00+08:00' },
  'check-in': {},
  'complete-repair': repairReport,
  'customer-feedback': { accepted: false },
  'survey-response': { serviceQuality: 3, repairEffect: 3, attitude: 3, via: 'phone' },
  'wait-for-customer': { reason: 'r' },
  'customer-responded': {},
  messages: { kind: 'customer_reply', channel: 'email' },
  cancel: { reason: 'r' },
  '/api/v1/webhooks': { url: 'http://127.0.0.1:9/x', eventTypes: ['case.*'] },
  '/api/v1/sla-policies': { id: 'fuzz', name: 'f', calendarId: 'cn', match: {}, targets: {} },
  '/api/v1/api-keys': { name: 'k', role: 'engineer' },
};

/** A valid body with one field replaced, dropped or added — the inputs that get past a shallow look. */
function mutated(seed: unknown): fc.Arbitrary<unknown> {
  if (!seed || typeof seed !== 'object' || Array.isArray(seed) || Object.keys(seed).length === 0) {
    return fc.jsonValue();
  }
  const keys = Object.keys(seed);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), fc.jsonValue()).map(([k, v]) => ({ ...seed, [k]: v })),
    fc.constantFrom(...keys).map((k) => {
      const { [k]: _dropped, ...rest } = seed as Record<string, unknown>;
      return rest;
    }),
    fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue()).map(([k, v]) => ({ ...seed, [k]: v })),
    fc.tuple(fc.constantFrom(...keys), fc.string({ maxLength: 300 })).map(([k, v]) => ({ ...seed, [k]: v })),
  );
}

describe('fuzzing every POST route', () => {
  it('never answers 5xx and never leaves a workflow stuck', async () => {
    const posts = stack.app.routeTable.filter((r) => r.method === 'POST' && r.url.startsWith('/api/'));
    expect(posts.length).toBeGreaterThan(15);
    const caseIds: string[] = [];
    const newCase = async () => {
      const id = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id as string;
      caseIds.push(id);
      await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'test-engineer' });
      return id;
    };
    const failures: string[] = [];
    for (const route of posts) {
      const stepName = route.url.split('/').at(-1)!;
      const seed = seeds[route.url] ?? seeds[stepName];
      const caseId =
        route.url.includes(':id') && route.url.startsWith('/api/v1/cases') ? await newCase() : undefined;
      const url = route.url
        .replace(':id', caseId ?? 'fuzz-id')
        .replace(':year', '2031')
        .replace(':deliveryId', '1');
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.jsonValue(), mutated(seed)),
          fc.boolean(),
          async (body, withIdempotency) => {
            const res = await call(stack.app, 'POST', url, {
              payload: JSON.stringify(body ?? null),
              headers: {
                'content-type': 'application/json',
                ...(withIdempotency ? { 'idempotency-key': `fuzz-${Math.random()}` } : {}),
              },
            });
            if (res.status >= 500)
              failures.push(`${route.url} ${JSON.stringify(body).slice(0, 200)} → ${res.status}`);
            return res.status < 500;
          },
        ),
        { numRuns: 40 },
      );
    }
    expect(failures).toEqual([]);

    // Every case workflow the fuzzing touched still answers, and none has a failing workflow task.
    // Only this file's cases: other test files share the database and may be opening cases right now.
    const keyId = stack.keys.manager.split('_')[1];
    const rows = await stack.db.sql<{ id: string }[]>`select id from cases where created_by_key = ${keyId}`;
    expect(rows.length).toBeGreaterThanOrEqual(caseIds.length);
    await expectNoCaseStuck(rows.map((r) => r.id));
    // Forty bodies for every POST route: the count grows with the API, so the time does too.
  }, 600_000);
});

/**
 * Every case still answers its steps: a manager's cancel through the API gets an answer (200, or 409
 * when the case had closed) — never the step timeout's 504 — and the case is then closed in the read
 * model, so its projection is not wedged either. No workflow has a failing task.
 */
async function expectNoCaseStuck(ids: string[]) {
  const stuck: string[] = [];
  for (const id of ids) {
    const handle = stack.client.workflow.getHandle(`case-${id}`);
    const described = await handle.describe();
    if (!['RUNNING', 'COMPLETED'].includes(described.status.name))
      stuck.push(`${id}: ${described.status.name}`);
    if ((described.raw.pendingWorkflowTask?.attempt ?? 1) > 1) stuck.push(`${id}: failing workflow task`);
    const r = await post(stack.app, `/api/v1/cases/${id}/cancel`, {
      reason: 'fuzz: does the case still answer?',
    });
    if (r.status !== 200 && r.status !== 409) stuck.push(`${id}: cancel → ${r.status} ${r.body.detail}`);
    const [row] = await stack.db.sql<{ stage: string }[]>`select stage from cases where id = ${id}`;
    if (!['cancelled', 'closed'].includes(row.stage)) stuck.push(`${id}: read model still at ${row.stage}`);
  }
  expect(stuck).toEqual([]);
}

// ---- control characters and invalid Unicode in every text field of every route --------------------

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
};
type Segment = string | number;
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  parameters?: Array<{ in: string; name: string; schema?: Schema }>;
}

/** Every place a string can go in a body of this schema, as a path of property names and indexes. */
function textPaths(schema: Schema | undefined, components: Record<string, Schema>, depth = 0): Segment[][] {
  if (!schema || depth > 8) return [];
  if (schema.$ref) return textPaths(components[schema.$ref.split('/').at(-1)!], components, depth + 1);
  const paths: Segment[][] = [];
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])])
    paths.push(...textPaths(alt, components, depth + 1));
  const types = schema.type === undefined ? [] : [schema.type].flat();
  if (types.includes('string')) paths.push([]);
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    for (const p of textPaths(child, components, depth + 1)) paths.push([name, ...p]);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    for (const p of textPaths(schema.additionalProperties, components, depth + 1)) paths.push(['k', ...p]);
  if (schema.items) for (const p of textPaths(schema.items, components, depth + 1)) paths.push([0, ...p]);
  // Free-form objects and values (no type): a string anywhere in them.
  if (types.length === 0 && !schema.properties && !schema.items && paths.length === 0) paths.push([]);
  return paths;
}

/** The smallest value with `text` at `path`. */
function valueAt(path: Segment[], text: string): unknown {
  if (path.length === 0) return text;
  const [head, ...rest] = path;
  return typeof head === 'number' ? [valueAt(rest, text)] : { [head]: valueAt(rest, text) };
}

/** A path as the API names a field: `customer.name`, `parts[0].partNumber`. */
const fieldName = (path: Segment[]) =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') ||
  '(the whole value)';

const FORBIDDEN = [
  ...Array.from({ length: 32 }, (_, c) => c).filter((c) => c !== 9 && c !== 10 && c !== 13),
  0xd800,
  0xdbff,
  0xdc00,
  0xdfff,
].map((c) => String.fromCharCode(c));
/** Text with one character that may not be stored, somewhere in it. */
const poisoned = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...FORBIDDEN), fc.string({ maxLength: 8 }))
  .map(([a, bad, b]) => a + bad + b);
/** Well-formed text without control characters other than tab, line feed, carriage return. */
const clean = fc
  .string({ unit: 'grapheme', maxLength: 20 })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  .map((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ''));
/** Percent-encoded text that decodes to a forbidden character or to invalid UTF-8. */
const poisonedParam = fc.constantFrom(
  '%00',
  'a%01b',
  '%1B',
  '%1f',
  '%ED%A0%80',
  '%FF',
  'a%C0%80',
  '%F4%90%80%80',
);

describe('control characters and invalid Unicode, in every text field of every route', () => {
  it('400 naming the field for every body string, query and path parameter of the OpenAPI document', async () => {
    const doc = (await call(stack.app, 'GET', '/openapi.json', { key: null })).body;
    const components: Record<string, Schema> = doc.components?.schemas ?? {};
    const permissionOf = new Map(stack.app.routeTable.map((r) => [`${r.method} ${r.url}`, r.permission]));
    const failures: string[] = [];
    const checked = { body: 0, query: 0, path: 0 };

    for (const [openPath, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      if (!openPath.startsWith('/api/')) continue;
      const routeUrl = openPath.replace(/\{(\w+)\}/g, ':$1');
      for (const [lower, op] of Object.entries(item)) {
        const method = lower.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
        const permission = permissionOf.get(`${method} ${routeUrl}`);
        const role = ROLES.find((r) => permission && allows(permission, r));
        if (!role) {
          failures.push(`${method} ${openPath}: no role may call it`);
          continue;
        }
        const key = stack.keys[role];
        const params = op.parameters ?? [];
        const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
        const url = (replace: Record<string, string> = {}) =>
          pathParams.reduce((u, name) => u.replace(`{${name}}`, replace[name] ?? 'x1'), openPath);
        const expect400 = (
          label: string,
          res: Awaited<ReturnType<typeof call>>,
          where: string,
          field?: string,
        ) => {
          const ok =
            res.status === 400 &&
            res.body?.type === 'urn:shouhou:problem:invalid-text' &&
            res.body.in === where &&
            (field === undefined || res.body.field === field);
          if (!ok) failures.push(`${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          return ok;
        };

        // Bodies: every string the schema allows, poisoned — and clean text is never refused as text.
        const schema = op.requestBody?.content?.['application/json']?.schema;
        for (const path of textPaths(schema, components)) {
          checked.body += 1;
          await fc.assert(
            fc.asyncProperty(poisoned, async (text) => {
              const payload = JSON.stringify(valueAt(path, text));
              const res = await call(stack.app, method, url(), {
                key,
                payload,
                headers: { 'content-type': 'application/json' },
              });
              return expect400(
                `${method} ${openPath} body ${fieldName(path)}=${JSON.stringify(text)}`,
                res,
                'body',
                fieldName(path),
              );
            }),
            { numRuns: 4 },
          );
          await fc.assert(
            fc.asyncProperty(clean, async (text) => {
              const res = await call(stack.app, method, url(), {
                key,
                payload: JSON.stringify(valueAt(path, text)),
                headers: { 'content-type': 'application/json' },
              });
              const refused = res.body?.type === 'urn:shouhou:problem:invalid-text' || res.status >= 500;
              if (refused)
                failures.push(
                  `${method} ${openPath} body ${fieldName(path)}=${JSON.stringify(text)} refused`,
                );
              return !refused;
            }),
            { numRuns: 2 },
          );
        }
        // A property name is text too.
        if (schema) {
          const res = await call(stack.app, method, url(), {
            key,
            payload: JSON.stringify({ 'bad\u0000name': 1 }),
            headers: { 'content-type': 'application/json' },
          });
          expect400(`${method} ${openPath} body property name`, res, 'body');
        }

        // Query parameters.
        for (const p of params.filter((q) => q.in === 'query')) {
          checked.query += 1;
          await fc.assert(
            fc.asyncProperty(poisonedParam, async (raw) => {
              const res = await call(stack.app, method, `${url()}?${p.name}=${raw}`, { key });
              return expect400(`${method} ${openPath} query ${p.name}=${raw}`, res, 'query', p.name);
            }),
            { numRuns: 4 },
          );
        }

        // Path parameters.
        for (const name of pathParams) {
          checked.path += 1;
          await fc.assert(
            fc.asyncProperty(poisonedParam, async (raw) => {
              const res = await call(stack.app, method, url({ [name]: raw }), {
                key,
                ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
              });
              // A forbidden character names the parameter; bytes that are not UTF-8 stop at the router.
              return expect400(
                `${method} ${openPath} path ${name}=${raw}`,
                res,
                'path',
                /%(ED|FF|C0|F4)/.test(raw) ? undefined : name,
              );
            }),
            { numRuns: 4 },
          );
        }
      }
    }
    expect(failures).toEqual([]);
    // The document really was walked: the intake body alone has a dozen text fields.
    expect(checked.body).toBeGreaterThan(60);
    expect(checked.query).toBeGreaterThan(15);
    expect(checked.path).toBeGreaterThan(15);
    console.log(
      `text fuzzing: ${checked.body} body fields, ${checked.query} query and ${checked.path} path parameters`,
    );
  }, 600_000);
});
