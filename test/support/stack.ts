// Per test file: a Worker on its own task queue (so files never run each other's workflows), the
// API built by buildApp, and helpers to drive cases through app.inject.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../api/app.js';
import { connectDb, type DbHandle } from '../../db/client.js';
import { createWorker, NativeConnection } from '../../worker-factory.js';

// Keep test output readable: only the worker's warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

import type { Notification, Notifier } from '../../activities/notifier.js';

export interface Stack {
  app: FastifyInstance;
  db: DbHandle;
  client: Client;
  taskQueue: string;
  notifications: Notification[];
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  opts: { surveyDelayMs?: number; surveyExpiryMs?: number } = {},
): Promise<Stack> {
  const address = inject('temporalAddress');
  const taskQueue = `test-${randomUUID()}`;
  const db = connectDb(inject('databaseUrl'), { max: 5 });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const nativeConnection = await NativeConnection.connect({ address });
  const notifications: Notification[] = [];
  const notifier: Notifier = { send: async (n) => void notifications.push(n) };
  const app = await buildApp({
    db: db.db,
    temporal: client,
    taskQueue,
    timing: { surveyDelayMs: opts.surveyDelayMs ?? 1_000, surveyExpiryMs: opts.surveyExpiryMs ?? 2_000 },
  });

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const stack: Stack = {
    app,
    db,
    client,
    taskQueue,
    notifications,
    async startWorker() {
      worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        db: db.db,
        notifier,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        maxCachedWorkflows: 100,
      });
      running = worker.run();
    },
    async stopWorker() {
      worker?.shutdown();
      await running;
      worker = undefined;
    },
    async close() {
      await stack.stopWorker();
      await app.close();
      await nativeConnection.close();
      await connection.close();
      await db.close();
    },
  };
  await stack.startWorker();
  return stack;
}

let ticket = 0;
/** A valid intake body; override any part. */
export function intakeBody(overrides: Record<string, unknown> = {}) {
  ticket += 1;
  return {
    channel: 'phone',
    customer: { name: '张伟', phone: '+86 138 0000 0000' },
    product: {
      model: 'HX-200 空压机',
      serialNumber: `SN-${process.pid}-${ticket}`,
      purchaseDate: '2025-03-01',
    },
    problem: { description: '启动后异响，压力上不去', severity: 'normal' },
    ...overrides,
  };
}

export async function post(
  app: FastifyInstance,
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({ method: 'POST', url, payload: payload as object, headers });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export async function get(app: FastifyInstance, url: string) {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

/** Polls until `fn` returns a truthy value (for timer-driven transitions), failing after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
