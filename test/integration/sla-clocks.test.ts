// SLA clocks as workflow timers, with second-scale targets: warnings, breaches and level-3 escalations
// fire at their instants; pauses move them; stopped clocks never fire; a worker restart loses none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessSeconds, escalationsOf, fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { eventually, get, post, repairReport, type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    engineers: ['eng-fast', 'eng-parts', 'eng-e'],
  });
});
afterAll(() => stack?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const step = (id: string, name: string, body: Record<string, unknown>) =>
  post(stack.app, `/api/v1/cases/${id}/${name}`, body);

describe.concurrent('SLA clocks', () => {
  it('fires the warning, the breach and the level-3 escalation of an unanswered case at their instants', async () => {
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(3), emergency: seconds(3) } },
    });
    const created = await openSlaCase(stack, line);
    const reportedAt = Date.parse(created.reportedAt);
    const response = created.clocks.find((c: { name: string }) => c.name === 'response');
    expect(response).toMatchObject({ state: 'running', target: { amount: 3 / 3600, unit: 'hours' } });
    expect(Date.parse(response.deadline)).toBe(reportedAt + 3000);
    expect(response.deadline).toMatch(/\+08:00$/);

    const fired = await eventually(async () => {
      const rows = await escalationsOf(stack, created.id, 'response');
      return rows.length === 3 ? rows : undefined;
    });
    expect(fired.map((e) => [e.level, e.recipient])).toEqual([
      [1, 'service-desk'],
      [2, 'service-manager'],
      [3, 'upper-management'],
    ]);
    expect(fired.map((e) => e.due_at.getTime() - reportedAt)).toEqual([2250, 3000, 4500]);
    for (const e of fired) expect(e.fired_at.getTime()).toBeGreaterThanOrEqual(e.due_at.getTime());

    const { body } = await get(stack.app, `/api/v1/cases/${created.id}`);
    expect(body.breached).toBe(true);
    const clock = body.clocks.find((c: { name: string }) => c.name === 'response');
    expect(clock.state).toBe('breached');
    expect(clock.remainingMs).toBeLessThan(0);
    expect(clock.steps.every((s: { firedAt: string | null }) => s.firedAt)).toBe(true);
    expect(body.escalations.filter((e: { clock: string }) => e.clock === 'response')).toHaveLength(3);
    expect(body.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['sla_warning', 'sla_breached', 'sla_escalated']),
    );
    // Notifications are delivered by their own workflows, right after the escalations are recorded.
    await eventually(async () => {
      const kinds = new Set(stack.notifications.filter((n) => n.caseId === created.id).map((n) => n.kind));
      return ['sla.warning', 'sla.breached', 'sla.escalated'].every((k) => kinds.has(k));
    });

    const listed = await get(stack.app, `/api/v1/cases?breached=true&q=${created.product.serialNumber}`);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([created.id]);
    // The list carries the clocks as the case shows them (what the dashboard's board counts down).
    const [item] = listed.body.items;
    expect(item.escalationLevel).toBe(3);
    expect(item.slaClocks.map((c: { name: string }) => c.name)).toEqual(
      body.clocks.map((c: { name: string }) => c.name),
    );
    const listedResponse = item.slaClocks.find((c: { name: string }) => c.name === 'response');
    expect(listedResponse).toMatchObject({ state: 'breached', breached: true, remainingMs: null });
    expect(Date.parse(listedResponse.deadline)).toBe(Date.parse(clock.deadline));
    const described = await stack.client.workflow.getHandle(`case-${created.id}`).describe();
    expect(described.searchAttributes.ShouhouBreached).toEqual([true]);
  });

  it('an imported case records its overdue steps without paging anyone; later steps page as usual', async () => {
    const line = await fastPolicy(stack, {
      targets: {
        response: { normal: seconds(3), emergency: seconds(3) },
        repair: { ordinary: seconds(40), complex: seconds(40) },
      },
    });
    // Reported 8 s ago: the response clock's steps (2.25 s, 3 s, 4.5 s) are overdue on arrival; the
    // repair clock's warning (30 s) falls due after it, even when intake is slow on a loaded machine.
    const reportedAt = new Date(Date.now() - 8_000).toISOString();
    const created = await openSlaCase(stack, line, { reportedAt, imported: true });
    expect(created.imported).toBe(true);
    const warningDue = Date.parse(reportedAt) + 30_000;
    expect(Date.parse(created.createdAt)).toBeLessThan(warningDue);

    // Due 30 s after the report: wait past the default deadline.
    const warned = await waitFor(async () => {
      const rows = await escalationsOf(stack, created.id, 'repair');
      return rows.length >= 1 ? rows[0] : undefined;
    });
    expect(warned.due_at.getTime()).toBe(warningDue);
    const { body } = await get(stack.app, `/api/v1/cases/${created.id}`);
    const byClock = (clock: string) =>
      body.escalations
        .filter((e: { clock: string }) => e.clock === clock)
        .map((e: { level: number; imported: boolean }) => [e.level, e.imported]);
    expect(byClock('response')).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    expect(byClock('repair')[0]).toEqual([1, false]);
    const steps = body.timeline.filter((e: { type: string }) => e.type.startsWith('sla_'));
    expect(steps.slice(0, 4).map((e: { data: { imported?: boolean } }) => e.data.imported ?? false)).toEqual([
      true,
      true,
      true,
      false,
    ]);

    // The warning that fell due after arrival pages the desk; the imported steps queued nothing.
    await eventually(async () =>
      stack.notifications.some((n) => n.caseId === created.id && n.kind === 'sla.warning'),
    );
    const queued = await stack.db.sql<{ key: string }[]>`
      select key from notifications where case_id = ${created.id} and kind like 'sla.%' order by key`;
    expect(queued.map((n) => n.key).filter((k) => !k.includes(':sla:repair:'))).toEqual([]);
    expect(queued.map((n) => n.key)).toContain(`${created.id}:sla:repair:0:1`);
  }, 180_000);

  it('a clock stopped before its steps never fires them', async () => {
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(3), emergency: seconds(3) } },
    });
    const created = await openSlaCase(stack, line);
    const r = await step(created.id, 'assign', { engineer: 'eng-fast' });
    expect(r.body.clocks.find((c: { name: string }) => c.name === 'response').state).toBe('stopped');
    await sleep(5_500);
    expect(await escalationsOf(stack, created.id, 'response')).toEqual([]);
    const { body } = await get(stack.app, `/api/v1/cases/${created.id}`);
    expect(body.breached).toBe(false);
    const response = body.clocks.find((c: { name: string }) => c.name === 'response');
    expect(response).toMatchObject({ state: 'stopped', breached: false, deadline: null });
    expect(response.remainingMs).toBeGreaterThan(0);
  });

  it('waiting for parts pauses the repair clock and moves its steps by the paused time (business hours)', async () => {
    const line = await fastPolicy(stack, {
      // 10 s: long enough that assignment and diagnosis land before it, even on a loaded machine.
      targets: { repair: { ordinary: businessSeconds(10), complex: businessSeconds(10) } },
    });
    const created = await openSlaCase(stack, line);
    const reportedAt = Date.parse(created.reportedAt);
    await step(created.id, 'assign', { engineer: 'eng-parts' });
    let r = await step(created.id, 'diagnose', {
      cause: 'c',
      plan: 'p',
      complexity: 'ordinary',
      parts: [{ partNumber: 'P-9', quantity: 1 }],
    });
    let repair = r.body.clocks.find((c: { name: string }) => c.name === 'repair');
    expect(repair).toMatchObject({ state: 'paused', pausedFor: ['parts'], deadline: null });
    await sleep(3_500);
    r = await step(created.id, 'parts-ready', {});
    repair = r.body.clocks.find((c: { name: string }) => c.name === 'repair');
    expect(repair.state).toBe('running');
    const paused = repair.pausedMs.parts;
    expect(paused).toBeGreaterThanOrEqual(3_400);
    expect(Date.parse(repair.deadline)).toBe(reportedAt + 10_000 + paused);

    const fired = await eventually(async () => {
      const rows = await escalationsOf(stack, created.id, 'repair');
      return rows.length >= 2 ? rows : undefined;
    }, 40_000);
    expect(fired[0].due_at.getTime()).toBe(reportedAt + 7_500 + paused);
    expect(fired[1].due_at.getTime()).toBe(reportedAt + 10_000 + paused);
    expect(fired[0].recipient).toBe('eng-parts');
  });

  it('waiting on the customer pauses the clocks the policy names, and the reply resumes them', async () => {
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(4), emergency: seconds(4) } },
    });
    const created = await openSlaCase(stack, line);
    let r = await step(created.id, 'wait-for-customer', { reason: '等待客户提供购买凭证' });
    expect(r.body.clocks.every((c: { state: string }) => c.state === 'paused')).toBe(true);
    expect(r.body.waitingForCustomer.reason).toBe('等待客户提供购买凭证');
    r = await step(created.id, 'wait-for-customer', { reason: 'again' });
    expect(r.status).toBe(409);
    await sleep(4_500);
    expect(await escalationsOf(stack, created.id)).toEqual([]);
    r = await step(created.id, 'customer-responded', { note: '已发来发票' });
    expect(r.body.clocks.every((c: { state: string }) => c.state === 'running')).toBe(true);
    expect(r.body.clocks[0].pausedMs.customer).toBeGreaterThanOrEqual(4_400);
    r = await step(created.id, 'customer-responded', {});
    expect(r.status).toBe(409);
  });

  it('an overdue clock that waits on the customer stays overdue by what it was: its deadline moves by the wait only', async () => {
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(2), emergency: seconds(2) } },
    });
    const created = await openSlaCase(stack, line);
    const reportedAt = Date.parse(created.reportedAt);
    // The response clock runs out (its breach step fires), then the case waits on the customer.
    await eventually(async () => (await escalationsOf(stack, created.id, 'response')).length >= 2);
    let r = await step(created.id, 'wait-for-customer', { reason: '等待客户确认型号' });
    const stopped = r.body.clocks.find((c: { name: string }) => c.name === 'response');
    expect(stopped).toMatchObject({ state: 'breached', pausedFor: ['customer'], deadline: null });
    expect(stopped.remainingMs).toBeLessThan(0);
    await sleep(1_500);
    r = await step(created.id, 'customer-responded', { note: '已确认' });
    const response = r.body.clocks.find((c: { name: string }) => c.name === 'response');
    const paused = response.pausedMs.customer;
    expect(paused).toBeGreaterThanOrEqual(1_400);
    // Its deadline is where it ran out, moved by the wait: not the instant it ran again, from which
    // the dashboard would count its overdue time from zero.
    expect(Date.parse(response.deadline)).toBe(reportedAt + 2_000 + paused);
    // The list's summary (the board's read) says the same once the projection has landed.
    const brief = await eventually(async () => {
      const list = await get(stack.app, `/api/v1/cases?q=${created.product.serialNumber}`);
      const item = list.body.items.find((c: { id: string }) => c.id === created.id);
      const b = item?.slaClocks.find((k: { name: string }) => k.name === 'response');
      return b?.deadline ? b : undefined;
    });
    expect(brief).toMatchObject({ state: 'breached', breached: true, remainingMs: null });
    expect(Date.parse(brief.deadline)).toBe(reportedAt + 2_000 + paused);
  });

  it('an emergency carries an arrival clock that check-in stops; a dispute reopens the repair clock', async () => {
    const line = await fastPolicy(stack);
    const created = await openSlaCase(stack, line, {
      problem: { description: '整线停机', severity: 'emergency' },
    });
    expect(created.clocks.map((c: { name: string }) => c.name)).toEqual(['response', 'arrival', 'repair']);
    await step(created.id, 'assign', { engineer: 'eng-e' });
    await step(created.id, 'diagnose', { cause: 'c', plan: 'p', complexity: 'complex', parts: [] });
    await step(created.id, 'schedule', { mode: 'onsite', agreedAt: new Date().toISOString() });
    let r = await step(created.id, 'check-in', {});
    const byName = (body: { clocks: Array<{ name: string }> }, name: string) =>
      body.clocks.find((c) => c.name === name) as unknown as {
        state: string;
        target: unknown;
        elapsedMs: number;
      };
    expect(byName(r.body, 'arrival').state).toBe('stopped');
    expect(byName(r.body, 'repair').target).toEqual(seconds(7200));
    r = await step(created.id, 'complete-repair', repairReport);
    const stoppedAt = byName(r.body, 'repair').elapsedMs;
    expect(byName(r.body, 'repair').state).toBe('stopped');
    await sleep(500);
    r = await step(created.id, 'customer-feedback', { accepted: false, comment: '问题复现' });
    const reopened = byName(r.body, 'repair');
    expect(reopened.state).toBe('running');
    // Continued, not restarted: it counts on from where it stopped (a restart would start again near 0).
    expect(reopened.elapsedMs).toBeGreaterThanOrEqual(stoppedAt);
  });
});
