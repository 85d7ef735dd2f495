// Report answers in the shape GET /api/v1/reports/kpis and /budget give (docs/dashboard.md), for the
// browser test to draw the KPI and budget views while this API does not serve reports itself. Amounts
// are integer fen. Only used when the running API has no report routes.

const kpis = (cases: number, scale: number) => ({
  cases,
  responseMinutes: { median: 42 * scale, p90: 180 * scale },
  onTimeResponseRate: 0.92 / scale,
  onTimeArrivalRate: 0.81,
  onTimeRepairRate: 0.77 / scale,
  firstTimeFixRate: 0.86,
  repeatFailureRate: 0.03 * scale,
  satisfaction: { responseRate: 0.64, answered: Math.round(cases * 0.5), average: 4.4, questions: [] },
  escalations: { total: 9 * scale, byLevel: { '1': 6 * scale, '2': 2 * scale, '3': scale } },
  backlog: {
    open: 7,
    byStage: {
      intake: 1,
      assigned: 2,
      awaiting_parts: 2,
      diagnosed: 0,
      scheduled: 1,
      in_repair: 1,
      repaired: 0,
      survey: 0,
    },
  },
  costs: {
    currency: 'CNY',
    total: 1_250_000 * scale,
    byCategory: {
      parts: 800_000 * scale,
      labour: 300_000 * scale,
      travel: 150_000 * scale,
      training: 0,
      other: 0,
    },
  },
});

export const SAMPLE_KPI_REPORT = {
  period: { from: '2026-01-01', to: '2026-01-31' },
  groupBy: 'engineer',
  totals: kpis(60, 1),
  groups: [
    { key: 'eng-wang', label: '王工', ...kpis(25, 1) },
    { key: 'eng-li', label: '李工', ...kpis(20, 1.2) },
    { key: 'eng-zhao', label: '赵工', ...kpis(15, 1.5) },
  ],
};

const months = (budget: number, actual: number[]) =>
  actual.map((a, i) => ({ month: i + 1, budget, actual: a, variance: a - budget }));

const category = (name: string, budget: number, actual: number[], warning: boolean) => {
  const total = actual.reduce((s, a) => s + a, 0);
  return {
    category: name,
    budget: budget * 12,
    actual: total,
    variance: total - budget * 12,
    share: total / (budget * 12),
    warning,
    months: months(budget, actual),
  };
};

export const SAMPLE_BUDGET_REPORT = {
  year: 2026,
  status: 'approved',
  currency: 'CNY',
  categories: [
    category(
      'parts',
      5_000_000,
      [4.1, 5.2, 6.3, 5.9, 6.8, 6.1, 5.5, 6.6, 7.2, 6.9, 0, 0].map((m) => m * 1_000_000),
      true,
    ),
    category(
      'labour',
      3_000_000,
      [2.8, 2.9, 3.1, 2.7, 3.0, 2.6, 2.9, 3.2, 3.0, 2.8, 0, 0].map((m) => m * 1_000_000),
      false,
    ),
    category(
      'travel',
      800_000,
      [0.6, 0.7, 0.9, 0.8, 0.7, 0.6, 0.9, 1.0, 0.8, 0.7, 0, 0].map((m) => m * 1_000_000),
      false,
    ),
    category(
      'training',
      200_000,
      [0, 0, 1.5, 0, 0, 0, 0, 0, 1.2, 0, 0, 0].map((m) => m * 1_000_000),
      false,
    ),
    category(
      'other',
      100_000,
      [0.1, 0.05, 0.1, 0.2, 0.1, 0.1, 0.05, 0.1, 0.1, 0.1, 0, 0].map((m) => m * 1_000_000),
      false,
    ),
  ],
};
