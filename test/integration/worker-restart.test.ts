// A worker stopped in the middle of cases loses nothing: steps sent while it is down are applied when a
// new worker starts, timers that fell due meanwhile fire, and the timelines have no gaps.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, get, intakeBody, post, repairReport, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 1_000, surveyExpiryMs: 1_500, engineers: ['eng-a', 'eng-b'] });
});
afterAll(() => stack?.close());

const step = (id: string, name: string, body: Record<string, unknown>) =>
  post(stack.app, `/api/v1/cases/${id}/${name}`, body);

it('survives a worker stop and restart mid-case', async () => {
  const a = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
  await step(a, 'assign', { engineer: 'eng-a' });
  await step(a, 'diagnose', { cause: 'c', plan: 'p', complexity: 'complex', parts: [] });

  const b = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
  await step(b, 'assign', { engineer: 'eng-b' });
  await step(b, 'diagnose', { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [] });
  await step(b, 'schedule', { mode: 'onsite', agreedAt: new Date().toISOString() });
  await step(b, 'check-in', {});
  await step(b, 'complete-repair', repairReport);
  await step(b, 'customer-feedback', { accepted: true });

  await stack.stopWorker();

  // Nobody is polling: a step waits, and case b's survey timers fall due with no worker.
  const pending = step(a, 'schedule', { mode: 'carry_in', agreedAt: new Date().toISOString() });
  await new Promise((r) => setTimeout(r, 3_000));
  expect((await get(stack.app, `/api/v1/cases/${b}`)).body.stage).toBe('survey');

  await stack.startWorker();
  const scheduled = await pending;
  expect(scheduled.status).toBe(200);
  expect(scheduled.body.stage).toBe('scheduled');

  const closed = await eventually(async () => {
    const { body } = await get(stack.app, `/api/v1/cases/${b}`);
    return body.stage === 'closed' ? body : undefined;
  });
  expect(closed.outcome).toBe('survey_expired');
  expect(closed.timeline.map((e: { type: string }) => e.type).slice(-3)).toEqual([
    'repair_accepted',
    'survey_sent',
    'survey_expired',
  ]);
  await eventually(
    async () => stack.notifications.filter((n) => n.kind === 'survey.sent' && n.caseId === b).length === 1,
  );

  for (const id of [a, b]) {
    const { body } = await get(stack.app, `/api/v1/cases/${id}`);
    expect(body.timeline.map((e: { seq: number }) => e.seq)).toEqual(
      body.timeline.map((_: unknown, i: number) => i + 1),
    );
    const live = await stack.client.workflow
      .getHandle(`case-${id}`)
      .query<{ seq: number; stage: string }>('state');
    expect(live.seq).toBe(body.timeline.length);
    expect(live.stage).toBe(body.stage);
  }
});
