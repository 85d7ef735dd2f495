// What a case writes to the read model follows the workflow's seq: steps sent at once on one case, and
// escalations firing meanwhile, reach the timeline, the case row and the webhook outbox in seq order.
// And a fired escalation step is classified by its place on the clock, whatever the ladder calls it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastPolicy, seconds } from '../support/sla.js';
import { call, eventually, get, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let server: Server;
let url = '';
const subscriptions: string[] = [];
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    engineers: ['eng-1', 'eng-order'],
  });
  // A receiver that takes everything: these tests read the outbox, not the deliveries.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  // A help desk's subscription covers only the cases its key opened: other test files' cases, sharing
  // the database, stay out of it.
  const sub = await call(stack.app, 'POST', '/api/v1/webhooks', {
    key: stack.keys.helpdesk,
    payload: { url, eventTypes: ['*'], description: 'ordering test' },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  subscriptions.push(sub.body.id);
});
afterAll(async () => {
  for (const id of subscriptions)
    await call(stack.app, 'PATCH', `/api/v1/webhooks/${id}`, {
      key: stack.keys.helpdesk,
      payload: { active: false },
    });
  await stack?.close();
  await new Promise((r) => server?.close(r));
});

/** Opens a case under the policy of `line` with the help desk's key (its subscription sees it). */
async function openCase(line: string): Promise<string> {
  const body = intakeBody();
  const r = await post(
    stack.app,
    '/api/v1/cases',
    { ...body, product: { ...body.product, line } },
    { authorization: `Bearer ${stack.keys.helpdesk}` },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

/** The case's webhook events in the order the outbox wrote them. */
const outbox = (id: string) =>
  stack.db.sql<{ type: string; seq: number }[]>`
    select type, (payload->'data'->>'seq')::int as seq from webhook_events where case_id = ${id} order by id`;

describe('a case written in seq order', { timeout: 300_000 }, () => {
  it('20 steps sent at once, with escalations firing meanwhile: timeline, case row and webhooks follow seq', async () => {
    // The response clock fires its warning, breach and escalation while the steps arrive.
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(1), emergency: seconds(1) } },
    });
    const id = await openCase(line);
    const steps = Array.from({ length: 20 }, (_, i) =>
      i === 10
        ? post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-order' })
        : post(stack.app, `/api/v1/cases/${id}/messages`, {
            kind: i % 2 ? 'customer_reply' : 'contact_attempt',
            channel: 'phone',
            message: `第 ${i} 条`,
          }),
    );
    const answers = await Promise.all(steps);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));

    const view = await eventually(async () => {
      const v = (await get(stack.app, `/api/v1/cases/${id}`)).body;
      return v.version !== undefined || v.stage ? v : undefined;
    });
    // Every transition once, numbered without a gap; the case row holds the last one's state.
    const events = await stack.db.sql<{ seq: number; type: string; xid: string }[]>`
      select seq, type, xmin::text as xid from case_events where case_id = ${id} order by seq`;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(
      events.filter((e) => e.type === 'contact_attempted' || e.type === 'customer_replied'),
    ).toHaveLength(19);
    const [row] = await stack.db.sql<{ version: number; contacts: number }[]>`
      select version, jsonb_array_length(state->'contacts') as contacts from cases where id = ${id}`;
    expect(row.version).toBe(events.at(-1)!.seq);
    expect(row.contacts).toBe(19);
    expect(view.assignee).toBe('eng-order');
    // Each transition was committed by its own transaction, begun after the one before it had committed:
    // transaction ids rise with seq (no wrap-around in a fresh test database).
    const xids = events.map((e) => Number(e.xid));
    expect(xids).toEqual([...xids].sort((a, b) => a - b));
    // The webhook outbox wrote the case's events in seq order too.
    const hooks = await outbox(id);
    expect(hooks.length).toBeGreaterThanOrEqual(2); // created, stage_changed, any sla.* fired meanwhile
    expect(hooks.map((h) => h.seq)).toEqual(hooks.map((h) => h.seq).sort((a, b) => a - b));
  });

  it('a custom ladder whose 100 % step is not called "breach" still breaches', async () => {
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(2), emergency: seconds(2) } },
      escalation: [
        { level: 1, at: 0.5, recipient: 'assignee', name: '提醒' },
        { level: 2, at: 0.75, recipient: 'assignee', name: '再次提醒' },
        { level: 3, at: 1, recipient: 'service-manager', name: '超时' },
        { level: 4, at: 1.25, recipient: 'upper-management', name: '上报总经理' },
      ],
    });
    const id = await openCase(line);
    // The view reads the timeline and the escalations one after the other: wait for both.
    const view = await eventually(async () => {
      const v = (await get(stack.app, `/api/v1/cases/${id}`)).body;
      const steps = v.timeline.filter((e: { type: string }) => e.type.startsWith('sla_'));
      return v.escalations.length === 4 && steps.length === 4 && v;
    });
    const expected = ['warning', 'warning', 'breached', 'escalated'];
    const timeline = view.timeline.filter((e: { type: string }) => e.type.startsWith('sla_'));
    expect(timeline.map((e: { type: string }) => e.type)).toEqual(expected.map((k) => `sla_${k}`));
    const notified = await eventually(async () => {
      const n = stack.notifications.filter((x) => x.caseId === id && x.kind.startsWith('sla.'));
      return n.length === 4 && n;
    });
    // Each is delivered by its own notification workflow: they may arrive in any order.
    const byLevel = notified.map((n) => [n.payload.level as number, n.kind]).sort((a, b) => +a[0] - +b[0]);
    expect(byLevel).toEqual(expected.map((k, i) => [i + 1, `sla.${k}`]));
    const hooks = (await outbox(id)).filter((h) => h.type.startsWith('sla.'));
    expect(hooks.map((h) => h.type)).toEqual(expected.map((k) => `sla.${k}`));
    expect(view.breached).toBe(true);
  });
});
