// Warranty (保修): a case is in warranty when the customer reported it before the warranty of the
// product ran out — the purchase date plus the model's warranty months (a purchase on the 31st plus one
// month ends on the last day of the shorter month, as PostgreSQL's date arithmetic does, so the
// reports' SQL and this rule agree). Without a purchase date nothing proves the warranty. Pure.

/** `date` (YYYY-MM-DD) plus `months`, the day clamped to the end of the resulting month. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(d, lastDay);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export interface WarrantyDecision {
  inWarranty: boolean;
  /** The first day no longer covered; null without a purchase date. */
  endsOn: string | null;
  months: number;
}

/** Whether a fault reported on `reportedOn` (local date) is covered; dates are YYYY-MM-DD. */
export function warrantyOf(
  purchaseDate: string | null,
  months: number,
  reportedOn: string,
): WarrantyDecision {
  if (!purchaseDate) return { inWarranty: false, endsOn: null, months };
  const endsOn = addMonths(purchaseDate, months);
  return { inWarranty: reportedOn < endsOn, endsOn, months };
}

/** The coverage a cost line gets when nobody decides otherwise: the warranty's, else chargeable. */
export const defaultCoverage = (w: WarrantyDecision) => (w.inWarranty ? 'warranty' : 'chargeable');
