// Escalations that fall due while no worker runs are not lost: they fire when a worker comes back.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fastPolicy, seconds } from '../support/sla.js';
import { eventually, get, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 60_000, surveyExpiryMs: 60_000 });
});
afterAll(() => stack?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function openCase(line: string, extra: Record<string, unknown> = {}) {
  const body = intakeBody(extra);
  const r = await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, line } });
  expect(r.status).toBe(201);
  return r.body;
}

type EscalationRow = {
  clock: string;
  level: number;
  due_at: Date;
  fired_at: Date;
  recipient: string;
  cycle: number;
};
async function escalationsOf(id: string, clock?: string): Promise<EscalationRow[]> {
  const rows = await stack.db.sql<EscalationRow[]>`
    select clock, level, due_at, fired_at, recipient, cycle from escalations
    where case_id = ${id} ${clock ? stack.db.sql`and clock = ${clock}` : stack.db.sql``}
    order by level`;
  return rows.map((r) => ({ ...r, due_at: new Date(r.due_at), fired_at: new Date(r.fired_at) }));
}

it('escalations due while no worker runs all fire when a worker comes back', async () => {
  const line = await fastPolicy(stack, {
    targets: { response: { normal: seconds(2), emergency: seconds(2) } },
  });
  const created = await openCase(line);
  // Let the case start, then take the worker away for longer than the whole escalation ladder.
  await eventually(
    async () => (await get(stack.app, `/api/v1/cases/${created.id}`)).body.timeline.length >= 1,
  );
  await stack.stopWorker();
  await sleep(4_000);
  expect(await escalationsOf(created.id)).toEqual([]);
  await stack.startWorker();
  const fired = await eventually(async () => {
    const rows = await escalationsOf(created.id, 'response');
    return rows.length === 3 ? rows : undefined;
  });
  expect(fired.map((e) => e.level)).toEqual([1, 2, 3]);
});
