// Replay of a partsRequest child and of its case: a purchase with a late order, delivery, inspection
// and the issue at repair; and of the watch of a reorder purchase order that was late, then delivered —
// replayed from the fresh histories on every run. To keep them as recordings:
// RECORD_HISTORIES=1 npx vitest run test/integration/parts-replay.test.ts (replay.test.ts then replays
// every recording in test/replay/histories/).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureAllHoursCalendar, fastPolicy } from '../support/sla.js';
import {
  call,
  eventually,
  get,
  intakeBody,
  post,
  repairReport,
  type Stack,
  startStack,
} from '../support/stack.js';

const dir = new URL('../replay/histories/', import.meta.url).pathname;
const recording = process.env.RECORD_HISTORIES === '1';
const tag = `${process.pid}${Date.now() % 100000}`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    parts: {
      approvalThreshold: 1,
      lateEscalationMs: 500,
      reorderIntervalMs: 3_600_000,
      calendarId: 'always',
    },
    engineers: ['eng-1'],
  });
});
afterAll(() => stack?.close());

/** Replays `handle`'s history against today's bundle and, when recording, keeps it as `name`. */
async function replayAndKeep(name: string, handle: { fetchHistory(): Promise<unknown> }, minEvents: number) {
  const history = temporal.api.history.v1.History.fromObject(
    (await handle.fetchHistory()) as temporal.api.history.v1.IHistory,
  );
  expect(history.events.length).toBeGreaterThan(minEvents);
  await Worker.runReplayHistory(
    {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: { payloadCodecs: [stack.payloadCodec] },
    },
    history,
    `replay-${name}-${tag}`,
  );
  if (recording)
    writeFileSync(
      join(dir, `${name}-2026-12-01.history.bin`),
      temporal.api.history.v1.History.encode(history).finish(),
    );
}

describe('a parts request', () => {
  it('bought, late, delivered, inspected and issued replays its own history, and its case’s', async () => {
    const key = stack.keys.procurement;
    const req = (method: 'PUT' | 'POST' | 'GET', url: string, payload?: unknown, k = key) =>
      call(stack.app, method, url, { key: k, ...(payload ? { payload } : {}) });
    const part = `RP-${tag}`;
    const supplier = `RS-${tag}`;
    expect(
      (await req('PUT', `/api/v1/warehouses/RC-${tag}`, { name: '中心库', kind: 'central', priority: 0 }))
        .status,
    ).toBe(200);
    expect((await req('PUT', `/api/v1/parts/${part}`, { name: '轴承', standardCost: 10 })).status).toBe(200);
    expect(
      (
        await req('PUT', `/api/v1/suppliers/${supplier}`, {
          name: 's',
          parts: [{ partNumber: part, price: 10, leadTimeDays: 1 }],
        })
      ).status,
    ).toBe(200);
    const line = await fastPolicy(stack);
    const body = intakeBody();
    const id = (await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } })).body
      .id;
    const step = async (name: string, b: Record<string, unknown>) =>
      expect((await post(stack.app, `/api/v1/cases/${id}/${name}`, b)).status).toBe(200);
    await step('assign', { engineer: 'eng-1' });
    await step('diagnose', {
      cause: 'c',
      plan: 'p',
      complexity: 'ordinary',
      parts: [{ partNumber: part, quantity: 2 }],
    });
    const request = await eventually(
      async () => (await req('GET', `/api/v1/parts-requests?caseId=${id}`)).body.items?.[0],
    );
    const purchase = await eventually(
      async () => (await req('GET', `/api/v1/parts-requests/${request.id}`)).body.purchases[0],
    );
    const validUntil = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      (
        await req('POST', `/api/v1/purchases/${purchase.id}/quotes`, {
          supplierId: supplier,
          unitPrice: 12,
          leadTime: '1s',
          validUntil,
        })
      ).status,
    ).toBe(200);
    const order = (await req('POST', `/api/v1/purchases/${purchase.id}/award`, {})).body;
    expect(order.status).toBe('awaiting_approval');
    expect(
      (
        await req(
          'POST',
          `/api/v1/purchase-orders/${order.id}/approval`,
          { approve: true },
          stack.keys.manager,
        )
      ).status,
    ).toBe(200);
    await eventually(
      async () => (await req('GET', `/api/v1/purchase-orders/${order.id}`)).body.escalations.length === 2,
    );
    const receipt = (await req('POST', `/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 2 })).body
      .receipts[0];
    expect((await req('POST', `/api/v1/receipts/${receipt.id}/inspection`, { passed: true })).status).toBe(
      200,
    );
    await eventually(async () => (await get(stack.app, `/api/v1/cases/${id}`)).body.stage === 'diagnosed');
    await step('schedule', { mode: 'onsite', agreedAt: new Date().toISOString() });
    await step('check-in', {});
    await step('complete-repair', { ...repairReport, partsReplaced: [{ partNumber: part, quantity: 2 }] });
    const child = stack.client.workflow.getHandle(`parts-request-${request.id}`);
    expect((await child.result()).phase).toBe('issued');
    await step('customer-feedback', { accepted: true });
    const parent = stack.client.workflow.getHandle(`case-${id}`);
    await parent.result();

    await replayAndKeep('parts-request', child, 20);
    await replayAndKeep('service-case-parts-request', parent, 20);
  });
});

describe('a reorder purchase order', () => {
  it('approved, late at both levels, then delivered: its watch replays its own history', async () => {
    await ensureAllHoursCalendar(stack);
    const key = stack.keys.procurement;
    const req = (method: 'PUT' | 'POST' | 'GET', url: string, payload?: unknown, k = key) =>
      call(stack.app, method, url, { key: k, ...(payload ? { payload } : {}) });
    const part = `RO-${tag}`;
    const supplier = `ROS-${tag}`;
    expect(
      (await req('PUT', `/api/v1/warehouses/ROC-${tag}`, { name: '中心库', kind: 'central', priority: 0 }))
        .status,
    ).toBe(200);
    expect(
      (
        await req('PUT', `/api/v1/parts/${part}`, {
          name: '滤网',
          standardCost: 5,
          reorderPoint: 2,
          reorderQuantity: 3,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await req('PUT', `/api/v1/suppliers/${supplier}`, {
          name: 's',
          parts: [{ partNumber: part, price: 5, leadTimeDays: 1 }],
        })
      ).status,
    ).toBe(200);
    await stack.client.workflow.execute('partsReorder', {
      taskQueue: stack.taskQueue,
      workflowId: `reorder-${tag}`,
      args: [],
    });
    const purchase = (await req('GET', '/api/v1/purchases?status=quoting&limit=200')).body.items.find(
      (x: { partNumber: string }) => x.partNumber === part,
    );
    expect(
      (
        await req('POST', `/api/v1/purchases/${purchase.id}/quotes`, {
          supplierId: supplier,
          unitPrice: 6,
          leadTime: '1s',
          validUntil: new Date(Date.now() + 86_400_000).toISOString(),
        })
      ).status,
    ).toBe(200);
    const order = (await req('POST', `/api/v1/purchases/${purchase.id}/award`, {})).body;
    expect(order.status).toBe('awaiting_approval');
    const approval = await req(
      'POST',
      `/api/v1/purchase-orders/${order.id}/approval`,
      { approve: true },
      stack.keys.manager,
    );
    expect(approval.status).toBe(200);
    await eventually(
      async () => (await req('GET', `/api/v1/purchase-orders/${order.id}`)).body.escalations.length === 2,
    );
    expect((await req('POST', `/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 3 })).status).toBe(
      200,
    );
    const watch = stack.client.workflow.getHandle(`purchase-order-watch-${order.id}`);
    expect((await watch.result()).escalations).toHaveLength(2);
    await replayAndKeep('purchase-order-watch', watch, 10);
  });
});
