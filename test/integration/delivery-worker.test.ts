// Deliveries have a task queue of their own (workflows/task-queues.ts), so that a worker process of lower
// CPU priority can send mail and webhooks while the case workers keep the SLA timers punctual. Here the
// worker is split as npm start and production run it: one ShouhouWorker serving only the cases' queue,
// one only the deliveries'. What the case worker cannot do — it does not poll the deliveries' queue —
// must then be done by the delivery worker: an escalation's e-mail arrives, a webhook reaches its
// receiver, and both dispatchers' histories show their activities scheduled on the deliveries' queue.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { temporal } from '@temporalio/proto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatcherWorkflowId } from '../../activities/webhook-outbox.js';
import { deliveriesTaskQueue } from '../../workflows/task-queues.js';
import { startSmtp } from '../support/receivers.js';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { call, eventually, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let hook: Server;
const hookBodies: string[] = [];
const subscriptions: string[] = [];
const engineer = `deliveries-eng-${process.pid}`;
const address = `${engineer}@example.test`;

beforeAll(async () => {
  smtp = await startSmtp();
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hookBodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  stack = await startStack({
    workerRoles: ['cases', 'deliveries'],
    notifications: { smtp: { url: smtp.url, from: '售后服务 <aftersales@example.test>' } },
  });
  const put = await call(stack.app, 'PUT', `/api/v1/people/${engineer}`, {
    payload: {
      name: '冯工',
      roles: ['engineer'],
      email: address,
      preferences: { channels: { default: ['email'] } },
    },
  });
  expect(put.status).toBe(201);
});
afterAll(async () => {
  for (const id of subscriptions)
    await call(stack.app, 'DELETE', `/api/v1/webhooks/${id}`, { key: stack.keys.admin });
  await stack?.close();
  await smtp?.close();
  await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
});

/**
 * The task queues a workflow's history scheduled its activities on. With RECORD_HISTORIES=1 the history
 * is also kept under `record` for replay.test.ts.
 */
async function activityQueues(workflowId: string, record?: string): Promise<string[]> {
  const history = temporal.api.history.v1.History.fromObject(
    await stack.client.workflow.getHandle(workflowId).fetchHistory(),
  );
  if (record && process.env.RECORD_HISTORIES === '1')
    writeFileSync(
      new URL(`../replay/histories/${record}.history.bin`, import.meta.url),
      temporal.api.history.v1.History.encode(history).finish(),
    );
  return history.events
    .filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    .map((e) => e.activityTaskScheduledEventAttributes?.taskQueue?.name ?? '');
}

describe('a worker split into cases and deliveries', () => {
  it("an escalation's e-mail is sent by the delivery worker, from the deliveries' task queue", async () => {
    const line = await fastPolicy(stack, {
      targets: { repair: { ordinary: seconds(3), complex: seconds(3) } },
    });
    const created = await openSlaCase(stack, line);
    const assigned = await call(stack.app, 'POST', `/api/v1/cases/${created.id}/assign`, {
      payload: { engineer },
    });
    expect(assigned.status).toBe(200);
    // The repair clock's warning goes to the assignee, by e-mail as the person prefers.
    const mail = await eventually(async () =>
      smtp.mails.find(
        (m) =>
          m.to.includes(address) &&
          m.raw.includes(`X-Shouhou-Kind: sla.warning`) &&
          m.raw.includes(created.id),
      ),
    );
    expect(mail.subject).toContain(created.id);
    const [row] = await stack.db.db.execute<{ dispatcher: string }>(
      sql`select dispatcher from notifications where case_id = ${created.id} and kind = 'sla.warning'`,
    );
    expect(row?.dispatcher).toMatch(new RegExp(`^${stack.taskQueue}:\\d+$`));
    const queues = await activityQueues(`notification-dispatch-${row!.dispatcher}`);
    expect(queues.length).toBeGreaterThan(0);
    expect(new Set(queues)).toEqual(new Set([deliveriesTaskQueue(stack.taskQueue)]));
  });

  it("a webhook is posted by the delivery worker, from the deliveries' task queue", async () => {
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const res = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.admin,
      payload: { url, eventTypes: ['case.created'], active: true, description: 'delivery worker test' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    subscriptions.push(res.body.id);
    const line = await fastPolicy(stack);
    const created = await openSlaCase(stack, line);
    await eventually(async () =>
      hookBodies.find((b) => b.includes(created.id) && b.includes('case.created')),
    );
    const queues = await activityQueues(
      dispatcherWorkflowId(res.body.id),
      'webhook-dispatcher-deliveries-queue',
    );
    expect(queues.length).toBeGreaterThan(0);
    expect(new Set(queues)).toEqual(new Set([deliveriesTaskQueue(stack.taskQueue)]));
  });
});
