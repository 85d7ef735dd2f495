// A timer runs from when the workflow task that sets it completes. A task that fired an escalation
// completes only once the escalation is recorded and sent, so the clock's next timer must be measured
// from then — with a slow notification channel, timing it from the task's start would make the next
// step late by as long as the send took.
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { escalationsOf, fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { eventually, type Stack, startStack } from '../support/stack.js';

const SEND_MS = 1_500;
const GAP_MS = 5_000;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    beforeSend: async (n) => {
      if (n.kind === 'sla.warning') await new Promise((r) => setTimeout(r, SEND_MS));
    },
  });
});
afterAll(() => stack?.close());

const ms = (d: temporal.api.history.v1.ITimerStartedEventAttributes['startToFireTimeout']) =>
  Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);

it('re-arms the clock after a slow escalation from when it was recorded, not from when its task began', async () => {
  // Response target 20 s: warning at 15 s, breach at 20 s — 5 s apart, of which the warning's send takes 1.5.
  const line = await fastPolicy(stack, {
    targets: { response: { normal: seconds(20), emergency: seconds(20) } },
  });
  const created = await openSlaCase(stack, line);
  const fired = await eventually(async () => {
    const rows = await escalationsOf(stack, created.id, 'response');
    return rows.length >= 2 ? rows : undefined;
  }, 40_000);
  const [warning, breach] = fired;
  expect([warning.level, breach.level]).toEqual([1, 2]);
  expect(breach.due_at.getTime() - warning.due_at.getTime()).toBe(GAP_MS);

  const { events } = await stack.client.workflow.getHandle(`case-${created.id}`).fetchHistory();
  const all = events ?? [];
  // The warning's record is the first local-activity marker; the timer for the breach follows it.
  const marker = all.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
  expect(marker).toBeGreaterThan(0);
  const rearmed = all.slice(marker).find((e) => e.timerStartedEventAttributes);
  const duration = ms(rearmed?.timerStartedEventAttributes?.startToFireTimeout);
  // From the task's start the timer would run the whole gap; from the recording, the send less.
  expect(duration).toBeGreaterThan(0);
  expect(duration).toBeLessThanOrEqual(GAP_MS - SEND_MS);
  expect(breach.fired_at.getTime()).toBeGreaterThanOrEqual(breach.due_at.getTime());
});
