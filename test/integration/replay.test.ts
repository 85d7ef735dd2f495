// Replay of recorded case histories against today's workflow code: a change that would break cases
// already running in production fails here (use patched() for such changes, then record anew). Every
// run also drives a full case and replays its fresh history; to keep that history as a recording:
// RECORD_HISTORIES=1 RECORD_HISTORIES_NAME=<name> npx vitest run test/integration/replay.test.ts
// (binary protobuf files; keep the old ones — they are the cases already running).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AesGcmPayloadCodec, parsePayloadKeys } from '../../codec/payload-codec.js';
import { RECORDING_PAYLOAD_KEYS } from '../support/payload-keys.js';
import { fastPolicy, seconds } from '../support/sla.js';
import { eventually, get, intakeBody, post, repairReport, type Stack, startStack } from '../support/stack.js';

const dir = new URL('../replay/histories/', import.meta.url).pathname;
const recording = process.env.RECORD_HISTORIES === '1';
const recordingCodec = new AesGcmPayloadCodec(parsePayloadKeys(RECORDING_PAYLOAD_KEYS));

describe('a full case', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ surveyDelayMs: 500, surveyExpiryMs: 1_000, engineers: ['eng-1'] });
  });
  afterAll(() => stack?.close());

  it('with a dispute, a wait, parts, escalations and an expired survey replays its own history', async () => {
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(1), emergency: seconds(1) } },
    });
    const body = intakeBody();
    const id = (await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } })).body
      .id;
    await eventually(async () => (await get(stack.app, `/api/v1/cases/${id}`)).body.escalations.length === 3);
    const step = async (name: string, b: Record<string, unknown>) =>
      expect((await post(stack.app, `/api/v1/cases/${id}/${name}`, b)).status).toBe(200);
    await step('assign', { engineer: 'eng-1' });
    await step('wait-for-customer', { reason: '等待客户' });
    await step('messages', { kind: 'customer_reply', channel: 'phone' });
    await step('diagnose', {
      cause: 'c',
      plan: 'p',
      complexity: 'complex',
      parts: [{ partNumber: 'P', quantity: 1 }],
    });
    await step('parts-ready', {});
    await step('schedule', { mode: 'onsite', agreedAt: new Date().toISOString() });
    await step('check-in', {});
    const report = repairReport;
    await step('complete-repair', report);
    await step('customer-feedback', { accepted: false });
    await step('diagnose', { cause: 'c2', plan: 'p2', complexity: 'ordinary', parts: [] });
    await step('schedule', { mode: 'carry_in', agreedAt: new Date().toISOString() });
    await step('check-in', {});
    await step('complete-repair', report);
    await step('customer-feedback', { accepted: true });
    const handle = stack.client.workflow.getHandle(`case-${id}`);
    await handle.result();
    const history = temporal.api.history.v1.History.fromObject(await handle.fetchHistory());
    const types = history.events.map((e) => e.eventType);
    expect(types).toContain(temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED);
    expect(types.at(-1)).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    // The fresh history is encrypted: replay decrypts it with the run's key.
    await Worker.runReplayHistory(
      {
        workflowBundle: { codePath: inject('workflowBundlePath') },
        dataConverter: { payloadCodecs: [stack.payloadCodec] },
      },
      history,
      `replay-fresh-${id}`,
    );
    if (recording) {
      writeFileSync(
        join(dir, `${process.env.RECORD_HISTORIES_NAME ?? 'service-case-full'}.history.bin`),
        temporal.api.history.v1.History.encode(history).finish(),
      );
    }
  });
});

describe('replaying recorded histories', () => {
  it('today’s workflow code replays every recorded history without a determinism error', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.history.bin'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history = temporal.api.history.v1.History.decode(readFileSync(join(dir, file)));
      expect(history.events.length).toBeGreaterThan(5);
      // Histories recorded before payload encryption hold plain payloads, which the codec passes through;
      // later ones are encrypted under the recording key (RECORD_HISTORIES=1 runs use it).
      await Worker.runReplayHistory(
        {
          workflowBundle: { codePath: inject('workflowBundlePath') },
          dataConverter: { payloadCodecs: [recordingCodec] },
        },
        history,
        `replay-${file}`,
      );
    }
  });
});
