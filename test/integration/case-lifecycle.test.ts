// The whole life of service cases through the HTTP API against a real Temporal server and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, get, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 500,
    surveyExpiryMs: 1_500,
    engineers: ['eng-li', 'eng-wang', 'eng-zhao'],
  });
});
afterAll(() => stack?.close());

const step = (id: string, name: string, body: Record<string, unknown>) =>
  post(stack.app, `/api/v1/cases/${id}/${name}`, body);

const diagnosis = (parts: unknown[] = []) => ({
  cause: '进气阀卡滞',
  plan: '更换进气阀并清洗管路',
  complexity: 'ordinary',
  parts,
});
const repairReport = {
  symptom: '启动异响',
  cause: '进气阀卡滞',
  actions: '更换进气阀，清洗管路',
  partsReplaced: [{ partNumber: 'VALVE-IN-200', quantity: 1 }],
  test: { passed: true, notes: '满载运行 30 分钟正常' },
  usageExplained: true,
};

describe('a fault report walks every stage of the policy', () => {
  it('intake → assign → diagnose → parts → schedule → check-in → repair → dispute → … → accepted → survey answered → closed', async () => {
    const reportedAt = new Date(Date.now() - 3_600_000).toISOString();
    const created = await post(stack.app, '/api/v1/cases', intakeBody({ reportedAt, channel: 'web' }));
    expect(created.status).toBe(201);
    expect(created.body.stage).toBe('intake');
    expect(created.body.workflowId).toBe(`case-${created.body.id}`);
    expect(created.body.reportedAt).toBe(reportedAt);
    const id = created.body.id as string;

    let r = await step(id, 'assign', { engineer: 'eng-li', expectedHandling: '3 个工作日内' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ stage: 'assigned', assignee: 'eng-li' });

    r = await step(id, 'diagnose', diagnosis([{ partNumber: 'VALVE-IN-200', quantity: 1 }]));
    expect(r.body.stage).toBe('awaiting_parts');
    expect(r.body.complexity).toBe('ordinary');

    r = await step(id, 'parts-ready', { note: '仓库已出库' });
    expect(r.body.stage).toBe('diagnosed');

    const agreedAt = new Date(Date.now() + 86_400_000).toISOString();
    r = await step(id, 'schedule', { mode: 'onsite', agreedAt, address: '苏州工业园区星湖街 1 号' });
    expect(r.body.stage).toBe('scheduled');
    expect(r.body.stages.schedule).toMatchObject({ mode: 'onsite', agreedAt });

    r = await step(id, 'check-in', {});
    expect(r.body.stage).toBe('in_repair');
    expect(r.body.stages.checkIn.mode).toBe('onsite');
    expect(Date.parse(r.body.stages.checkIn.arrivedAt)).toBeGreaterThan(Date.now() - 60_000);

    r = await step(id, 'complete-repair', repairReport);
    expect(r.body.stage).toBe('repaired');

    // The customer is not satisfied: back to the engineer, a second diagnosis round.
    r = await step(id, 'customer-feedback', { accepted: false, comment: '仍有轻微异响' });
    expect(r.body.stage).toBe('assigned');
    expect(r.body.stages.disputes).toBe(1);
    // Queued with the step, delivered by its own workflow right after.
    await eventually(async () =>
      stack.notifications.some((n) => n.kind === 'case.disputed' && n.recipient === 'eng-li'),
    );

    r = await step(id, 'diagnose', { ...diagnosis(), cause: '排气管松动', plan: '紧固排气管' });
    expect(r.body.stage).toBe('diagnosed');
    r = await step(id, 'schedule', { mode: 'carry_in', agreedAt });
    r = await step(id, 'check-in', { note: '客户送修到站' });
    expect(r.body.stages.checkIn.mode).toBe('carry_in');
    r = await step(id, 'complete-repair', { ...repairReport, partsReplaced: [] });
    r = await step(id, 'customer-feedback', { accepted: true, comment: '满意' });
    expect(r.body.stage).toBe('survey');
    expect(r.body.stages.survey.dueAt).toBeTruthy();

    // The survey goes out after the configured delay, then the customer answers it.
    await eventually(async () => (await get(stack.app, `/api/v1/cases/${id}`)).body.stages.survey.sentAt);
    await eventually(async () =>
      stack.notifications.some((n) => n.kind === 'survey.sent' && n.caseId === id),
    );
    r = await step(id, 'survey-response', {
      serviceQuality: 5,
      repairEffect: 4,
      attitude: 5,
      comment: '工程师很专业',
      via: 'phone',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ stage: 'closed', outcome: 'survey_answered' });
    expect(r.body.closedAt).toBeTruthy();

    const detail = (await get(stack.app, `/api/v1/cases/${id}`)).body;
    expect(detail.stages.diagnoses).toHaveLength(2);
    expect(detail.stages.repairReports).toHaveLength(2);
    expect(detail.stages.feedback.map((f: { accepted: boolean }) => f.accepted)).toEqual([false, true]);
    expect(detail.stages.survey.response).toMatchObject({ serviceQuality: 5, repairEffect: 4, attitude: 5 });
    expect(detail.timeline.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'assigned',
      'diagnosed',
      'parts_ready',
      'scheduled',
      'checked_in',
      'repair_completed',
      'repair_disputed',
      'diagnosed',
      'scheduled',
      'checked_in',
      'repair_completed',
      'repair_accepted',
      'survey_sent',
      'survey_answered',
    ]);
    expect(detail.timeline.map((e: { seq: number }) => e.seq)).toEqual(
      detail.timeline.map((_: unknown, i: number) => i + 1),
    );
    expect(detail.timeline[1]).toMatchObject({
      actor: 'test-manager',
      fromStage: 'intake',
      toStage: 'assigned',
    });

    // The workflow is done and the case is closed for good.
    const result = await stack.client.workflow.getHandle(`case-${id}`).result();
    expect(result.stage).toBe('closed');
    r = await step(id, 'cancel', { reason: 'too late' });
    expect(r.status).toBe(409);
  });

  it('a simple question is answered at intake and the case ends there', async () => {
    const created = await post(stack.app, '/api/v1/cases', intakeBody({ channel: 'chat' }));
    const id = created.body.id;
    const r = await step(id, 'resolve-at-intake', { answer: '请按说明书第 12 页复位压力开关' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ stage: 'closed', outcome: 'resolved_at_intake' });
    expect(r.body.stages.resolution.answer).toContain('复位');
    const result = await stack.client.workflow.getHandle(`case-${id}`).result();
    expect(result.outcome).toBe('resolved_at_intake');
  });

  it('a case is cancelled with a reason from an open stage', async () => {
    const id = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    await step(id, 'assign', { engineer: 'eng-wang' });
    await step(id, 'diagnose', diagnosis([{ partNumber: 'P-1', quantity: 2 }]));
    const r = await step(id, 'cancel', { reason: '客户已自行更换设备' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ stage: 'cancelled', outcome: 'cancelled' });
    expect(r.body.stages.cancellation.reason).toBe('客户已自行更换设备');
    const after = await step(id, 'parts-ready', {});
    expect(after.status).toBe(409);
    expect(after.body.detail).toMatch(/cancelled/);
  });

  it('an unanswered survey expires and closes the case', async () => {
    const id = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    await step(id, 'assign', { engineer: 'eng-zhao' });
    await step(id, 'diagnose', diagnosis());
    await step(id, 'schedule', { mode: 'onsite', agreedAt: new Date().toISOString() });
    await step(id, 'check-in', {});
    await step(id, 'complete-repair', repairReport);
    await step(id, 'customer-feedback', { accepted: true });
    const closed = await eventually(async () => {
      const { body } = await get(stack.app, `/api/v1/cases/${id}`);
      return body.stage === 'closed' ? body : undefined;
    });
    expect(closed.outcome).toBe('survey_expired');
    expect(closed.stages.survey.sentAt).toBeTruthy();
    expect(closed.stages.survey.expiredAt).toBeTruthy();
    expect(closed.timeline.at(-1).type).toBe('survey_expired');
  });
});
