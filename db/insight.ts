// Tables of manager insight (migration 0010_insight): product models and their warranty, cost entries,
// yearly budgets and the report settings. The per-case KPI facts are generated columns of `cases`
// (kpi_*, defined in the migration) read by the report queries in api/insight/. Re-exported from
// schema.ts so drizzle's query builder knows the tables.
import {
  bigint,
  bigserial,
  date,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { InsightSettings } from '../domain/insight/settings.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const productModels = pgTable('product_models', {
  model: text('model').primaryKey(),
  productLine: text('product_line'),
  warrantyMonths: integer('warranty_months').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const costEntries = pgTable('cost_entries', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  caseId: text('case_id'),
  category: text('category').notNull(),
  coverage: text('coverage'),
  /** Integer fen. */
  amount: bigint('amount', { mode: 'number' }).notNull(),
  hours: numeric('hours', { precision: 8, scale: 2 }),
  role: text('role'),
  rate: bigint('rate', { mode: 'number' }),
  partNumber: text('part_number'),
  quantity: integer('quantity'),
  description: text('description'),
  incurredOn: date('incurred_on').notNull(),
  enteredBy: text('entered_by').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const budgets = pgTable('budgets', {
  year: integer('year').primaryKey(),
  status: text('status').$type<'draft' | 'approved'>().notNull(),
  revision: integer('revision').notNull().default(1),
  enteredBy: text('entered_by').notNull(),
  enteredAt: at('entered_at').notNull().defaultNow(),
  approvedBy: text('approved_by'),
  approvedAt: at('approved_at'),
});

export const budgetLines = pgTable(
  'budget_lines',
  {
    year: integer('year').notNull(),
    category: text('category').notNull(),
    month: integer('month').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.year, t.category, t.month] })],
);

export const insightSettings = pgTable('insight_settings', {
  id: text('id').primaryKey().default('current'),
  definition: jsonb('definition').$type<InsightSettings>().notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});
