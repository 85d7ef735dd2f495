// Once per test run: a real Temporal dev server (in memory, free ports), a fresh Postgres database
// with the migrations applied, and one workflow bundle that every test Worker loads.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../db/migrate.js';
import { connectWhenReady, ensureSearchAttributes, startDevServer } from '../../scripts/setup-temporal.js';
import { WORKFLOWS_PATH } from '../../worker-factory.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
  }
}

const root = new URL('../../', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function temporalCli(): string {
  const local = join(root, '.tools/bin/temporal');
  if (!process.env.TEMPORAL_CLI_PATH && existsSync(local)) return local;
  return execFileSync('bash', [join(root, 'scripts/ensure-temporal-cli.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export default async function setup(project: TestProject) {
  const work = mkdtempSync(join(tmpdir(), 'shouhou-test-'));

  // Postgres: a fresh database per run on the server of TEST_DATABASE_URL / DATABASE_URL.
  const adminUrl =
    process.env.TEST_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `shouhou_test_${Date.now()}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl);

  const [port, uiPort] = [await freePort(), await freePort()];
  const server = await startDevServer({
    cliPath: temporalCli(),
    port,
    uiPort,
    log: join(work, 'temporal.log'),
  });
  const connection = await connectWhenReady(server.address);
  await ensureSearchAttributes(connection, 'default');
  await connection.close();

  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const workflowBundlePath = join(work, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await server.stop();
    if (!process.env.KEEP_TEST_DB) await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  };
}

const noop = () => {};
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: console.error };
