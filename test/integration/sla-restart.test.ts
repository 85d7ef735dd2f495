// Escalations that fall due while no worker runs are not lost: they fire when a worker comes back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { escalationsOf, fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { eventually, get, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 60_000, surveyExpiryMs: 60_000 });
});
afterAll(() => stack?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
it('escalations due while no worker runs all fire when a worker comes back', async () => {
  const line = await fastPolicy(stack, {
    targets: { response: { normal: seconds(2), emergency: seconds(2) } },
  });
  const created = await openSlaCase(stack, line);
  // Let the case start, then take the worker away for longer than the whole escalation ladder.
  await eventually(
    async () => (await get(stack.app, `/api/v1/cases/${created.id}`)).body.timeline.length >= 1,
  );
  await stack.stopWorker();
  await sleep(4_000);
  expect(await escalationsOf(stack, created.id)).toEqual([]);
  await stack.startWorker();
  const fired = await eventually(async () => {
    const rows = await escalationsOf(stack, created.id, 'response');
    return rows.length === 3 ? rows : undefined;
  });
  expect(fired.map((e) => e.level)).toEqual([1, 2, 3]);
});
