// Outbound webhooks end to end: transitions write events through the outbox, per-subscription
// dispatcher workflows POST them (signed) to a real HTTP receiver on 127.0.0.1, retry with backoff
// while it is down, and keep them in order per case. Plus the subscription API and its delivery log.
//
// The database is shared with the other test files running in parallel, so subscriptions here also
// receive their cases' events: every assertion looks at the events of this file's own cases.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectCase } from '../../activities/case-projection.js';
import { dispatcherWorkflowId, wakeDispatchers, writeWebhookEvent } from '../../activities/webhook-outbox.js';
import { hashSecret, newKey } from '../../api/auth/keys.js';
import { apiKeys, webhookSubscriptions } from '../../db/schema.js';
import type { CaseState } from '../../domain/case.js';
import { webhookDispatcher } from '../../workflows/webhook-dispatcher.js';
import { webhookBodyCheck } from '../support/contract.js';
import { fastPolicy, seconds } from '../support/sla.js';
import {
  call,
  eventually,
  get,
  intakeBody,
  post,
  type Stack,
  startStack,
  waitFor,
} from '../support/stack.js';

type Mode = 'ok' | 'unavailable' | 'reset';
// biome-ignore lint/suspicious/noExplicitAny: webhook bodies are read loosely
type Body = any;
interface Hit {
  deliveryId: string;
  event: string;
  body: Body;
}

/** A webhook receiver that checks signatures and records what it accepted. */
interface Receiver {
  url: string;
  mode: Mode;
  secret: string;
  accepted: Hit[];
  refused: number;
  badSignatures: string[];
  /** While set, accepted requests get their answer only once it resolves. */
  hold?: Promise<void>;
  close(): Promise<void>;
}

const TOLERANCE_S = 300;

function verify(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  raw: string,
): string | null {
  const sig = String(headers['shouhou-signature'] ?? '');
  const ts = String(headers['shouhou-timestamp'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
  if (!m) return `malformed signature "${sig}"`;
  if (m[1] !== ts) return 'timestamp header and signature disagree';
  if (Math.abs(Date.now() / 1000 - Number(ts)) > TOLERANCE_S) return 'stale timestamp';
  const expected = createHmac('sha256', secret).update(`${ts}.${raw}`).digest();
  const given = Buffer.from(m[2], 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  if (headers['content-type'] !== 'application/json') return `content-type ${headers['content-type']}`;
  return null;
}

async function startReceiver(): Promise<Receiver> {
  const r = { mode: 'ok', secret: '', accepted: [], refused: 0, badSignatures: [] } as unknown as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.mode === 'reset') {
        r.refused += 1;
        req.socket.destroy();
        return;
      }
      if (r.mode === 'unavailable' || !r.secret) {
        r.refused += 1;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      const problem = verify(r.secret, req.headers, raw);
      if (problem) {
        r.badSignatures.push(problem);
        res.writeHead(401).end(problem);
        return;
      }
      const body = JSON.parse(raw);
      const off = checkBody?.(body);
      if (off) badBodies.push(off);
      r.accepted.push({
        deliveryId: String(req.headers['shouhou-delivery']),
        event: String(req.headers['shouhou-event']),
        body,
      });
      const status = r.accepted.length % 2 ? 200 : 204;
      void (r.hold ?? Promise.resolve()).then(() => res.writeHead(status).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

/** Bodies that do not match the webhook schemas of the OpenAPI document (docs/webhooks.md). */
const badBodies: string[] = [];
let checkBody: ((body: { type?: string }) => string | null) | undefined;

let stack: Stack;
const receivers: Receiver[] = [];
const created: string[] = [];
beforeAll(async () => {
  checkBody = await webhookBodyCheck();
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    webhookRetryMaxIntervalMs: 1_000,
  });
});
afterAll(async () => {
  // Other test files share the database: stop feeding these subscriptions their cases.
  for (const id of created)
    await call(stack.app, 'DELETE', `/api/v1/webhooks/${id}`, { key: stack.keys.admin });
  await stack?.close();
  for (const r of receivers) await r.close();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

/** Subscribes `r` (created inactive, activated once the receiver knows the secret). */
async function subscribe(r: Receiver, eventTypes: string[], key = stack.keys.admin): Promise<string> {
  const res = await call(stack.app, 'POST', '/api/v1/webhooks', {
    key,
    payload: { url: r.url, eventTypes, active: false, description: 'test receiver' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  created.push(res.body.id);
  r.secret = res.body.secret;
  const on = await call(stack.app, 'PATCH', `/api/v1/webhooks/${res.body.id}`, {
    key,
    payload: { active: true },
  });
  expect(on.status).toBe(200);
  return res.body.id;
}

async function openCase(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await post(stack.app, '/api/v1/cases', intakeBody(extra));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

async function step(id: string, name: string, body: Record<string, unknown>) {
  const r = await post(stack.app, `/api/v1/cases/${id}/${name}`, body);
  expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
}

const walk = {
  assign: { engineer: 'test-engineer' },
  diagnose: { cause: '轴承磨损', plan: '更换轴承', complexity: 'ordinary', parts: [] },
  schedule: { mode: 'onsite', agreedAt: '2026-12-01T09:00:00+08:00' },
  'check-in': {},
  'complete-repair': {
    symptom: '异响',
    cause: '轴承磨损',
    actions: '更换轴承',
    partsReplaced: [],
    test: { passed: true },
    usageExplained: true,
  },
};

const of = (r: Receiver, caseId: string) => r.accepted.filter((h) => h.body.caseId === caseId);
const kinds = (hits: Hit[]) => hits.map((h) => `${h.body.data.seq}:${h.body.type}`);

describe('outbound webhooks', () => {
  it('tells the help desk when a case waits on the customer, when they answer and when someone tried to reach them', async () => {
    const r = await receiver();
    await subscribe(r, ['case.*']);
    const id = await openCase();
    await step(id, 'assign', walk.assign);
    await step(id, 'wait-for-customer', { reason: '请提供铭牌照片' });
    await step(id, 'messages', { kind: 'customer_reply', channel: 'email', message: '照片见附件' });
    await step(id, 'messages', { kind: 'contact_attempt', channel: 'phone', outcome: 'no_answer' });
    await step(id, 'wait-for-customer', { reason: '请确认上门时间' });
    await step(id, 'customer-responded', { note: '客户回电确认' });
    await step(id, 'cancel', { reason: '客户撤单' });

    const expected = [
      '1:case.created',
      '2:case.stage_changed',
      '3:case.waiting_for_customer',
      '4:case.customer_responded',
      '5:case.contact_attempted',
      '6:case.waiting_for_customer',
      '7:case.customer_responded',
      '8:case.stage_changed',
      '8:case.closed',
    ];
    const hits = await eventually(async () => of(r, id).length >= expected.length && of(r, id));
    expect(kinds(hits)).toEqual(expected);
    expect(hits[2].body.data).toMatchObject({ transition: 'waiting_for_customer', reason: '请提供铭牌照片' });
    expect(hits[2].body.case.waitingForCustomer).toBe(true);
    expect(hits[3].body.data).toMatchObject({
      transition: 'customer_replied',
      channel: 'email',
      message: '照片见附件',
    });
    expect(Date.parse(hits[3].body.data.contactedAt)).not.toBeNaN();
    expect(hits[3].body.case.waitingForCustomer).toBe(false);
    expect(hits[4].body.data).toMatchObject({ transition: 'contact_attempted', outcome: 'no_answer' });
    expect(hits[6].body.data).toMatchObject({ transition: 'customer_responded', note: '客户回电确认' });
    // The closing transition causes two events with one seq: each has its own id.
    expect(hits[7].body.id).not.toBe(hits[8].body.id);
    expect(badBodies).toEqual([]);
  }, 300_000); // eight steps in a row: slow on a loaded machine, not wrong

  it('delivers a case walked through its steps in order, signed, case.created exactly once', async () => {
    const r = await receiver();
    const sub = await subscribe(r, ['case.*']);
    const id = await openCase({ externalRef: { system: 'zendesk', id: `T-${Date.now()}` } });
    for (const name of ['assign', 'diagnose', 'schedule', 'check-in', 'complete-repair'] as const)
      await step(id, name, walk[name]);
    await step(id, 'cancel', { reason: '客户撤单' });

    const expected = [
      '1:case.created',
      '2:case.stage_changed',
      '3:case.stage_changed',
      '4:case.stage_changed',
      '5:case.stage_changed',
      '6:case.stage_changed',
      '7:case.stage_changed',
      '7:case.closed',
    ];
    const hits = await eventually(async () => of(r, id).length >= expected.length && of(r, id));
    expect(kinds(hits)).toEqual(expected);
    expect(r.badSignatures).toEqual([]);
    expect(badBodies).toEqual([]);
    for (const h of hits) {
      expect(h.event).toBe(h.body.type);
      expect(Number.isInteger(h.body.id)).toBe(true);
      expect(Date.parse(h.body.occurredAt)).not.toBeNaN();
    }
    expect(new Set(hits.map((h) => h.body.id)).size).toBe(hits.length);
    expect(hits.map((h) => [h.body.data.previousStage, h.body.data.stage])).toEqual([
      [null, 'intake'],
      ['intake', 'assigned'],
      ['assigned', 'diagnosed'],
      ['diagnosed', 'scheduled'],
      ['scheduled', 'in_repair'],
      ['in_repair', 'repaired'],
      ['repaired', 'cancelled'],
      ['repaired', 'cancelled'],
    ]);
    expect(hits[1].body.data).toMatchObject({ transition: 'assigned', actor: 'test-manager' });
    expect(hits[1].body.case).toMatchObject({
      id,
      stage: 'assigned',
      severity: 'normal',
      assignee: 'test-engineer',
    });
    expect(hits[7].body.case).toMatchObject({ stage: 'cancelled', outcome: 'cancelled' });
    expect(hits[0].body.case.externalRef).toMatchObject({ system: 'zendesk' });

    // The delivery log shows each delivered once.
    const log = await eventually(async () => {
      const res = await call(stack.app, 'GET', `/api/v1/webhooks/${sub}/deliveries?caseId=${id}`, {
        key: stack.keys.admin,
      });
      expect(res.status).toBe(200);
      return res.body.items.every((d: { status: string }) => d.status === 'delivered') && res.body.items;
    });
    expect(log).toHaveLength(expected.length);
    for (const d of log)
      expect(d).toMatchObject({ attempts: 1, lastStatusCode: expect.any(Number), lastError: null });

    // Projecting a transition again (a retried activity) adds no event and wakes nobody.
    const [row] = await stack.db.sql<{ state: CaseState }[]>`select state from cases where id = ${id}`;
    const [ev] = await stack.db.sql<
      {
        seq: number;
        type: string;
        from_stage: string;
        to_stage: string;
        actor: string;
        at: Date;
        data: object;
      }[]
    >`select * from case_events where case_id = ${id} and seq = 7`;
    // In the form workflows from before state patches send it: the whole state.
    const wake = await projectCase(stack.db.db, {
      state: row.state,
      event: {
        seq: ev.seq,
        type: ev.type,
        fromStage: ev.from_stage as never,
        toStage: ev.to_stage as never,
        actor: ev.actor,
        at: new Date(ev.at).toISOString(),
        data: ev.data as Record<string, unknown>,
      },
    });
    // Our subscription's deliveries are all done, so it is not woken. (An earlier test's subscription to
    // case.* hears this case too and is rightly woken while its own delivery of seq 7 is still pending.)
    expect(wake).not.toContain(sub);
    const [{ n }] = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from webhook_events where case_id = ${id}`;
    expect(n).toBe(expected.length);
  });

  it('a subscription to sla.* receives the warning, breach and escalation of a case, and nothing else', async () => {
    const r = await receiver();
    await subscribe(r, ['sla.*']);
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(3), emergency: seconds(3) } },
    });
    const base = intakeBody();
    const id = await openCase({ product: { ...base.product, line } });

    const hits = await eventually(async () => of(r, id).length >= 3 && of(r, id));
    await new Promise((res) => setTimeout(res, 1_000));
    expect(of(r, id).map((h) => h.body.type)).toEqual(['sla.warning', 'sla.breached', 'sla.escalated']);
    expect(hits.map((h) => h.body.data.level)).toEqual([1, 2, 3]);
    expect(hits.map((h) => h.body.data.recipient)).toEqual([
      'service-desk',
      'service-manager',
      'upper-management',
    ]);
    for (const h of hits) {
      expect(h.body.data).toMatchObject({ clock: 'response', cycle: expect.any(Number), actor: 'system' });
      expect(Date.parse(h.body.data.firedAt)).toBeGreaterThanOrEqual(Date.parse(h.body.data.dueAt));
    }
    expect(r.accepted.every((h) => h.body.type.startsWith('sla.'))).toBe(true);
    expect(r.badSignatures).toEqual([]);
  });

  it('a receiver that is down gets every event once it is back, in order per case, without duplicates', async () => {
    const r = await receiver();
    r.mode = 'unavailable';
    const sub = await subscribe(r, ['case.created', 'case.stage_changed']);
    const a = await openCase();
    const b = await openCase();
    for (const name of ['assign', 'diagnose'] as const) {
      await step(a, name, walk[name]);
      await step(b, name, walk[name]);
    }
    // Retried with backoff while it answers 503…
    await eventually(async () => r.refused >= 3, 15_000);
    // …and while connections are cut.
    r.mode = 'reset';
    const refused = r.refused;
    await eventually(async () => r.refused >= refused + 2, 15_000);
    expect(r.accepted.filter((h) => h.body.caseId === a || h.body.caseId === b)).toEqual([]);

    r.mode = 'ok';
    const want = ['1:case.created', '2:case.stage_changed', '3:case.stage_changed'];
    await waitFor(async () => of(r, a).length >= 3 && of(r, b).length >= 3);
    expect(kinds(of(r, a))).toEqual(want);
    expect(kinds(of(r, b))).toEqual(want);
    const ids = r.accepted.map((h) => h.deliveryId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(r.accepted.map((h) => h.body.id)).size).toBe(ids.length);
    expect(r.badSignatures).toEqual([]);

    // The delivery log shows the failed attempts, then the success.
    const list = await call(stack.app, 'GET', `/api/v1/webhooks/${sub}/deliveries?limit=100`, {
      key: stack.keys.admin,
    });
    expect(list.status).toBe(200);
    const [retried] = await stack.db.sql<{ id: number }[]>`
      select id from webhook_deliveries where subscription_id = ${sub} and attempts > 1 order by id limit 1`;
    expect(retried).toBeDefined();
    const detail = await call(stack.app, 'GET', `/api/v1/webhooks/${sub}/deliveries/${retried.id}`, {
      key: stack.keys.admin,
    });
    expect(detail.status).toBe(200);
    const log = detail.body.attemptLog as { statusCode: number | null; error: string | null }[];
    expect(log.length).toBe(detail.body.attempts);
    expect(log.length).toBeGreaterThan(1);
    const last = log[log.length - 1];
    expect(last.error).toBeNull();
    expect(last.statusCode).toBeGreaterThanOrEqual(200);
    expect(log.slice(0, -1).every((x) => x.error !== null)).toBe(true);
    expect(log.some((x) => x.statusCode === 503 && x.error === 'HTTP 503')).toBe(true);
    expect(detail.body.payload).toMatchObject({ id: detail.body.eventId, type: detail.body.eventType });

    const pending = await call(
      stack.app,
      'GET',
      `/api/v1/webhooks/${sub}/deliveries?status=pending&caseId=${a}`,
      {
        key: stack.keys.admin,
      },
    );
    expect(pending.body.items).toEqual([]);
  });

  it('sends again a delivery whose redelivery was asked for while its first attempt was in flight', async () => {
    const r = await receiver();
    let answer = () => {};
    r.hold = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const sub = await subscribe(r, ['case.created']);
    const id = await openCase();
    // The receiver has the delivery but has not answered: the attempt is in flight.
    // Generous: in the full suite the dispatcher's first attempt waits behind every other file's workers.
    const [first] = await eventually(async () => of(r, id).length === 1 && of(r, id), 45_000);
    const key = stack.keys.admin;
    const url = `/api/v1/webhooks/${sub}/deliveries/${first.deliveryId}`;
    const res = await call(stack.app, 'POST', `${url}/redeliver`, { key });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    r.hold = undefined;
    answer();

    const again = await eventually(async () => of(r, id).length === 2 && of(r, id));
    expect(again[1].deliveryId).toBe(first.deliveryId);
    const detail = await eventually(async () => {
      const d = await call(stack.app, 'GET', url, { key });
      return d.body.status === 'delivered' && d.body.attempts === 2 && d;
    });
    expect(detail.body.attemptLog).toHaveLength(2);
  });

  it('redelivers a delivery on request, and pages the delivery log', async () => {
    const r = await receiver();
    const sub = await subscribe(r, ['case.created']);
    const id = await openCase();
    // Generous: in the full suite the dispatcher's first attempt waits behind every other file's workers.
    const [first] = await eventually(async () => of(r, id).length === 1 && of(r, id), 45_000);
    const key = stack.keys.admin;
    const deliveryId = first.deliveryId;
    await eventually(async () => {
      const d = await call(stack.app, 'GET', `/api/v1/webhooks/${sub}/deliveries/${deliveryId}`, { key });
      return d.body.status === 'delivered';
    });

    const res = await call(stack.app, 'POST', `/api/v1/webhooks/${sub}/deliveries/${deliveryId}/redeliver`, {
      key,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({
      id: Number(deliveryId),
      status: 'pending',
      eventType: 'case.created',
      caseId: id,
    });
    const again = await eventually(async () => of(r, id).length === 2 && of(r, id));
    expect(again[1].deliveryId).toBe(deliveryId);
    expect(again[1].body).toEqual(first.body);
    const detail = await eventually(async () => {
      const d = await call(stack.app, 'GET', `/api/v1/webhooks/${sub}/deliveries/${deliveryId}`, { key });
      return d.body.status === 'delivered' && d.body.attempts === 2 && d;
    });
    expect(detail.body.attemptLog).toHaveLength(2);

    expect(
      (await call(stack.app, 'POST', `/api/v1/webhooks/${sub}/deliveries/999999999/redeliver`, { key }))
        .status,
    ).toBe(404);

    // Pages of one, newest first.
    for (let i = 0; i < 3; i++) await openCase();
    await eventually(async () => r.accepted.length >= 5);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 3; page++) {
      const q: string = `/api/v1/webhooks/${sub}/deliveries?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const p = await call(stack.app, 'GET', q, { key });
      expect(p.status).toBe(200);
      expect(p.body.items).toHaveLength(1);
      seen.push(p.body.items[0].id);
      cursor = p.body.nextCursor;
      expect(cursor).toBeTruthy();
    }
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    const bad = await call(stack.app, 'GET', `/api/v1/webhooks/${sub}/deliveries?cursor=nonsense`, { key });
    expect(bad.status).toBe(400);
  });

  it('a deactivated subscription gets nothing and its dispatcher ends; reactivated, it resumes', async () => {
    const r = await receiver();
    const sub = await subscribe(r, ['case.created']);
    const key = stack.keys.admin;
    const off = await call(stack.app, 'PATCH', `/api/v1/webhooks/${sub}`, {
      key,
      payload: { active: false },
    });
    expect(off.body.active).toBe(false);
    const handle = stack.client.workflow.getHandle(dispatcherWorkflowId(sub));
    await eventually(async () => (await handle.describe()).status.name === 'COMPLETED');
    const id = await openCase();
    const redeliver = await call(stack.app, 'POST', `/api/v1/webhooks/${sub}/deliveries/1/redeliver`, {
      key,
    });
    expect(redeliver.status).toBe(409);
    await new Promise((res) => setTimeout(res, 1_000));
    expect(of(r, id)).toEqual([]);

    await call(stack.app, 'PATCH', `/api/v1/webhooks/${sub}`, { key, payload: { active: true } });
    const later = await openCase();
    await eventually(async () => of(r, later).length === 1);
    expect(of(r, id)).toEqual([]);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });

  it('the dispatcher sweeps up deliveries nobody woke it for, and keeps order across continue-as-new', async () => {
    // A type nothing emits, so only this test feeds the subscription (other files' flows emit every
    // listed type). The API accepts listed types only: the subscription is made for one, inactive, and
    // pointed at this type in the table.
    const type = 'test.dispatcher_sweep';
    const r = await receiver();
    const res = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.admin,
      payload: { url: r.url, eventTypes: ['case.created'], active: false },
    });
    const sub: string = res.body.id;
    created.push(sub);
    r.secret = res.body.secret;
    await stack.db.db
      .update(webhookSubscriptions)
      .set({ active: true, eventTypes: [type] })
      .where(eq(webhookSubscriptions.id, sub));
    const handle = await stack.client.workflow.start(webhookDispatcher, {
      workflowId: dispatcherWorkflowId(sub),
      taskQueue: stack.taskQueue,
      args: [{ subscriptionId: sub, retryMaxIntervalMs: 1_000, sweepIntervalMs: 1_500, iterationsPerRun: 2 }],
    });
    const write = (n: number) =>
      stack.db.db.transaction((tx) =>
        writeWebhookEvent(tx, {
          dedupeKey: `test:${sub}:${n}`,
          type,
          caseId: null,
          payload: {
            type,
            occurredAt: new Date().toISOString(),
            caseId: null,
            data: { n },
          },
        }),
      );

    // Once the dispatcher has looked and found nothing, a delivery nobody wakes it for is found by its sweep.
    await eventually(async () => {
      const history = await handle.fetchHistory();
      return history.events?.some((e) => e.activityTaskCompletedEventAttributes);
    });
    expect(await write(0)).toContain(sub);
    await eventually(async () => r.accepted.length === 1, 10_000);
    // Woken one by one, across several runs.
    for (let n = 1; n < 6; n++) {
      const wake = await write(n);
      expect(wake).toContain(sub);
      await wakeDispatchers({ temporal: stack.client, taskQueue: stack.taskQueue }, [sub]);
    }
    await eventually(async () => r.accepted.length === 6);
    expect(r.accepted.map((h) => h.body.data.n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.accepted.every((h) => h.event === type && h.body.caseId === null)).toBe(true);
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    // The same cause again adds nothing (and nothing is pending to wake for).
    expect(await write(3)).not.toContain(sub);
    const [{ n }] = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from webhook_deliveries where subscription_id = ${sub}`;
    expect(n).toBe(6);
  });

  it("a help desk's subscription hears only about the cases that desk opened", async () => {
    const r = await receiver();
    await subscribe(r, ['case.created'], stack.keys.helpdesk);
    const mine = (
      await post(stack.app, '/api/v1/cases', intakeBody(), { authorization: `Bearer ${stack.keys.helpdesk}` })
    ).body.id;
    const others = await openCase();
    await eventually(async () => of(r, mine).length === 1);
    // The manager's case was projected too; give a stray delivery time to arrive before asserting none did.
    await eventually(async () => (await get(stack.app, `/api/v1/cases/${others}`)).body.timeline.length >= 1);
    await new Promise((res) => setTimeout(res, 1_500));
    expect(of(r, others)).toEqual([]);
  });

  it('deleting a subscription removes it with its log and ends its dispatcher', async () => {
    const r = await receiver();
    const sub = await subscribe(r, ['*']);
    const key = stack.keys.admin;
    const del = await call(stack.app, 'DELETE', `/api/v1/webhooks/${sub}`, { key });
    expect(del.status).toBe(204);
    expect((await call(stack.app, 'GET', `/api/v1/webhooks/${sub}`, { key })).status).toBe(404);
    expect((await call(stack.app, 'DELETE', `/api/v1/webhooks/${sub}`, { key })).status).toBe(404);
    const handle = stack.client.workflow.getHandle(dispatcherWorkflowId(sub));
    await eventually(async () => (await handle.describe()).status.name === 'COMPLETED');
  });
});

describe('webhook subscription API', () => {
  const hook = 'http://127.0.0.1:9/hook';

  it('validates URLs and event types (422) and the request shape (400)', async () => {
    const key = stack.keys.helpdesk;
    const create = (payload: unknown) => call(stack.app, 'POST', '/api/v1/webhooks', { key, payload });
    for (const url of ['ftp://example.com/x', 'not a url', '/relative', 'https://user:pw@example.com/']) {
      const r = await create({ url, eventTypes: ['case.created'] });
      expect(r.status, url).toBe(422);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    for (const eventTypes of [[], ['case.nope'], ['case.created', 'sla'], ['billing.*'], ['*.*']]) {
      const r = await create({ url: hook, eventTypes });
      expect(r.status, JSON.stringify(eventTypes)).toBe(422);
    }
    expect((await create({ url: hook })).status).toBe(400);
    expect((await create({ url: hook, eventTypes: ['case.created'], extra: 1 })).status).toBe(400);
    expect((await create({ url: hook, eventTypes: ['case.created', 'case.created'] })).status).toBe(400);

    const ok = await create({
      url: hook,
      eventTypes: ['complaint.created', 'parts.*', 'case.closed'],
      active: false,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    created.push(ok.body.id);
    expect(ok.body).toMatchObject({
      url: hook,
      active: false,
      description: null,
      eventTypes: ['complaint.created', 'parts.*', 'case.closed'],
    });
    expect(ok.body.id).toMatch(/^wh_[0-9a-f]{16}$/);

    const id = ok.body.id;
    const shown = await call(stack.app, 'GET', `/api/v1/webhooks/${id}`, { key });
    expect(shown.status).toBe(200);
    expect(shown.body.secret).toBeUndefined();
    const patch = (payload: unknown) => call(stack.app, 'PATCH', `/api/v1/webhooks/${id}`, { key, payload });
    expect((await patch({})).status).toBe(400);
    expect((await patch({ eventTypes: ['nope'] })).status).toBe(422);
    expect((await patch({ url: 'mailto:x@example.com' })).status).toBe(422);
    const changed = await patch({
      eventTypes: ['sla.breached'],
      description: '经理告警',
      url: 'https://example.com/h',
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      eventTypes: ['sla.breached'],
      description: '经理告警',
      url: 'https://example.com/h',
    });

    expect((await call(stack.app, 'GET', '/api/v1/webhooks/wh_0000000000000000', { key })).status).toBe(404);
    expect((await call(stack.app, 'GET', '/api/v1/webhooks/nope', { key })).status).toBe(400);
    expect((await call(stack.app, 'GET', `/api/v1/webhooks/${id}/deliveries/12`, { key })).status).toBe(404);
    expect(
      (await call(stack.app, 'GET', `/api/v1/webhooks/${id}/deliveries?status=lost`, { key })).status,
    ).toBe(400);
  });

  it('a help desk key sees and manages only its own subscriptions; an admin sees all; others are refused', async () => {
    const other = newKey();
    await stack.db.db.insert(apiKeys).values({
      id: other.id,
      name: 'second help desk',
      role: 'helpdesk',
      secretHash: hashSecret(other.secret),
    });
    const mine = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.helpdesk,
      payload: { url: hook, eventTypes: ['case.*'], active: false },
    });
    expect(mine.status).toBe(201);
    created.push(mine.body.id);
    const theirs = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: other.key,
      payload: { url: hook, eventTypes: ['sla.*'], active: false },
    });
    expect(theirs.status).toBe(201);
    created.push(theirs.body.id);
    expect(theirs.body.ownerKeyId).toBe(other.id);

    const listed = await call(stack.app, 'GET', '/api/v1/webhooks', { key: other.key });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([theirs.body.id]);
    for (const [method, url] of [
      ['GET', `/api/v1/webhooks/${mine.body.id}`],
      ['PATCH', `/api/v1/webhooks/${mine.body.id}`],
      ['DELETE', `/api/v1/webhooks/${mine.body.id}`],
      ['GET', `/api/v1/webhooks/${mine.body.id}/deliveries`],
      ['POST', `/api/v1/webhooks/${mine.body.id}/deliveries/1/redeliver`],
    ] as const) {
      const r = await call(stack.app, method, url, {
        key: other.key,
        ...(method === 'PATCH' ? { payload: { active: true } } : {}),
      });
      expect(r.status, `${method} ${url}`).toBe(404);
    }
    const all = await call(stack.app, 'GET', '/api/v1/webhooks', { key: stack.keys.admin });
    const ids = all.body.items.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([mine.body.id, theirs.body.id]));
    expect(
      (await call(stack.app, 'GET', `/api/v1/webhooks/${theirs.body.id}`, { key: stack.keys.admin })).status,
    ).toBe(200);

    expect((await call(stack.app, 'GET', '/api/v1/webhooks', { key: stack.keys.specialist })).status).toBe(
      403,
    );
    expect((await call(stack.app, 'GET', '/api/v1/webhooks', { key: null })).status).toBe(401);
  });
});
