// The quality loop against a real Temporal and Postgres: failure codes on diagnoses and repair reports,
// a quality issue raised on its own by a failure cluster, repeat-failure linking, and a quality issue
// from a complaint through analysis, plan, production change and verification, with stage escalations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintStep, declarePeople, fastComplaintPolicy, openComplaint } from '../support/complaints.js';
import { seconds } from '../support/sla.js';
import {
  call,
  get,
  intakeBody,
  post,
  repairReport,
  type Stack,
  startStack,
  waitFor,
} from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ surveyDelayMs: 60_000, surveyExpiryMs: 60_000, engineers: ['eng-q', 'eng-r'] });
  await declarePeople(stack, { 'rnd-wang': ['rnd'], 'rnd-li': ['rnd'], 'prod-zhang': ['production'] });
});
afterAll(() => stack?.close());

const as = (role: keyof Stack['keys']) => ({ authorization: `Bearer ${stack.keys[role]}` });
const caseStep = (id: string, name: string, body: Record<string, unknown>) =>
  post(stack.app, `/api/v1/cases/${id}/${name}`, body);
let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now() % 1_000_000}-${++n}`.toUpperCase();

async function defineCode(kind: string, code: string) {
  const r = await call(stack.app, 'PUT', `/api/v1/failure-codes/${kind}/${code}`, {
    key: stack.keys.rnd,
    payload: { label: `${kind} ${code}` },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

async function diagnosedCase(model: string, causeCode: string, serialNumber?: string) {
  const body = intakeBody();
  const id = (
    await post(stack.app, '/api/v1/cases', {
      ...body,
      product: { ...body.product, model, ...(serialNumber ? { serialNumber } : {}) },
    })
  ).body.id;
  await caseStep(id, 'assign', { engineer: 'eng-q' });
  const r = await caseStep(id, 'diagnose', {
    cause: '轴承磨损',
    plan: '更换轴承',
    complexity: 'ordinary',
    parts: [],
    failure: { causeCode, batch: 'B2025-07' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return id as string;
}

describe.concurrent('quality loop', { timeout: 240_000 }, () => {
  it('failure codes come from the managed list; a cluster of three raises a quality issue on its own', async () => {
    const cause = unique('CB');
    const model = unique('QM');
    const list = await get(stack.app, '/api/v1/failure-codes?kind=cause');
    expect(list.status).toBe(200);
    const denied = await call(stack.app, 'PUT', `/api/v1/failure-codes/cause/${cause}`, {
      key: stack.keys.engineer,
      payload: { label: 'x' },
    });
    expect(denied.status).toBe(403);
    const lower = await call(stack.app, 'PUT', '/api/v1/failure-codes/cause/lower-case', {
      key: stack.keys.rnd,
      payload: { label: 'x' },
    });
    expect(lower.status).toBe(400);

    // A code not in the list is refused before it reaches the case.
    const body = intakeBody();
    const stray = (await post(stack.app, '/api/v1/cases', body)).body.id;
    await caseStep(stray, 'assign', { engineer: 'eng-q' });
    const refused = await caseStep(stray, 'diagnose', {
      cause: 'c',
      plan: 'p',
      complexity: 'ordinary',
      parts: [],
      failure: { causeCode: cause },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(new RegExp(`"${cause}" is not an active cause code`));

    await defineCode('cause', cause);
    const first = [await diagnosedCase(model, cause), await diagnosedCase(model, cause)];
    const third = await diagnosedCase(model, cause);
    const issue = await waitFor(async () => {
      const r = await get(
        stack.app,
        `/api/v1/quality-issues?source=cluster&model=${encodeURIComponent(model)}`,
      );
      return r.body.items[0];
    });
    expect(issue).toMatchObject({
      source: 'cluster',
      model,
      causeCode: cause,
      stage: 'analysis',
      owner: 'desk:rnd',
    });
    const detail = await waitFor(async () => {
      const r = await get(stack.app, `/api/v1/quality-issues/${issue.id}`);
      return r.body.timeline.length > 0 ? r.body : undefined;
    });
    expect([...detail.caseIds].sort()).toEqual([...first, third].sort());

    // A fourth case joins the open issue instead of raising another.
    const fourth = await diagnosedCase(model, cause);
    await waitFor(async () =>
      (await get(stack.app, `/api/v1/quality-issues/${issue.id}`)).body.caseIds.includes(fourth),
    );
    const all = await get(stack.app, `/api/v1/quality-issues?model=${encodeURIComponent(model)}`);
    expect(all.body.items).toHaveLength(1);

    const rollup = await get(stack.app, `/api/v1/quality/failures?groupBy=batch&causeCode=${cause}`);
    expect(rollup.body.items).toEqual([{ key: 'B2025-07', causeCode: cause, cases: 4, failures: 4 }]);
  });

  it('a new case on a serial repaired within 30 days links to the earlier case as a repeat', async () => {
    const action = unique('AR');
    await defineCode('action', action);
    const serial = unique('SN');
    const body = intakeBody();
    const first = (
      await post(stack.app, '/api/v1/cases', { ...body, product: { ...body.product, serialNumber: serial } })
    ).body.id;
    await caseStep(first, 'assign', { engineer: 'eng-r' });
    await caseStep(first, 'diagnose', { cause: 'c', plan: 'p', complexity: 'ordinary', parts: [] });
    await caseStep(first, 'schedule', { mode: 'carry_in', agreedAt: new Date().toISOString() });
    await caseStep(first, 'check-in', {});
    const done = await caseStep(first, 'complete-repair', {
      ...repairReport,
      failure: { actionCode: action },
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);

    const other = intakeBody();
    const unrelated = (await post(stack.app, '/api/v1/cases', other)).body.id;
    const again = (
      await post(stack.app, '/api/v1/cases', {
        ...other,
        product: { ...other.product, serialNumber: serial },
      })
    ).body.id;
    const repeat = await waitFor(async () => {
      const r = await get(stack.app, `/api/v1/cases/${again}`);
      return r.body.repeatOf ? r.body : undefined;
    });
    expect(repeat.repeatOf).toBe(first);
    await waitFor(
      async () =>
        (await stack.db.sql`select 1 from cases where id = ${unrelated} and version > 0`).length === 1,
    );
    expect((await get(stack.app, `/api/v1/cases/${unrelated}`)).body.repeatOf).toBeNull();
    const rate = await get(stack.app, '/api/v1/quality/repeat-failures');
    expect(rate.body.items).toContainEqual({ caseId: again, repeatOf: first, serialNumber: serial });
    expect(rate.body.rate).toBeGreaterThan(0);
  });

  it('a quality issue from a complaint runs analysis → plan → production change → verification, escalates a late stage and tells the complaint when it closes', async () => {
    const line = await fastComplaintPolicy(stack);
    const c = await openComplaint(stack, line);
    const caseId = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    const bad = await post(stack.app, '/api/v1/quality-issues', {
      source: 'complaint',
      title: 't',
      description: 'd',
      model: 'm',
    });
    expect(bad.status).toBe(422);
    const noReport = await post(stack.app, '/api/v1/quality-issues', {
      source: 'repair_report',
      title: 't',
      description: 'd',
      model: 'm',
      caseIds: [caseId],
    });
    expect(noReport.status).toBe(422);
    expect(noReport.body.detail).toMatch(/has no repair report/);

    const raised = await post(
      stack.app,
      '/api/v1/quality-issues',
      {
        source: 'complaint',
        title: '空压机异响投诉',
        description: '多名客户反映同一问题',
        model: 'HX-200 空压机',
        complaintIds: [c.id],
        caseIds: [caseId],
        targets: { analysis: seconds(2) },
      },
      as('engineer'),
    );
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const id = raised.body.id;
    expect(id).toMatch(/^Q[0-9]{7}$/);
    const fired = await waitFor(async () => {
      const r = await get(stack.app, `/api/v1/quality-issues/${id}`);
      return r.body.escalations.length === 3 ? r.body.escalations : undefined;
    });
    expect(fired.map((e: { clock: string; recipient: string }) => [e.clock, e.recipient])).toEqual([
      ['stage:analysis', 'desk:rnd'],
      ['stage:analysis', 'service-manager'],
      ['stage:analysis', 'upper-management'],
    ]);
    // The R&D desk is the people holding the rnd role.
    const desk = await waitFor(async () => {
      const r = await get(stack.app, `/api/v1/quality-issues/${id}`);
      return r.body.escalations[0].notified;
    });
    expect(desk.recipients).toEqual(
      expect.arrayContaining([expect.objectContaining({ personId: 'rnd-wang', position: 'desk' })]),
    );
    await waitFor(async () => {
      const r = await get(stack.app, `/api/v1/complaints/${c.id}`);
      return r.body.timeline.some((e: { type: string }) => e.type === 'quality_issue_linked');
    });

    const qstep = (name: string, body: Record<string, unknown>, role: keyof Stack['keys']) =>
      post(stack.app, `/api/v1/quality-issues/${id}/${name}`, body, as(role));
    expect((await qstep('plan', { plan: 'p' }, 'rnd')).status).toBe(409);
    const analysis = {
      rootCause: '轴承供应商批次不良',
      affectedModels: ['HX-200'],
      batches: ['B2025-07'],
      serialRanges: [{ from: 'SN100', to: 'SN199' }],
    };
    expect((await qstep('analyze', analysis, 'production')).status).toBe(403);
    expect(
      (await qstep('analyze', { ...analysis, serialRanges: [{ from: 'SN9', to: 'SN1' }] }, 'rnd')).status,
    ).toBe(409);
    let r = await qstep('analyze', analysis, 'rnd');
    expect(r.body).toMatchObject({ stage: 'planning', owner: 'desk:rnd' });
    r = await qstep('plan', { plan: '更换供应商并加严来料检验' }, 'rnd');
    expect(r.body.stage).toBe('production_change');
    expect(
      (await qstep('production-change', { description: 'x', effectiveFrom: 'B2025-09' }, 'rnd')).status,
    ).toBe(403);
    r = await qstep(
      'production-change',
      { description: '来料检验加严', effectiveFrom: 'B2025-09' },
      'production',
    );
    expect(r.body).toMatchObject({ stage: 'verification', owner: 'desk:quality' });
    r = await qstep('verify', { effective: false, note: '仍有异响' }, 'rnd');
    expect(r.body.stage).toBe('planning');
    expect((await qstep('assign', { owner: 'nobody-here' }, 'manager')).status).toBe(422);
    r = await qstep('assign', { owner: 'rnd-wang' }, 'manager');
    expect(r.body).toMatchObject({ owner: 'rnd-wang', stage: 'planning' });
    await qstep('plan', { plan: '改进轴承座设计' }, 'rnd');
    await qstep('production-change', { description: '新轴承座', effectiveFrom: 'B2025-10' }, 'production');
    r = await qstep('verify', { effective: true, note: '三个月无复发' }, 'production');
    expect(r.body.stage).toBe('closed');
    expect(r.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'raised',
      'escalated',
      'escalated',
      'escalated',
      'analyzed',
      'planned',
      'production_changed',
      'not_effective',
      'assigned',
      'planned',
      'production_changed',
      'closed',
    ]);
    expect((await qstep('cancel', { reason: 'x' }, 'manager')).status).toBe(409);
    await waitFor(async () => {
      const v = await get(stack.app, `/api/v1/complaints/${c.id}`);
      return v.body.qualityIssues.some(
        (q: { issueId: string; closed: boolean }) => q.issueId === id && q.closed,
      );
    });
    await waitFor(async () =>
      stack.notifications.some((x) => x.kind === 'quality.closed' && x.caseId === caseId),
    );
    // The complaint goes on as before.
    expect(
      (await complaintStep(stack, c.id, 'acknowledge', { message: 'ok', channel: 'phone' })).status,
    ).toBe(200);
  });

  it('a quality issue links further cases and complaints and can be cancelled with a reason', async () => {
    const c = await openComplaint(stack, await fastComplaintPolicy(stack));
    const caseId = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    const raised = await post(stack.app, '/api/v1/quality-issues', {
      source: 'complaint',
      title: '控制面板失灵',
      description: '两起投诉',
      model: 'HX-300',
      complaintIds: [c.id],
    });
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const id = raised.body.id;
    const other = await openComplaint(stack, await fastComplaintPolicy(stack));
    let r = await post(stack.app, `/api/v1/quality-issues/${id}/link`, {
      caseIds: [caseId],
      complaintIds: [other.id],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ caseIds: [caseId], complaintIds: [c.id, other.id] });
    r = await post(stack.app, `/api/v1/quality-issues/${id}/link`, { caseIds: [caseId] });
    expect(r.status).toBe(409);
    r = await post(stack.app, `/api/v1/quality-issues/${id}/link`, { complaintIds: ['CP9999999'] });
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/unknown complaint "CP9999999"/);
    r = await post(stack.app, `/api/v1/quality-issues/${id}/cancel`, { reason: '重复问题' }, as('rnd'));
    expect(r.status).toBe(403);
    r = await post(stack.app, `/api/v1/quality-issues/${id}/cancel`, { reason: '与 Q 单重复，合并处理' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ stage: 'cancelled', cancellation: { reason: '与 Q 单重复，合并处理' } });
    // The complaint linked later was told of the issue too.
    await waitFor(async () => {
      const v = await get(stack.app, `/api/v1/complaints/${other.id}`);
      return v.body.qualityIssues.some((q: { issueId: string }) => q.issueId === id);
    });
    const list = await get(stack.app, `/api/v1/quality-issues?stage=cancelled&model=HX-300`);
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(id);
  });

  it('failure codes are changed and retired; the quality policy is versioned', async () => {
    const code = unique('SY');
    await defineCode('symptom', code);
    const retired = await call(stack.app, 'PUT', `/api/v1/failure-codes/symptom/${code}`, {
      key: stack.keys.rnd,
      payload: { label: '异响（旧）', active: false },
    });
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    expect(retired.body).toMatchObject({ kind: 'symptom', code, active: false });
    const active = await get(stack.app, '/api/v1/failure-codes?kind=symptom&active=true');
    expect(active.body.items.map((c: { code: string }) => c.code)).not.toContain(code);

    const policy = await get(stack.app, '/api/v1/quality/policy');
    expect(policy.status).toBe(200);
    expect(policy.body.cluster).toEqual({ minCases: 3, windowDays: 30 });
    const { id: _id, version, ...definition } = policy.body;
    const bad = await call(stack.app, 'PUT', '/api/v1/quality/policy', {
      payload: { ...definition, calendarId: 'no-such-calendar' },
    });
    expect(bad.status).toBe(422);
    // The same rule again (other tests of this file rely on it), under a new name: a new version.
    const next = await call(stack.app, 'PUT', '/api/v1/quality/policy', {
      payload: { ...definition, name: '质量改进标准（修订）' },
    });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body).toMatchObject({ version: version + 1, name: '质量改进标准（修订）' });
  });
});
