// The live event stream (GET /api/v1/events/stream) over a real HTTP listener: transitions and fired
// escalations arrive as they commit, a reconnect with Last-Event-ID gets what it missed and nothing
// twice, engineers see only their own cases, and browsers open it with one-use tickets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { sseEventCheck } from '../support/contract.js';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { openSse, type SseEvent, type SseStream } from '../support/sse.js';
import { call, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let base: string;
let checkEvent: Awaited<ReturnType<typeof sseEventCheck>>;
const streams: SseStream[] = [];

beforeAll(async () => {
  stack = await startStack({ engineers: ['eng-stream-a', 'eng-stream-b'] });
  base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  checkEvent = await sseEventCheck('streamCaseEvents');
});
afterAll(async () => {
  for (const s of streams) s.close();
  await stack?.close();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
async function open(path: string, headers: Record<string, string> = {}) {
  const s = await openSse(`${base}${path}`, headers);
  streams.push(s);
  return s;
}
/** A stream with the manager's key, once its "ready" event has come. */
async function managerStream(headers: Record<string, string> = {}) {
  const s = await open('/api/v1/events/stream', { ...bearer(stack.keys.manager), ...headers });
  expect(s.status).toBe(200);
  await s.waitFor((e) => e.event === 'ready');
  return s;
}
const caseEvent = (caseId: string, transition: string) => (e: SseEvent) =>
  e.event === 'case' &&
  (e.data as { caseId: string }).caseId === caseId &&
  (e.data as { transition: string }).transition === transition;
const ofCases = (s: SseStream, ids: string[]) =>
  s.events.filter((e) => e.event === 'case' && ids.includes((e.data as { caseId: string }).caseId));
const expectDocumented = (s: SseStream) => {
  const problems = s.events.map((e) => checkEvent(e)).filter((p) => p !== null);
  expect(problems).toEqual([]);
  for (const e of s.events) expect(e.id).toBe((e.data as { id: string }).id);
};

async function openCase() {
  const r = await post(stack.app, '/api/v1/cases', intakeBody());
  expect(r.status).toBe(201);
  return r.body.id as string;
}

describe.concurrent('live event stream', () => {
  it('delivers transitions and fired escalations as they commit, in the order of each case', async () => {
    const s = await managerStream();
    expect(s.contentType).toMatch(/^text\/event-stream/);
    const line = await fastPolicy(stack, {
      targets: { response: { normal: seconds(2), emergency: seconds(2) } },
    });
    const created = await openSlaCase(stack, line);
    const breach = await s.waitFor(caseEvent(created.id, 'sla_breached'));
    expect(breach.data).toMatchObject({
      caseId: created.id,
      stage: 'intake',
      previousStage: 'intake',
      actor: 'system',
      escalation: { clock: 'response', level: 2, kind: 'breached', recipient: 'service-manager' },
    });
    const ours = ofCases(s, [created.id]).map((e) => e.data as { transition: string; seq: number });
    expect(ours.map((e) => e.transition).slice(0, 3)).toEqual(['created', 'sla_warning', 'sla_breached']);
    expect(ours.map((e) => e.seq)).toEqual(ours.map((_e, i) => i + 1));
    expectDocumented(s);
  });

  it('resumes after Last-Event-ID with what was missed, each event once, also when cases are written concurrently', async () => {
    const first = await managerStream();
    const before = await openCase();
    await first.waitFor(caseEvent(before, 'created'));
    const resumeFrom = first.events.at(-1)!.id;
    first.close();

    // Written while nobody listens, from concurrent transactions.
    const missed = await Promise.all(Array.from({ length: 12 }, () => openCase()));
    await Promise.all(
      missed
        .slice(0, 6)
        .map((id) => post(stack.app, `/api/v1/cases/${id}/assign`, { engineer: 'eng-stream-a' })),
    );

    const resumed = await managerStream({ 'last-event-id': resumeFrom });
    expect(resumed.events[0]).toMatchObject({ event: 'ready', id: resumeFrom });
    for (const id of missed) await resumed.waitFor(caseEvent(id, 'created'));
    for (const id of missed.slice(0, 6)) await resumed.waitFor(caseEvent(id, 'assigned'));
    const got = ofCases(resumed, [before, ...missed]).map((e) => {
      const d = e.data as { caseId: string; transition: string };
      return `${d.caseId} ${d.transition}`;
    });
    expect(got.filter((g) => g.startsWith(before))).toEqual([]);
    expect(new Set(got).size).toBe(got.length);
    expect(got.filter((g) => g.endsWith('created'))).toHaveLength(12);
    // Ids only grow, so a client keeps the last one it saw.
    const ids = resumed.events.map((e) => e.id.split('.').map(BigInt));
    for (let i = 1; i < ids.length; i++) {
      const [a, b] = [ids[i - 1], ids[i]];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1])).toBe(true);
    }
    // The same position as a query parameter (a new EventSource cannot send the header).
    const again = await managerStream();
    const viaQuery = await open(
      `/api/v1/events/stream?lastEventId=${encodeURIComponent(resumeFrom)}`,
      bearer(stack.keys.manager),
    );
    await viaQuery.waitFor(caseEvent(missed.at(-1)!, 'created'));
    again.close();
    expectDocumented(resumed);
  });

  it('shows an engineer only the events of the cases assigned to them', async () => {
    const mine = await openCase();
    const theirs = await openCase();
    const s = await open('/api/v1/events/stream', bearer(stack.engineerKeys['eng-stream-a']));
    expect(s.status).toBe(200);
    await s.waitFor((e) => e.event === 'ready');
    await post(stack.app, `/api/v1/cases/${theirs}/assign`, { engineer: 'eng-stream-b' });
    await post(stack.app, `/api/v1/cases/${mine}/assign`, { engineer: 'eng-stream-a' });
    // Events come in commit order: once the later assignment is here, the earlier one would be too.
    await s.waitFor(caseEvent(mine, 'assigned'));
    expect(ofCases(s, [theirs])).toEqual([]);
    expectDocumented(s);
  });

  it('opens with a one-use ticket from a browser, never without a credential', async () => {
    const none = await open('/api/v1/events/stream');
    expect(none.status).toBe(401);

    const issued = await call(stack.app, 'POST', '/api/v1/events/tickets', { key: stack.keys.helpdesk });
    expect(issued.status).toBe(201);
    expect(issued.body.ticket).toMatch(/^est_[A-Za-z0-9_-]{32}$/);
    expect(issued.body.streamUrl).toBe(`/api/v1/events/stream?ticket=${issued.body.ticket}`);
    expect(Date.parse(issued.body.expiresAt)).toBeGreaterThan(Date.now());

    // The help desk key's stream: the cases it opened, not the manager's.
    const s = await open(issued.body.streamUrl);
    expect(s.status).toBe(200);
    await s.waitFor((e) => e.event === 'ready');
    const managers = await openCase();
    const r = await post(stack.app, '/api/v1/cases', intakeBody(), bearer(stack.keys.helpdesk));
    await s.waitFor(caseEvent(r.body.id, 'created'));
    expect(ofCases(s, [managers])).toEqual([]);

    const reused = await open(issued.body.streamUrl);
    expect(reused.status).toBe(401);
    const forged = await open('/api/v1/events/stream?ticket=est_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.status).toBe(401);
    // A ticket stands in for a key nowhere else.
    const second = await call(stack.app, 'POST', '/api/v1/events/tickets', { key: stack.keys.helpdesk });
    const elsewhere = await call(stack.app, 'GET', `/api/v1/cases?ticket=${second.body.ticket}`, {
      key: null,
    });
    expect(elsewhere.status).toBe(401);
  });

  it('delivers a transition whose transaction began first but committed last, before the ones that overtook it', async () => {
    const slow = await openCase();
    const fast = await openCase();
    const s = await managerStream();
    // A timeline row written by a transaction that stays open while another commits after it: a reader
    // going by commit-time ids alone would pass the first by and never come back for it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertedRow = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const held = stack.db.sql.begin(async (tx) => {
      await tx`insert into case_events (case_id, seq, type, from_stage, to_stage, actor, at, data)
        values (${slow}, 1000, 'contact_attempted', 'intake', 'intake', 'test-held', now(), '{}')`;
      inserted();
      await gate;
    });
    await insertedRow;
    const assigned = await post(stack.app, `/api/v1/cases/${fast}/assign`, { engineer: 'eng-stream-a' });
    expect(assigned.status).toBe(200);
    release();
    await held;

    await s.waitFor(caseEvent(fast, 'assigned'));
    await s.waitFor(caseEvent(slow, 'contact_attempted'));
    const order = ofCases(s, [slow, fast]).map((e) => (e.data as { transition: string }).transition);
    expect(order).toEqual(['contact_attempted', 'assigned']);
    expectDocumented(s);
  });

  it('a ticket of a key revoked since it was issued opens nothing', async () => {
    const created = await call(stack.app, 'POST', '/api/v1/api-keys', {
      key: stack.keys.admin,
      payload: { name: 'dashboard wall screen', role: 'manager', personId: 'wall-screen' },
    });
    expect(created.status).toBe(201);
    const issued = await call(stack.app, 'POST', '/api/v1/events/tickets', { key: created.body.key });
    expect(issued.status).toBe(201);
    const revoked = await call(stack.app, 'DELETE', `/api/v1/api-keys/${created.body.id}`, {
      key: stack.keys.admin,
    });
    expect(revoked.status).toBe(200);
    const s = await open(issued.body.streamUrl);
    expect(s.status).toBe(401);
  });

  it('never writes a ticket into the request log', async () => {
    const lines: string[] = [];
    const logged = await buildApp({
      db: stack.db.db,
      temporal: stack.client,
      taskQueue: stack.taskQueue,
      timing: { surveyDelayMs: 60_000, surveyExpiryMs: 60_000 },
      bootstrapKeys: [],
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    });
    try {
      const issued = await call(stack.app, 'POST', '/api/v1/events/tickets', { key: stack.keys.manager });
      const ticket = issued.body.ticket as string;
      // A real ticket, used up here; this second API does not know the environment key behind it, so
      // the stream does not open (401) — what matters is what the log says about the request.
      const res = await logged.inject({ url: `/api/v1/events/stream?lastEventId=x&ticket=${ticket}` });
      expect(res.statusCode).toBe(401);
      const urls = lines.map((l) => JSON.parse(l).req?.url).filter(Boolean);
      expect(urls).toEqual(['/api/v1/events/stream?lastEventId=x&ticket=[redacted]']);
      expect(lines.join('\n')).not.toContain(ticket.slice(4));
    } finally {
      await logged.close();
    }
  });

  it('refuses a Last-Event-ID that is not a position', async () => {
    const s = await open('/api/v1/events/stream', {
      ...bearer(stack.keys.manager),
      'last-event-id': 'yesterday',
    });
    expect(s.status).toBe(400);
  });
});
