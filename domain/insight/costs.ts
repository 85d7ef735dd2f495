// Service costs (docs/kpis.md, "Costs"): every amount is an integer number of fen (分), so the lines
// of a case add up to its total and the totals of cases add up to a period's exactly. Pure.

/** Labour: hours (to the hundredth) × the hourly rate of the role, rounded to the fen (half away from zero). */
export function labourAmount(hours: number, ratePerHour: number): number {
  const hundredths = Math.round(hours * 100);
  // Integer arithmetic: hundredths × rate is exact; one division and one rounding.
  const x = hundredths * ratePerHour;
  const q = Math.trunc(x / 100);
  const r = x - q * 100;
  return r >= 50 ? q + 1 : q;
}
