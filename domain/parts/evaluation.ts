// Supplier evaluation (供应商评价) per period, from real orders. A ratio whose denominator is empty is
// 'n/a' — a supplier with nothing due in the period has not been on time, nor late.

export type Ratio = number | 'n/a';

export interface SupplierPeriodFacts {
  /** Quantity ordered on orders whose promised date falls in the period (cancelled orders excluded). */
  dueQuantity: number;
  /** Of that, quantity that passed inspection and had been received by the promised date. */
  onTimeInFullQuantity: number;
  /** Quantity inspected in the period, and how much of it passed. */
  inspectedQuantity: number;
  passedQuantity: number;
  /** Amount ordered in the period at the agreed prices, and the same quantities at standard cost. */
  orderedAmount: number;
  standardAmount: number;
}

export interface SupplierEvaluation {
  /** On-time-in-full, quantity-weighted, against the promised date. */
  onTimeInFull: Ratio;
  inspectionPassRate: Ratio;
  /** Agreed price against the catalogue's standard cost (1.05 = 5 % above). */
  priceIndex: Ratio;
  /** The record the quote comparison uses: the mean of on-time-in-full and pass rate that exist. */
  score: Ratio;
}

const ratio = (num: number, den: number): Ratio =>
  den > 0 ? Math.round((num / den) * 10_000) / 10_000 : 'n/a';

export function evaluateSupplier(f: SupplierPeriodFacts): SupplierEvaluation {
  const onTimeInFull = ratio(Math.min(f.onTimeInFullQuantity, f.dueQuantity), f.dueQuantity);
  const inspectionPassRate = ratio(f.passedQuantity, f.inspectedQuantity);
  const priceIndex = ratio(f.orderedAmount, f.standardAmount);
  const known = [onTimeInFull, inspectionPassRate].filter((r): r is number => r !== 'n/a');
  const score = known.length
    ? Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 10_000) / 10_000
    : 'n/a';
  return { onTimeInFull, inspectionPassRate, priceIndex, score };
}
