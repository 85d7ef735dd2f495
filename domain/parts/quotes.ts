// Quote comparison (比价): the purchase goes to the quote with the best score on price, lead time and
// the supplier's own record. Pure, so the API can show the comparison it acted on.

export interface QuoteForComparison {
  supplierId: string;
  unitPrice: number;
  leadTimeMs: number;
  validUntil: string;
  /** The supplier's record, 0–1, or 'n/a' when nothing of theirs fell due yet. */
  supplierScore: number | 'n/a';
}

export interface ScoredQuote extends QuoteForComparison {
  priceScore: number;
  leadTimeScore: number;
  /** The supplier score used (a neutral 0.5 stands in for 'n/a'). */
  recordScore: number;
  score: number;
}

/** Weights of the comparison; they add up to 1. */
export const QUOTE_WEIGHTS = { price: 0.5, leadTime: 0.3, supplier: 0.2 } as const;
/** A supplier without a record is neither rewarded nor punished. */
export const NEUTRAL_SUPPLIER_SCORE = 0.5;

/**
 * Scores the quotes valid at `now`, best first. Price and lead time score relative to the best quote
 * (best = 1); ties on score go to the lower price, then the shorter lead time, then the supplier id, so
 * the choice is deterministic.
 */
export function compareQuotes(quotes: QuoteForComparison[], now: Date): ScoredQuote[] {
  const valid = quotes.filter((q) => Date.parse(q.validUntil) >= now.getTime());
  if (valid.length === 0) return [];
  const minPrice = Math.min(...valid.map((q) => q.unitPrice));
  const minLead = Math.min(...valid.map((q) => q.leadTimeMs));
  const scored = valid.map((q) => {
    const priceScore = q.unitPrice === 0 ? 1 : minPrice / q.unitPrice;
    const leadTimeScore = q.leadTimeMs === 0 ? 1 : minLead / q.leadTimeMs;
    const recordScore = q.supplierScore === 'n/a' ? NEUTRAL_SUPPLIER_SCORE : q.supplierScore;
    const score =
      QUOTE_WEIGHTS.price * priceScore +
      QUOTE_WEIGHTS.leadTime * leadTimeScore +
      QUOTE_WEIGHTS.supplier * recordScore;
    return { ...q, priceScore, leadTimeScore, recordScore, score: Math.round(score * 10_000) / 10_000 };
  });
  return scored.sort(
    (a, b) =>
      b.score - a.score ||
      a.unitPrice - b.unitPrice ||
      a.leadTimeMs - b.leadTimeMs ||
      a.supplierId.localeCompare(b.supplierId),
  );
}

/** Whether an order of this amount needs the service manager's approval (above the threshold). */
export const needsApproval = (amount: number, threshold: number) => amount > threshold;
