// Once per test run: a real Temporal dev server (in memory, free ports), a fresh Postgres database
// with the migrations applied, and one workflow bundle that every test Worker loads. The database lives on
// the server of TEST_DATABASE_URL / DATABASE_URL, else on an embedded PostgreSQL started for this run.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { newPayloadKey } from '../../codec/payload-codec.js';
import { runMigrations } from '../../db/migrate.js';
import { bundleWorkflows } from '../../scripts/bundle-workflows.js';
import { type EmbeddedPostgresServer, startEmbeddedPostgres } from '../../scripts/embedded-postgres.js';
import { findTemporalCli, freePort } from '../../scripts/process-helpers.mjs';
import { connectWhenReady, ensureSearchAttributes, startDevServer } from '../../scripts/setup-temporal.js';
import { clearContractRecords } from './contract-records.js';
import { RECORDING_PAYLOAD_KEYS } from './payload-keys.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    databaseUrl: string;
    workflowBundlePath: string;
    /** PAYLOAD_KEYS of this run: a fresh key, as npm start makes one for development. */
    payloadKeys: string;
  }
}

export default async function setup(project: TestProject) {
  clearContractRecords();
  const work = mkdtempSync(join(tmpdir(), 'shouhou-test-'));

  // Postgres: a fresh database per run on the server of TEST_DATABASE_URL / DATABASE_URL, else on an
  // embedded server of this run (throwaway: no fsync).
  let embedded: EmbeddedPostgresServer | undefined;
  const configuredUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (!configuredUrl) {
    // Run as root, the server runs as the user `postgres`, which must be able to reach its directory.
    chmodSync(work, 0o711);
    embedded = await startEmbeddedPostgres({
      dataDir: join(work, 'postgres'),
      port: await freePort(),
      durable: false,
    });
  }
  const adminUrl = configuredUrl ?? embedded!.url;
  const dbName = `shouhou_test_${Date.now()}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl);

  const [port, uiPort] = [await freePort(), await freePort()];
  const server = await startDevServer({
    cliPath: await findTemporalCli(),
    port,
    uiPort,
    log: join(work, 'temporal.log'),
  });
  const connection = await connectWhenReady(server.address);
  await ensureSearchAttributes(connection, 'default');
  await connection.close();

  const workflowBundlePath = join(work, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, await bundleWorkflows());

  project.provide('temporalAddress', server.address);
  project.provide('databaseUrl', databaseUrl);
  project.provide('workflowBundlePath', workflowBundlePath);
  project.provide(
    'payloadKeys',
    process.env.RECORD_HISTORIES === '1' ? RECORDING_PAYLOAD_KEYS : newPayloadKey('test'),
  );

  return async () => {
    await server.stop();
    if (!process.env.KEEP_TEST_DB) await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    await embedded?.stop();
    rmSync(work, { recursive: true, force: true });
  };
}
