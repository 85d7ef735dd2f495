// Per test file: a Worker on its own task queue (so files never run each other's workflows), the
// API built by buildApp, and helpers to drive cases through app.inject.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../api/app.js';
import { AesGcmPayloadCodec, dataConverterFor, parsePayloadKeys } from '../../codec/payload-codec.js';
import { connectDb, type DbHandle } from '../../db/client.js';
import { createWorker, NativeConnection, type ShouhouWorker, type WorkerRole } from '../../worker-factory.js';
import { assertContract, type ContractCheck, checkContract } from './contract.js';
import { writeContractRecord } from './contract-records.js';

// Keep test output readable: only the worker's warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}

import type { NotificationSettings } from '../../activities/notifications/index.js';
import type { Notification, Notifier } from '../../activities/notifier.js';
import { type BootstrapKey, hashSecret, newKey } from '../../api/auth/keys.js';
import { ROLES, type Role } from '../../api/auth/roles.js';
import type { PartsSettings } from '../../domain/parts/request.js';

export interface Stack {
  app: FastifyInstance;
  /** One bootstrap API key per role; the person of each is `test-<role>`. */
  keys: Record<Role, string>;
  /** A bootstrap engineer key for each person of `opts.engineers` (cases are assigned only to engineers). */
  engineerKeys: Record<string, string>;
  db: DbHandle;
  /** A client with the run's payload codec (what the API and worker use). */
  client: Client;
  payloadCodec: AesGcmPayloadCodec;
  taskQueue: string;
  notifications: Notification[];
  /** Every answer checked against the OpenAPI document; close() fails when one did not match. */
  contract: ContractCheck;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  opts: {
    surveyDelayMs?: number;
    surveyExpiryMs?: number;
    rateLimitPerMinute?: number;
    allowPrivateWebhookTargets?: boolean;
    webhookRetryMaxIntervalMs?: number;
    /** Spare parts settings (approval threshold, late-order escalation). */
    parts?: PartsSettings;
    /**
     * The worker processes to imitate, one ShouhouWorker each (default one `all`); ['cases',
     * 'deliveries'] is the split npm start and production run.
     */
    workerRoles?: WorkerRole[];
    /** Runs before each notification is handed to the test notifier (e.g. a slow channel). */
    beforeSend?: (n: Notification) => Promise<void>;
    /** Further engineers (person ids) besides `test-engineer`, each with a bootstrap key. */
    engineers?: string[];
    /** Failed authentications per address and window before 429 (default: practically unlimited). */
    authFailures?: { limit: number; windowMs: number };
    stepTimeoutMs?: number;
    intakeMaxBackdateMs?: number;
    engineerCaseScope?: 'assigned' | 'all';
    /** Notification channels (SMTP, SMS) and retries; deliveries retry at least every second in tests. */
    notifications?: NotificationSettings;
    /** Complaint settings of the API (continue-as-new threshold, evidence size). */
    complaints?: { historyLimit?: number; evidenceMaxBytes?: number };
    /** The built dashboard to serve under /dashboard/ (scripts/dashboard-build.mjs). */
    dashboardRoot?: string;
  } = {},
): Promise<Stack> {
  const address = inject('temporalAddress');
  const taskQueue = `test-${randomUUID()}`;
  const db = connectDb(inject('databaseUrl'), { max: 5 });
  const connection = await Connection.connect({ address });
  const payloadCodec = testPayloadCodec();
  const client = new Client({ connection, dataConverter: dataConverterFor(payloadCodec) });
  const nativeConnection = await NativeConnection.connect({ address });
  const notifications: Notification[] = [];
  const notifier: Notifier = {
    send: async (n) => {
      await opts.beforeSend?.(n);
      notifications.push(n);
    },
  };
  // Webhook dispatchers retry a failed delivery at least every second in tests.
  const webhooks = { retryMaxIntervalMs: opts.webhookRetryMaxIntervalMs ?? 1_000, sweepIntervalMs: 60_000 };
  const keys = {} as Record<Role, string>;
  const bootstrapKeys: BootstrapKey[] = ROLES.map((role) => {
    const k = newKey();
    keys[role] = k.key;
    return { id: k.id, secretHash: hashSecret(k.secret), role, personId: `test-${role}` };
  });
  const engineerKeys: Record<string, string> = {};
  for (const personId of opts.engineers ?? []) {
    const k = newKey();
    engineerKeys[personId] = k.key;
    bootstrapKeys.push({ id: k.id, secretHash: hashSecret(k.secret), role: 'engineer', personId });
  }
  defaultKey = keys.manager;
  const app = await buildApp({
    bootstrapKeys,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000,
    // Every injected request comes from 127.0.0.1; tests that count failures set their own limit.
    authFailures: opts.authFailures ?? { limit: 1_000_000, windowMs: 60_000 },
    ...(opts.stepTimeoutMs ? { stepTimeoutMs: opts.stepTimeoutMs } : {}),
    ...(opts.intakeMaxBackdateMs ? { intakeMaxBackdateMs: opts.intakeMaxBackdateMs } : {}),
    ...(opts.engineerCaseScope ? { caseAccess: { engineerCaseScope: opts.engineerCaseScope } } : {}),
    db: db.db,
    temporal: client,
    taskQueue,
    timing: { surveyDelayMs: opts.surveyDelayMs ?? 1_000, surveyExpiryMs: opts.surveyExpiryMs ?? 2_000 },
    webhooks,
    parts: opts.parts,
    payloadCodec,
    ...(opts.complaints ? { complaints: opts.complaints } : {}),
    ...(opts.dashboardRoot ? { dashboard: { root: opts.dashboardRoot } } : {}),
  });
  const contract = await checkContract(app);

  let workers: ShouhouWorker[] = [];
  let running: Promise<unknown> | undefined;
  const stack: Stack = {
    app,
    keys,
    engineerKeys,
    db,
    client,
    payloadCodec,
    taskQueue,
    notifications,
    contract,
    async startWorker() {
      const deps: Parameters<typeof createWorker>[0] = {
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        db: db.db,
        notifier,
        temporal: client,
        webhooks,
        parts: opts.parts,
        // Test receivers listen on 127.0.0.1.
        allowPrivateWebhookTargets: opts.allowPrivateWebhookTargets ?? true,
        notifications: { maxAttempts: 3, retryMaxIntervalMs: 1_000, ...opts.notifications },
        ...(opts.complaints?.historyLimit
          ? { complaints: { historyLimit: opts.complaints.historyLimit } }
          : {}),
        workflowBundle: { codePath: inject('workflowBundlePath') },
        maxCachedWorkflows: 100,
        payloadCodec,
      };
      workers = [];
      for (const role of opts.workerRoles ?? ['all']) workers.push(await createWorker(deps, role));
      running = Promise.all(workers.map((w) => w.run()));
    },
    async stopWorker() {
      for (const w of workers) w.shutdown();
      await running;
      workers = [];
    },
    async close() {
      await stack.stopWorker();
      await app.close();
      await nativeConnection.close();
      await connection.close();
      await db.close();
      writeContractRecord(contract.exercised);
      assertContract(contract);
    },
  };
  await stack.startWorker();
  return stack;
}

/** The payload codec of this test run (the key global setup made). */
export const testPayloadCodec = () => new AesGcmPayloadCodec(parsePayloadKeys(inject('payloadKeys')));

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

/** The key requests carry unless they say otherwise: the manager's, who may do every case step. */
let defaultKey = '';
const withKey = (headers: Record<string, string>) =>
  'authorization' in headers || 'x-api-key' in headers
    ? headers
    : { authorization: `Bearer ${defaultKey}`, ...headers };

export async function post(
  app: FastifyInstance,
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  const res = await app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: withKey(headers),
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url, headers: withKey(headers) });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

/** Any method, with the given key (default: the manager's; null: none). */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  opts: { key?: string | null; payload?: unknown; headers?: Record<string, string> } = {},
) {
  const headers = { ...(opts.headers ?? {}) };
  const key = opts.key === undefined ? defaultKey : opts.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await app.inject({
    method,
    url,
    headers,
    ...(opts.payload !== undefined ? { payload: opts.payload as object } : {}),
  });
  let body: unknown = null;
  try {
    body = res.body ? res.json() : null;
  } catch {
    body = res.body;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes
  return { status: res.statusCode, body: body as any, headers: res.headers };
}

/** A repair report that passes validation. */
export const repairReport = {
  symptom: 's',
  cause: 'c',
  actions: 'a',
  partsReplaced: [],
  test: { passed: true },
  usageExplained: true,
};

/**
 * Polls until `fn` returns a truthy value (for timer-driven transitions), failing after `timeoutMs`. The
 * default is generous because CI runs the whole suite on two cores, where a delivery or a worker's first
 * task has taken over 20 s; a deadline here only bounds how long a real failure takes to show.
 */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** eventually() with room for a loaded machine (timer-driven steps wait for a worker slot). */
export const waitFor = <T>(fn: () => Promise<T | undefined | false>) => eventually(fn, 90_000);
