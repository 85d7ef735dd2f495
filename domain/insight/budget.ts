// Budget against actual (docs/kpis.md, "Budgets"): per category and month, the variance (actual −
// budget: positive means overspent), the share of the budget used, and a warning once the actual passes
// the configured share of the budget. Amounts in integer fen. Pure.
import { COST_CATEGORIES, type CostCategory, rate } from './kpis.js';

export const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

export interface BudgetLine {
  category: CostCategory;
  month: number;
  amount: number;
}

export interface CategoryReport {
  category: CostCategory;
  budget: number;
  actual: number;
  variance: number;
  share: number | null;
  warning: boolean;
  months: Array<{ month: number; budget: number; actual: number; variance: number }>;
}

/** Actual passes the warning share of the budget; any spending against no budget warns too. */
export const budgetWarning = (budget: number, actual: number, warningShare: number) =>
  budget > 0 ? actual > budget * warningShare : actual > 0;

export function budgetReport(
  budget: readonly BudgetLine[],
  actual: readonly BudgetLine[],
  warningShare: number,
): { categories: CategoryReport[]; totals: Omit<CategoryReport, 'category' | 'months'> } {
  const key = (c: string, m: number) => `${c}:${m}`;
  const plan = new Map<string, number>();
  const spent = new Map<string, number>();
  for (const l of budget)
    plan.set(key(l.category, l.month), (plan.get(key(l.category, l.month)) ?? 0) + l.amount);
  for (const l of actual)
    spent.set(key(l.category, l.month), (spent.get(key(l.category, l.month)) ?? 0) + l.amount);
  const categories = COST_CATEGORIES.map((category) => {
    const months = MONTHS.map((month) => {
      const b = plan.get(key(category, month)) ?? 0;
      const a = spent.get(key(category, month)) ?? 0;
      return { month, budget: b, actual: a, variance: a - b };
    });
    const b = months.reduce((s, m) => s + m.budget, 0);
    const a = months.reduce((s, m) => s + m.actual, 0);
    return {
      category,
      budget: b,
      actual: a,
      variance: a - b,
      share: rate(a, b),
      warning: budgetWarning(b, a, warningShare),
      months,
    };
  });
  const b = categories.reduce((s, c) => s + c.budget, 0);
  const a = categories.reduce((s, c) => s + c.actual, 0);
  return {
    categories,
    totals: {
      budget: b,
      actual: a,
      variance: a - b,
      share: rate(a, b),
      warning: budgetWarning(b, a, warningShare),
    },
  };
}
