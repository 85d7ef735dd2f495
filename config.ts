// Every setting the processes read from the environment, in one place so the README can list them.
import { parseDuration } from './domain/duration.js';

export interface Config {
  /** Postgres connection string of the read model. */
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  api: { host: string; port: number; bodyLimitBytes: number };
  /** Case timings that are durations (milliseconds), so tests can run them in seconds. */
  timing: { surveyDelayMs: number; surveyExpiryMs: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/shouhou',
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? `127.0.0.1:${env.TEMPORAL_PORT ?? '7233'}`,
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'shouhou',
    },
    api: {
      host: env.HOST ?? '127.0.0.1',
      port: intFrom(env.PORT, 3000, 'PORT'),
      bodyLimitBytes: intFrom(env.API_BODY_LIMIT, 256 * 1024, 'API_BODY_LIMIT'),
    },
    timing: {
      surveyDelayMs: parseDuration(env.SURVEY_DELAY ?? '24h'),
      surveyExpiryMs: parseDuration(env.SURVEY_EXPIRY ?? '7d'),
    },
  };
}

function intFrom(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}
