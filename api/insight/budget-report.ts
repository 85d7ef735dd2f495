// Budgets as stored and budget against actual: the year's budget lines and every cost line incurred in
// the year (api/insight/cost-lines.ts), summed per category and month.
import { asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { budgetLines, budgets } from '../../db/schema.js';
import { type BudgetLine, budgetReport, MONTHS } from '../../domain/insight/budget.js';
import { COST_CATEGORIES, type CostCategory } from '../../domain/insight/kpis.js';
import type { InsightSettings } from '../../domain/insight/settings.js';
import { costLinesSql } from './cost-lines.js';

type BudgetRow = typeof budgets.$inferSelect;

export async function findBudget(db: Database, year: number) {
  const [row] = await db.select().from(budgets).where(eq(budgets.year, year));
  if (!row) return undefined;
  const lines = await db
    .select()
    .from(budgetLines)
    .where(eq(budgetLines.year, year))
    .orderBy(asc(budgetLines.category), asc(budgetLines.month));
  return {
    row,
    lines: lines.map((l) => ({ category: l.category as CostCategory, month: l.month, amount: l.amount })),
  };
}

export function budgetView(row: BudgetRow, lines: BudgetLine[]) {
  const categories = Object.fromEntries(
    COST_CATEGORIES.map((c) => [
      c,
      MONTHS.map((m) => lines.find((l) => l.category === c && l.month === m)?.amount ?? 0),
    ]),
  ) as Record<CostCategory, number[]>;
  return {
    year: row.year,
    status: row.status,
    revision: row.revision,
    enteredBy: row.enteredBy,
    enteredAt: row.enteredAt.toISOString(),
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    categories,
    total: lines.reduce((s, l) => s + l.amount, 0),
  };
}

export async function budgetReportOf(db: Database, year: number, settings: InsightSettings) {
  const budget = await findBudget(db, year);
  const actual = await db.execute<{ category: CostCategory; month: number; amount: number }>(sql`
    SELECT l.category, extract(month FROM l.incurred_on)::int AS month, sum(l.amount)::float8 AS amount
    FROM ${costLinesSql(settings, { fromDate: `${year}-01-01`, toDate: `${year + 1}-01-01` })} l
    GROUP BY 1, 2
  `);
  const report = budgetReport(budget?.lines ?? [], [...actual], settings.budgetWarningShare);
  return {
    year,
    status: budget?.row.status ?? ('none' as const),
    currency: 'CNY' as const,
    warningShare: settings.budgetWarningShare,
    ...report,
  };
}
