// A complaint survives a worker restart (steps sent while no worker runs are applied, timers that fell
// due meanwhile fire) and keeps its history bounded by continuing as new with its state.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  complaintEscalations,
  complaintStep,
  declarePeople,
  fastComplaintPolicy,
  openComplaint,
} from '../support/complaints.js';
import { seconds } from '../support/sla.js';
import { eventually, get, type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  // A tiny history limit: the complaint continues as new after a few steps.
  stack = await startStack({ complaints: { historyLimit: 60 } });
  await declarePeople(stack, { 'prod-k': ['production'] });
});
afterAll(() => stack?.close());

const step = (id: string, name: string, body: Record<string, unknown>) =>
  complaintStep(stack, id, name, body);
type Live = { seq: number; stage: string; runs: number; findings: unknown[] };

it('survives a worker stop and restart mid-complaint, and continues as new with its state', {
  timeout: 240_000,
}, async () => {
  const line = await fastComplaintPolicy(stack);
  const c = await openComplaint(stack, line);
  await step(c.id, 'acknowledge', { message: '已受理', channel: 'phone' });
  await step(c.id, 'record-finding', { text: '第一次调查' });
  const added = await step(c.id, 'add-action', {
    description: '更换',
    type: 'immediate',
    responsible: 'prod-k',
    within: seconds(2),
  });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
  const actionClock = added.body.clocks.find((k: { name: string }) => k.name === 'action:A1');
  const lastStepDue = Date.parse(actionClock.steps.at(-1).dueAt);

  await stack.stopWorker();
  // Nobody is polling: the step waits, and every step of the action's clock falls due with no worker.
  const pending = step(c.id, 'progress-update', { message: '仍在处理', channel: 'phone' });
  await eventually(async () => Date.now() > lastStepDue);
  await stack.startWorker();
  const applied = await pending;
  expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  const fired = await waitFor(async () => {
    const rows = await complaintEscalations(stack, c.id, 'action:A1');
    return rows.length === 3 ? rows : undefined;
  });
  expect(fired.map((e) => e.level)).toEqual([1, 2, 3]);

  // Enough further steps to pass the history limit several times over.
  for (let i = 0; i < 8; i++) {
    const r = await step(c.id, 'record-finding', { text: `补充调查 ${i}` });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const handle = stack.client.workflow.getHandle(`complaint-${c.id}`);
  const live = await handle.query<Live>('state');
  expect(live.runs).toBeGreaterThan(1);
  expect(live.findings).toHaveLength(9);
  await step(c.id, 'complete-action', { actionId: 'A1', result: '已更换' });
  await step(c.id, 'answer', { answer: '已处理', channel: 'phone' });
  const accepted = await step(c.id, 'customer-response', { accepted: true });
  expect(accepted.body.stage).toBe('verifying');
  await step(c.id, 'effectiveness-check', { effective: true, note: '有效' });

  const { body } = await get(stack.app, `/api/v1/complaints/${c.id}`);
  expect(body.stage).toBe('closed');
  expect(body.timeline.map((e: { seq: number }) => e.seq)).toEqual(
    body.timeline.map((_: unknown, i: number) => i + 1),
  );
  const final = await handle.query<Live>('state');
  expect(final.seq).toBe(body.timeline.length);
});
