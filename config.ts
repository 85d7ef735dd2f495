// Every setting the processes read from the environment, in one place so the README can list them.
import { parseDuration } from './domain/duration.js';
import { DEFAULT_PARTS_SETTINGS, type PartsSettings } from './domain/parts/request.js';

export interface Config {
  /** Postgres connection string of the read model. */
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  api: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** API_KEYS: "key=role[:personId],…" — bootstrap keys held in memory. */
    apiKeys: string | undefined;
    rateLimitPerMinute: number;
    /** NODE_ENV=production: the API refuses to start without API_KEYS, it and the worker without PAYLOAD_KEYS. */
    production: boolean;
    /** AUTH_FAILURE_LIMIT failed authentications per client address within AUTH_FAILURE_WINDOW, then 429. */
    authFailures: { limit: number; windowMs: number };
    /** STEP_TIMEOUT: how long a step request waits for its workflow before answering 504. */
    stepTimeoutMs: number;
    /** INTAKE_MAX_BACKDATE: how far before now a case's reportedAt may lie. */
    intakeMaxBackdateMs: number;
    /** ENGINEER_CASE_SCOPE: which cases engineers read — `team` (theirs and their team's), `assigned`, `all`. */
    engineerCaseScope: 'team' | 'assigned' | 'all';
    /**
     * TRUST_PROXY: which proxies' X-Forwarded-For to believe for the client address (throttling and
     * rate limits count per address): unset — none; `true` — any; a number — that many hops; else a
     * comma-separated list of addresses / CIDR ranges.
     */
    trustProxy: boolean | number | string[];
    /** CODEC_CORS_ORIGINS: browser origins (the Temporal UI's) that may call the payload codec endpoint. */
    codecCorsOrigins: string[] | undefined;
    /** EVENT_TICKET_TTL: how long a stream ticket opens the event stream; EVENT_HEARTBEAT: idle heartbeat. */
    eventStream: { ticketTtlMs: number; heartbeatMs: number };
    /** DASHBOARD_DIR: the built dashboard the API serves under /dashboard/ (default: the one it was built with). */
    dashboardDir: string | undefined;
  };
  /** Case timings that are durations (milliseconds), so tests can run them in seconds. */
  timing: { surveyDelayMs: number; surveyExpiryMs: number };
  /** Outbound webhooks: the longest pause between delivery retries, and the dispatchers' safety-net sweep. */
  webhooks: { retryMaxIntervalMs: number; sweepIntervalMs: number };
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS=true: webhooks may go to loopback and private-network addresses. */
  allowPrivateWebhookTargets: boolean;
  /** Spare parts: approval threshold (CNY), late-order escalation and reorder period. */
  parts: PartsSettings;
  /** Notification channels: SMTP_URL + MAIL_FROM (e-mail), SMS_URL + SMS_TOKEN (an HTTP SMS gateway). */
  notifications: {
    smtp?: { url: string; from: string };
    sms?: { url: string; token?: string };
    maxAttempts: number;
    retryMaxIntervalMs: number;
    /** NOTIFY_DISPATCHERS: the dispatcher workflows notifications are spread over (default 2). */
    dispatchers: number;
  };
  /** Complaints and quality issues: continue-as-new threshold (history events), largest evidence file (bytes). */
  complaints: { historyLimit: number; evidenceMaxBytes: number };
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
      apiKeys: env.API_KEYS,
      rateLimitPerMinute: intFrom(env.RATE_LIMIT_PER_MINUTE, 600, 'RATE_LIMIT_PER_MINUTE'),
      production: env.NODE_ENV === 'production',
      authFailures: {
        limit: intFrom(env.AUTH_FAILURE_LIMIT, 20, 'AUTH_FAILURE_LIMIT'),
        windowMs: atLeastSecond(env.AUTH_FAILURE_WINDOW ?? '5m', 'AUTH_FAILURE_WINDOW'),
      },
      stepTimeoutMs: atLeastSecond(env.STEP_TIMEOUT ?? '30s', 'STEP_TIMEOUT'),
      intakeMaxBackdateMs: atLeastSecond(env.INTAKE_MAX_BACKDATE ?? '30d', 'INTAKE_MAX_BACKDATE'),
      engineerCaseScope: oneOf(env.ENGINEER_CASE_SCOPE, ['team', 'assigned', 'all'], 'ENGINEER_CASE_SCOPE'),
      trustProxy: trustProxyFrom(env.TRUST_PROXY),
      codecCorsOrigins: env.CODEC_CORS_ORIGINS
        ? env.CODEC_CORS_ORIGINS.split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
      eventStream: {
        ticketTtlMs: atLeastSecond(env.EVENT_TICKET_TTL ?? '1m', 'EVENT_TICKET_TTL'),
        heartbeatMs: atLeastSecond(env.EVENT_HEARTBEAT ?? '15s', 'EVENT_HEARTBEAT'),
      },
      dashboardDir: env.DASHBOARD_DIR || undefined,
    },
    timing: {
      surveyDelayMs: parseDuration(env.SURVEY_DELAY ?? '24h'),
      surveyExpiryMs: parseDuration(env.SURVEY_EXPIRY ?? '7d'),
    },
    allowPrivateWebhookTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
    parts: {
      approvalThreshold: amountFrom(env.PARTS_APPROVAL_THRESHOLD, DEFAULT_PARTS_SETTINGS.approvalThreshold),
      lateEscalationMs: parseDuration(env.PARTS_LATE_ESCALATION ?? '8h'),
      reorderIntervalMs: atLeastSecond(env.PARTS_REORDER_INTERVAL ?? '24h', 'PARTS_REORDER_INTERVAL'),
      calendarId: env.PARTS_CALENDAR ?? DEFAULT_PARTS_SETTINGS.calendarId,
    },
    complaints: {
      historyLimit: intFrom(env.COMPLAINT_HISTORY_LIMIT, 5_000, 'COMPLAINT_HISTORY_LIMIT'),
      evidenceMaxBytes: intFrom(
        env.COMPLAINT_EVIDENCE_MAX_BYTES,
        2 * 1024 * 1024,
        'COMPLAINT_EVIDENCE_MAX_BYTES',
      ),
    },
    webhooks: {
      retryMaxIntervalMs: atLeastSecond(env.WEBHOOK_RETRY_MAX_INTERVAL ?? '5m', 'WEBHOOK_RETRY_MAX_INTERVAL'),
      sweepIntervalMs: atLeastSecond(env.WEBHOOK_SWEEP_INTERVAL ?? '5m', 'WEBHOOK_SWEEP_INTERVAL'),
    },
    notifications: {
      ...(env.SMTP_URL
        ? { smtp: { url: env.SMTP_URL, from: env.MAIL_FROM ?? 'shouhou <shouhou@localhost>' } }
        : {}),
      ...(env.SMS_URL ? { sms: { url: env.SMS_URL, token: env.SMS_TOKEN } } : {}),
      maxAttempts: intFrom(env.NOTIFY_MAX_ATTEMPTS, 8, 'NOTIFY_MAX_ATTEMPTS') || 1,
      retryMaxIntervalMs: atLeastSecond(env.NOTIFY_RETRY_MAX_INTERVAL ?? '5m', 'NOTIFY_RETRY_MAX_INTERVAL'),
      dispatchers: intFrom(env.NOTIFY_DISPATCHERS, 2, 'NOTIFY_DISPATCHERS') || 1,
    },
  };
}

function intFrom(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

function amountFrom(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new Error(`PARTS_APPROVAL_THRESHOLD must be an amount ≥ 0, got "${raw}"`);
  return n;
}

/** A duration of at least one second (webhook retries start at 1 s; a zero sweep would spin). */
function atLeastSecond(raw: string, name: string): number {
  const ms = parseDuration(raw);
  if (ms < 1000) throw new Error(`${name} must be at least 1s, got "${raw}"`);
  return ms;
}

/** One of a fixed set of words; the first is the default. */
function oneOf<T extends string>(raw: string | undefined, allowed: readonly T[], name: string): T {
  if (raw === undefined || raw === '') return allowed[0];
  if (!(allowed as readonly string[]).includes(raw))
    throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function trustProxyFrom(raw: string | undefined): boolean | number | string[] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
