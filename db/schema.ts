// The read model: a projection of the case workflows that list views and reports query.
// The workflow is the source of truth; every row here is written by an idempotent activity
// (or, for the intake reservation, by the API) and can be rebuilt from workflow history.
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const caseNumber = pgSequence('case_number_seq', { startWith: 1 });

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
  },
  (t) => [
    uniqueIndex('cases_external_ref_uq').on(t.externalSystem, t.externalId),
    index('cases_stage_idx').on(t.stage, t.createdAt),
    index('cases_assignee_idx').on(t.assignee, t.createdAt),
    index('cases_created_idx').on(t.createdAt, t.id),
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
  },
  (t) => [primaryKey({ columns: [t.caseId, t.seq] })],
);

export const notifications = pgTable(
  'notifications',
  {
    /** Business key: workflow id + what was sent, so a retried activity sends once. */
    key: text('key').primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [index('notifications_case_idx').on(t.caseId)],
);
