// Scripted faults against the production topology (scripts/topology.ts: the Temporal server on
// PostgreSQL, two compiled workers, two compiled APIs), each asserting its outcome:
//
//   npm run chaos -- kill-worker        kill -9 one worker with 200 cases in flight: every case closes
//                                      exactly once, the read model has no gap and no duplicate
//   npm run chaos -- restart-temporal   restart the Temporal server with SLA timers pending: all fire
//   npm run chaos -- postgres-away      PostgreSQL away for 30 s while SLA steps fall due: /health and the
//                                      API answer 503 (never 500), the escalation activities retry, every
//                                      step is recorded once afterwards, /health recovers
//   npm run chaos -- webhook-down       the webhook receiver down: everything is delivered afterwards
//   npm run chaos -- all
//
// Needs `npm run build` and `bash scripts/build-temporal-server.sh`. Each scenario starts a fresh topology
// in a temp dir on its own ports and writes bench/results/chaos-<scenario>.json; exit code 1 when an
// assertion fails. Options: --cases N (kill-worker, default 200), --port-base P (default 7800).

import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { DEFAULT_POLICY, type SlaPolicy } from '../domain/sla-policy.js';
import { REPO_ROOT, sleep } from '../scripts/process-helpers.mjs';
import { startTopology, type Topology } from '../scripts/topology.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { cases: { type: 'string', default: '200' }, 'port-base': { type: 'string', default: '7800' } },
});
const SCENARIOS = ['kill-worker', 'restart-temporal', 'postgres-away', 'webhook-down'] as const;
type Scenario = (typeof SCENARIOS)[number];

const say = (msg: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}`);

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

class Api {
  private next = 0;
  constructor(private readonly t: Topology) {}
  /** Round-robin over the API processes, as a load balancer would. */
  async call(method: string, path: string, body?: unknown, role = 'manager', idempotencyKey?: string) {
    const base = this.t.apiUrls[this.next++ % this.t.apiUrls.length];
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.t.keys[role]}`,
        'content-type': 'application/json',
        ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  /**
   * Retries what a client would retry — connection failures, 5xx, and 409 while the first attempt is still
   * in progress — with one Idempotency-Key for all attempts, so a step that was applied before its answer
   * got lost is answered again instead of being applied twice (or refused as not fitting any more).
   */
  async must(method: string, path: string, body?: unknown, role = 'manager') {
    const key = method === 'POST' ? randomUUID() : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.call(method, path, body, role, key);
        const inProgress = r.status === 409 && r.body?.type === 'urn:shouhou:problem:idempotency-conflict';
        if (r.status < 500 && !inProgress) return r;
        if (attempt >= 20) return r;
      } catch (err) {
        if (attempt >= 20) throw err;
      }
      await sleep(Math.min(500 * attempt, 5_000));
    }
  }
}

let serial = 0;
function intake(line?: string) {
  serial += 1;
  return {
    channel: 'phone',
    customer: { name: '张伟', phone: '+86 138 0000 0000' },
    product: {
      model: 'HX-200 空压机',
      serialNumber: `CHAOS-${process.pid}-${serial}`,
      purchaseDate: '2025-03-01',
      ...(line ? { line } : {}),
    },
    problem: { description: '压缩机异响', severity: 'normal' },
    externalRef: { system: 'chaos', id: `${process.pid}-${serial}` },
  };
}

/** A policy whose response clock warns after `warnS` seconds (75 %), on an all-hours calendar. */
async function fastPolicy(t: Topology, responseS: number): Promise<string> {
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const allDay = [{ start: '00:00', end: '24:00' }];
  await sql`insert into calendars (id, name, time_zone, weekly, workday_periods)
    values ('always', '全天候', 'Asia/Shanghai', ${sql.json(Array.from({ length: 7 }, () => allDay))},
      ${sql.json(allDay)}) on conflict do nothing`;
  const line = `chaos-${Date.now()}`;
  const h = (s: number) => ({ amount: s / 3600, unit: 'hours' as const });
  const policy: SlaPolicy = {
    ...DEFAULT_POLICY,
    id: line,
    version: 1,
    name: 'chaos',
    calendarId: 'always',
    match: { productLine: line },
    targets: {
      response: { normal: h(responseS), emergency: h(responseS) },
      arrival: { emergency: h(3600) },
      repair: { ordinary: h(3600), complex: h(7200) },
    },
  };
  await sql`insert into sla_policies (id, version, name, definition) values (${policy.id}, 1, ${policy.name}, ${sql.json(policy as never)})`;
  await sql.end();
  return line;
}

async function waitUntil<T>(
  _what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) return { ok: false, last };
    await sleep(1_000);
    last = await probe();
  }
  return { ok: true, last };
}

/** Every case: one row, timeline seq 1..n without gap or duplicate, matching the row's version. */
async function readModelChecks(t: Topology, ids: string[]): Promise<Check[]> {
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const rows = await sql<
    { id: string; version: number; stage: string; events: number; max: number; distinct: number }[]
  >`
    select c.id, c.version, c.stage, count(e.seq)::int as events, coalesce(max(e.seq), 0)::int as max,
      count(distinct e.seq)::int as distinct
    from cases c left join case_events e on e.case_id = c.id
    where c.id = any(${ids}) group by c.id`;
  await sql.end();
  const gaps = rows.filter((r) => r.events !== r.max || r.distinct !== r.events || r.max !== r.version);
  return [
    {
      name: 'one read-model row per case',
      ok: rows.length === ids.length,
      detail: `${rows.length} of ${ids.length}`,
    },
    {
      name: 'timeline without gap or duplicate',
      ok: gaps.length === 0,
      detail: gaps.length ? `e.g. ${JSON.stringify(gaps.slice(0, 3))}` : `${rows.length} cases checked`,
    },
  ];
}

async function killWorker(t: Topology): Promise<Check[]> {
  const api = new Api(t);
  const n = Number(values.cases);
  say(`opening ${n} cases and resolving each at intake while worker-1 is killed (kill -9) midway`);
  const ids: string[] = [];
  let killed = false;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (ids.length < n) {
        const created = await api.must('POST', '/api/v1/cases', intake(), 'helpdesk');
        if (created.status !== 201 && created.status !== 200) throw new Error(`intake ${created.status}`);
        ids.push(created.body.id);
        if (!killed && ids.length >= n / 2) {
          killed = true;
          say(`kill -9 worker-1 with ${ids.length} cases opened`);
          void t.kill('worker-1');
        }
        const r = await api.must('POST', `/api/v1/cases/${created.body.id}/resolve-at-intake`, {
          answer: '请按说明书复位压力开关',
        });
        if (r.status !== 200) throw new Error(`resolve ${r.status}: ${JSON.stringify(r.body)}`);
      }
    }),
  );
  say(`all steps accepted in ${((Date.now() - started) / 1000).toFixed(1)} s; restarting worker-1`);
  await t.restart('worker-1');
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const closed = await waitUntil(
    'closed',
    async () =>
      (await sql`select count(*)::int as n from cases where id = any(${ids}) and stage = 'closed'`)[0]!
        .n as number,
    (c) => c === ids.length,
    300_000,
  );
  await sql.end();
  const { Connection, Client } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: t.temporalAddress });
  const client = new Client({ connection });
  let runs = 0;
  let completed = 0;
  for (const id of ids) {
    for await (const wf of client.workflow.list({ query: `WorkflowId = 'case-${id}'` })) {
      runs += 1;
      if (wf.status.name === 'COMPLETED') completed += 1;
    }
  }
  await connection.close();
  return [
    { name: 'every case closed', ok: closed.ok, detail: `${closed.last} of ${ids.length} closed` },
    {
      name: 'one workflow run per case, completed',
      ok: runs === ids.length && completed === ids.length,
      detail: `${runs} runs, ${completed} completed`,
    },
    ...(await readModelChecks(t, ids)),
  ];
}

async function restartTemporal(t: Topology): Promise<Check[]> {
  const api = new Api(t);
  const line = await fastPolicy(t, 80); // warning at 60 s, breach at 80 s
  const ids: string[] = [];
  for (let i = 0; i < 20; i++)
    ids.push((await api.must('POST', '/api/v1/cases', intake(line), 'helpdesk')).body.id);
  say('20 cases with warnings due in 60 s and breaches in 80 s; restarting the Temporal server now');
  await t.stop('temporal');
  await sleep(10_000);
  await t.restart('temporal');
  say('Temporal is back; waiting for every warning and breach');
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const fired = await waitUntil(
    'escalations',
    async () =>
      (
        await sql`select count(*)::int as n from escalations where case_id = any(${ids}) and level in (1, 2)`
      )[0]!.n as number,
    (c) => c === 2 * ids.length,
    300_000,
  );
  const dup = (
    await sql`select count(*)::int as n from (select case_id, level from escalations where case_id = any(${ids}) group by 1, 2 having count(*) > 1) d`
  )[0]!.n;
  await sql.end();
  return [
    {
      name: 'every pending timer fired after the restart',
      ok: fired.ok,
      detail: `${fired.last} of ${2 * ids.length} warnings and breaches`,
    },
    { name: 'none twice', ok: dup === 0, detail: `${dup} duplicates` },
  ];
}

async function postgresAway(t: Topology): Promise<Check[]> {
  const api = new Api(t);
  // Warnings due 15 s and breaches 20 s after intake: both fall inside the 30 s the database is away, so
  // the escalation activities run while it cannot be written and must retry until it is back.
  const line = await fastPolicy(t, 20);
  const ids: string[] = [];
  for (let i = 0; i < 10; i++)
    ids.push((await api.must('POST', '/api/v1/cases', intake(line), 'helpdesk')).body.id);
  say('10 cases open with warnings due in 15 s and breaches in 20 s; stopping PostgreSQL for 30 s');
  await t.stop('postgres');
  const away = Date.now();
  const health = await api.call('GET', '/health').catch((e) => ({ status: -1, body: String(e) }));
  // A step while the database is away: refused with 503 (retry later), not 500, and nothing half-done.
  const during = await Promise.all(
    ids.map((id) =>
      api.call('POST', `/api/v1/cases/${id}/assign`, { engineer: 'chaos-engineer' }).then(
        (r) => ({ status: r.status, type: r.body?.type as string | undefined }),
        () => ({ status: -1, type: undefined }),
      ),
    ),
  );
  await sleep(Math.max(0, 30_000 - (Date.now() - away)));
  await t.restart('postgres');
  const back = Date.now();
  say(`PostgreSQL back after ${((back - away) / 1000).toFixed(0)} s`);
  const healthAfter = await waitUntil(
    'health',
    async () => (await api.call('GET', '/health').catch(() => ({ status: -1 }))).status,
    (s) => s === 200,
    120_000,
  );
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const fired = await waitUntil(
    'escalations',
    async () =>
      (
        await sql`select count(*)::int as n from escalations where case_id = any(${ids}) and level in (1, 2)`
      )[0]!.n as number,
    (c) => c === 2 * ids.length,
    300_000,
  );
  const [{ inside, dup }] = await sql<{ inside: number; dup: number }[]>`
    select count(*) filter (where due_at between ${new Date(away)} and ${new Date(back)})::int as inside,
      (select count(*)::int from (select case_id, level from escalations where case_id = any(${ids})
        group by 1, 2 having count(*) > 1) d) as dup
    from escalations where case_id = any(${ids}) and level in (1, 2)`;
  await sql.end();
  return [
    {
      name: '/health answers 503 while PostgreSQL is away',
      ok: health.status === 503,
      detail: `status ${health.status}`,
    },
    {
      name: 'a step while away is refused 503 (retry later), never 500',
      ok: during.every((d) => d.status === 503 && d.type === 'urn:shouhou:problem:database-unavailable'),
      detail: `statuses ${JSON.stringify(during.map((d) => d.status))}`,
    },
    {
      name: 'escalations due while away recorded once it came back (activities retried)',
      ok: fired.ok && dup === 0,
      detail: `${fired.last} of ${2 * ids.length} recorded, ${inside} of them due while it was away, ${dup} twice`,
    },
    { name: '/health recovers', ok: healthAfter.ok, detail: `status ${healthAfter.last}` },
    ...(await readModelChecks(t, ids)),
  ];
}

async function webhookDown(t: Topology): Promise<Check[]> {
  const api = new Api(t);
  let up = false;
  const received = new Set<string>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!up) return void res.writeHead(503).end();
      received.add(String(req.headers['shouhou-delivery']));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const sub = await api.must(
    'POST',
    '/api/v1/webhooks',
    { url, eventTypes: ['case.created', 'case.stage_changed'] },
    'admin',
  );
  if (sub.status !== 201) throw new Error(`subscribe ${sub.status}: ${JSON.stringify(sub.body)}`);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++)
    ids.push((await api.must('POST', '/api/v1/cases', intake(), 'helpdesk')).body.id);
  say('receiver answering 503 for 40 s while 20 cases open');
  await sleep(40_000);
  up = true;
  say('receiver up');
  const sql = postgres(t.databaseUrl, { max: 1, onnotice: () => {} });
  const delivered = await waitUntil(
    'delivered',
    async () =>
      (
        await sql`select count(*) filter (where status = 'delivered')::int as d, count(*)::int as n from webhook_deliveries where subscription_id = ${sub.body.id}`
      )[0] as { d: number; n: number },
    (v) => v.n >= ids.length && v.d === v.n,
    600_000,
  );
  await sql.end();
  await new Promise<void>((r) => server.close(() => r()));
  return [
    {
      name: 'every event delivered after the receiver came back',
      ok: delivered.ok,
      detail: `${delivered.last.d} of ${delivered.last.n} delivered, ${received.size} received`,
    },
  ];
}

const RUN: Record<Scenario, (t: Topology) => Promise<Check[]>> = {
  'kill-worker': killWorker,
  'restart-temporal': restartTemporal,
  'postgres-away': postgresAway,
  'webhook-down': webhookDown,
};

async function runScenario(scenario: Scenario, portBase: number): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), `shouhou-chaos-${scenario}-`));
  say(`${scenario}: starting the production topology in ${dir}`);
  const started = new Date().toISOString();
  let topology: Topology | undefined;
  let checks: Check[] = [];
  let error: string | undefined;
  try {
    topology = await startTopology({ dir, portBase, log: (l) => say(l) });
    checks = await RUN[scenario](topology);
  } catch (err) {
    error = (err as Error).stack ?? String(err);
  } finally {
    await topology?.down();
  }
  const ok = !error && checks.length > 0 && checks.every((c) => c.ok);
  for (const c of checks) say(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (error) say(`ERROR ${error}`);
  mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
  const out = join(REPO_ROOT, `bench/results/chaos-${scenario}.json`);
  writeFileSync(
    out,
    `${JSON.stringify({ scenario, started, finished: new Date().toISOString(), ok, checks, error }, null, 2)}\n`,
  );
  say(`${scenario}: ${ok ? 'PASSED' : 'FAILED'} → ${out}`);
  if (ok) rmSync(dir, { recursive: true, force: true });
  else say(`logs kept in ${join(dir, 'logs')}`);
  return ok;
}

const wanted = positionals[0] === 'all' ? [...SCENARIOS] : positionals;
if (wanted.length === 0 || wanted.some((s) => !SCENARIOS.includes(s as Scenario))) {
  console.error(`usage: npm run chaos -- <${SCENARIOS.join('|')}|all> [--cases N] [--port-base P]`);
  process.exit(2);
}
let allOk = true;
for (const s of wanted) allOk = (await runScenario(s as Scenario, Number(values['port-base']))) && allOk;
process.exit(allOk ? 0 : 1);
