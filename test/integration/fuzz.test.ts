// Property-based fuzzing of every POST body: arbitrary JSON and mutations of valid bodies never get a
// 5xx, and no case workflow is left stuck (each still answers a query and has no failing task).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, intakeBody, post, repairReport, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 2_000, surveyExpiryMs: 2_000 });
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
    for (const { id } of rows) {
      const handle = stack.client.workflow.getHandle(`case-${id}`);
      const described = await handle.describe();
      expect(['RUNNING', 'COMPLETED'], id).toContain(described.status.name);
      const pending = described.raw.pendingWorkflowTask;
      expect(pending?.attempt ?? 1, `case ${id} has a failing workflow task`).toBeLessThanOrEqual(1);
      if (described.status.name === 'RUNNING') {
        const state = await handle.query<{ caseId: string }>('state');
        expect(state.caseId).toBe(id);
      }
    }
    // Forty bodies for every POST route: the count grows with the API, so the time does too.
  }, 600_000);
});
