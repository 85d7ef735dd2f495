// Health says which dependency is down.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { parseBootstrapKeys } from '../../api/auth/keys.js';
import { connectDb, type DbHandle } from '../../db/client.js';

let goodDb: DbHandle;
let badDb: DbHandle;
let connection: Connection;
beforeAll(async () => {
  goodDb = connectDb(inject('databaseUrl'), { max: 1 });
  badDb = connectDb('postgres://postgres@127.0.0.1:1/none', { max: 1 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await goodDb.close();
  await badDb.close().catch(() => {});
  await connection.close();
});

it('answers 503 naming the database when it does not answer', async () => {
  const app = await buildApp({
    db: badDb.db,
    temporal: new Client({ connection }),
    taskQueue: 'x',
    timing: { surveyDelayMs: 1, surveyExpiryMs: 1 },
  });
  const res = await app.inject({ method: 'GET', url: '/health' });
  expect(res.statusCode).toBe(503);
  expect(res.json()).toMatchObject({ status: 'degraded', database: { ok: false }, temporal: { ok: true } });
  expect(res.json().database.error).toBeTruthy();
  await app.close();
});

it('answers 503 naming Temporal when it does not answer', async () => {
  const lazy = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
  const app = await buildApp({
    db: goodDb.db,
    temporal: new Client({ connection: lazy }),
    taskQueue: 'x',
    timing: { surveyDelayMs: 1, surveyExpiryMs: 1 },
  });
  const res = await app.inject({ method: 'GET', url: '/health' });
  expect(res.statusCode).toBe(503);
  expect(res.json()).toMatchObject({ database: { ok: true }, temporal: { ok: false } });
  await app.close();
});

it('answers an API request 503 problem+json with Retry-After, not 500, while the database is unreachable', async () => {
  const key = `shk_healthdown1_${'s'.repeat(32)}`;
  const app = await buildApp({
    db: badDb.db,
    temporal: new Client({ connection }),
    taskQueue: 'x',
    timing: { surveyDelayMs: 1, surveyExpiryMs: 1 },
    bootstrapKeys: parseBootstrapKeys(`${key}=manager:mgr-health`),
  });
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/cases/C0000001',
    headers: { authorization: `Bearer ${key}` },
  });
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json()).toMatchObject({ type: 'urn:shouhou:problem:database-unavailable', status: 503 });
  await app.close();
});
