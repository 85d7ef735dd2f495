// A step whose workflow does not answer — here because no worker runs — gets a 504 problem after
// STEP_TIMEOUT instead of holding the request forever; the step is still delivered once a worker is
// back, and the same Idempotency-Key then learns its outcome (applied once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ engineers: ['eng-wait'], stepTimeoutMs: 2_000 });
});
afterAll(() => stack?.close());

describe('a step whose workflow does not answer', () => {
  it('gets a 504 problem after STEP_TIMEOUT, and the same Idempotency-Key later learns the outcome', async () => {
    const opened = await post(stack.app, '/api/v1/cases', intakeBody());
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    await stack.stopWorker();
    const headers = { 'idempotency-key': `timeout-${id}` };
    try {
      const res = await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-wait' }, headers);
      expect(res.status).toBe(504);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body).toMatchObject({ type: 'urn:shouhou:problem:timeout', status: 504 });
      expect(res.body.detail).toMatch(/did not answer the step within 2 s/);
    } finally {
      await stack.startWorker();
    }
    // Asked again (a fresh worker may itself take longer than the short timeout to answer).
    const again = await eventually(async () => {
      const r = await post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-wait' }, headers);
      return r.status !== 504 && r;
    }, 60_000);
    expect(again.status).toBe(200);
    expect(again.body.stage).toBe('assigned');
    expect(again.body.timeline.filter((e: { type: string }) => e.type === 'assigned')).toHaveLength(1);
  });
});
