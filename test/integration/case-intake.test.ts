// Intake is idempotent on the help desk's ticket reference, also under a burst of concurrent duplicates;
// the list view filters and paginates from the read model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ engineers: ['eng-list'] });
});
afterAll(() => stack?.close());

describe('idempotent intake', () => {
  it('the same externalRef again returns the existing case with 200', async () => {
    const body = intakeBody({ externalRef: { system: 'zendesk', id: 'T-1001' } });
    const first = await post(stack.app, '/api/v1/cases', body);
    expect(first.status).toBe(201);
    const again = await post(stack.app, '/api/v1/cases', {
      ...body,
      problem: { description: '再次来电', severity: 'normal' },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.problem.description).toBe(body.problem.description);
    expect(again.body.externalRef).toEqual({ system: 'zendesk', id: 'T-1001' });

    // Another system may use the same ticket id for a different case.
    const other = await post(
      stack.app,
      '/api/v1/cases',
      intakeBody({ externalRef: { system: 'freshdesk', id: 'T-1001' } }),
    );
    expect(other.status).toBe(201);
    expect(other.body.id).not.toBe(first.body.id);
  });

  it('50 concurrent duplicates of 5 tickets open exactly 5 cases and 5 workflows', async () => {
    const tickets = ['A', 'B', 'C', 'D', 'E'].map((t) =>
      intakeBody({ externalRef: { system: 'udesk', id: `burst-${t}` } }),
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => post(stack.app, '/api/v1/cases', tickets[i % 5])),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    const idsByTicket = new Map<string, Set<string>>();
    for (const r of results) {
      const key = r.body.externalRef.id;
      idsByTicket.set(key, (idsByTicket.get(key) ?? new Set()).add(r.body.id));
    }
    expect([...idsByTicket.values()].map((s) => s.size)).toEqual([1, 1, 1, 1, 1]);

    const [{ n }] = await stack.db.sql`select count(*)::int as n from cases where external_system = 'udesk'`;
    expect(n).toBe(5);
    for (const ids of idsByTicket.values()) {
      const [id] = [...ids];
      const desc = await stack.client.workflow.getHandle(`case-${id}`).describe();
      expect(desc.status.name).toBe('RUNNING');
      expect(desc.runId).toBeTruthy();
    }
  });

  it('the intake response carries id, workflowId, stage and the recorded data', async () => {
    const r = await post(
      stack.app,
      '/api/v1/cases',
      intakeBody({ customer: { name: '王芳', email: 'wf@example.com' } }),
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      stage: 'intake',
      stageLabel: '受理',
      customer: { name: '王芳', email: 'wf@example.com', phone: null },
      severity: 'normal',
    });
    expect(r.body.id).toMatch(/^C\d{7}$/);
    expect(r.body.timeline).toHaveLength(1);
    expect(r.body.timeline[0]).toMatchObject({ seq: 1, type: 'created', toStage: 'intake' });
  });
});

describe('case list', () => {
  it('filters by stage, assignee, severity, text and date range, newest first, with a stable cursor', async () => {
    const marker = `LIST-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const body = intakeBody({
        product: { model: `${marker}-M${i % 2}`, serialNumber: `${marker}-${i}` },
        problem: { description: 'x', severity: i === 0 ? 'emergency' : 'normal' },
      });
      ids.push((await post(stack.app, '/api/v1/cases', body)).body.id);
    }
    await post(stack.app, `/api/v1/cases/${ids[1]}/assign`, { engineer: 'eng-list' });
    await post(stack.app, `/api/v1/cases/${ids[2]}/assign`, { engineer: 'eng-list' });

    // Page through all of them, 3 at a time.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } =
        await get(stack.app, `/api/v1/cases?q=${marker}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((c) => c.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    let r = await get(stack.app, `/api/v1/cases?q=${marker}&assignee=eng-list`);
    expect(r.body.items.map((c: { id: string }) => c.id).sort()).toEqual([ids[1], ids[2]].sort());
    r = await get(stack.app, `/api/v1/cases?q=${marker}&stage=assigned`);
    expect(r.body.items).toHaveLength(2);
    r = await get(stack.app, `/api/v1/cases?q=${marker}&severity=emergency`);
    expect(r.body.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
    r = await get(stack.app, `/api/v1/cases?q=${marker.toLowerCase()}-m1`);
    expect(r.body.items).toHaveLength(3);
    r = await get(stack.app, `/api/v1/cases?q=${marker}&from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z`);
    expect(r.body.items).toHaveLength(0);
    r = await get(stack.app, `/api/v1/cases?q=${encodeURIComponent('%')}&limit=1`);
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(0);
  });

  it("carries each case's SLA clocks as the case shows them, so a board needs the list alone", async () => {
    const marker = `CLOCKS-${Date.now()}`;
    const body = intakeBody({
      product: { model: `${marker}-M`, serialNumber: `${marker}-1` },
      problem: { description: 'x', severity: 'emergency' },
    });
    const id = (await post(stack.app, '/api/v1/cases', body)).body.id;
    expect((await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-list' })).status).toBe(200);
    type Brief = { name: string; state: string; deadline: string | null; remainingMs: number | null };
    // The assignment stopped the response clock; arrival and repair run on.
    const item = await eventually(async () => {
      const list = await get(stack.app, `/api/v1/cases?q=${marker}`);
      const [c] = list.body.items;
      return c?.slaClocks.find((k: Brief) => k.name === 'response')?.state === 'stopped' ? c : undefined;
    });
    const full = (await get(stack.app, `/api/v1/cases/${id}`)).body;
    expect(item.slaClocks.map((k: Brief) => k.name)).toEqual(['response', 'arrival', 'repair']);
    expect(item.escalationLevel).toBeNull();
    for (const brief of item.slaClocks as Brief[]) {
      const clock = full.clocks.find((k: { name: string }) => k.name === brief.name);
      expect(brief.state).toBe(clock.state);
      if (clock.state === 'stopped') {
        expect(brief.deadline).toBeNull();
        expect(brief.remainingMs).toBe(clock.remainingMs);
      } else {
        expect(brief.remainingMs).toBeNull();
        expect(Date.parse(brief.deadline!)).toBe(Date.parse(clock.deadline));
      }
    }
    // The case itself carries the same summary of its clocks.
    expect(full.slaClocks).toEqual(item.slaClocks);
  });
});

describe('health and docs', () => {
  it('reports both dependencies and serves the OpenAPI document', async () => {
    const health = await get(stack.app, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', database: { ok: true }, temporal: { ok: true } });
    const doc = await get(stack.app, '/openapi.json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/cases',
        '/api/v1/cases/{id}',
        '/api/v1/cases/{id}/diagnose',
        '/health',
      ]),
    );
    const ui = await stack.app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
  });
});
