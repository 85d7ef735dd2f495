// Replay of complaint and quality-issue histories: every run drives a full complaint and a full quality
// issue and replays their fresh histories against today's workflow code; the recordings of both kinds
// under test/replay/histories/ are replayed by replay.test.ts. To record anew:
// RECORD_HISTORIES=1 RECORD_HISTORIES_NAME=<date-what> npx vitest run test/integration/replay-complaints.test.ts
// (writes complaint-<name> and quality-issue-<name>; keep the old ones — they are the complaints running).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { complaintStep, declarePeople, fastComplaintPolicy, openComplaint } from '../support/complaints.js';
import { seconds } from '../support/sla.js';
import { get, post, type Stack, startStack, waitFor } from '../support/stack.js';

const dir = new URL('../replay/histories/', import.meta.url).pathname;
const recording = process.env.RECORD_HISTORIES === '1';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  await declarePeople(stack, { 'qa-1': ['quality'], 'prod-1': ['production'], 'rnd-1': ['rnd'] });
});
afterAll(() => stack?.close());

async function replay(workflowId: string, name: string) {
  const handle = stack.client.workflow.getHandle(workflowId);
  await handle.result();
  const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
  expect(history.events.at(-1)?.eventType).toBe(
    temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  );
  // The fresh history is encrypted: replay decrypts it with the run's key.
  await Worker.runReplayHistory(
    {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: { payloadCodecs: [stack.payloadCodec] },
    },
    history,
    `replay-fresh-${workflowId}`,
  );
  if (recording)
    writeFileSync(
      join(dir, `${name}-${process.env.RECORD_HISTORIES_NAME ?? 'new'}.history.bin`),
      temporal.api.history.v1.History.encode(history).finish(),
    );
}

it('a full complaint (escalations, evidence, actions, a rejected answer) replays its own history', {
  timeout: 240_000,
}, async () => {
  const line = await fastComplaintPolicy(stack, {
    P2: { acknowledge: seconds(1), progressUpdate: seconds(1) },
  });
  const c = await openComplaint(stack, line);
  await waitFor(
    async () => (await get(stack.app, `/api/v1/complaints/${c.id}`)).body.escalations.length >= 3,
  );
  const step = async (name: string, b: Record<string, unknown>) => {
    const r = await complaintStep(stack, c.id, name, b);
    expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
  };
  await step('reclassify', { urgency: 'medium', importance: 'medium', reason: '影响有限' });
  await step('route', { department: 'quality', owner: 'qa-1', reason: '质量问题' });
  await step('acknowledge', { message: '已受理', channel: 'phone' });
  await step('record-finding', { text: '来料不良' });
  const ev = await post(stack.app, `/api/v1/complaints/${c.id}/evidence`, {
    fileName: 'report.txt',
    contentType: 'text/plain',
    contentBase64: Buffer.from('检测报告').toString('base64'),
  });
  expect(ev.status).toBe(201);
  await step('add-action', {
    description: '更换',
    type: 'corrective',
    responsible: 'prod-1',
    within: seconds(1),
  });
  await waitFor(async () =>
    (await get(stack.app, `/api/v1/complaints/${c.id}`)).body.escalations.some(
      (e: { clock: string }) => e.clock === 'action:A1',
    ),
  );
  await step('complete-action', { actionId: 'A1', result: 'done' });
  await step('progress-update', { message: '处理中', channel: 'email' });
  await step('answer', { answer: '已更换', channel: 'phone' });
  await step('customer-response', { accepted: false, comment: '不满意' });
  await step('answer', { answer: '再次处理', channel: 'phone' });
  await step('customer-response', { accepted: true });
  await step('effectiveness-check', { effective: true, note: '有效' });
  await replay(`complaint-${c.id}`, 'complaint');
});

it('a full quality issue (escalation, a failed verification) replays its own history', {
  timeout: 240_000,
}, async () => {
  const raised = await post(stack.app, '/api/v1/quality-issues', {
    source: 'complaint',
    title: 'replay',
    description: 'replay',
    model: 'HX-200',
    complaintIds: [(await openComplaint(stack)).id],
    targets: { analysis: seconds(1) },
  });
  expect(raised.status, JSON.stringify(raised.body)).toBe(201);
  const id = raised.body.id;
  await waitFor(
    async () => (await get(stack.app, `/api/v1/quality-issues/${id}`)).body.escalations.length === 3,
  );
  const step = async (name: string, b: Record<string, unknown>) => {
    const r = await post(stack.app, `/api/v1/quality-issues/${id}/${name}`, b);
    expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
  };
  await step('assign', { owner: 'rnd-1' });
  await step('analyze', { rootCause: 'r', affectedModels: ['HX-200'], batches: ['B1'], serialRanges: [] });
  await step('plan', { plan: 'p' });
  await step('production-change', { description: 'd', effectiveFrom: 'B2' });
  await step('verify', { effective: false, note: 'no' });
  await step('plan', { plan: 'p2' });
  await step('production-change', { description: 'd2', effectiveFrom: 'B3' });
  await step('verify', { effective: true, note: 'yes' });
  await replay(`quality-${id}`, 'quality-issue');
});
