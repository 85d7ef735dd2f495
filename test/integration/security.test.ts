// The API edge against the findings of a black-box test (one test per finding): text that cannot be
// stored is refused with a 400 naming the field, in bodies, query and path; a help desk's ticket
// references are its own; failed authentication is throttled per address; back-dating is bounded and
// step instants cannot precede the case; request ids are ours; engineers read only their cases;
// cases are assigned only to active engineers; answers are not cached, 414/431 are problems too. (A step
// whose workflow does not answer: step-timeout.test.ts.)
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordContactUpdate } from '../../workflows/service-case.js';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { call, eventually, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
/** ENGINEER_CASE_SCOPE=all and a low failed-authentication limit. */
let other: Stack;
beforeAll(async () => {
  other = await startStack({
    engineers: ['eng-sec'],
    engineerCaseScope: 'all',
    authFailures: { limit: 3, windowMs: 60_000 },
  });
  // Started last: requests without a key of their own carry this stack's manager key.
  stack = await startStack({ engineers: ['eng-sec', 'eng-other'] });
});
afterAll(async () => {
  await stack?.close();
  await other?.close();
});

const as = (key: string) => ({ authorization: `Bearer ${key}` });

async function openCase(s: Stack = stack, overrides: Record<string, unknown> = {}) {
  const r = await post(s.app, '/api/v1/cases', intakeBody(overrides), as(s.keys.manager));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

async function assigned(s: Stack = stack, engineer = 'eng-sec') {
  const id = await openCase(s);
  const r = await post(s.app, `/api/v1/cases/${id}/assign`, { engineer }, as(s.keys.manager));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return id;
}

function expectInvalidText(res: Awaited<ReturnType<typeof call>>, where: string, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body).toMatchObject({ type: 'urn:shouhou:problem:invalid-text', in: where, field });
  expect(res.body.detail).toContain(field);
}

describe('1, 5: text that cannot be stored is refused at the edge', () => {
  it('intake: NUL, other C0 controls and lone surrogates in any text field → 400 naming it, no case', async () => {
    // Only this file's cases: other test files open cases in the same database meanwhile, and intakeBody's
    // serial numbers carry this process's id.
    const mine = `SN-${process.pid}-%`;
    const before = await stack.db.sql`select count(*)::int as n from cases where serial_number like ${mine}`;
    const bad = [
      ['customer.name', { customer: { name: '张\u0000伟', phone: '+86 138 0000 0000' } }],
      ['problem.description', { problem: { description: 'x\u0007y', severity: 'normal' } }],
      ['product.model', { product: { model: '\ud800', serialNumber: `SN-${process.pid}-bad` } }],
      ['externalRef.id', { externalRef: { system: 'zendesk', id: 'T\udfff' } }],
    ] as const;
    for (const [field, override] of bad) {
      const res = await call(stack.app, 'POST', '/api/v1/cases', { payload: intakeBody(override) });
      expectInvalidText(res, 'body', field);
    }
    const after = await stack.db.sql`select count(*)::int as n from cases where serial_number like ${mine}`;
    expect(after[0].n).toBe(before[0].n);
    // Tab, line feed and carriage return are text.
    const ok = await post(
      stack.app,
      '/api/v1/cases',
      intakeBody({ problem: { description: '第一行\r\n第二行\t完', severity: 'normal' } }),
    );
    expect(ok.status).toBe(201);
  });

  it('a poisoned step is refused before it reaches the workflow, and the case goes on to close', async () => {
    const id = await assigned();
    const steps = [
      ['assign', { engineer: 'eng-sec\u0000' }, 'engineer'],
      ['assign', { engineer: '\ud800' }, 'engineer'],
      ['messages', { kind: 'customer_reply', channel: 'email', message: 'hi\u0000' }, 'message'],
      ['wait-for-customer', { reason: 'a\u001bb' }, 'reason'],
      [
        'diagnose',
        { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [{ partNumber: 'P\u0000', quantity: 1 }] },
        'parts[0].partNumber',
      ],
    ] as const;
    for (const [step, body, field] of steps) {
      expectInvalidText(
        await call(stack.app, 'POST', `/api/v1/cases/${id}/${step}`, { payload: body }),
        'body',
        field,
      );
    }
    // A property name is text too.
    const keyed = await call(stack.app, 'POST', `/api/v1/cases/${id}/cancel`, {
      payload: { reason: 'r', 'x\u0000': 1 },
    });
    expect(keyed.status).toBe(400);
    expect(keyed.body.detail).toMatch(/property name/);
    const cancelled = await post(stack.app, `/api/v1/cases/${id}/cancel`, { reason: '客户撤单' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.stage).toBe('cancelled');
  });

  it('query and path parameters: NUL, controls, lone surrogates and invalid UTF-8 → 400, not 500', async () => {
    const admin = stack.keys.admin;
    const queries = [
      ['/api/v1/cases?q=%00', 'q'],
      ['/api/v1/cases?assignee=a%01b', 'assignee'],
      ['/api/v1/cases?q=%ED%A0%80', 'q'],
      ['/api/v1/cases?q=%FF', 'q'],
      ['/api/v1/escalations?assignee=%00', 'assignee'],
      ['/api/v1/audit?actor=%00', 'actor'],
    ] as const;
    for (const [url, field] of queries) {
      expectInvalidText(await call(stack.app, 'GET', url, { key: admin }), 'query', field);
    }
    const paths = [
      ['/api/v1/calendars/%00', 'id'],
      ['/api/v1/sla-policies/a%00b', 'id'],
      ['/api/v1/webhooks/%1f', 'id'],
      ['/api/v1/external-refs/zendesk/T%00', 'ticketId'],
      ['/api/v1/cases/C0000001%00', 'id'],
    ] as const;
    for (const [url, field] of paths) {
      expectInvalidText(await call(stack.app, 'GET', url, { key: admin }), 'path', field);
    }
    for (const url of ['/api/v1/calendars/%FF', '/api/v1/sla-policies/%ED%A0%80']) {
      const res = await call(stack.app, 'GET', url, { key: admin });
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
  });

  it('a body that is not UTF-8 → 400', async () => {
    const res = await stack.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { ...as(stack.keys.manager), 'content-type': 'application/json' },
      payload: Buffer.concat([
        Buffer.from(JSON.stringify(intakeBody()).slice(0, -1)),
        Buffer.from(',"x":"\xff\xfe"}', 'latin1'),
      ]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: 'urn:shouhou:problem:invalid-text', in: 'body' });
  });
});

describe("2: a ticket reference is the help desk's own", () => {
  it('the same system and ticket id from two help desk keys are two cases; neither reaches the other', async () => {
    const second = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: 'desk B', role: 'helpdesk', personId: 'desk-b' },
    });
    expect(second.status).toBe(201);
    const deskA = stack.keys.helpdesk;
    const deskB = second.body.key as string;
    const ref = { system: 'zendesk', id: `SEC-${Date.now()}` };
    const a = await call(stack.app, 'POST', '/api/v1/cases', {
      key: deskA,
      payload: intakeBody({ externalRef: ref, customer: { name: '甲客户', phone: '+86 139 1111 1111' } }),
    });
    expect(a.status).toBe(201);
    // Before: B got A's case back (200) with A's customer, phone and timeline.
    const b = await call(stack.app, 'POST', '/api/v1/cases', {
      key: deskB,
      payload: intakeBody({ externalRef: ref }),
    });
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(JSON.stringify(b.body)).not.toContain('甲客户');
    // Each key's repeat finds its own case.
    const bAgain = await call(stack.app, 'POST', '/api/v1/cases', {
      key: deskB,
      payload: intakeBody({ externalRef: ref }),
    });
    expect(bAgain.status).toBe(200);
    expect(bAgain.body.id).toBe(b.body.id);
    // The lookup shows each help desk its own; staff see both.
    const lookup = `/api/v1/external-refs/${ref.system}/${ref.id}`;
    const ids = async (key: string) =>
      ((await call(stack.app, 'GET', lookup, { key })).body.cases ?? []).map((c: { id: string }) => c.id);
    expect(await ids(deskA)).toEqual([a.body.id]);
    expect(await ids(deskB)).toEqual([b.body.id]);
    expect(await ids(stack.keys.specialist)).toEqual([a.body.id, b.body.id]);
    expect((await call(stack.app, 'GET', lookup, { key: stack.keys.engineer })).status).toBe(404);
  });
});

describe('3: failed authentication is throttled per client address', () => {
  it('401s carry WWW-Authenticate; past the limit even a valid key waits (429, Retry-After)', async () => {
    const from = (remoteAddress: string, key?: string) =>
      other.app.inject({
        method: 'GET',
        url: '/api/v1/cases',
        remoteAddress,
        headers: key ? as(key) : {},
      });
    const missing = await from('198.51.100.7');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer realm="shouhou"/);
    const wrong = await from('198.51.100.7', 'shk_deadbeef00_AAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect((await from('198.51.100.7', 'nonsense')).statusCode).toBe(401);
    // Three failures: the address now waits, whatever it sends.
    const blocked = await from('198.51.100.7', other.keys.manager);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().detail).toMatch(/failed authentications/);
    // Other addresses are not affected.
    expect((await from('198.51.100.8', other.keys.manager)).statusCode).toBe(200);
    // Public routes stay reachable.
    expect(
      (await other.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress: '198.51.100.7' }))
        .statusCode,
    ).toBe(200);
  });
});

describe('4: back-dating is bounded, and step instants cannot precede the case', () => {
  it('reportedAt more than INTAKE_MAX_BACKDATE ago → 422 naming the limit; within it → 201', async () => {
    const r = await post(stack.app, '/api/v1/cases', intakeBody({ reportedAt: '1970-01-01T00:00:00Z' }));
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ field: 'reportedAt', limit: '30d' });
    expect(r.body.detail).toMatch(/at most 30d/);
    const recent = new Date(Date.now() - 29 * 86_400_000).toISOString();
    expect((await post(stack.app, '/api/v1/cases', intakeBody({ reportedAt: recent }))).status).toBe(201);
  });

  it('a check-in or contact before the case began → 422 at the edge, 409 from the workflow', async () => {
    const reportedAt = new Date(Date.now() - 3_600_000).toISOString();
    const id = (await post(stack.app, '/api/v1/cases', intakeBody({ reportedAt }))).body.id as string;
    const early = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const contact = await post(stack.app, `/api/v1/cases/${id}/messages`, {
      kind: 'contact_attempt',
      channel: 'phone',
      outcome: 'no_answer',
      at: early,
    });
    expect(contact.status).toBe(422);
    expect(contact.body.detail).toMatch(/before the case began/);
    // Within the case's life it is fine.
    const within = new Date(Date.now() - 1_800_000).toISOString();
    expect(
      (
        await post(stack.app, `/api/v1/cases/${id}/messages`, {
          kind: 'contact_attempt',
          channel: 'phone',
          outcome: 'no_answer',
          at: within,
        })
      ).status,
    ).toBe(200);
    await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-sec' });
    await post(stack.app, `/api/v1/cases/${id}/diagnose`, {
      cause: 'c',
      plan: 'p',
      complexity: 'ordinary',
      parts: [],
    });
    await post(stack.app, `/api/v1/cases/${id}/schedule`, {
      mode: 'onsite',
      agreedAt: new Date().toISOString(),
    });
    const checkIn = await post(stack.app, `/api/v1/cases/${id}/check-in`, { at: '2001-01-01T00:00:00Z' });
    expect(checkIn.status).toBe(422);
    expect(checkIn.body.detail).toMatch(/check-in time .* before the case began/);

    // The workflow's own validator holds the same rule for whoever reaches it without the API.
    const handle = stack.client.workflow.getHandle(`case-${id}`);
    const refused = await handle
      .executeUpdate(recordContactUpdate, {
        args: [{ kind: 'contact_attempt', channel: 'phone', at: early, actor: 'test' }],
      })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(refused.cause.type).toBe('StepRejected');
    expect(refused.cause.message).toMatch(/before the case began/);
  });
});

describe('6: request ids are ours; the client id is kept beside, checked', () => {
  it('an over-long or marked-up X-Request-Id → 400; a valid one is echoed and audited as the client id', async () => {
    for (const bad of ['x'.repeat(8_000), '<script>alert(1)</script>', 'a b']) {
      const res = await call(stack.app, 'GET', '/api/v1/cases', { headers: { 'x-request-id': bad } });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        type: 'urn:shouhou:problem:invalid-request-id',
        field: 'x-request-id',
      });
    }
    const clientId = `trace-${Date.now()}`;
    const opened = await post(stack.app, '/api/v1/cases', intakeBody(), { 'x-request-id': clientId });
    expect(opened.status).toBe(201);
    const ours = opened.headers['x-request-id'] as string;
    expect(ours).not.toBe(clientId);
    expect(ours).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(opened.headers['x-client-request-id']).toBe(clientId);
    // The same client id twice: two requests, two ids of ours.
    const twice = await post(stack.app, '/api/v1/cases', intakeBody(), { 'x-request-id': clientId });
    expect(twice.headers['x-request-id']).not.toBe(ours);
    const audit = await call(stack.app, 'GET', '/api/v1/audit?limit=100', { key: stack.keys.admin });
    const rows = audit.body.items.filter((r: { clientRequestId: string }) => r.clientRequestId === clientId);
    expect(rows.map((r: { requestId: string }) => r.requestId).sort()).toEqual(
      [ours, twice.headers['x-request-id']].sort(),
    );
  });
});

describe('7: engineers read only their own and their team’s cases (configurable)', () => {
  it('team (the default): an engineer reads a teammate’s case but acts only on their own; other teams’ cases do not exist for them', async () => {
    const team = `sec-team-${process.pid}`;
    const mate = `eng-mate-${process.pid}`;
    const put = (url: string, payload: unknown) => call(stack.app, 'PUT', url, { payload });
    expect((await put(`/api/v1/teams/${team}`, { name: '安全测试组' })).status).toBe(201);
    // The stack's engineers may not be in the directory yet: created (201) or replaced (200).
    expect([200, 201]).toContain(
      (await put(`/api/v1/people/eng-sec`, { name: 'eng-sec', roles: ['engineer'], teamId: team })).status,
    );
    expect(
      (await put(`/api/v1/people/${mate}`, { name: '同组工程师', roles: ['engineer'], teamId: team })).status,
    ).toBe(201);
    const matesCase = await openCase();
    expect((await post(stack.app, `/api/v1/cases/${matesCase}/assign`, { engineer: mate })).status).toBe(200);
    const othersCase = await assigned(stack, 'eng-other');
    const key = stack.engineerKeys['eng-sec'];
    expect((await call(stack.app, 'GET', `/api/v1/cases/${matesCase}`, { key })).status).toBe(200);
    expect((await call(stack.app, 'GET', `/api/v1/cases/${othersCase}`, { key })).status).toBe(404);
    const listed = await call(stack.app, 'GET', '/api/v1/cases?limit=100', { key });
    const ids = listed.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(matesCase);
    expect(ids).not.toContain(othersCase);
    const act = await call(stack.app, 'POST', `/api/v1/cases/${matesCase}/diagnose`, {
      key,
      payload: { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [] },
    });
    expect(act.status).toBe(403);
    // Moved out of the team, the engineer no longer reads the teammate's case: read on every request.
    expect((await put(`/api/v1/people/eng-sec`, { name: 'eng-sec', roles: ['engineer'] })).status).toBe(200);
    expect((await call(stack.app, 'GET', `/api/v1/cases/${matesCase}`, { key })).status).toBe(404);
  });

  it('detail, list, lookup and escalations show an engineer only their own cases', async () => {
    const line = await fastPolicy(stack, {
      targets: { repair: { ordinary: seconds(2), complex: seconds(2) } },
    });
    const ref = { system: 'sec-desk', id: `E-${Date.now()}` };
    const mine = (await openSlaCase(stack, line, { externalRef: ref })).id as string;
    const theirs = (await openSlaCase(stack, line)).id as string;
    await post(stack.app, `/api/v1/cases/${mine}/assign`, { engineer: 'eng-sec' });
    await post(stack.app, `/api/v1/cases/${theirs}/assign`, { engineer: 'eng-other' });
    const key = stack.engineerKeys['eng-sec'];
    expect((await call(stack.app, 'GET', `/api/v1/cases/${mine}`, { key })).status).toBe(200);
    expect((await call(stack.app, 'GET', `/api/v1/cases/${theirs}`, { key })).status).toBe(404);
    const listed = await call(stack.app, 'GET', '/api/v1/cases?limit=100', { key });
    const ids = listed.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(mine);
    expect(ids).not.toContain(theirs);
    expect(listed.body.items.every((c: { assignee: string }) => c.assignee === 'eng-sec')).toBe(true);
    const lookup = await call(stack.app, 'GET', `/api/v1/external-refs/${ref.system}/${ref.id}`, { key });
    expect(lookup.body.cases.map((c: { id: string }) => c.id)).toEqual([mine]);
    expect(
      (
        await call(stack.app, 'GET', `/api/v1/external-refs/${ref.system}/${ref.id}`, {
          key: stack.engineerKeys['eng-other'],
        })
      ).status,
    ).toBe(404);
    // Both cases escalate; the engineer's list holds only their own case's escalations.
    await eventually(async () => {
      const [{ n }] = await stack.db.sql`
        select count(distinct case_id)::int as n from escalations where case_id in (${mine}, ${theirs})`;
      return n === 2;
    });
    const esc = await call(stack.app, 'GET', '/api/v1/escalations?limit=100', { key });
    const escCases = new Set(esc.body.items.map((e: { caseId: string }) => e.caseId));
    expect(escCases.has(mine)).toBe(true);
    expect(escCases.has(theirs)).toBe(false);
    // The manager sees both.
    const all = await call(stack.app, 'GET', `/api/v1/escalations?limit=100&caseId=${theirs}`);
    expect(all.body.items.length).toBeGreaterThan(0);
  });

  it('ENGINEER_CASE_SCOPE=all: engineers read every case but still act only on their own', async () => {
    const id = await assigned(other, 'test-engineer');
    const key = other.engineerKeys['eng-sec'];
    expect((await call(other.app, 'GET', `/api/v1/cases/${id}`, { key })).status).toBe(200);
    const act = await call(other.app, 'POST', `/api/v1/cases/${id}/diagnose`, {
      key,
      payload: { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [] },
    });
    expect(act.status).toBe(403);
    expect(act.body.detail).toMatch(/not assigned to you/);
  });
});

describe('8: cases are assigned only to an existing, active engineer', () => {
  it('a help desk person, an admin, an unknown id, another casing or a revoked engineer → 422 naming the id', async () => {
    const revoked = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: 'left the company', role: 'engineer', personId: 'eng-gone' },
    });
    await call(stack.app, 'DELETE', `/api/v1/api-keys/${revoked.body.id}`, { key: stack.keys.admin });
    const id = await openCase();
    for (const engineer of [
      'test-helpdesk',
      'test-admin',
      'nobody',
      'ENG-SEC',
      'Test-Engineer',
      'eng-gone',
    ]) {
      const r = await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer });
      expect(r.status, engineer).toBe(422);
      expect(r.body).toMatchObject({ type: 'urn:shouhou:problem:unknown-engineer', engineer });
      expect(r.body.detail).toContain(`"${engineer}"`);
    }
    // An engineer with a key made through the API, and one from API_KEYS.
    const made = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: '新工程师', role: 'engineer', personId: 'eng-new' },
    });
    expect(made.status).toBe(201);
    expect((await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-new' })).status).toBe(200);
    const r = await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'test-engineer' });
    expect(r.status).toBe(200);
    expect(r.body.assignee).toBe('test-engineer');
  });
});

describe('9: hardening', () => {
  it('answers under /api are not cached, problems included', async () => {
    const id = await openCase();
    for (const [url, key] of [
      [`/api/v1/cases/${id}`, stack.keys.manager],
      ['/api/v1/cases', null],
      ['/api/v1/cases/C9999999', stack.keys.manager],
    ] as const) {
      const res = await call(stack.app, 'GET', url, { key });
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('a path parameter longer than the router takes → 414 problem; headers too large → 431 problem', async () => {
    const long = await call(stack.app, 'GET', `/api/v1/calendars/${'a'.repeat(500)}`);
    expect(long.status).toBe(414);
    expect(long.headers['content-type']).toMatch(/problem\+json/);
    expect(long.body).toMatchObject({ status: 414, type: 'urn:shouhou:problem:uri-too-long' });

    // Node's HTTP parser answers oversized headers before Fastify sees the request: a real socket.
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = stack.app.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/v1/cases', headers: { 'x-filler': 'x'.repeat(40_000) } },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 431,
      type: 'urn:shouhou:problem:headers-too-large',
    });
  });

  it('the OpenAPI document names its security schemes for what they are', async () => {
    const doc = (await call(stack.app, 'GET', '/openapi.json', { key: null })).body;
    expect(doc.components.securitySchemes).toMatchObject({
      bearerApiKey: { type: 'http', scheme: 'bearer' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    expect(doc.components.securitySchemes.apiKey).toBeUndefined();
    expect(doc.security).toEqual([{ bearerApiKey: [] }, { apiKeyHeader: [] }]);
  });
});
