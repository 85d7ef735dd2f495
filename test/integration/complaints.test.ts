// Complaints as workflows, against a real Temporal and Postgres: the full path with a rejected answer,
// evidence files, a corrective action that falls overdue and escalates (to the people the directory
// names), the progress-update clock that falls due and stops at resolution, P1 at intake, the versioned
// classification matrix, idempotent intake, complaint.* webhooks checked against the document, a write
// the database refuses, bad input.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectionFailures } from '../../db/schema.js';
import { complaintWorkflowId } from '../../domain/complaints/complaint.js';
import { REPLACEMENT } from '../../domain/storable-text.js';
import { recordFindingUpdate } from '../../workflows/complaint.js';
import {
  complaintBody as baseBody,
  complaintEscalations,
  complaintStep,
  declarePeople,
  fastComplaintPolicy,
  openComplaint,
} from '../support/complaints.js';
import { webhookBodyCheck } from '../support/contract.js';
import { ensureAllHoursCalendar, seconds } from '../support/sla.js';
import { call, get, intakeBody, post, type Stack, startStack, waitFor } from '../support/stack.js';

let stack: Stack;
let server: Server;
const received: Array<{ type: string; complaintId?: string; data: Record<string, unknown> }> = [];
let hookUrl = '';
const subscriptions: string[] = [];
let checkBody: Awaited<ReturnType<typeof webhookBodyCheck>>;
beforeAll(async () => {
  stack = await startStack({
    surveyDelayMs: 60_000,
    surveyExpiryMs: 60_000,
    complaints: { evidenceMaxBytes: 1024 },
  });
  checkBody = await webhookBodyCheck();
  await declarePeople(stack, {
    'spec-zhao': ['specialist'],
    'prod-li': ['production'],
    'prod-chen': ['production'],
    'qc-wu': ['quality'],
    'qa-desk': ['quality'],
  });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  for (const id of subscriptions)
    await call(stack.app, 'DELETE', `/api/v1/webhooks/${id}`, { key: stack.keys.admin });
  await stack?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const step = (id: string, name: string, body: Record<string, unknown>, key?: string) =>
  complaintStep(stack, id, name, body, key ? { authorization: `Bearer ${key}` } : {});
const types = (body: { timeline: Array<{ type: string }> }) => body.timeline.map((e) => e.type);

describe.concurrent('complaints', { timeout: 240_000 }, () => {
  it('runs the full path: intake, acknowledge, investigation with evidence and actions, a rejected answer, acceptance, effectiveness, close', async () => {
    const sub = await call(stack.app, 'POST', '/api/v1/webhooks', {
      key: stack.keys.admin,
      payload: { url: hookUrl, eventTypes: ['complaint.*'] },
    });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    subscriptions.push(sub.body.id);

    const line = await fastComplaintPolicy(stack);
    const repaired = await post(stack.app, '/api/v1/cases', intakeBody());
    const caseId = repaired.body.id;
    const c = await openComplaint(stack, line, {
      caseIds: [caseId],
      complaint: {
        description: '空压机维修后再次异响',
        category: 'product_quality',
        urgency: 'medium',
        importance: 'high',
      },
      externalRef: { system: 'zendesk', id: `T-${line}` },
    });
    expect(c).toMatchObject({ stage: 'registered', priority: 'P2', department: 'quality', owner: null });
    expect(c.id).toMatch(/^CP[0-9]{7}$/);
    // The same help-desk ticket again is the same complaint, and the ticket finds it.
    const again = await post(
      stack.app,
      '/api/v1/complaints',
      baseBody(line, { externalRef: { system: 'zendesk', id: `T-${line}` } }),
    );
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(c.id);
    const byRef = await get(stack.app, `/api/v1/external-refs/zendesk/T-${line}`);
    expect(byRef.body.complaints.map((x: { id: string }) => x.id)).toEqual([c.id]);

    let r = await step(c.id, 'route', { department: 'after_sales', owner: 'spec-zhao', reason: '售后牵头' });
    expect(r.body).toMatchObject({ department: 'after_sales', owner: 'spec-zhao' });
    r = await step(c.id, 'acknowledge', { message: '已收到您的投诉，我们正在调查', channel: 'phone' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.stage).toBe('investigating');
    expect(r.body.clocks.find((k: { name: string }) => k.name === 'acknowledge').state).toBe('stopped');

    r = await step(c.id, 'answer', { answer: 'x', channel: 'phone' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/no investigation finding/);
    r = await step(c.id, 'record-finding', { text: '轴承批次不良', caseIds: [caseId] });
    expect(r.body.findings).toHaveLength(1);

    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('photo'),
    ]);
    const up = await post(stack.app, `/api/v1/complaints/${c.id}/evidence`, {
      fileName: '现场照片.png',
      contentType: 'image/png',
      contentBase64: png.toString('base64'),
      note: '异响部位',
    });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body.evidence).toMatchObject({ size: png.length, contentType: 'image/png' });
    expect(up.body.evidence.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(up.body.complaint.evidence[0].evidenceId).toBe(up.body.evidence.id);
    const dup = await post(stack.app, `/api/v1/complaints/${c.id}/evidence`, {
      fileName: 'again.png',
      contentType: 'image/png',
      contentBase64: png.toString('base64'),
    });
    expect(dup.status).toBe(200);
    expect(dup.body.evidence.id).toBe(up.body.evidence.id);
    const file = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${c.id}/evidence/${up.body.evidence.id}`,
      headers: { authorization: `Bearer ${stack.keys.rnd}` },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.equals(png)).toBe(true);

    r = await step(c.id, 'add-action', {
      description: '更换同批次轴承',
      type: 'corrective',
      responsible: 'prod-li',
      within: seconds(3600),
    });
    expect(r.body.actions[0]).toMatchObject({ id: 'A1', status: 'open', responsible: 'prod-li' });
    r = await step(c.id, 'answer', { answer: 'x', channel: 'phone' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/open corrective actions \(A1\)/);
    r = await step(c.id, 'complete-action', { actionId: 'A1', result: '已更换' });
    expect(r.body.actions[0].status).toBe('done');
    r = await step(c.id, 'complete-action', { actionId: 'A1', result: 'again' });
    expect(r.status).toBe(409);

    r = await step(c.id, 'answer', { answer: '已更换轴承并延长保修', channel: 'phone' });
    expect(r.body.stage).toBe('answered');
    r = await step(c.id, 'customer-response', { accepted: false, comment: '不满意，要求换新' });
    expect(r.body).toMatchObject({ stage: 'investigating', rejections: 1 });
    r = await step(c.id, 'add-action', {
      description: '整机更换',
      type: 'immediate',
      responsible: 'prod-li',
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
    });
    r = await step(c.id, 'waive-actions', { reason: '客户同意先答复' }, stack.keys.specialist);
    expect(r.status).toBe(403);
    r = await step(c.id, 'waive-actions', { reason: '客户同意先答复' });
    expect(r.status).toBe(200);
    r = await step(c.id, 'answer', { answer: '为您整机更换', channel: 'email' });
    expect(r.body.answers.map((a: { round: number }) => a.round)).toEqual([0, 1]);
    r = await step(c.id, 'customer-response', { accepted: true });
    expect(r.body.stage).toBe('verifying');
    const clocks = Object.fromEntries(
      r.body.clocks.map((k: { name: string; state: string }) => [k.name, k.state]),
    );
    expect(clocks).toMatchObject({ resolve: 'stopped', progress: 'stopped' });
    r = await step(c.id, 'effectiveness-check', { effective: true, note: '运行正常' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/A2/);
    await step(c.id, 'complete-action', { actionId: 'A2', result: '已换新' });
    r = await step(c.id, 'effectiveness-check', { effective: true, note: '运行正常' });
    expect(r.body.stage).toBe('closed');
    expect(types(r.body)).toEqual([
      'created',
      'routed',
      'acknowledged',
      'finding_recorded',
      'evidence_attached',
      'action_added',
      'action_completed',
      'answered',
      'answer_rejected',
      'action_added',
      'actions_waived',
      'answered',
      'answer_accepted',
      'action_completed',
      'closed',
    ]);
    r = await step(c.id, 'withdraw', { reason: 'x' });
    expect(r.status).toBe(409);

    const list = await get(stack.app, `/api/v1/complaints?caseId=${caseId}&stage=closed`);
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
    const updates = await stack.db.sql<Array<{ kind: string }>>`
      select kind from complaint_updates where complaint_id = ${c.id} order by seq`;
    expect(updates.map((u) => u.kind)).toEqual(['acknowledge', 'answer', 'answer']);
    const mine = await waitFor(async () => {
      const events = received.filter((e) => e.complaintId === c.id);
      const seen = events.map((e) => e.type);
      return seen.includes('complaint.closed') && seen.includes('complaint.created') ? events : undefined;
    });
    // Every body is what the OpenAPI document's webhooks section says.
    expect(mine.map((e) => checkBody(e)).filter(Boolean)).toEqual([]);
  });

  it('an answer found not effective runs the overdue resolve clock on from how far overdue it was', async () => {
    const line = await fastComplaintPolicy(stack, { P2: { resolve: seconds(2) } });
    const c = await openComplaint(stack, line);
    expect(c.priority).toBe('P2');
    await step(c.id, 'acknowledge', { message: '已受理', channel: 'phone' });
    await waitFor(async () => {
      const r = await get(stack.app, `/api/v1/complaints/${c.id}`);
      return r.body.clocks.find((k: { name: string }) => k.name === 'resolve')?.breached;
    });
    await step(c.id, 'record-finding', { text: '密封圈老化' });
    let r = await step(c.id, 'answer', { answer: '已更换密封圈', channel: 'phone' });
    expect(r.body.stage).toBe('answered');
    r = await step(c.id, 'customer-response', { accepted: true });
    const stopped = r.body.clocks.find((k: { name: string }) => k.name === 'resolve');
    expect(stopped.state).toBe('stopped');
    expect(stopped.remainingMs).toBeLessThan(0);
    r = await step(c.id, 'effectiveness-check', { effective: false, note: '仍漏气' });
    expect(r.body.stage).toBe('investigating');
    const resolve = r.body.clocks.find((k: { name: string }) => k.name === 'resolve');
    const reopenedAt = Date.parse(r.body.timeline.at(-1).at);
    expect(r.body.timeline.at(-1).type).toBe('not_effective');
    // Overdue by what it was when it stopped: its deadline lies that far before the reopening, so the
    // dashboard's count (now − deadline) goes on from there rather than from zero.
    expect(resolve).toMatchObject({ state: 'breached', breached: true });
    expect(Date.parse(resolve.deadline)).toBe(reopenedAt + stopped.remainingMs);
    // The complaint list (the dashboard's complaints view) shows the same clock.
    const list = await get(stack.app, `/api/v1/complaints?stage=investigating&limit=100`);
    const summary = list.body.items.find((i: { id: string }) => i.id === c.id);
    const listed = summary.clocks.find((k: { name: string }) => k.name === 'resolve');
    expect(Date.parse(listed.deadline)).toBe(reopenedAt + stopped.remainingMs);
  });

  it('a corrective action past its deadline reminds the responsible person, then escalates to the owner and the manager', async () => {
    const line = await fastComplaintPolicy(stack);
    const c = await openComplaint(stack, line);
    await step(c.id, 'route', { department: 'production', owner: 'prod-chen', reason: '装配问题' });
    await step(c.id, 'acknowledge', { message: '已受理', channel: 'phone' });
    const r = await step(c.id, 'add-action', {
      description: '返工检验',
      type: 'corrective',
      responsible: 'qc-wu',
      within: seconds(2),
    });
    const deadline = Date.parse(r.body.actions[0].deadline);
    const fired = await waitFor(async () => {
      const rows = await complaintEscalations(stack, c.id, 'action:A1');
      return rows.length === 3 ? rows : undefined;
    });
    expect(fired.map((e) => [e.level, e.name, e.recipient])).toEqual([
      [1, 'reminder', 'qc-wu'],
      [2, 'overdue', 'prod-chen'],
      [3, 'escalation', 'service-manager'],
    ]);
    expect(fired[1].due_at.getTime()).toBe(deadline);
    for (const e of fired) expect(e.fired_at.getTime()).toBeGreaterThanOrEqual(e.due_at.getTime());
    // Their notifications go out through their delivery workflows, moments later.
    await waitFor(async () => {
      const kinds = stack.notifications.filter((n) => n.caseId === c.id).map((n) => n.kind);
      return kinds.includes('complaint.action.reminder') && kinds.includes('complaint.action.overdue');
    });
    // Each step reached the person the directory knows: the responsible one, then the owner (the
    // chain's start).
    const notified = await waitFor(async () => {
      const v = await get(stack.app, `/api/v1/complaints/${c.id}`);
      const action = v.body.escalations.filter((e: { clock: string }) => e.clock === 'action:A1');
      return action.slice(0, 2).every((e: { notified: unknown }) => e.notified) ? action : undefined;
    });
    expect(notified[0].notified.recipients).toEqual([
      expect.objectContaining({ personId: 'qc-wu', position: 'person' }),
    ]);
    expect(notified[1].notified.recipients).toEqual([
      expect.objectContaining({ personId: 'prod-chen', position: 'assignee' }),
    ]);
    const view = await get(stack.app, `/api/v1/complaints/${c.id}`);
    expect(types(view.body).filter((t) => t === 'escalated')).toHaveLength(3);
  });

  it('progress updates fall due, reset on each customer-visible update, and stop at resolution', async () => {
    const line = await fastComplaintPolicy(stack, { P3: { progressUpdate: seconds(2) } });
    const c = await openComplaint(stack, line, {
      complaint: {
        description: '外壳漆面起泡',
        category: 'product_quality',
        urgency: 'medium',
        importance: 'medium',
      },
    });
    expect(c).toMatchObject({ priority: 'P3', department: 'quality', owner: null });
    const missed = await waitFor(async () => {
      const rows = await complaintEscalations(stack, c.id, 'progress');
      return rows.some((e) => e.name === 'missed') ? rows : undefined;
    });
    expect(missed.map((e) => [e.cycle, e.level, e.recipient])).toEqual([
      [0, 1, 'desk:quality'],
      [0, 2, 'service-manager'],
    ]);
    // The quality desk is the people holding the quality role.
    const reminder = await waitFor(async () => {
      const v = await get(stack.app, `/api/v1/complaints/${c.id}`);
      return v.body.escalations.find(
        (e: { clock: string; level: number }) => e.clock === 'progress' && e.level === 1,
      )?.notified;
    });
    expect(reminder.recipients).toEqual(
      expect.arrayContaining([expect.objectContaining({ personId: 'qa-desk', position: 'desk' })]),
    );
    let r = await step(c.id, 'acknowledge', { message: '抱歉，正在处理', channel: 'phone' });
    let progress = r.body.clocks.find((k: { name: string }) => k.name === 'progress');
    // Restarted as a new cycle (on a loaded machine its 2 s may already have run out again).
    expect(progress.cycle).toBe(1);
    expect(progress.state).not.toBe('stopped');
    r = await step(c.id, 'progress-update', { message: '财务已在开票', channel: 'email' });
    progress = r.body.clocks.find((k: { name: string }) => k.name === 'progress');
    expect(progress.cycle).toBe(2);
    await step(c.id, 'record-finding', { text: '喷涂批次烘烤温度不足' });
    await step(c.id, 'answer', { answer: '为您免费重新喷涂', channel: 'email' });
    r = await step(c.id, 'customer-response', { accepted: true });
    progress = r.body.clocks.find((k: { name: string }) => k.name === 'progress');
    expect(progress).toMatchObject({ state: 'stopped', deadline: null });
    const live = await stack.client.workflow
      .getHandle(`complaint-${c.id}`)
      .query<{ clocks: Record<string, { status: string }> }>('state');
    expect(live.clocks.progress.status).toBe('stopped');

    const report = await get(stack.app, '/api/v1/complaint-reports/progress-updates', {
      authorization: `Bearer ${stack.keys.manager}`,
    });
    expect(report.status).toBe(200);
    const desk = report.body.items.find((i: { owner: string | null }) => i.owner === null);
    expect(desk.missed).toBeGreaterThanOrEqual(1);
    expect(desk.updates).toBeGreaterThanOrEqual(3);
  });

  it('a P1 complaint tells upper management at intake; a revised classification needs a reason and is recorded', async () => {
    const line = await fastComplaintPolicy(stack);
    const c = await openComplaint(stack, line, {
      complaint: {
        description: '设备起火',
        category: 'product_quality',
        urgency: 'high',
        importance: 'high',
      },
    });
    expect(c.priority).toBe('P1');
    await waitFor(async () =>
      stack.notifications.some(
        (n) => n.caseId === c.id && n.kind === 'complaint.p1' && n.recipient === 'upper-management',
      ),
    );
    let r = await step(c.id, 'reclassify', { urgency: 'high', importance: 'high', reason: 'same' });
    expect(r.status).toBe(409);
    r = await step(c.id, 'reclassify', { urgency: 'low', importance: 'high', reason: '' });
    expect(r.status).toBe(400);
    r = await step(c.id, 'reclassify', { urgency: 'low', importance: 'high', reason: '现场确认无安全风险' });
    expect(r.body).toMatchObject({ priority: 'P3', urgency: 'low' });
    expect(r.body.reclassifications[0]).toMatchObject({
      from: { priority: 'P1' },
      to: { priority: 'P3' },
      reason: '现场确认无安全风险',
    });
  });

  it('answers bad input with 4xx problems naming it, and writes nothing', async () => {
    const bad = async (url: string, payload: unknown, status: number, match?: RegExp, key?: string) => {
      const r = await call(stack.app, 'POST', url, { payload, ...(key ? { key } : {}) });
      expect(r.status, `${url} ${JSON.stringify(payload)} → ${JSON.stringify(r.body)}`).toBe(status);
      expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
      if (match) expect(r.body.detail).toMatch(match);
      return r;
    };
    const marker = `bad-input-${Date.now()}`;
    const complaintBody = (line?: string, overrides: Record<string, unknown> = {}) => {
      const b = baseBody(line, overrides);
      return { ...b, customer: { ...b.customer, name: marker } };
    };
    await bad('/api/v1/complaints', { ...complaintBody(), channel: 'fax' }, 400);
    await bad('/api/v1/complaints', { ...complaintBody(), extra: 1 }, 400);
    const noContact = complaintBody();
    await bad('/api/v1/complaints', { ...noContact, customer: { name: marker } }, 422, /phone or an email/);
    await bad(
      '/api/v1/complaints',
      complaintBody(undefined, { reportedAt: '2999-01-01T00:00:00Z' }),
      422,
      /future/,
    );
    await bad(
      '/api/v1/complaints',
      complaintBody(undefined, { caseIds: ['C9999999'] }),
      422,
      /unknown case "C9999999"/,
    );
    await bad('/api/v1/complaints', complaintBody(), 403, undefined, stack.keys.engineer);
    expect(await stack.db.sql`select 1 from complaints where customer_name = ${marker}`).toHaveLength(0);

    const c = await openComplaint(stack);
    await bad(
      `/api/v1/complaints/${c.id}/answer`,
      { answer: 'x', channel: 'phone' },
      409,
      /does not fit stage "registered"/,
    );
    await bad(`/api/v1/complaints/${c.id}/customer-response`, { accepted: true }, 409, /customer-response/);
    await bad('/api/v1/complaints/CP9999999/acknowledge', { message: 'x', channel: 'phone' }, 404);
    await bad('/api/v1/complaints/nope/acknowledge', { message: 'x', channel: 'phone' }, 400);
    await bad(`/api/v1/complaints/${c.id}/link-case`, { caseId: 'C9999998' }, 422);
    await bad(
      `/api/v1/complaints/${c.id}/answer`,
      { answer: 'x', channel: 'phone' },
      403,
      undefined,
      stack.keys.rnd,
    );
    await step(c.id, 'acknowledge', { message: '已受理', channel: 'phone' });
    await bad(
      `/api/v1/complaints/${c.id}/add-action`,
      { description: 'd', type: 'corrective', responsible: 'prod-li' },
      409,
      /either a deadline/,
    );
    await bad(
      `/api/v1/complaints/${c.id}/add-action`,
      { description: 'd', type: 'corrective', responsible: 'prod-li', deadline: '2020-01-01T00:00:00Z' },
      409,
      /not in the future/,
    );
    // Owners and responsible people are people the staff directory knows.
    await bad(
      `/api/v1/complaints/${c.id}/add-action`,
      { description: 'd', type: 'corrective', responsible: 'nobody-here', within: seconds(60) },
      422,
      /responsible "nobody-here" is not an active person/,
    );
    await bad(
      `/api/v1/complaints/${c.id}/route`,
      { department: 'rnd', owner: 'nobody-here', reason: 'r' },
      422,
      /owner "nobody-here" is not an active person/,
    );
    await bad(
      `/api/v1/complaints/${c.id}/complete-action`,
      { actionId: 'A7', result: 'r' },
      409,
      /no corrective action "A7"/,
    );
    const ev = (contentType: string, bytes: Buffer | string) => ({
      fileName: 'f',
      contentType,
      contentBase64: Buffer.from(bytes).toString('base64'),
    });
    await bad(`/api/v1/complaints/${c.id}/evidence`, ev('image/png', 'not a png'), 415);
    await bad(`/api/v1/complaints/${c.id}/evidence`, ev('text/plain', Buffer.alloc(2000, 65)), 413);
    await bad(`/api/v1/complaints/${c.id}/evidence`, ev('application/zip', 'PK'), 400);
    await bad(
      `/api/v1/complaints/${c.id}/evidence`,
      { fileName: 'f', contentType: 'text/plain', contentBase64: '@@@@' },
      422,
    );
    const files = await stack.db.sql`select 1 from complaint_evidence where complaint_id = ${c.id}`;
    expect(files).toHaveLength(0);
    const list = await call(stack.app, 'GET', '/api/v1/complaints?priority=P9');
    expect(list.status).toBe(400);
    const other = await call(stack.app, 'GET', `/api/v1/complaints/${c.id}`, { key: stack.keys.helpdesk });
    expect(other.status).toBe(404);
  });

  it('links a case after intake and is withdrawn with a reason: its clocks stop', async () => {
    const c = await openComplaint(stack, await fastComplaintPolicy(stack));
    const caseId = (await post(stack.app, '/api/v1/cases', intakeBody())).body.id;
    let r = await step(c.id, 'link-case', { caseId });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.linkedCases).toEqual([caseId]);
    r = await step(c.id, 'link-case', { caseId });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/linked already/);
    r = await step(c.id, 'withdraw', { reason: '  ' });
    expect(r.status).toBe(400);
    r = await step(c.id, 'withdraw', { reason: '客户与经销商协商解决，撤回投诉' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ stage: 'withdrawn', stageLabel: '已撤销' });
    expect(r.body.closedAt).not.toBeNull();
    expect(r.body.withdrawal.reason).toBe('客户与经销商协商解决，撤回投诉');
    expect(r.body.clocks.map((k: { state: string }) => k.state)).toEqual(['stopped', 'stopped', 'stopped']);
    const linked = await get(stack.app, `/api/v1/complaints?caseId=${caseId}`);
    expect(linked.body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);
  });

  it('the classification matrix is versioned data: a policy version decides the priority, and open complaints keep theirs', async () => {
    await ensureAllHoursCalendar(stack);
    const id = `strict-${process.pid}-${Date.now()}`;
    const line = `mline-${id}`;
    const hour = { amount: 1, unit: 'hours' };
    const targets = { acknowledge: hour, resolve: hour, progressUpdate: hour };
    const policy = {
      name: '严格投诉矩阵',
      match: { productLine: line },
      calendarId: 'always',
      matrix: {
        high: { high: 'P1', medium: 'P1', low: 'P2' },
        medium: { high: 'P2', medium: 'P2', low: 'P3' },
        low: { high: 'P3', medium: 'P4', low: 'P4' },
      },
      targets: { P1: targets, P2: targets, P3: targets, P4: targets },
    };
    const put = (policyId: string, body: unknown) =>
      call(stack.app, 'PUT', `/api/v1/complaint-policies/${policyId}`, { payload: body });
    let r = await put(id, policy);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ id, version: 1, current: true });
    // Invalid versions change nothing.
    r = await put(id, {
      ...policy,
      matrix: { ...policy.matrix, high: { high: 'P9', medium: 'P1', low: 'P2' } },
    });
    expect(r.status).toBe(400);
    r = await put(id, { ...policy, escalation: [{ level: 1, at: 0.5, recipient: 'assignee', name: 'w' }] });
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/escalation needs a step at 1/);
    r = await put(id, {
      ...policy,
      routing: [{ match: { category: 'design' }, department: 'rnd', owner: 'nobody-here' }],
    });
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/routing\[0\]\.owner "nobody-here"/);
    r = await put(`${id}-twin`, policy);
    expect(r.status).toBe(409);

    const urgent = {
      description: '交货后即漏油',
      category: 'product_quality',
      urgency: 'high',
      importance: 'medium',
    };
    const first = await openComplaint(stack, line, { complaint: urgent });
    expect(first.priority).toBe('P1');
    expect(first.policy).toMatchObject({ id, version: 1 });

    r = await put(id, {
      ...policy,
      matrix: { ...policy.matrix, high: { high: 'P1', medium: 'P3', low: 'P3' } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ version: 2, current: true });
    const versions = await get(stack.app, `/api/v1/complaint-policies/${id}`);
    expect(
      versions.body.versions.map((v: { version: number; current: boolean }) => [v.version, v.current]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    const current = await get(stack.app, '/api/v1/complaint-policies');
    expect(
      current.body.items
        .filter((p: { id: string }) => p.id === id)
        .map((p: { version: number }) => p.version),
    ).toEqual([2]);

    const second = await openComplaint(stack, line, { complaint: urgent });
    expect(second).toMatchObject({ priority: 'P3', policy: { id, version: 2 } });
    expect((await get(stack.app, `/api/v1/complaints/${first.id}`)).body).toMatchObject({
      priority: 'P1',
      policy: { version: 1 },
    });
  });

  it('a step whose text the database refuses is recorded, written made storable, and the complaint goes on', async () => {
    const c = await openComplaint(stack, await fastComplaintPolicy(stack));
    await step(c.id, 'acknowledge', { message: '已受理', channel: 'phone' });
    // Past the API (which refuses such text), straight to the workflow, as an older client could.
    await stack.client.workflow
      .getHandle(complaintWorkflowId(c.id))
      .executeUpdate(recordFindingUpdate, { args: [{ actor: 'rogue-client', text: 'a\u0000b\ud800c' }] });
    const failures = await stack.db.db
      .select()
      .from(projectionFailures)
      .where(eq(projectionFailures.caseId, c.id));
    expect(failures).toEqual([
      expect.objectContaining({
        activity: 'projectComplaint',
        eventType: 'finding_recorded',
        errorType: 'UnstorableData',
        repaired: true,
      }),
    ]);
    let v = await get(stack.app, `/api/v1/complaints/${c.id}`);
    expect(v.body.findings.map((f: { text: string }) => f.text)).toEqual([`a${REPLACEMENT}b${REPLACEMENT}c`]);
    await waitFor(async () =>
      stack.notifications.some((n) => n.kind === 'system.projection_failed' && n.caseId === c.id),
    );
    // The complaint goes on to its answer.
    expect((await step(c.id, 'record-finding', { text: '复核完成' })).status).toBe(200);
    v = await step(c.id, 'answer', { answer: '已处理', channel: 'phone' });
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    expect(v.body.timeline.map((e: { seq: number }) => e.seq)).toEqual(
      v.body.timeline.map((_: unknown, i: number) => i + 1),
    );
  });
});
