// Prometheus /metrics: the API's request counts and latency by route, the business counters (escalations
// by level, notifications, webhook deliveries) and a real worker process's /metrics, which carries the
// Temporal SDK's own metrics next to ours, with its logs as JSON lines.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { metricsText } from '../../observability/metrics.js';
import { freePort, REPO_ROOT } from '../../scripts/process-helpers.mjs';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { call, get, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let receiver: Server;
let subscription: string | undefined;
beforeAll(async () => {
  stack = await startStack();
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  // Other test files share the database: stop feeding this subscription their cases.
  if (subscription)
    await call(stack.app, 'DELETE', `/api/v1/webhooks/${subscription}`, { key: stack.keys.admin });
  await stack?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** The value of one sample of the exposition text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

it('the API counts requests by method, route pattern and status, with their latency', async () => {
  const created = await post(stack.app, '/api/v1/cases', intakeBody());
  expect(created.status).toBe(201);
  expect((await get(stack.app, `/api/v1/cases/${created.body.id}`)).status).toBe(200);

  const res = await stack.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  const text = res.body;
  const count = (route: string, method: string, status: string) =>
    sample(text, 'shouhou_http_request_duration_seconds_count', { method, route, status });
  expect(count('/api/v1/cases', 'POST', '201')).toBeGreaterThanOrEqual(1);
  // The pattern, not the URL: one series for every case.
  expect(count('/api/v1/cases/:id', 'GET', '200')).toBeGreaterThanOrEqual(1);
  expect(text).not.toContain(created.body.id);
  expect(
    sample(text, 'shouhou_http_request_duration_seconds_bucket', {
      route: '/api/v1/cases',
      method: 'POST',
      le: '+Inf',
    }),
  ).toBeGreaterThanOrEqual(1);
  expect(text).toMatch(/^process_cpu_user_seconds_total /m);

  // Documented like every route, without an API key.
  const doc = (await stack.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  expect(doc.paths['/metrics'].get.operationId).toBe('getMetrics');
});

it('escalations are counted by level and clock, with their notifications and webhook deliveries', async () => {
  const address = receiver.address() as AddressInfo;
  const sub = await call(stack.app, 'POST', '/api/v1/webhooks', {
    key: stack.keys.admin,
    payload: { url: `http://127.0.0.1:${address.port}/hooks`, eventTypes: ['sla.warning', 'sla.breached'] },
  });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  subscription = sub.body.id;

  // Response clock of 4 s: the warning (75 %) at 3 s, the breach at 4 s.
  const line = await fastPolicy(stack, {
    targets: { response: { normal: seconds(4), emergency: seconds(4) } },
  });
  await openSlaCase(stack, line);
  await expect
    .poll(
      async () => {
        const text = await metricsText();
        return Math.min(
          sample(text, 'shouhou_escalations_total', { level: '1', clock: 'response' }) ?? 0,
          sample(text, 'shouhou_escalations_total', { level: '2', clock: 'response' }) ?? 0,
          sample(text, 'shouhou_notifications_total', { kind: 'sla.breached', outcome: 'sent' }) ?? 0,
          sample(text, 'shouhou_webhook_deliveries_total', { outcome: 'delivered' }) ?? 0,
        );
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBeGreaterThanOrEqual(1);
});

it('a worker process serves its counters and the SDK metrics at /metrics and logs JSON lines with ids', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `metrics-${process.pid}-${Date.now()}`,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      WORKER_METRICS_PORT: String(port),
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const lines: string[] = [];
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (l) => lines.push(l));
    await expect
      .poll(() => lines.find((l) => l.includes('worker polling')), { timeout: 120_000, interval: 200 })
      .toBeDefined();
    const polling = JSON.parse(lines.find((l) => l.includes('worker polling'))!);
    expect(polling).toMatchObject({ level: 'info', bundle: inject('workflowBundlePath') });
    expect(polling.time).toMatch(/^\d{4}-\d\d-\d\dT/);

    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    // Ours (registered even before the first increment) …
    expect(text).toContain('# TYPE shouhou_escalations_total counter');
    expect(text).toContain('# TYPE shouhou_webhook_deliveries_total counter');
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    // … and the SDK core's, e.g. its pollers and slots.
    expect(text).toMatch(/^temporal_\w+\{/m);
    expect(text).toMatch(/service_name="temporal-core-sdk"/);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // A process of its own: starting it takes a while on a busy machine.
}, 240_000);
