// A timer runs from when the workflow task that sets it completes. The task that fires an escalation
// only records it and queues its notification; the notification is sent by its own delivery workflow.
// So a notification channel that hangs cannot hold the clock: the next step fires on time while the
// earlier step's notification is still stuck in the channel, and the re-armed timer is measured from
// when the recording finished.
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { workflowThreadStats } from '../../worker-threads.js';
import { escalationsOf, fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { eventually, type Stack, startStack } from '../support/stack.js';

const GAP_MS = 5_000;
let stack: Stack;
// The warning's channel answers only when the test lets it.
let release: () => void = () => {};
const held = new Promise<void>((resolve) => {
  release = resolve;
});
let warningsSent = 0;
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    beforeSend: async (n) => {
      if (n.kind !== 'sla.warning') return;
      await held;
      warningsSent += 1;
    },
  });
});
afterAll(async () => {
  release();
  await stack?.close();
});

const ms = (d: temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout']) =>
  Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);

it('a hanging notification channel does not hold the clock: the next step fires while it hangs', async () => {
  // Response target 20 s: warning at 15 s, breach at 20 s — 5 s apart.
  const line = await fastPolicy(stack, {
    targets: { response: { normal: seconds(20), emergency: seconds(20) } },
  });
  const created = await openSlaCase(stack, line);
  const fired = await eventually(async () => {
    const rows = await escalationsOf(stack, created.id, 'response');
    return rows.length >= 2 ? rows : undefined;
  }, 40_000);
  // The breach is recorded while the warning's notification is still held in its channel.
  expect(warningsSent).toBe(0);
  const [warning, breach] = fired;
  expect([warning.level, breach.level]).toEqual([1, 2]);
  expect(breach.due_at.getTime() - warning.due_at.getTime()).toBe(GAP_MS);
  expect(breach.fired_at.getTime()).toBeGreaterThanOrEqual(breach.due_at.getTime());

  const { events } = await stack.client.workflow.getHandle(`case-${created.id}`).fetchHistory();
  const all = events ?? [];
  const isLocalActivity = (e: (typeof all)[number]) =>
    e.markerRecordedEventAttributes?.markerName === 'core_local_activity';
  // Intake: the projection is a local activity of the first workflow task, which also arms the
  // warning's timer — one task, no activity scheduled, before the case rests on its clock.
  const firstTimer = all.findIndex((e) => e.timerStartedEventAttributes);
  const beforeTimer = all.slice(0, firstTimer);
  expect(beforeTimer.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
  expect(beforeTimer.filter(isLocalActivity)).toHaveLength(1);
  expect(beforeTimer.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  // The case's one patch marker (each comes with a search-attribute upsert) is recorded at intake; the
  // tasks of its escalations add none.
  const patches = all.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
  expect(patches).toHaveLength(1);
  expect(all.indexOf(patches[0])).toBeLessThan(firstTimer);
  // The warning's record is the first local-activity marker after the first timer fired; the timer for
  // the breach follows it, and the case's history schedules no activity for the notification.
  const firstFired = all.findIndex((e) => e.timerFiredEventAttributes);
  const marker = all.findIndex((e, i) => i > firstFired && isLocalActivity(e));
  expect(firstFired).toBeGreaterThan(firstTimer);
  expect(marker).toBeGreaterThan(firstFired);
  const rearmed = all.slice(marker).find((e) => e.timerStartedEventAttributes);
  const duration = ms(rearmed?.timerStartedEventAttributes?.startToFireTimeout);
  expect(duration).toBeGreaterThan(0);
  expect(duration).toBeLessThanOrEqual(GAP_MS);

  // Once the channel answers, the warning goes out.
  release();
  await eventually(async () => warningsSent === 1);
});

it("runs the case's workflow tasks on a workflow thread started through the watched entry", async () => {
  // The SDK's thread is started through scripts/workflow-thread.mjs (worker-threads.ts): were it started
  // another way (an SDK upgrade), or its sandbox entered without a timeout to take over, this would fail.
  const before = workflowThreadStats();
  expect(before.threads).toBeGreaterThanOrEqual(1);
  const line = await fastPolicy(stack, {
    targets: { response: { normal: seconds(600), emergency: seconds(600) } },
  });
  const opened = await openSlaCase(stack, line);
  await eventually(async () => workflowThreadStats().entries > before.entries);
  // Its promise hook keeps no stack traces (scripts/workflow-thread.mjs, skipPromiseStacks): the SDK's
  // stack-trace query of a waiting case answers, with no stack. Were the hook's stacks taken, it would
  // name the case workflow's await.
  const handle = stack.client.workflow.getHandle(`case-${opened.id}`);
  expect(await handle.query<string>('__stack_trace')).toBe('');
});
