// Spare parts end to end: real Temporal, real Postgres. A diagnosis listing catalogue parts starts the
// partsRequest child; stock is reserved nearest first, the rest bought through quotes, approval, order,
// delivery and inspection; the case moves on by itself once every line is reserved.
import { createServer, type Server } from 'node:http';
import { WorkflowNotFoundError } from '@temporalio/common';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reserveForRequest } from '../../activities/parts/ledger.js';
import { connectDb } from '../../db/client.js';
import { webhookBodyCheck } from '../support/contract.js';
import { fastPolicy } from '../support/sla.js';
import {
  call,
  eventually,
  get,
  intakeBody,
  post,
  repairReport,
  type Stack,
  startStack,
  waitFor,
} from '../support/stack.js';

let stack: Stack;
let line: string;
let receiver: Server;
let lateReceiver: Server;
/** Bodies of the parts.* subscription, and of one subscribed to parts.purchase_order_late alone. */
const received: Array<{ type: string }> = [];
const receivedLate: Array<{ type: string; caseId: string | null; data: Record<string, unknown> }> = [];
let checkBody: Awaited<ReturnType<typeof webhookBodyCheck>>;
const tag = `${process.pid}${Date.now() % 100000}`;
let n = 0;
const fresh = (prefix: string) => `${prefix}-${tag}-${++n}`;
const CENTRAL = `C1-${tag}`;
const VAN = `VAN-${tag}`;

const as = (role: 'procurement' | 'manager' | 'engineer' | 'finance' | 'specialist') => stack.keys[role];
const put = (url: string, payload: unknown, key = as('procurement')) =>
  call(stack.app, 'PUT', url, { key, payload });
const postAs = (url: string, payload: unknown, key = as('procurement')) =>
  call(stack.app, 'POST', url, { key, payload });
const getAs = (url: string, key = as('manager')) => call(stack.app, 'GET', url, { key });

async function part(stock: Array<[string, number]> = [], extra: Record<string, unknown> = {}) {
  const partNumber = fresh('P');
  expect(
    (await put(`/api/v1/parts/${partNumber}`, { name: '压缩机阀片', standardCost: 100, ...extra })).status,
  ).toBe(200);
  for (const [warehouseId, quantity] of stock)
    expect(
      (
        await postAs('/api/v1/stock/movements', {
          kind: 'receive',
          partNumber,
          warehouseId,
          quantity,
          unitCost: 90,
        })
      ).status,
    ).toBe(201);
  return partNumber;
}

async function supplier(parts: string[], status = 'qualified') {
  const id = fresh('S');
  const r = await put(`/api/v1/suppliers/${id}`, {
    name: `供应商 ${id}`,
    contact: { phone: '021-0000' },
    status,
    parts: parts.map((partNumber) => ({ partNumber, price: 100, leadTimeDays: 3 })),
  });
  expect(r.status).toBe(200);
  return id;
}

/** Opens a case, assigns it and diagnoses it with `parts`; returns the case id. */
async function diagnosed(parts: Array<{ partNumber: string; quantity: number }>) {
  const body = intakeBody();
  const id = (await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } })).body
    .id;
  expect((await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'test-engineer' })).status).toBe(
    200,
  );
  const d = await post(stack.app, `/api/v1/cases/${id}/diagnose`, {
    cause: 'c',
    plan: 'p',
    complexity: 'ordinary',
    parts,
  });
  expect(d.status).toBe(200);
  return id as string;
}

async function requestOf(caseId: string) {
  return eventually(async () => {
    const r = await getAs(`/api/v1/parts-requests?caseId=${caseId}`);
    return r.body.items?.[0];
  });
}
const stageOf = async (caseId: string) => (await get(stack.app, `/api/v1/cases/${caseId}`)).body.stage;
async function purchaseOf(requestId: string) {
  return eventually(async () => (await getAs(`/api/v1/parts-requests/${requestId}`)).body.purchases[0]);
}
async function quote(purchaseId: string, supplierId: string, unitPrice: number, leadTime = '1h') {
  const r = await postAs(`/api/v1/purchases/${purchaseId}/quotes`, {
    supplierId,
    unitPrice,
    leadTime,
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/**
 * A case whose diagnosis needs `quantity` of a fresh part (with `stock` on hand), the rest bought from one
 * supplier quoting 10 with `leadTime`: the purchase awarded, its order placed.
 */
async function placedOrder(
  quantity: number,
  opts: { stock?: Array<[string, number]>; leadTime?: string } = {},
) {
  const p = await part(opts.stock);
  const s = await supplier([p]);
  const caseId = await diagnosed([{ partNumber: p, quantity }]);
  const request = await requestOf(caseId);
  const purchase = await purchaseOf(request.id);
  await quote(purchase.id, s, 10, opts.leadTime);
  const order = (await postAs(`/api/v1/purchases/${purchase.id}/award`, {})).body;
  return { p, s, caseId, request, purchase, order };
}
async function ledgerBalances(partNumber: string) {
  const rows = await stack.db.db.execute<{ ok: boolean }>(sql`
    select b.on_hand = coalesce(sum(m.on_hand_delta), 0) and b.reserved = coalesce(sum(m.reserved_delta), 0) as ok
    from stock_balances b left join stock_movements m on m.part_number = b.part_number and m.warehouse_id = b.warehouse_id
    where b.part_number = ${partNumber} group by b.part_number, b.warehouse_id, b.on_hand, b.reserved`);
  return rows.every((r) => r.ok);
}

beforeAll(async () => {
  stack = await startStack({
    parts: {
      approvalThreshold: 5000,
      lateEscalationMs: 1_000,
      reorderIntervalMs: 3_600_000,
      calendarId: 'always',
    },
    engineers: ['eng-1'],
  });
  line = await fastPolicy(stack);
  checkBody = await webhookBodyCheck();
  const listen = async (into: unknown[], eventTypes: string[]) => {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        into.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const sub = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.admin,
      payload: { url: `http://127.0.0.1:${port}/hook`, eventTypes },
    });
    expect(sub.status).toBe(201);
    return server;
  };
  receiver = await listen(received, ['parts.*']);
  lateReceiver = await listen(receivedLate, ['parts.purchase_order_late']);
  expect(
    (await put(`/api/v1/warehouses/${CENTRAL}`, { name: '中心库', kind: 'central', priority: 10 })).status,
  ).toBe(200);
  expect(
    (
      await put(`/api/v1/warehouses/${VAN}`, {
        name: '工程师车载库',
        kind: 'van',
        engineer: 'eng-1',
        priority: 1,
      })
    ).status,
  ).toBe(200);
});
afterAll(async () => {
  await stack?.close();
  receiver?.close();
  lateReceiver?.close();
});

describe('parts request', () => {
  it('in stock: reserves nearest first, moves the case on by itself, issues at repair at average cost', async () => {
    const p = await part([
      [CENTRAL, 5],
      [VAN, 1],
    ]);
    const caseId = await diagnosed([{ partNumber: p, quantity: 2 }]);
    await eventually(async () => (await stageOf(caseId)) === 'diagnosed');
    const request = await requestOf(caseId);
    expect(request.status).toBe('reserved');
    expect(
      request.reservations.map((r: { warehouseId: string; quantity: number }) => [r.warehouseId, r.quantity]),
    ).toEqual([
      // The van (priority 1) is nearer than the central store (priority 10).
      [VAN, 1],
      [CENTRAL, 1],
    ]);
    const c = (await get(stack.app, `/api/v1/cases/${caseId}`)).body;
    expect(c.timeline.map((e: { type: string }) => e.type)).toContain('parts_ready');

    const step = async (name: string, b: Record<string, unknown>) =>
      expect((await post(stack.app, `/api/v1/cases/${caseId}/${name}`, b)).status).toBe(200);
    await step('schedule', { mode: 'onsite', agreedAt: new Date().toISOString() });
    await step('check-in', {});
    await step('complete-repair', {
      ...repairReport,
      partsReplaced: [
        {
          partNumber: p,
          quantity: 1,
          faultySerial: 'OLD-1',
          replacementSerial: 'NEW-1',
          defectiveReturned: true,
        },
      ],
    });
    const issued = await eventually(async () => {
      const r = (await getAs(`/api/v1/parts-requests/${request.id}`)).body;
      return r.status === 'issued' && r;
    });
    expect(issued.lines[0]).toMatchObject({ issued: 1, reserved: 0 });
    const moves = (await getAs(`/api/v1/stock/movements?caseId=${caseId}`, as('finance'))).body.items;
    const issue = moves.find((m: { kind: string }) => m.kind === 'issue');
    expect(issue).toMatchObject({ quantity: 1, unitCost: 90, serial: 'NEW-1', faultySerial: 'OLD-1' });
    expect(moves.map((m: { kind: string }) => m.kind)).toContain('return_defective');
    // An engineer reads the ledger without costs.
    const engineerView = (await getAs(`/api/v1/stock/movements?caseId=${caseId}`, as('engineer'))).body.items;
    expect(engineerView.every((m: { unitCost: unknown }) => m.unitCost === null)).toBe(true);
    const stock = (await getAs(`/api/v1/parts/${p}`)).body.stock;
    expect(stock.reduce((s: number, b: { onHand: number }) => s + b.onHand, 0)).toBe(5);
    expect(stock.every((b: { reserved: number }) => b.reserved === 0)).toBe(true);
    expect(await ledgerBalances(p)).toBe(true);
  });

  it('purchase: two quotes, the comparison, the manager’s approval, delivery and inspection', async () => {
    const p = await part();
    const [s1, s2] = [await supplier([p]), await supplier([p])];
    const suspended = await supplier([p], 'suspended');
    const caseId = await diagnosed([{ partNumber: p, quantity: 2 }]);
    const request = await requestOf(caseId);
    const purchase = await purchaseOf(request.id);
    expect(purchase.rfqs.sort()).toEqual([s1, s2].sort());
    expect(purchase.rfqs).not.toContain(suspended);
    expect((await postAs(`/api/v1/purchases/${purchase.id}/rfqs`, { supplierId: suspended })).status).toBe(
      409,
    );
    // A supplier qualified after the purchase began is asked too; asking twice changes nothing.
    const late = await supplier([p]);
    const asked = await postAs(`/api/v1/purchases/${purchase.id}/rfqs`, { supplierId: late });
    expect(asked.status).toBe(200);
    expect(asked.body.rfqs.sort()).toEqual([s1, s2, late].sort());
    const again = await postAs(`/api/v1/purchases/${purchase.id}/rfqs`, { supplierId: late });
    expect(again.body.rfqs).toHaveLength(3);
    await quote(purchase.id, s1, 3000, '2h');
    await quote(purchase.id, s2, 2900, '4h');
    expect((await postAs(`/api/v1/purchases/${purchase.id}/award`, {}, as('engineer'))).status).toBe(403);
    const order = await postAs(`/api/v1/purchases/${purchase.id}/award`, {});
    expect(order.status).toBe(200);
    // s1: 0.5·(2900/3000) + 0.3·1 + 0.1 = 0.8833; s2: 0.5 + 0.3·0.5 + 0.1 = 0.75
    expect(order.body).toMatchObject({ supplierId: s1, status: 'awaiting_approval', amount: 6000 });
    expect(
      (
        await postAs(
          `/api/v1/purchase-orders/${order.body.id}/approval`,
          { approve: true },
          as('procurement'),
        )
      ).status,
    ).toBe(403);
    const approved = await postAs(
      `/api/v1/purchase-orders/${order.body.id}/approval`,
      { approve: true },
      as('manager'),
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'placed', approvedBy: 'test-manager' });
    const twice = await postAs(
      `/api/v1/purchase-orders/${order.body.id}/approval`,
      { approve: true },
      as('manager'),
    );
    expect(twice.status).toBe(409);
    expect(twice.headers['content-type']).toContain('application/problem+json');
    expect(twice.body.detail).toContain('already approved');

    expect(await stageOf(caseId)).toBe('awaiting_parts');
    const delivered = await postAs(`/api/v1/purchase-orders/${order.body.id}/receipts`, { quantity: 2 });
    expect(delivered.status).toBe(200);
    const receiptId = delivered.body.receipts[0].id;
    expect((await postAs(`/api/v1/receipts/${receiptId}/inspection`, { passed: true })).status).toBe(200);
    await eventually(async () => (await stageOf(caseId)) === 'diagnosed');
    const after = (await getAs(`/api/v1/parts-requests/${request.id}`)).body;
    expect(after).toMatchObject({ status: 'reserved', lines: [{ quantity: 2, reserved: 2 }] });
    expect(after.purchases[0].status).toBe('completed');
    const ev = (await getAs(`/api/v1/suppliers/${s1}/evaluation`, as('finance'))).body;
    expect(ev.inspectionPassRate).toBe(1);
    expect(ev.priceIndex).toBe(30);
    // Nothing of s2's fell due: n/a, not 0.
    const none = (await getAs(`/api/v1/suppliers/${s2}/evaluation`, as('finance'))).body;
    expect(none).toMatchObject({ onTimeInFull: 'n/a', inspectionPassRate: 'n/a', priceIndex: 'n/a' });
    expect(await ledgerBalances(p)).toBe(true);
    await eventually(async () => received.some((e) => e.type === 'parts.reserved'));
  });

  it('failed inspection: returned, counted against the supplier, re-ordered from the next best', async () => {
    const p = await part();
    const [good, bad] = [await supplier([p]), await supplier([p])];
    const caseId = await diagnosed([{ partNumber: p, quantity: 1 }]);
    const request = await requestOf(caseId);
    const purchase = await purchaseOf(request.id);
    await quote(purchase.id, bad, 100);
    await quote(purchase.id, good, 120);
    const order = (await postAs(`/api/v1/purchases/${purchase.id}/award`, {})).body;
    expect(order).toMatchObject({ supplierId: bad, status: 'placed' });
    const receipt = (await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 1 })).body
      .receipts[0];
    const failed = await postAs(`/api/v1/receipts/${receipt.id}/inspection`, {
      passed: false,
      note: '尺寸不符',
    });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'closed', failedQuantity: 1 });
    const again = (await getAs(`/api/v1/purchases/${purchase.id}`)).body;
    expect(again.orders).toHaveLength(2);
    const reorder = again.orders[1];
    expect(reorder).toMatchObject({ supplierId: good, status: 'placed', quantity: 1 });
    expect((await getAs(`/api/v1/suppliers/${bad}/evaluation`)).body.inspectionPassRate).toBe(0);
    const r2 = (await postAs(`/api/v1/purchase-orders/${reorder.id}/receipts`, { quantity: 1 })).body
      .receipts[0];
    expect((await postAs(`/api/v1/receipts/${r2.id}/inspection`, { passed: true })).status).toBe(200);
    await eventually(async () => (await stageOf(caseId)) === 'diagnosed');
    // The failed unit never entered stock (other files' central stores may be the nearest: sum them).
    const stock = (await getAs(`/api/v1/parts/${p}`)).body.stock as Array<{
      onHand: number;
      reserved: number;
    }>;
    expect(stock.reduce((a, b) => a + b.onHand, 0)).toBe(1);
    expect(stock.reduce((a, b) => a + b.reserved, 0)).toBe(1);
  });

  it('a late order escalates to procurement at its promised date, then to the manager', async () => {
    const { caseId, order } = await placedOrder(1, { leadTime: '1s' });
    const late = await waitFor(async () => {
      const o = (await getAs(`/api/v1/purchase-orders/${order.id}`)).body;
      return o.escalations.length === 2 && o;
    });
    expect(late.escalations.map((e: { level: number; recipient: string }) => [e.level, e.recipient])).toEqual(
      [
        [1, 'procurement'],
        [2, 'service-manager'],
      ],
    );
    expect(Date.parse(late.escalations[0].firedAt)).toBeGreaterThanOrEqual(Date.parse(late.expectedAt));
    // Each is delivered by its own notification workflow, moments after it was recorded.
    await eventually(async () => {
      const to = stack.notifications.filter((x) => x.kind === 'parts.purchase_order_late');
      return ['desk:procurement', 'service-manager'].every((r) =>
        to.some((x) => x.recipient === r && x.caseId === caseId && x.purchaseOrderId === order.id),
      );
    });
  });

  it('cancelled during a purchase: reservations released, the placed order cancelled and the choice recorded', async () => {
    const { p, caseId, request, purchase, order } = await placedOrder(3, { stock: [[CENTRAL, 1]] });
    expect(purchase.quantity).toBe(2);
    expect(
      (
        await postAs(
          `/api/v1/parts-requests/${request.id}/cancel`,
          { reason: 'x', purchaseOrders: 'keep_as_stock' },
          as('finance'),
        )
      ).status,
    ).toBe(403);
    const cancelled = await postAs(
      `/api/v1/parts-requests/${request.id}/cancel`,
      { reason: '客户改为整机更换', purchaseOrders: 'cancel_with_supplier' },
      as('engineer'),
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({
      released: 1,
      orders: 'cancel_with_supplier',
      decisions: [{ purchaseOrderId: order.id, decision: 'cancelled_with_supplier' }],
    });
    const o = (await getAs(`/api/v1/purchase-orders/${order.id}`)).body;
    expect(o.status).toBe('cancelled');
    expect(o.cancellation).toMatchObject({ choice: 'cancel_with_supplier', by: 'test-engineer' });
    // Nothing is left to deliver: no watch of a stock order was started for it.
    await expect(
      stack.client.workflow.getHandle(`purchase-order-watch-${order.id}`).describe(),
    ).rejects.toThrow(WorkflowNotFoundError);
    expect((await getAs(`/api/v1/parts/${p}`)).body.stock[0]).toMatchObject({ onHand: 1, reserved: 0 });
    const again = await postAs(
      `/api/v1/parts-requests/${request.id}/cancel`,
      { reason: 'again', purchaseOrders: 'keep_as_stock' },
      as('engineer'),
    );
    expect(again.status).toBe(409);
    // The case still waits; a manual parts-ready moves it on.
    expect(await stageOf(caseId)).toBe('awaiting_parts');
    expect(await ledgerBalances(p)).toBe(true);
  });

  it('changed during a purchase: the order is kept as stock and the new parts move the case on', async () => {
    const bought = await part();
    const s = await supplier([bought]);
    const inStock = await part([[CENTRAL, 2]]);
    const caseId = await diagnosed([{ partNumber: bought, quantity: 1 }]);
    const request = await requestOf(caseId);
    const purchase = await purchaseOf(request.id);
    await quote(purchase.id, s, 10);
    const order = (await postAs(`/api/v1/purchases/${purchase.id}/award`, {})).body;
    const change = (lines: unknown, key = as('engineer')) =>
      postAs(
        `/api/v1/parts-requests/${request.id}/change`,
        { lines, reason: '改用替代件', purchaseOrders: 'keep_as_stock' },
        key,
      );
    const unknown = await change([{ partNumber: 'NO-SUCH-PART', quantity: 1 }]);
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain('NO-SUCH-PART');
    expect((await change([{ partNumber: inStock, quantity: 0 }])).status).toBe(400);
    expect((await change([{ partNumber: inStock, quantity: 1 }], as('procurement'))).status).toBe(403);
    const changed = await change([{ partNumber: inStock, quantity: 1 }]);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ caseId, replaced: request.id, requestId: `${request.id}-1` });
    await eventually(async () => (await stageOf(caseId)) === 'diagnosed');
    const old = (await getAs(`/api/v1/parts-requests/${request.id}`)).body;
    expect(old.status).toBe('cancelled');
    expect(old.cancellation).toMatchObject({
      orders: 'keep_as_stock',
      decisions: [{ decision: 'kept_as_stock' }],
    });
    expect((await getAs(`/api/v1/purchase-orders/${order.id}`)).body.status).toBe('placed');
    const now = (await getAs(`/api/v1/parts-requests/${changed.body.requestId}`)).body;
    expect(now).toMatchObject({ status: 'reserved', lines: [{ partNumber: inStock, reserved: 1 }] });
    // The old request's id is no longer the case's: a second change of it is refused.
    expect((await change([{ partNumber: inStock, quantity: 1 }])).status).toBe(409);
  });

  it('cancelled with the order kept as stock: the order is still watched for lateness, without the case', async () => {
    const { caseId, request, order } = await placedOrder(2, { leadTime: '1h' });
    expect(order.status).toBe('placed');
    const cancelled = await postAs(
      `/api/v1/parts-requests/${request.id}/cancel`,
      { reason: '客户取消维修', purchaseOrders: 'keep_as_stock' },
      as('engineer'),
    );
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.decisions).toMatchObject([
      { purchaseOrderId: order.id, decision: 'kept_as_stock' },
    ]);
    // The request's workflow has ended; the order, now bought for stock, has a watch of its own.
    const watch = stack.client.workflow.getHandle(`purchase-order-watch-${order.id}`);
    expect((await watch.describe()).status.name).toBe('RUNNING');
    // The supplier misses its date (moved into the past here rather than waiting an hour); a partial
    // delivery wakes the watch, and the rest is still due.
    await stack.db.db.execute(
      sql`update purchase_orders set expected_at = now() - interval '1 minute' where id = ${order.id}`,
    );
    expect((await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 1 })).status).toBe(200);
    const late = await waitFor(async () => {
      const o = (await getAs(`/api/v1/purchase-orders/${order.id}`)).body;
      return o.escalations.length === 2 && o;
    });
    expect(late.escalations.map((e: { level: number; recipient: string }) => [e.level, e.recipient])).toEqual(
      [
        [1, 'procurement'],
        [2, 'service-manager'],
      ],
    );
    // Escalated as a stock order: the case it was once bought for is not named.
    const hooks = await eventually(async () => {
      const mine = receivedLate.filter((e) => e.data.purchaseOrderId === order.id);
      return mine.length === 2 && mine;
    });
    expect(hooks.map((e) => [e.caseId, e.data.level])).toEqual([
      [null, 1],
      [null, 2],
    ]);
    const notified = await eventually(async () => {
      const mine = stack.notifications.filter((x) => x.purchaseOrderId === order.id);
      return mine.length >= 2 && mine;
    });
    expect(new Set(notified.map((x) => x.caseId))).toEqual(new Set([null]));
    // Delivered in full: the watch ends with the two escalations it made.
    expect((await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 1 })).status).toBe(200);
    const ended = await watch.result();
    expect(ended).toMatchObject({ ended: 'received' });
    expect(ended.escalations.map((e: { level: number }) => e.level)).toEqual([1, 2]);
    // The request stays cancelled and the case still waits: the stock order is not the case's any more.
    expect((await getAs(`/api/v1/parts-requests/${request.id}`)).body.status).toBe('cancelled');
    expect(await stageOf(caseId)).toBe('awaiting_parts');
  });

  it('a worker restarted mid-purchase picks the request up where it was', async () => {
    const { caseId, order } = await placedOrder(1);
    await stack.stopWorker();
    try {
      const receipt = (await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 1 })).body
        .receipts[0];
      expect((await postAs(`/api/v1/receipts/${receipt.id}/inspection`, { passed: true })).status).toBe(200);
      expect(await stageOf(caseId)).toBe('awaiting_parts');
    } finally {
      await stack.startWorker();
    }
    // A restarted worker first replays what it had cached; on a loaded machine that takes a while.
    await eventually(async () => (await stageOf(caseId)) === 'diagnosed', 180_000);
  }, 300_000);

  it('a diagnosis listing a part outside the catalogue keeps the manual parts-ready', async () => {
    const caseId = await diagnosed([{ partNumber: `NOT-IN-CATALOGUE-${tag}`, quantity: 1 }]);
    expect(await stageOf(caseId)).toBe('awaiting_parts');
    expect((await getAs(`/api/v1/parts-requests?caseId=${caseId}`)).body.items).toEqual([]);
    expect((await post(stack.app, `/api/v1/cases/${caseId}/parts-ready`, {})).status).toBe(200);
    expect(await stageOf(caseId)).toBe('diagnosed');
  });
});

describe('the ledger', () => {
  /** `count` open single-line requests of one unit of `partNumber` on a new case; their ids. */
  async function openRequests(partNumber: string, count: number, label: string) {
    const body = intakeBody();
    const caseId = (await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } }))
      .body.id;
    const ids = Array.from({ length: count }, (_, i) => `PR-${caseId}-${label}-${i}`);
    for (const id of ids) {
      await stack.db.db.execute(sql`
        insert into parts_requests (id, case_id, workflow_id, status, requested_by) values (${id}, ${caseId}, ${id}, 'open', 't')`);
      await stack.db.db.execute(sql`
        insert into parts_request_lines (request_id, line_no, part_number, quantity) values (${id}, 1, ${partNumber}, 1)`);
    }
    return ids;
  }
  async function balanceOf(partNumber: string) {
    const rows = await stack.db.db.execute<{ warehouse_id: string; on_hand: number; reserved: number }>(
      sql`select warehouse_id, on_hand, reserved from stock_balances where part_number = ${partNumber} order by warehouse_id`,
    );
    return rows.map((r) => ({ ...r }));
  }

  it('20 parallel reservations of the last 10 units: exactly 10 succeed and the ledger balances', async () => {
    const p = await part([[CENTRAL, 10]]);
    const ids = await openRequests(p, 20, 'race');
    // Twenty database handles, as if twenty worker processes: each reservation is its own transaction
    // and they really run at once, racing for the balance row.
    const handles = ids.map(() => connectDb(inject('databaseUrl'), { max: 1 }));
    try {
      const results = await Promise.all(
        ids.map((requestId, i) => reserveForRequest(handles[i]!.db, { requestId, step: 'race', actor: 't' })),
      );
      expect(results.filter((r) => r[0]!.reserved === 1)).toHaveLength(10);
      expect(results.filter((r) => r[0]!.reserved === 0)).toHaveLength(10);
      // A retried step reserves nothing twice.
      await reserveForRequest(handles[0]!.db, { requestId: ids[0]!, step: 'race', actor: 't' });
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
    expect(await balanceOf(p)).toEqual([{ warehouse_id: CENTRAL, on_hand: 10, reserved: 10 }]);
    expect(await ledgerBalances(p)).toBe(true);
    // The database itself refuses a reservation beyond what is on hand, whatever the code does.
    await expect(
      stack.db.db.execute(sql`update stock_balances set reserved = reserved + 1 where part_number = ${p}`),
    ).rejects.toThrow();
    await expect(
      stack.db.db.execute(sql`delete from stock_movements where part_number = ${p}`),
    ).rejects.toThrow();
  });

  it('reservations sharing one commit: the last units go in arrival order, each request answered alone', async () => {
    const p = await part([
      [CENTRAL, 2],
      [VAN, 1],
    ]);
    const ids = await openRequests(p, 6, 'batch');
    // One handle, as one worker: the reservations arriving together go in one batch.
    const one = connectDb(inject('databaseUrl'), { max: 2 });
    try {
      const results = await Promise.all(
        ids.map((requestId) => reserveForRequest(one.db, { requestId, step: 'batch', actor: 't' })),
      );
      expect(results.map((r) => r.map((l) => l.reserved))).toEqual([[1], [1], [1], [0], [0], [0]]);
      // A reservation the database refuses (no actor) fails alone; the others arriving with it are
      // answered, the units it would have taken stay free.
      const q = await part([[CENTRAL, 3]]);
      const [a, b, c] = await openRequests(q, 3, 'refused');
      const mixed = await Promise.allSettled([
        reserveForRequest(one.db, { requestId: a!, step: 'mixed', actor: 't' }),
        reserveForRequest(one.db, { requestId: b!, step: 'mixed', actor: 't' }),
        reserveForRequest(one.db, { requestId: c!, step: 'mixed', actor: null as unknown as string }),
        reserveForRequest(one.db, { requestId: `PR-${tag}-nowhere`, step: 'mixed', actor: 't' }),
      ]);
      expect(mixed.map((m) => m.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
      expect(await balanceOf(q)).toEqual([{ warehouse_id: CENTRAL, on_hand: 3, reserved: 2 }]);
      expect(await ledgerBalances(q)).toBe(true);
    } finally {
      await one.close();
    }
    const reservations = await stack.db.db.execute<{ request_id: string; warehouse_id: string }>(sql`
      select request_id, warehouse_id from stock_reservations where part_number = ${p} order by request_id`);
    // The van (priority 1) is nearest: the first request to arrive takes its unit.
    expect(reservations.map((r) => [r.request_id, r.warehouse_id])).toEqual([
      [ids[0], VAN],
      [ids[1], CENTRAL],
      [ids[2], CENTRAL],
    ]);
    expect(await balanceOf(p)).toEqual(
      [
        { warehouse_id: CENTRAL, on_hand: 2, reserved: 2 },
        { warehouse_id: VAN, on_hand: 1, reserved: 1 },
      ].sort((a, b) => a.warehouse_id.localeCompare(b.warehouse_id)),
    );
    expect(await ledgerBalances(p)).toBe(true);
  });

  it('one part on two lines of a request: each line takes its own units, nearest first', async () => {
    const p = await part([
      [CENTRAL, 2],
      [VAN, 1],
    ]);
    const [id] = await openRequests(p, 1, 'twice');
    await stack.db.db.execute(sql`
      insert into parts_request_lines (request_id, line_no, part_number, quantity) values (${id}, 2, ${p}, 3)`);
    const lines = await reserveForRequest(stack.db.db, { requestId: id!, step: 'twice', actor: 't' });
    expect(lines.map((l) => [l.lineNo, l.quantity, l.reserved])).toEqual([
      [1, 1, 1],
      [2, 3, 2],
    ]);
    const reservations = await stack.db.db.execute<{
      line_no: number;
      warehouse_id: string;
      quantity: number;
    }>(
      sql`select line_no, warehouse_id, quantity from stock_reservations where request_id = ${id} order by line_no, warehouse_id`,
    );
    expect(reservations.map((r) => [r.line_no, r.warehouse_id, r.quantity])).toEqual([
      [1, VAN, 1],
      [2, CENTRAL, 2],
    ]);
    expect(await ledgerBalances(p)).toBe(true);
  });

  it('the reorder run proposes a purchase for a part below its reorder point, once', async () => {
    const p = await part([[CENTRAL, 1]], { reorderPoint: 3, reorderQuantity: 20 });
    const s = await supplier([p]);
    const run = () =>
      stack.client.workflow.execute('partsReorder', {
        taskQueue: stack.taskQueue,
        workflowId: fresh('reorder'),
        args: [],
      });
    await run();
    await run();
    const list = (await getAs('/api/v1/purchases?status=quoting&limit=200')).body.items.filter(
      (x: { partNumber: string }) => x.partNumber === p,
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ origin: 'reorder', quantity: 20, rfqs: [s] });
  });
});

describe('reorder purchase orders', () => {
  /** A reorder purchase (no case) for a fresh part, quoted with `leadTime` and awarded: its placed order. */
  async function reorderOrder(leadTime: string) {
    const p = await part([], { reorderPoint: 1, reorderQuantity: 4 });
    const s = await supplier([p]);
    await stack.client.workflow.execute('partsReorder', {
      taskQueue: stack.taskQueue,
      workflowId: fresh('reorder'),
      args: [],
    });
    const purchase = (await getAs('/api/v1/purchases?status=quoting&limit=200')).body.items.find(
      (x: { partNumber: string }) => x.partNumber === p,
    );
    expect(purchase).toMatchObject({ origin: 'reorder', quantity: 4 });
    await quote(purchase.id, s, 10, leadTime);
    const order = (await postAs(`/api/v1/purchases/${purchase.id}/award`, {})).body;
    expect(order).toMatchObject({ status: 'placed', quantity: 4 });
    return order as { id: string; expectedAt: string };
  }
  const watchOf = (orderId: string) => stack.client.workflow.getHandle(`purchase-order-watch-${orderId}`);

  it('not delivered by its promised date: escalates to the people of procurement, with no case', async () => {
    const buyer = fresh('buyer');
    expect(
      (
        await call(stack.app, 'PUT', `/api/v1/people/${buyer}`, {
          payload: { name: '孙采购', roles: ['procurement'] },
        })
      ).status,
    ).toBe(201);
    const order = await reorderOrder('1s');
    const late = await waitFor(async () => {
      const o = (await getAs(`/api/v1/purchase-orders/${order.id}`)).body;
      return o.escalations.length === 2 && o;
    });
    expect(late.escalations.map((e: { level: number; recipient: string }) => [e.level, e.recipient])).toEqual(
      [
        [1, 'procurement'],
        [2, 'service-manager'],
      ],
    );
    expect(Date.parse(late.escalations[0].firedAt)).toBeGreaterThanOrEqual(Date.parse(late.expectedAt));
    // The notification is about the order alone, and its delivery workflow reaches a procurement person.
    const delivered = await eventually(async () => {
      const r = await getAs(`/api/v1/notifications?purchaseOrderId=${order.id}&personId=${buyer}`);
      const d = r.body.items?.[0];
      return d?.status === 'delivered' && d;
    });
    expect(delivered).toMatchObject({
      kind: 'parts.purchase_order_late',
      caseId: null,
      purchaseOrderId: order.id,
      notificationKey: `parts:${order.id}:late:1`,
    });
    expect(delivered.reason).toContain('procurement');
    const inbox = await stack.db.db.execute<{ title: string }>(
      sql`select title from inbox_items where person_id = ${buyer} and kind = 'parts.purchase_order_late'`,
    );
    expect(inbox.map((i) => i.title)).toEqual([`【采购逾期】采购订单 ${order.id} 未按期到货`]);
    // The subscription to parts.purchase_order_late alone hears of both levels, without a case.
    const hooks = await eventually(async () => {
      const mine = receivedLate.filter((e) => e.data.purchaseOrderId === order.id);
      return mine.length === 2 && mine;
    });
    expect(hooks.map((e) => [e.type, e.caseId, e.data.level, e.data.recipient])).toEqual([
      ['parts.purchase_order_late', null, 1, 'procurement'],
      ['parts.purchase_order_late', null, 2, 'service-manager'],
    ]);
    for (const e of hooks) expect(checkBody(e)).toBeNull();
    // Delivered at last: the watch ends, with the two escalations it made.
    expect((await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 4 })).status).toBe(200);
    const ended = await watchOf(order.id).result();
    expect(ended).toMatchObject({ ended: 'received' });
    expect(ended.escalations.map((e: { level: number }) => e.level)).toEqual([1, 2]);
  });

  it('delivered in time: the watch ends without escalating', async () => {
    const order = await reorderOrder('1h');
    expect((await watchOf(order.id).describe()).status.name).toBe('RUNNING');
    expect((await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 4 })).status).toBe(200);
    expect(await watchOf(order.id).result()).toEqual({
      purchaseOrderId: order.id,
      ended: 'received',
      escalations: [],
    });
    expect((await getAs(`/api/v1/purchase-orders/${order.id}`)).body.escalations).toEqual([]);
    const notified = await stack.db.db.execute(
      sql`select 1 from notifications where purchase_order_id = ${order.id}`,
    );
    expect(notified).toHaveLength(0);
  });
});

describe('webhooks', () => {
  it('parts.* events are listed types with exact bodies; an unlisted parts type cannot be subscribed to', async () => {
    // Every body the parts.* subscription received from the tests above matches its type's schema.
    const listed = [
      'parts.request_opened',
      'parts.reserved',
      'parts.purchase_opened',
      'parts.reorder_proposed',
      'parts.quote_received',
      'parts.approval_requested',
      'parts.purchase_order_placed',
      'parts.purchase_order_late',
      'parts.delivery_received',
      'parts.inspected',
      'parts.inspection_failed',
      'parts.request_cancelled',
      'parts.issued',
    ];
    // Deliveries are asynchronous: the last test's may still be on their way (under a full suite's load
    // that has taken more than 20 s). A miss names the types that never arrived.
    const missing = () => listed.filter((t) => !received.some((e) => e.type === t));
    await eventually(async () => missing().length === 0, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; never received: ${missing().join(', ')}`);
    });
    expect(received.map(checkBody).filter((v) => v !== null)).toEqual([]);
    // Only late orders reached the subscription that names that type alone.
    expect(receivedLate.length).toBeGreaterThan(0);
    expect(receivedLate.every((e) => e.type === 'parts.purchase_order_late')).toBe(true);
    const unlisted = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.admin,
      payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['parts.shipped'] },
    });
    expect(unlisted.status).toBe(422);
    expect(unlisted.body.detail).toContain('parts.shipped');
  });
});

describe('bad input', () => {
  it('answers 4xx problems naming the problem, and writes nothing', async () => {
    const p = await part([[CENTRAL, 2]]);
    const problem = (r: { status: number; headers: Record<string, unknown> }, status: number) => {
      expect(r.status).toBe(status);
      expect(String(r.headers['content-type'])).toContain('application/problem+json');
    };
    const unknown = await postAs('/api/v1/stock/movements', {
      kind: 'receive',
      partNumber: 'NO-SUCH-PART',
      warehouseId: CENTRAL,
      quantity: 1,
      unitCost: 1,
    });
    problem(unknown, 422);
    expect(unknown.body.detail).toContain('NO-SUCH-PART');
    problem(
      await postAs('/api/v1/stock/movements', {
        kind: 'receive',
        partNumber: p,
        warehouseId: CENTRAL,
        quantity: 0,
        unitCost: 1,
      }),
      400,
    );
    problem(
      await postAs('/api/v1/stock/movements', {
        kind: 'receive',
        partNumber: p,
        warehouseId: CENTRAL,
        quantity: -1,
        unitCost: 1,
      }),
      400,
    );
    problem(
      await postAs('/api/v1/stock/movements', {
        kind: 'adjust',
        partNumber: p,
        warehouseId: CENTRAL,
        quantity: 1,
      }),
      422,
    );
    const tooMuch = await postAs('/api/v1/stock/movements', {
      kind: 'adjust',
      direction: 'out',
      reason: '盘亏',
      partNumber: p,
      warehouseId: CENTRAL,
      quantity: 3,
    });
    problem(tooMuch, 409);
    problem(
      await postAs(
        '/api/v1/stock/movements',
        { kind: 'receive', partNumber: p, warehouseId: CENTRAL, quantity: 1, unitCost: 1 },
        as('engineer'),
      ),
      403,
    );
    problem(
      await put('/api/v1/suppliers/S-bad', {
        name: 'x',
        parts: [{ partNumber: 'NO-SUCH-PART', price: 1, leadTimeDays: 1 }],
      }),
      422,
    );
    expect((await getAs('/api/v1/suppliers/S-bad')).status).toBe(404);
    // A diagnosis with a zero quantity never reaches the case.
    const body = intakeBody();
    const caseId = (await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } }))
      .body.id;
    await post(stack.app, `/api/v1/cases/${caseId}/assign`, { engineer: 'eng-1' });
    problem(
      await post(stack.app, `/api/v1/cases/${caseId}/diagnose`, {
        cause: 'c',
        plan: 'p',
        complexity: 'ordinary',
        parts: [{ partNumber: p, quantity: 0 }],
      }),
      400,
    );

    const s = await supplier([p]);
    const caseWithPurchase = await diagnosed([{ partNumber: p, quantity: 5 }]);
    const purchase = await purchaseOf((await requestOf(caseWithPurchase)).id);
    problem(await postAs(`/api/v1/purchases/${purchase.id}/award`, {}), 409); // no quote yet
    problem(
      await postAs(`/api/v1/purchases/${purchase.id}/quotes`, {
        supplierId: 'NOBODY',
        unitPrice: 1,
        leadTime: '1h',
        validUntil: new Date(Date.now() + 60_000).toISOString(),
      }),
      409,
    );
    problem(
      await postAs(`/api/v1/purchases/${purchase.id}/quotes`, {
        supplierId: s,
        unitPrice: 1,
        leadTime: 'soon',
        validUntil: new Date().toISOString(),
      }),
      400,
    );
    await quote(purchase.id, s, 1);
    const order = (await postAs(`/api/v1/purchases/${purchase.id}/award`, {})).body;
    problem(
      await postAs(`/api/v1/purchase-orders/${order.id}/approval`, { approve: true }, as('manager')),
      409,
    ); // never needed one
    const more = await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 4 });
    problem(more, 422);
    expect(more.body.detail).toContain('exceed');
    expect((await getAs(`/api/v1/purchase-orders/${order.id}`)).body.receivedQuantity).toBe(0);
    problem(await postAs('/api/v1/receipts/999999999/inspection', { passed: true }), 404);
    const receipt = (await postAs(`/api/v1/purchase-orders/${order.id}/receipts`, { quantity: 3 })).body
      .receipts[0];
    expect((await postAs(`/api/v1/receipts/${receipt.id}/inspection`, { passed: true })).status).toBe(200);
    problem(await postAs(`/api/v1/receipts/${receipt.id}/inspection`, { passed: true }), 409);
    problem(await getAs('/api/v1/purchases/PU9999999'), 404);
    problem(await getAs('/api/v1/parts-requests/PR-nothing'), 404);
    problem(await getAs('/api/v1/parts?cursor=garbage'), 400);
  });
});
