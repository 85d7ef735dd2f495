import { describe, expect, it } from 'vitest';
import { averageAfterReceipt, issueCost } from '../../domain/parts/costing.js';
import { evaluateSupplier } from '../../domain/parts/evaluation.js';
import { compareQuotes, needsApproval } from '../../domain/parts/quotes.js';
import { isSubscribable, PARTS_WEBHOOK_EVENT_TYPES } from '../../domain/webhooks.js';

const now = new Date('2026-12-01T00:00:00Z');
const later = '2026-12-31T00:00:00Z';

describe('compareQuotes', () => {
  it('weighs price, lead time and the supplier record, best first', () => {
    const scored = compareQuotes(
      [
        {
          supplierId: 'cheap-slow',
          unitPrice: 100,
          leadTimeMs: 10_000,
          validUntil: later,
          supplierScore: 0.5,
        },
        { supplierId: 'dear-fast', unitPrice: 200, leadTimeMs: 1_000, validUntil: later, supplierScore: 1 },
      ],
      now,
    );
    // cheap-slow: 0.5·1 + 0.3·0.1 + 0.2·0.5 = 0.63; dear-fast: 0.5·0.5 + 0.3·1 + 0.2·1 = 0.75
    expect(scored.map((q) => [q.supplierId, q.score])).toEqual([
      ['dear-fast', 0.75],
      ['cheap-slow', 0.63],
    ]);
  });

  it('leaves out expired quotes and treats a supplier without a record as neutral', () => {
    const scored = compareQuotes(
      [
        {
          supplierId: 'expired',
          unitPrice: 1,
          leadTimeMs: 1,
          validUntil: '2026-11-30T00:00:00Z',
          supplierScore: 1,
        },
        { supplierId: 'new', unitPrice: 10, leadTimeMs: 10, validUntil: later, supplierScore: 'n/a' },
      ],
      now,
    );
    expect(scored).toHaveLength(1);
    expect(scored[0]).toMatchObject({ supplierId: 'new', recordScore: 0.5, score: 0.9 });
  });

  it('breaks ties on price, then lead time, then supplier id', () => {
    const q = { unitPrice: 10, leadTimeMs: 10, validUntil: later, supplierScore: 'n/a' as const };
    expect(
      compareQuotes(
        [
          { ...q, supplierId: 'b' },
          { ...q, supplierId: 'a' },
        ],
        now,
      )[0]!.supplierId,
    ).toBe('a');
    expect(compareQuotes([], now)).toEqual([]);
  });

  it('asks the manager only above the threshold', () => {
    expect(needsApproval(5000, 5000)).toBe(false);
    expect(needsApproval(5000.01, 5000)).toBe(true);
  });
});

describe('evaluateSupplier', () => {
  const none = {
    dueQuantity: 0,
    onTimeInFullQuantity: 0,
    inspectedQuantity: 0,
    passedQuantity: 0,
    orderedAmount: 0,
    standardAmount: 0,
  };

  it('says n/a, never 0 or 100 %, for a period with nothing due', () => {
    expect(evaluateSupplier(none)).toEqual({
      onTimeInFull: 'n/a',
      inspectionPassRate: 'n/a',
      priceIndex: 'n/a',
      score: 'n/a',
    });
  });

  it('weighs on-time-in-full by quantity and compares prices with the catalogue', () => {
    const e = evaluateSupplier({
      dueQuantity: 10,
      onTimeInFullQuantity: 7,
      inspectedQuantity: 10,
      passedQuantity: 9,
      orderedAmount: 1050,
      standardAmount: 1000,
    });
    expect(e).toEqual({ onTimeInFull: 0.7, inspectionPassRate: 0.9, priceIndex: 1.05, score: 0.8 });
  });

  it('scores from what exists when only part is measurable', () => {
    expect(evaluateSupplier({ ...none, inspectedQuantity: 4, passedQuantity: 2 }).score).toBe(0.5);
  });
});

describe('moving average cost', () => {
  it('re-averages on receipt and charges issues at the average', () => {
    expect(averageAfterReceipt(0, 0, 10, 12.5)).toBe(12.5);
    expect(averageAfterReceipt(10, 12.5, 10, 15)).toBe(13.75);
    expect(averageAfterReceipt(3, 10, 0, 99)).toBe(10);
    expect(issueCost(3, 13.75)).toBe(41.25);
  });
});

describe('parts webhook types', () => {
  it('are listed: each and the family can be subscribed to, a type nobody emits cannot', () => {
    expect(PARTS_WEBHOOK_EVENT_TYPES).toContain('parts.purchase_order_late');
    for (const t of PARTS_WEBHOOK_EVENT_TYPES) expect(isSubscribable(t)).toBe(true);
    expect(isSubscribable('parts.*')).toBe(true);
    expect(isSubscribable('parts.shipped')).toBe(false);
    expect(isSubscribable('stock.*')).toBe(false);
    expect(isSubscribable('case.created')).toBe(true);
  });
});
