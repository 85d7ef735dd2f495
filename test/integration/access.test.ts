// Access control: every role × every route answers as the permission table says; engineers act only
// on their own cases; a help desk key sees only what it created; keys are created, used and revoked;
// Idempotency-Key, rate limits, security headers and the audit trail behave.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, ROLES, type Role } from '../../api/auth/roles.js';
import { call, get, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ engineers: ['someone-else', 'eng-idem'] });
});
afterAll(() => stack?.close());

/** A case opened by the help desk key and assigned to the test engineer: every role may reach it. */
async function sharedCase() {
  const created = await post(stack.app, '/api/v1/cases', intakeBody(), {
    authorization: `Bearer ${stack.keys.helpdesk}`,
  });
  expect(created.status).toBe(201);
  const assigned = await post(stack.app, `/api/v1/cases/${created.body.id}/assign`, {
    engineer: 'test-engineer',
  });
  expect(assigned.status).toBe(200);
  return created.body.id as string;
}

describe('the authorisation matrix', () => {
  it('docs/access-matrix.md is the matrix the code enforces', () => {
    const printed = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/print-permissions.ts'], {
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(printed.status, printed.stderr).toBe(0);
    expect(readFileSync('docs/access-matrix.md', 'utf8')).toBe(printed.stdout);
    // Starting the app in a child process takes long on a loaded machine.
  }, 180_000);

  it('every /api route declares a permission', () => {
    const api = stack.app.routeTable.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(30);
    expect(api.filter((r) => !r.permission).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });

  it('every role × every route: 403 exactly where the table says no, never 401 or 5xx for a valid key', async () => {
    const caseId = await sharedCase();
    const hook = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.helpdesk,
      payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['case.*'] },
    });
    expect(hook.status).toBe(201);
    const fill = (url: string) =>
      url
        .replace('/api/v1/cases/:id', `/api/v1/cases/${caseId}`)
        .replace('/api/v1/webhooks/:id', `/api/v1/webhooks/${hook.body.id}`)
        .replace(':deliveryId', '1')
        .replace('/api/v1/calendars/:id', '/api/v1/calendars/matrix-cal')
        .replace(':year', '2030')
        .replace('/api/v1/sla-policies/:id', '/api/v1/sla-policies/matrix-policy')
        .replace(':version', '1')
        .replace('/api/v1/api-keys/:id', '/api/v1/api-keys/0000000000000000')
        .replace(':system', 'zendesk')
        .replace(':ticketId', 'none')
        // The event stream stays open (inject would wait for its end): a position that is none answers
        // 400, after the key and the permission were checked.
        .replace('/api/v1/events/stream', '/api/v1/events/stream?lastEventId=none');

    const failures: string[] = [];
    const seen = { allowed: 0, denied: 0 };
    for (const route of stack.app.routeTable.filter((r) => r.url.startsWith('/api/'))) {
      for (const role of ROLES) {
        const res = await call(stack.app, route.method as 'GET', fill(route.url), {
          key: stack.keys[role],
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const allowed = allows(route.permission!, role as Role);
        seen[allowed ? 'allowed' : 'denied'] += 1;
        const label = `${role} ${route.method} ${route.url} → ${res.status}`;
        if (res.status >= 500 || res.status === 401) failures.push(label);
        else if (allowed && res.status === 403 && !/not assigned to you/.test(res.body?.detail ?? ''))
          failures.push(`${label} (should be allowed)`);
        else if (!allowed && res.status !== 403) failures.push(`${label} (should be 403)`);
        if (!allowed) expect(res.body.detail).toMatch(new RegExp(`role "${role}" may not`));
      }
    }
    expect(failures).toEqual([]);
    // Both sides of the table were exercised.
    expect(seen.allowed).toBeGreaterThan(100);
    expect(seen.denied).toBeGreaterThan(100);
    console.log(
      `authorisation matrix: ${seen.allowed} allowed and ${seen.denied} denied role × route pairs checked`,
    );
    // Every role × every route: the count grows with the API, so the time does too.
  }, 600_000);
});

describe('per-case rules', () => {
  it('an engineer acts only on cases assigned to them', async () => {
    const mine = await sharedCase();
    const other = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    await post(stack.app, `/api/v1/cases/${other}/assign`, { engineer: 'someone-else' });
    const diagnosis = { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [] };
    const denied = await call(stack.app, 'POST', `/api/v1/cases/${other}/diagnose`, {
      key: stack.keys.engineer,
      payload: diagnosis,
    });
    // Least privilege: a case assigned to someone else does not exist for an engineer.
    expect(denied.status).toBe(404);
    const ok = await call(stack.app, 'POST', `/api/v1/cases/${mine}/diagnose`, {
      key: stack.keys.engineer,
      payload: diagnosis,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.timeline.at(-1).actor).toBe('test-engineer');
    expect(
      (await get(stack.app, `/api/v1/cases/${other}`, { authorization: `Bearer ${stack.keys.engineer}` }))
        .status,
    ).toBe(404);
  });

  it('a help desk key sees and acts on only the cases it opened', async () => {
    const admin = stack.keys.admin;
    const second = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: admin,
      payload: { name: 'second desk', role: 'helpdesk' },
    });
    expect(second.status).toBe(201);
    const deskB = second.body.key as string;
    const a = (
      await post(stack.app, '/api/v1/cases', intakeBody({ externalRef: { system: 'desk-a', id: 'A-1' } }), {
        authorization: `Bearer ${stack.keys.helpdesk}`,
      })
    ).body.id;
    const b = (await call(stack.app, 'POST', '/api/v1/cases', { key: deskB, payload: intakeBody() })).body.id;

    expect((await call(stack.app, 'GET', `/api/v1/cases/${a}`, { key: deskB })).status).toBe(404);
    expect(
      (
        await call(stack.app, 'POST', `/api/v1/cases/${a}/messages`, {
          key: deskB,
          payload: { kind: 'customer_reply', channel: 'email' },
        })
      ).status,
    ).toBe(404);
    expect((await call(stack.app, 'GET', '/api/v1/external-refs/desk-a/A-1', { key: deskB })).status).toBe(
      404,
    );
    const listB = await call(stack.app, 'GET', '/api/v1/cases?limit=100', { key: deskB });
    expect(listB.body.items.map((c: { id: string }) => c.id)).toEqual([b]);

    const found = await call(stack.app, 'GET', '/api/v1/external-refs/desk-a/A-1', {
      key: stack.keys.helpdesk,
    });
    expect(found.status).toBe(200);
    expect(found.body.cases.map((c: { id: string }) => c.id)).toEqual([a]);
  });

  it('inbound: a contact attempt is recorded, a customer reply ends the wait on the customer', async () => {
    const id = await sharedCase();
    const desk = { authorization: `Bearer ${stack.keys.helpdesk}` };
    let r = await post(
      stack.app,
      `/api/v1/cases/${id}/wait-for-customer`,
      { reason: '等待客户发送故障照片' },
      desk,
    );
    expect(r.body.clocks.find((c: { name: string }) => c.name === 'repair').state).toBe('paused');
    r = await post(
      stack.app,
      `/api/v1/cases/${id}/messages`,
      { kind: 'contact_attempt', channel: 'phone', outcome: 'no_answer' },
      desk,
    );
    expect(r.status).toBe(200);
    expect(r.body.waitingForCustomer).not.toBeNull();
    r = await post(
      stack.app,
      `/api/v1/cases/${id}/messages`,
      { kind: 'customer_reply', channel: 'email', message: '照片见附件' },
      desk,
    );
    expect(r.body.waitingForCustomer).toBeNull();
    expect(r.body.clocks.find((c: { name: string }) => c.name === 'repair').state).toBe('running');
    expect(r.body.timeline.slice(-2).map((e: { type: string }) => e.type)).toEqual([
      'contact_attempted',
      'customer_replied',
    ]);
    expect(r.body.timeline.at(-1).actor).toBe('test-helpdesk');
  });
});

describe('keys', () => {
  it('401 without a key, with a malformed or unknown key, and after revocation', async () => {
    const noKey = await call(stack.app, 'GET', '/api/v1/cases', { key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.headers['content-type']).toMatch(/problem\+json/);
    expect((await call(stack.app, 'GET', '/api/v1/cases', { key: 'hello' })).status).toBe(401);
    expect(
      (await call(stack.app, 'GET', '/api/v1/cases', { key: 'shk_deadbeef00_AAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))
        .status,
    ).toBe(401);
    const forged = `${stack.keys.manager.slice(0, -4)}AAAA`;
    expect((await call(stack.app, 'GET', '/api/v1/cases', { key: forged })).status).toBe(401);

    const created = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: '李工 tablet', role: 'engineer', personId: 'eng-li' },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^shk_/);
    const listed = await call(stack.app, 'GET', '/api/v1/api-keys', { key: stack.keys.admin });
    // The secret is everything after `shk_<id>_`; it is base64url, so it may itself hold '_'.
    const secret = (created.body.key as string).split('_').slice(2).join('_');
    expect(secret.length).toBeGreaterThan(20);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((await call(stack.app, 'GET', '/api/v1/cases', { key: created.body.key })).status).toBe(200);
    const revoked = await call(stack.app, 'DELETE', `/api/v1/api-keys/${created.body.id}`, {
      key: stack.keys.admin,
    });
    expect(revoked.body.revokedAt).toBeTruthy();
    expect((await call(stack.app, 'GET', '/api/v1/cases', { key: created.body.key })).status).toBe(401);
    // Environment keys are managed in the environment.
    const bootId = stack.keys.manager.split('_')[1];
    expect(
      (await call(stack.app, 'DELETE', `/api/v1/api-keys/${bootId}`, { key: stack.keys.admin })).status,
    ).toBe(409);
  });

  it('health and docs need no key', async () => {
    expect((await call(stack.app, 'GET', '/health', { key: null })).status).toBe(200);
    expect((await call(stack.app, 'GET', '/openapi.json', { key: null })).status).toBe(200);
  });

  it('in production the API refuses to start without API_KEYS, and names a bad entry', () => {
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
        env: { ...process.env, ...env, PORT: '0', DATABASE_URL: 'postgres://127.0.0.1:1/none' },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const none = run({ NODE_ENV: 'production', API_KEYS: '' });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/refusing to start/);
    const bad = run({ NODE_ENV: 'production', API_KEYS: 'shk_abcdef12_xxxxxxxxxxxxxxxxxxxxxxxx=wizard' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown role "wizard"/);
  });
});

describe('Idempotency-Key', () => {
  it('same key and body → the same answer once; same key, other body → 422', async () => {
    const body = intakeBody();
    const headers = { 'idempotency-key': `intake-${Date.now()}` };
    const first = await post(stack.app, '/api/v1/cases', body, headers);
    const again = await post(stack.app, '/api/v1/cases', body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const [{ n }] = await stack.db
      .sql`select count(*)::int as n from cases where serial_number = ${body.product.serialNumber}`;
    expect(n).toBe(1);
    const other = await post(stack.app, '/api/v1/cases', { ...body, channel: 'email' }, headers);
    expect(other.status).toBe(422);
    expect(other.body.detail).toMatch(/different request/);
    // Keys belong to the API key that used them.
    const byOther = await post(stack.app, '/api/v1/cases', body, {
      ...headers,
      authorization: `Bearer ${stack.keys.specialist}`,
    });
    expect(byOther.status).toBe(201);
    expect(byOther.body.id).not.toBe(first.body.id);
  });

  it('a replayed step is applied once, and a rejected answer replays too', async () => {
    const id = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    const headers = { 'idempotency-key': `assign-${id}` };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-idem' }, headers),
      ),
    );
    for (const r of results) expect([200, 409]).toContain(r.status);
    const { body } = await get(stack.app, `/api/v1/cases/${id}`);
    expect(body.timeline.filter((e: { type: string }) => e.type === 'assigned')).toHaveLength(1);
    const late = await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-idem' }, headers);
    expect(late.status).toBe(200);
    expect(late.headers['idempotent-replayed']).toBe('true');
  });
});

describe('hardening', () => {
  it('security headers and request ids on every answer', async () => {
    const res = await stack.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${stack.keys.manager}`, 'x-request-id': 'req-123' },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toBeTruthy();
    // Our own id; the client's is kept beside it.
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-client-request-id']).toBe('req-123');
  });

  it('a cursor the API did not issue is a 400 on every paginated list', async () => {
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', 'abc'])).toString('base64url');
    const huge = Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', 1e12])).toString('base64url');
    for (const url of ['/api/v1/audit', '/api/v1/escalations', '/api/v1/cases']) {
      for (const cursor of [forged, huge, 'not-base64!', 'WzFd']) {
        const res = await call(stack.app, 'GET', `${url}?cursor=${encodeURIComponent(cursor)}`, {
          key: stack.keys.admin,
        });
        if (url === '/api/v1/cases' && cursor === forged) continue; // a text id is a valid case cursor
        expect(res.status, `${url} ${cursor}`).toBe(400);
        expect(res.body.detail).toMatch(/cursor/);
      }
    }
  });

  it('errors carry no stack trace and no SQL', async () => {
    const res = await call(stack.app, 'GET', '/api/v1/cases?cursor=eyJ4Ijox');
    expect(res.status).toBe(400);
    const bodies = [res.body, (await call(stack.app, 'POST', '/api/v1/cases', { payload: '{"a":' })).body];
    for (const b of bodies)
      expect(JSON.stringify(b)).not.toMatch(/\bat .+\.(ts|js):\d+|select |insert into|node_modules/i);
  });

  it('the audit trail records state-changing requests, refused ones included, for admins only', async () => {
    const id = (await post(stack.app, '/api/v1/cases', intakeBody(), { 'x-request-id': 'audit-me' })).body.id;
    await call(stack.app, 'POST', `/api/v1/cases/${id}/cancel`, {
      key: stack.keys.engineer,
      payload: { reason: 'x' },
    });
    const audit = await call(stack.app, 'GET', `/api/v1/audit?target=${id}`, { key: stack.keys.admin });
    expect(audit.status).toBe(200);
    const rows = audit.body.items as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.method, r.path, r.status, r.role])).toEqual([
      ['POST', `/api/v1/cases/${id}/cancel`, 403, 'engineer'],
    ]);
    const intake = await call(stack.app, 'GET', '/api/v1/audit?limit=100', { key: stack.keys.admin });
    const mine = intake.body.items.find((r: { clientRequestId: string }) => r.clientRequestId === 'audit-me');
    expect(mine).toMatchObject({
      method: 'POST',
      path: '/api/v1/cases',
      status: 201,
      actor: 'test-manager',
      role: 'manager',
    });
    expect(mine.keyId).toBe(stack.keys.manager.split('_')[1]);
    expect((await call(stack.app, 'GET', '/api/v1/audit', { key: stack.keys.manager })).status).toBe(403);
  });
});

describe('rate limits', () => {
  let limited: Stack;
  beforeAll(async () => {
    limited = await startStack({ rateLimitPerMinute: 5 });
  });
  afterAll(() => limited?.close());

  it('answers 429 past the per-key limit, counted per key', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await call(limited.app, 'GET', '/api/v1/cases', { key: limited.keys.specialist })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const last = await call(limited.app, 'GET', '/api/v1/cases', { key: limited.keys.specialist });
    expect(last.body.detail).toMatch(/rate limit of 5 requests per minute/);
    expect((await call(limited.app, 'GET', '/api/v1/cases', { key: limited.keys.engineer })).status).toBe(
      200,
    );
  });
});
