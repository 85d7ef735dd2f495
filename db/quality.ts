// Tables of the quality loop (CAPA): failure codes, the failures recorded on cases (from diagnoses and
// repair reports), quality issues with their links, timelines and escalations, and the versioned quality
// policy (cluster rule, stage deadlines). Mirrors migration 0008; re-exported from schema.ts.
import {
  boolean,
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
import type { Resolution } from '../domain/people/chain.js';
import type { QualityIssueIntake, QualityPolicy, QualityPolicySnapshot } from '../domain/quality/issue.js';

export const qualityIssueNumber = pgSequence('quality_issue_number_seq', { startWith: 1 });

export type { QualityPolicySnapshot };

export const FAILURE_CODE_KINDS = ['symptom', 'cause', 'action'] as const;
export type FailureCodeKind = (typeof FAILURE_CODE_KINDS)[number];

export const failureCodes = pgTable(
  'failure_codes',
  {
    kind: text('kind').$type<FailureCodeKind>().notNull(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    description: text('description'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.code] })],
);

export const caseFailures = pgTable(
  'case_failures',
  {
    caseId: text('case_id').notNull(),
    seq: integer('seq').notNull(),
    source: text('source').$type<'diagnosis' | 'repair_report'>().notNull(),
    model: text('model').notNull(),
    batch: text('batch'),
    serialNumber: text('serial_number').notNull(),
    symptomCode: text('symptom_code'),
    causeCode: text('cause_code'),
    actionCode: text('action_code'),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.seq] }),
    index('case_failures_cluster_idx').on(t.model, t.causeCode, t.at),
  ],
);

export const qualityPolicies = pgTable(
  'quality_policies',
  {
    id: text('id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    definition: jsonb('definition').$type<QualityPolicy>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

export const qualityIssues = pgTable(
  'quality_issues',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    source: text('source').notNull(),
    title: text('title').notNull(),
    model: text('model').notNull(),
    causeCode: text('cause_code'),
    stage: text('stage').notNull(),
    owner: text('owner'),
    /** model + cause code of an automatically raised issue; one open issue per cluster. */
    clusterKey: text('cluster_key'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    version: integer('version').notNull().default(0),
    state: jsonb('state'),
    breached: boolean('breached').notNull().default(false),
    policy: jsonb('policy').$type<QualityPolicySnapshot>().notNull(),
    intake: jsonb('intake').$type<QualityIssueIntake>().notNull(),
    createdBy: text('created_by'),
  },
  (t) => [index('quality_issues_created_idx').on(t.createdAt, t.id)],
);

export const qualityIssueLinks = pgTable(
  'quality_issue_links',
  {
    issueId: text('issue_id').notNull(),
    kind: text('kind').$type<'case' | 'complaint'>().notNull(),
    refId: text('ref_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.issueId, t.kind, t.refId] }),
    index('quality_issue_links_ref_idx').on(t.kind, t.refId),
  ],
);

export const qualityEvents = pgTable(
  'quality_events',
  {
    issueId: text('issue_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    actor: text('actor').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    data: jsonb('data').notNull().default({}),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.seq] })],
);

export const qualityEscalations = pgTable(
  'quality_escalations',
  {
    id: serial('id').primaryKey(),
    issueId: text('issue_id').notNull(),
    clock: text('clock').notNull(),
    cycle: integer('cycle').notNull(),
    level: integer('level').notNull(),
    name: text('name').notNull(),
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3 }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true, precision: 3 }).notNull(),
    recipient: text('recipient').notNull(),
    owner: text('owner'),
    /** The people it reached and why, written when its notification is resolved (as on case escalations). */
    notified: jsonb('notified').$type<Resolution>(),
  },
  (t) => [uniqueIndex('quality_escalations_once_uq').on(t.issueId, t.clock, t.cycle, t.level)],
);
