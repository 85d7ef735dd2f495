// The read model: a projection of the case workflows that list views and reports query.
// The workflow is the source of truth; every row here is written by an idempotent activity
// (or, for the intake reservation, by the API) and can be rebuilt from workflow history.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { DayOverride, WorkingPeriod } from '../domain/calendar.js';
import type { Resolution } from '../domain/people/chain.js';
import type { SlaPolicy, SlaSnapshot } from '../domain/sla-policy.js';

/** A full transaction id (64 bits, never wraps); read as its decimal text. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/** One clock of cases.clock_summary (instants as the state holds them, in UTC). */
export interface ClockSummaryColumn {
  name: string;
  status: 'running' | 'paused' | 'stopped';
  breached: boolean;
  /** A running clock's deadline. */
  deadline?: string;
  /** Clock time left of a paused or stopped clock. */
  leftMs?: number;
  /** The highest escalation step fired in the clock's current cycle. */
  level?: number;
}

export const caseNumber = pgSequence('case_number_seq', { startWith: 1 });

// Stored with fillfactor 70 (migration 0017): room on each page for the next version of a row.
export const cases = pgTable(
  'cases',
  {
    id: text('id').primaryKey().default(sql`('C' || lpad(nextval('case_number_seq')::text, 7, '0'))`),
    workflowId: text('workflow_id').notNull(),
    externalSystem: text('external_system'),
    externalId: text('external_id'),
    channel: text('channel').notNull(),
    stage: text('stage').notNull(),
    outcome: text('outcome'),
    severity: text('severity').notNull(),
    complexity: text('complexity'),
    assignee: text('assignee'),
    customerName: text('customer_name').notNull(),
    customerPhone: text('customer_phone'),
    customerEmail: text('customer_email'),
    productModel: text('product_model').notNull(),
    productLine: text('product_line'),
    customerTier: text('customer_tier'),
    /** Where the customer is (华东 …): suggestions prefer engineers of that region (migration 0006). */
    customerRegion: text('customer_region'),
    serialNumber: text('serial_number').notNull(),
    purchaseDate: text('purchase_date'),
    description: text('description').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** Sequence number of the last transition projected; guards against stale or replayed writes. */
    version: integer('version').notNull().default(0),
    /** The workflow's case state as of `version` (the data of each stage). */
    state: jsonb('state'),
    /** Some SLA clock of the case has passed its deadline. */
    breached: boolean('breached').notNull().default(false),
    /** Carried over from another system: steps overdue on arrival were recorded without paging anyone. */
    imported: boolean('imported').notNull().default(false),
    /** The SLA policy version and calendar the case started under. */
    sla: jsonb('sla').$type<SlaSnapshot>(),
    /** The API key and person that opened the case (a help desk key sees what it created). */
    createdByKey: text('created_by_key'),
    createdBy: text('created_by'),
    /** The earlier case on the same serial whose repair this one repeats within 30 days (返修). */
    repeatOf: text('repeat_of'),
    /**
     * Each SLA clock as the case list shows it, generated from the state's clocks (migration 0012): what
     * the dashboard's board counts down without reading the state document.
     */
    clockSummary: jsonb('clock_summary')
      .$type<ClockSummaryColumn[] | null>()
      .generatedAlwaysAs(sql`case_clock_summary(state->'clocks')`),
  },
  (t) => [
    // A ticket reference is unique per help desk identity (the key that opened the case), not globally.
    uniqueIndex('cases_external_ref_uq')
      .on(sql`coalesce(${t.createdByKey}, '')`, t.externalSystem, t.externalId)
      .where(sql`${t.externalSystem} is not null`),
    index('cases_external_ref_idx').on(t.externalSystem, t.externalId),
    // The list's filters, each followed by its order (migration 0010); the period reports' cohorts.
    index('cases_stage_idx').on(t.stage, t.createdAt, t.id),
    index('cases_assignee_idx').on(t.assignee, t.createdAt, t.id),
    index('cases_created_idx').on(t.createdAt, t.id),
    index('cases_breached_idx').on(t.breached, t.createdAt, t.id),
    index('cases_severity_idx').on(t.severity, t.createdAt, t.id),
    index('cases_opened_by_idx').on(t.createdByKey, t.createdAt, t.id),
    index('cases_reported_idx').on(t.reportedAt),
    index('cases_serial_idx').on(t.serialNumber, t.reportedAt),
  ],
);

export const caseEvents = pgTable(
  'case_events',
  {
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    actor: text('actor').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    data: jsonb('data').notNull().default({}),
    /** Position in the live event stream (migration 0011): (streamTx, streamId) orders rows by commit. */
    streamId: bigint('stream_id', { mode: 'number' }).generatedAlwaysAsIdentity(),
    /** The transaction that wrote the row (set by the database). */
    streamTx: xid8('stream_tx').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.seq] }),
    index('case_events_stream_idx').on(t.streamTx, t.streamId),
  ],
);

/** One-use tickets that open the live event stream from a browser (api/auth/stream-tickets.ts). */
export const eventStreamTickets = pgTable(
  'event_stream_tickets',
  {
    ticketHash: text('ticket_hash').primaryKey(),
    keyId: text('key_id').notNull(),
    role: text('role').notNull(),
    personId: text('person_id'),
    name: text('name').notNull(),
    reach: text('reach').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [index('event_stream_tickets_expiry_idx').on(t.expiresAt)],
);

export const notifications = pgTable(
  'notifications',
  {
    /** Business key: workflow id + what was sent, so a retried activity sends once. */
    key: text('key').primaryKey(),
    /** The case (or complaint, quality issue) it is about; null for a purchase order without a case. */
    caseId: text('case_id'),
    /** The purchase order it is about (migration 0012): a reorder purchase's has no case. */
    purchaseOrderId: text('purchase_order_id'),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** When a delivery workflow took it over (migration 0009); null: still queued. */
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true, precision: 3 }),
    /** Who it went to and why (domain/people/chain.ts). */
    resolution: jsonb('resolution').$type<Resolution>(),
    /** The dispatcher workflow that delivers it (migration 0015); null: from before, or no Temporal. */
    dispatcher: text('dispatcher'),
  },
  (t) => [
    index('notifications_case_idx').on(t.caseId),
    index('notifications_unplanned_idx').on(t.dispatcher, t.createdAt).where(sql`${t.sentAt} is null`),
  ],
);

/** Business calendars (工作日历): time zone and weekly working periods. */
export const calendars = pgTable('calendars', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull(),
  /** index 0 = Sunday … 6 = Saturday */
  weekly: jsonb('weekly').$type<WorkingPeriod[][]>().notNull(),
  workdayPeriods: jsonb('workday_periods').$type<WorkingPeriod[]>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Dated overrides of a calendar: statutory holidays and make-up working days (调休). */
export const calendarDays = pgTable(
  'calendar_days',
  {
    calendarId: text('calendar_id')
      .notNull()
      .references(() => calendars.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    kind: text('kind').$type<DayOverride['kind']>().notNull(),
    name: text('name'),
    periods: jsonb('periods').$type<WorkingPeriod[]>(),
  },
  (t) => [primaryKey({ columns: [t.calendarId, t.date] })],
);

/** Years whose overrides have been imported into a calendar (a year may have none and still be covered). */
export const calendarYears = pgTable(
  'calendar_years',
  {
    calendarId: text('calendar_id')
      .notNull()
      .references(() => calendars.id, { onDelete: 'cascade' }),
    year: integer('year').notNull(),
    source: text('source').notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.calendarId, t.year] })],
);

/** SLA policies, one row per version; the current version of a policy has no retiredAt. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: text('id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    definition: jsonb('definition').$type<SlaPolicy>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

/**
 * One row: a number the database bumps after every statement writing a calendar, its days or years, or an
 * SLA policy (triggers of migration 0016), so an API process knows when its copy of them is out of date.
 */
export const slaConfigGeneration = pgTable('sla_config_generation', {
  id: boolean('id').primaryKey().default(true),
  generation: bigint('generation', { mode: 'number' }).notNull(),
});

/** Escalations fired by SLA clocks: one row per case, clock, clock cycle and level. */
export const escalations = pgTable(
  'escalations',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => cases.id, { onDelete: 'cascade' }),
    clock: text('clock').notNull(),
    cycle: integer('cycle').notNull(),
    level: integer('level').notNull(),
    name: text('name').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true, precision: 3 }).notNull(),
    recipient: text('recipient').notNull(),
    assignee: text('assignee'),
    severity: text('severity').notNull(),
    /** The people it reached and why, written when its notification is resolved (migration 0009). */
    notified: jsonb('notified').$type<Resolution>(),
    /** Overdue when its imported case arrived: recorded as fired, nobody notified, no webhook. */
    imported: boolean('imported').notNull().default(false),
  },
  (t) => [
    uniqueIndex('escalations_once_uq').on(t.caseId, t.clock, t.cycle, t.level),
    index('escalations_due_idx').on(t.dueAt, t.id),
    index('escalations_assignee_idx').on(t.assignee, t.dueAt),
  ],
);

/** API keys (stored as SHA-256 of the secret part), each tied to a role and a person. */
export const apiKeys = pgTable('api_keys', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  personId: text('person_id'),
  secretHash: text('secret_hash').notNull(),
  createdBy: text('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
});

/** Every state-changing request: who, with which key, what, and how it ended. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: serial('id').primaryKey(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** The API's own id of the request (X-Request-Id of the answer). */
    requestId: text('request_id').notNull(),
    /** The client's X-Request-Id, when it sent one (checked: 1–128 id characters). */
    clientRequestId: text('client_request_id'),
    keyId: text('key_id'),
    actor: text('actor'),
    role: text('role'),
    method: text('method').notNull(),
    path: text('path').notNull(),
    target: text('target'),
    status: integer('status').notNull(),
  },
  (t) => [index('audit_at_idx').on(t.at, t.id), index('audit_key_idx').on(t.keyId, t.at)],
);

/** Answers to POSTs that carried an Idempotency-Key, replayed for the same key and body. */
export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    keyId: text('key_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.idempotencyKey] })],
);

/** Outbound webhook subscriptions (a receiver URL, the event types it wants, its signing secret). */
export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: text('id').primaryKey(),
  ownerKeyId: text('owner_key_id'),
  url: text('url').notNull(),
  eventTypes: jsonb('event_types').$type<string[]>().notNull(),
  secret: text('secret').notNull(),
  description: text('description'),
  /** 'own': only events of cases the owner key opened (help desk keys); 'all': every case. */
  caseScope: text('case_scope').$type<'own' | 'all'>().notNull().default('all'),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** Events for webhooks (transactional outbox), written with the transition that caused them. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: serial('id').primaryKey(),
    /** Unique per cause (e.g. case id + transition seq + type), so a retried activity adds nothing. */
    dedupeKey: text('dedupe_key').notNull(),
    type: text('type').notNull(),
    caseId: text('case_id'),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('webhook_events_dedupe_uq').on(t.dedupeKey)],
);

/** One row per event per subscription; delivered in event order per subscription. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: serial('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
    eventId: integer('event_id')
      .notNull()
      .references(() => webhookEvents.id, { onDelete: 'cascade' }),
    status: text('status').$type<'pending' | 'delivered' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, precision: 3 }),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
    /**
     * Redeliveries asked for. An attempt in flight when one is asked for must not mark the delivery
     * delivered: it compares this with the count it read before sending.
     */
    redeliveryRequests: integer('redelivery_requests').notNull().default(0),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_once_uq').on(t.subscriptionId, t.eventId),
    index('webhook_deliveries_pending_idx').on(t.subscriptionId, t.status, t.id),
  ],
);

/** Each HTTP attempt of a delivery: the delivery log. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: serial('id').primaryKey(),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.id)],
);

export * from './complaints.js';
export * from './insight.js';
export * from './parts.js';
export * from './people.js';
export * from './projection-failures.js';
export * from './quality.js';
