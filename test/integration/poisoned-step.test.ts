// A step whose text the database refuses (a NUL, a lone surrogate) must not wedge its case. The API
// refuses such text at the edge; these tests go around it, straight to the workflow through the Temporal
// client, as an older client or a bug could. The workflow records the failed write, writes the
// transition with the text made storable, alerts, and the case goes on to close through the API.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseEvents, cases, projectionFailures } from '../../db/schema.js';
import { caseWorkflowId } from '../../domain/case.js';
import { REPLACEMENT } from '../../domain/storable-text.js';
import {
  assignUpdate,
  recordContactUpdate,
  type ServiceCaseInput,
  serviceCase,
} from '../../workflows/service-case.js';
import { eventually, get, intakeBody, post, repairReport, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    engineers: ['eng-1', 'eng-order'],
  });
});
afterAll(() => stack?.close());

const step = async (id: string, name: string, body: Record<string, unknown>) => {
  const r = await post(stack.app, `/api/v1/cases/${id}/${name}`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const failuresOf = (id: string) =>
  stack.db.db.select().from(projectionFailures).where(eq(projectionFailures.caseId, id));

describe('a step with text the database refuses', () => {
  it('is recorded as a projection failure, alerted, written made storable; the case goes on to close', async () => {
    const created = await post(stack.app, '/api/v1/cases', intakeBody());
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await step(id, 'assign', { engineer: 'eng-1' });

    const handle = stack.client.workflow.getHandle(caseWorkflowId(id));
    // A message with a NUL and a lone surrogate, sent past the API.
    const poisoned = await handle.executeUpdate(recordContactUpdate, {
      args: [
        { actor: 'rogue-client', kind: 'contact_attempt', channel: 'phone', message: 'a\u0000b\ud800c' },
      ],
    });
    expect(poisoned.seq).toBe(3);
    // And a reassignment to an engineer id with a lone surrogate.
    await handle.executeUpdate(assignUpdate, { args: [{ actor: 'rogue-client', engineer: 'eng-\udc00' }] });

    const failures = await failuresOf(id);
    expect(failures.map((f) => f.seq).sort()).toEqual([3]);
    expect(failures[0]).toMatchObject({
      activity: 'projectCase',
      eventType: 'contact_attempted',
      errorType: 'UnstorableData',
      repaired: true,
    });
    expect(failures[0].errorCode).toMatch(/^22/);
    // The alert is queued with the failure and sent by its dispatcher afterwards: wait for the send.
    await eventually(async () =>
      stack.notifications.some(
        (n) => n.kind === 'system.projection_failed' && n.recipient === 'admin' && n.caseId === id,
      ),
    );

    // The transition itself is in the timeline, its text made storable; so is the reassignment, whose
    // engineer the workflow had made storable in its own state once the first write failed.
    const events = await stack.db.db.select().from(caseEvents).where(eq(caseEvents.caseId, id));
    const contact = events.find((e) => e.seq === 3);
    expect(contact?.data).toMatchObject({ message: `a${REPLACEMENT}b${REPLACEMENT}c` });
    const reassigned = events.find((e) => e.seq === 4);
    expect(reassigned).toMatchObject({ type: 'reassigned' });
    expect(reassigned?.data).toMatchObject({ engineer: `eng-${REPLACEMENT}` });

    // Every later step answers, through the API, to the close.
    await step(id, 'messages', { kind: 'customer_reply', channel: 'phone', message: '好的' });
    await step(id, 'diagnose', { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [] });
    await step(id, 'schedule', { mode: 'carry_in', agreedAt: new Date().toISOString() });
    await step(id, 'check-in', {});
    await step(id, 'complete-repair', repairReport);
    await step(id, 'customer-feedback', { accepted: true });
    const closed = await step(id, 'survey-response', {
      serviceQuality: 5,
      repairEffect: 5,
      attitude: 5,
      via: 'phone',
    });
    expect(closed.stage).toBe('closed');
    expect((await handle.result()).stage).toBe('closed');
    const view = (await get(stack.app, `/api/v1/cases/${id}`)).body;
    expect(view.stage).toBe('closed');
    expect(view.assignee).toBe(`eng-${REPLACEMENT}`);
    // Only the poisoned write failed: the ones after it went through as they were.
    expect((await failuresOf(id)).length).toBe(1);
  });

  it('at intake, started past the API, still opens a case that can be cancelled', async () => {
    // A case number the API never reserved: the workflow's own 'created' write is the first.
    const id = `C9${String(Date.now()).slice(-9)}`;
    const body = intakeBody();
    const input: ServiceCaseInput = {
      caseId: id,
      intake: {
        ...(body as unknown as ServiceCaseInput['intake']),
        customer: { name: '张\u0000伟', phone: '+86 138 0000 0000' },
        reportedAt: new Date().toISOString(),
      },
      createdAt: new Date().toISOString(),
      timing: { surveyDelayMs: 60_000, surveyExpiryMs: 60_000 },
      sla: (await stack.db.db.select().from(cases).limit(1))[0].sla!,
    };
    const handle = await stack.client.workflow.start(serviceCase, {
      workflowId: caseWorkflowId(id),
      taskQueue: stack.taskQueue,
      args: [input],
    });
    // Generous: in the full suite the first write waits behind every other file's workers.
    const row = await eventually(
      async () => (await stack.db.db.select().from(cases).where(eq(cases.id, id)))[0],
      45_000,
    );
    expect(row.customerName).toBe(`张${REPLACEMENT}伟`);
    // The row is written first, the failure record right after it.
    const [failure] = await eventually(async () => {
      const f = await failuresOf(id);
      return f.length > 0 && f;
    });
    expect(failure).toMatchObject({ seq: 1, eventType: 'created', repaired: true });

    const cancelled = await step(id, 'cancel', { reason: '重复报修' });
    expect(cancelled.stage).toBe('cancelled');
    expect((await handle.result()).stage).toBe('cancelled');
  });
});
