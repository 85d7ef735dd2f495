// The OpenAPI document without a running server: buildApp with stand-in dependencies (routes only keep
// them for later), then what /openapi.json would serve. Used by `npm run openapi` and the tests.
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client.js';
import { buildApp } from './app.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({
    db: {} as Database,
    temporal: {} as Client,
    taskQueue: 'unused',
    timing: { surveyDelayMs: 1, surveyExpiryMs: 1 },
  });
  try {
    await app.ready();
    // A copy: the plugin caches its object, and callers may change theirs.
    return JSON.parse(JSON.stringify(app.swagger()));
  } finally {
    await app.close();
  }
}
