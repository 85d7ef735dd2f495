// Every step is checked twice: the route schema rejects malformed input (400/422), and the workflow's
// Update validator rejects a step that does not fit the stage (409) without changing the case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_STAGES, type StepName } from '../../domain/case.js';
import { get, intakeBody, post, repairReport, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 60_000, surveyExpiryMs: 60_000, engineers: ['eng-x', 'eng-y'] });
});
afterAll(() => stack?.close());

const validBodies: Record<StepName, Record<string, unknown>> = {
  'resolve-at-intake': { answer: '已解答' },
  assign: { engineer: 'eng-x' },
  diagnose: { cause: 'c', plan: 'p', complexity: 'complex', parts: [] },
  'parts-ready': {},
  schedule: { mode: 'onsite', agreedAt: '2026-12-01T09:00:00+08:00' },
  'check-in': {},
  'complete-repair': repairReport,
  'customer-feedback': { accepted: true },
  'survey-response': { serviceQuality: 4, repairEffect: 4, attitude: 4, via: 'online' },
  'wait-for-customer': { reason: '等待客户确认上门时间' },
  'customer-responded': {},
  'record-contact': { kind: 'contact_attempt', channel: 'phone', outcome: 'no_answer' },
  cancel: { reason: 'r' },
};

const pathOf = (name: StepName) => (name === 'record-contact' ? 'messages' : name);

/** Walks a fresh case to `stage` through the API. */
async function caseAt(stage: string): Promise<string> {
  const id = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id as string;
  const path: Array<[StepName, string]> = [
    ['assign', 'assigned'],
    ['diagnose', 'diagnosed'],
    ['schedule', 'scheduled'],
    ['check-in', 'in_repair'],
    ['complete-repair', 'repaired'],
    ['customer-feedback', 'survey'],
  ];
  if (stage === 'awaiting_parts') {
    await post(stack.app, `/api/v1/cases/${id}/assign`, validBodies.assign);
    await post(stack.app, `/api/v1/cases/${id}/diagnose`, {
      ...validBodies.diagnose,
      parts: [{ partNumber: 'X', quantity: 1 }],
    });
    return id;
  }
  for (const [name, reached] of path) {
    if (stage === 'intake') break;
    const r = await post(stack.app, `/api/v1/cases/${id}/${pathOf(name)}`, validBodies[name]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (reached === stage) break;
  }
  return id;
}

describe('steps that do not fit the stage are rejected with 409 and change nothing', () => {
  const stages = [
    'intake',
    'assigned',
    'awaiting_parts',
    'diagnosed',
    'scheduled',
    'in_repair',
    'repaired',
    'survey',
  ];
  for (const stage of stages) {
    it(`in stage ${stage}`, async () => {
      const id = await caseAt(stage);
      const before = (await get(stack.app, `/api/v1/cases/${id}`)).body;
      expect(before.stage).toBe(stage);
      for (const name of Object.keys(STEP_STAGES) as StepName[]) {
        if (STEP_STAGES[name].includes(stage as never)) continue;
        const r = await post(stack.app, `/api/v1/cases/${id}/${pathOf(name)}`, validBodies[name]);
        expect(r.status, `${name} in ${stage}`).toBe(409);
        expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(r.body.detail).toContain(`"${name}" does not fit stage "${stage}"`);
      }
      const after = (await get(stack.app, `/api/v1/cases/${id}`)).body;
      expect(after.timeline).toHaveLength(before.timeline.length);
      expect(after.stage).toBe(stage);
    });
  }

  it('rejects content rules of the workflow: failed post-repair test, same engineer, future check-in', async () => {
    const id = await caseAt('in_repair');
    let r = await post(stack.app, `/api/v1/cases/${id}/complete-repair`, {
      ...validBodies['complete-repair'],
      test: { passed: false, notes: '仍漏气' },
    });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/post-repair test did not pass/);

    const other = await caseAt('assigned');
    r = await post(stack.app, `/api/v1/cases/${other}/assign`, { engineer: 'eng-x' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/already assigned to eng-x/);
    r = await post(stack.app, `/api/v1/cases/${other}/assign`, { engineer: 'eng-y' });
    expect(r.status).toBe(200);
    expect(r.body.assignee).toBe('eng-y');
    expect(r.body.timeline.at(-1).type, JSON.stringify(r.body.timeline)).toBe('reassigned');

    // A check-in time in the future: the API refuses it itself (422) with the workflow's own rule.
    const sched = await caseAt('scheduled');
    r = await post(stack.app, `/api/v1/cases/${sched}/check-in`, {
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/future/);
  });

  it('closed and cancelled cases accept no step', async () => {
    const id = await caseAt('intake');
    const cancelled = await post(stack.app, `/api/v1/cases/${id}/cancel`, { reason: '重复报修' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    for (const name of Object.keys(STEP_STAGES)) {
      const r = await post(
        stack.app,
        `/api/v1/cases/${id}/${pathOf(name as StepName)}`,
        validBodies[name as StepName],
      );
      expect(r.status).toBe(409);
      expect(r.body.detail).toMatch(/cancelled/);
    }
  });
});

describe('bad input gets a 4xx problem naming the problem, never a 500 or a half-created case', () => {
  /** Cases opened with this file's key (other test files share the database). */
  async function countCases() {
    const keyId = stack.keys.manager.split('_')[1];
    const [{ n }] = await stack.db.sql`select count(*)::int as n from cases where created_by_key = ${keyId}`;
    return n as number;
  }

  const badIntakes: Array<[string, unknown, RegExp]> = [
    ['missing customer', { ...intakeBody(), customer: undefined }, /customer/],
    ['no phone or email', intakeBody({ customer: { name: '李' } }), /phone or an email/],
    ['bad channel', intakeBody({ channel: 'fax' }), /channel/],
    ['bad severity', intakeBody({ problem: { description: 'x', severity: 'urgent' } }), /severity/],
    ['numeric name', intakeBody({ customer: { name: 42, phone: '13800000000' } }), /name/],
    ['blank description', intakeBody({ problem: { description: '   ', severity: 'normal' } }), /description/],
    ['unknown field', { ...intakeBody(), priority: 'high' }, /additional properties|priority/],
    ['bad email', intakeBody({ customer: { name: '李', email: 'not-an-email' } }), /email/],
    ['bad reportedAt', intakeBody({ reportedAt: 'yesterday' }), /reportedAt/],
    [
      'future reportedAt',
      intakeBody({ reportedAt: new Date(Date.now() + 86_400_000).toISOString() }),
      /future/,
    ],
    [
      'future purchase',
      intakeBody({ product: { model: 'm', serialNumber: 's', purchaseDate: '2999-01-01' } }),
      /future/,
    ],
    [
      'bad purchase date',
      intakeBody({ product: { model: 'm', serialNumber: 's', purchaseDate: '2025-13-40' } }),
      /purchaseDate/,
    ],
    ['externalRef without id', intakeBody({ externalRef: { system: 'zendesk' } }), /id/],
    ['array body', [intakeBody()], /object/],
  ];
  for (const [label, body, pattern] of badIntakes) {
    it(`intake: ${label}`, async () => {
      const before = await countCases();
      const r = await post(stack.app, '/api/v1/cases', body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(`${r.body.title} ${r.body.detail}`).toMatch(pattern);
      expect(await countCases()).toBe(before);
    });
  }

  it('malformed JSON, wrong content type, empty and oversized bodies', async () => {
    const before = await countCases();
    const cases = [
      { payload: '{"channel": "phone",', type: 'application/json', status: 400 },
      { payload: '', type: 'application/json', status: 400 },
      { payload: 'channel=phone', type: 'application/x-www-form-urlencoded', status: 415 },
      {
        payload: JSON.stringify({
          ...intakeBody(),
          problem: { description: 'x'.repeat(300_000), severity: 'normal' },
        }),
        type: 'application/json',
        status: 413,
      },
      { payload: '{"__proto__": {"x": 1}}', type: 'application/json', status: 400 },
    ];
    for (const c of cases) {
      const res = await stack.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        payload: c.payload,
        headers: { 'content-type': c.type, authorization: `Bearer ${stack.keys.manager}` },
      });
      expect(res.statusCode, c.payload.slice(0, 40)).toBe(c.status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().detail).toBeTruthy();
    }
    expect(await countCases()).toBe(before);
  });

  it('unknown case, malformed id, unknown route, bad step bodies, bad list queries', async () => {
    let r = await post(stack.app, '/api/v1/cases/C9999999/assign', { engineer: 'e' });
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/C9999999/);
    r = await get(stack.app, '/api/v1/cases/C9999999');
    expect(r.status).toBe(404);
    r = await get(stack.app, '/api/v1/cases/drop-table');
    expect(r.status).toBe(400);
    r = await post(stack.app, '/api/v1/cases/C0000001/teleport', {});
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/no route/);

    const id = await caseAt('assigned');
    for (const [body, pattern] of [
      [{ cause: 'c', plan: 'p', complexity: 'easy', parts: [] }, /complexity/],
      [
        { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [{ partNumber: 'X', quantity: 0 }] },
        /quantity/,
      ],
      [{ cause: 'c', plan: 'p', complexity: 'ordinary' }, /parts/],
    ] as const) {
      r = await post(stack.app, `/api/v1/cases/${id}/diagnose`, body);
      expect(r.status).toBe(400);
      expect(r.body.detail).toMatch(pattern);
    }
    r = await post(stack.app, `/api/v1/cases/${id}/survey-response`, {
      serviceQuality: 6,
      repairEffect: 1,
      attitude: 1,
      via: 'phone',
    });
    expect(r.status).toBe(400);
    expect((await get(stack.app, `/api/v1/cases/${id}`)).body.stage).toBe('assigned');

    for (const [query, pattern] of [
      ['limit=0', /limit/],
      ['limit=abc', /limit/],
      ['stage=lost', /stage/],
      ['from=yesterday', /from/],
      ['cursor=%%%', /cursor/],
      ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', /before/],
      ['color=red', /additional|color/],
    ] as const) {
      r = await get(stack.app, `/api/v1/cases?${query}`);
      expect(r.status, query).toBeGreaterThanOrEqual(400);
      expect(r.status, query).toBeLessThan(500);
      expect(r.body.detail, query).toMatch(pattern);
    }
  });
});
