// Tables of complaints (投诉): the read model of the complaint workflows, their timelines, escalations
// and customer-visible updates, evidence files (bytea, see docs/complaints.md) and the versioned complaint
// policies. Mirrors migration 0008; re-exported from schema.ts. Foreign keys live in the migration.
import {
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
import type { ComplaintIntake } from '../domain/complaints/complaint.js';
import type { ComplaintPolicy, ComplaintPolicySnapshot } from '../domain/complaints/policy.js';
import type { Resolution } from '../domain/people/chain.js';

export const complaintNumber = pgSequence('complaint_number_seq', { startWith: 1 });

export type { ComplaintPolicySnapshot };

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const complaintPolicies = pgTable(
  'complaint_policies',
  {
    id: text('id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    definition: jsonb('definition').$type<ComplaintPolicy>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

export const complaints = pgTable(
  'complaints',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    externalSystem: text('external_system'),
    externalId: text('external_id'),
    channel: text('channel').notNull(),
    stage: text('stage').notNull(),
    priority: text('priority').notNull(),
    urgency: text('urgency').notNull(),
    importance: text('importance').notNull(),
    category: text('category').notNull(),
    department: text('department').notNull(),
    owner: text('owner'),
    customerName: text('customer_name').notNull(),
    customerPhone: text('customer_phone'),
    customerEmail: text('customer_email'),
    region: text('region'),
    productModel: text('product_model').notNull(),
    productLine: text('product_line'),
    serialNumber: text('serial_number'),
    purchaseDate: text('purchase_date').notNull(),
    description: text('description').notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    version: integer('version').notNull().default(0),
    state: jsonb('state'),
    breached: boolean('breached').notNull().default(false),
    rejections: integer('rejections').notNull().default(0),
    policy: jsonb('policy').$type<ComplaintPolicySnapshot>().notNull(),
    intake: jsonb('intake').$type<ComplaintIntake>().notNull(),
    createdByKey: text('created_by_key'),
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('complaints_external_ref_uq').on(t.externalSystem, t.externalId),
    index('complaints_created_idx').on(t.createdAt, t.id),
    index('complaints_stage_idx').on(t.stage, t.createdAt),
    index('complaints_owner_idx').on(t.owner, t.createdAt),
  ],
);

export const complaintEvents = pgTable(
  'complaint_events',
  {
    complaintId: text('complaint_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    actor: text('actor').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    data: jsonb('data').notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.complaintId, t.seq] })],
);

export const complaintCases = pgTable(
  'complaint_cases',
  { complaintId: text('complaint_id').notNull(), caseId: text('case_id').notNull() },
  (t) => [primaryKey({ columns: [t.complaintId, t.caseId] }), index('complaint_cases_case_idx').on(t.caseId)],
);

export const complaintEscalations = pgTable(
  'complaint_escalations',
  {
    id: serial('id').primaryKey(),
    complaintId: text('complaint_id').notNull(),
    clock: text('clock').notNull(),
    cycle: integer('cycle').notNull(),
    level: integer('level').notNull(),
    name: text('name').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true, precision: 3 }).notNull(),
    recipient: text('recipient').notNull(),
    owner: text('owner'),
    priority: text('priority').notNull(),
    /** The people it reached and why, written when its notification is resolved (as on case escalations). */
    notified: jsonb('notified').$type<Resolution>(),
  },
  (t) => [uniqueIndex('complaint_escalations_once_uq').on(t.complaintId, t.clock, t.cycle, t.level)],
);

/** Customer-visible updates: each one resets the progress clock; on time when before its deadline. */
export const complaintUpdates = pgTable(
  'complaint_updates',
  {
    complaintId: text('complaint_id').notNull(),
    seq: integer('seq').notNull(),
    kind: text('kind').notNull(),
    owner: text('owner'),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }),
    onTime: boolean('on_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.complaintId, t.seq] })],
);

export const complaintEvidence = pgTable(
  'complaint_evidence',
  {
    id: text('id').primaryKey(),
    complaintId: text('complaint_id').notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    note: text('note'),
    uploadedBy: text('uploaded_by').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('complaint_evidence_once_uq').on(t.complaintId, t.sha256)],
);
