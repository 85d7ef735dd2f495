// With private targets not allowed (the production default), a subscription pointing into the private
// network gets nothing: each attempt is refused before any connection and logged as such.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, eventually, intakeBody, post, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
let hits = 0;
const server = createServer((_req, res) => {
  hits += 1;
  res.end('ok');
});
beforeAll(async () => {
  stack = await startStack({ allowPrivateWebhookTargets: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await stack?.close();
  server.close();
});

it('refuses to deliver to a loopback address and says why in the delivery log', async () => {
  const { port } = server.address() as AddressInfo;
  const sub = await call(stack.app, 'POST', '/api/v1/webhooks', {
    key: stack.keys.admin,
    payload: { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['case.created'] },
  });
  expect(sub.status).toBe(201);
  await post(stack.app, '/api/v1/cases', intakeBody());
  const log = await eventually(async () => {
    const res = await call(stack.app, 'GET', `/api/v1/webhooks/${sub.body.id}/deliveries`, {
      key: stack.keys.admin,
    });
    return res.body.items?.[0]?.attempts > 0 ? res.body.items[0] : undefined;
  });
  expect(log.status).toBe('pending');
  expect(log.lastError).toMatch(/private address 127\.0\.0\.1.*WEBHOOK_ALLOW_PRIVATE_TARGETS/);
  expect(hits).toBe(0);
  await call(stack.app, 'DELETE', `/api/v1/webhooks/${sub.body.id}`, { key: stack.keys.admin });
});
