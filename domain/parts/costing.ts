// Costing method (成本核算): moving weighted average per part and warehouse. Every receipt re-averages
// the cost of the units on hand; an issue to a case is charged at the average of the moment it leaves.
// Pure: the ledger computes the new average in the transaction that moves the stock.

/** The average unit cost after `quantity` units at `unitCost` join `onHand` units at `average`. */
export function averageAfterReceipt(
  onHand: number,
  average: number,
  quantity: number,
  unitCost: number,
): number {
  if (quantity <= 0) return average;
  if (onHand <= 0) return round4(unitCost);
  return round4((onHand * average + quantity * unitCost) / (onHand + quantity));
}

/** The cost charged for issuing `quantity` units: at the average, rounded to cents. */
export const issueCost = (quantity: number, average: number) => Math.round(quantity * average * 100) / 100;

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
