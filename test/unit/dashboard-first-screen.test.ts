// Which cards the board draws before its first paint (dashboard/src/first-screen.ts): every card that
// can fall inside the window, and none of a row of columns that starts below it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARD_MIN_PX,
  COLUMN_HEAD_PX,
  COLUMN_MIN_PX,
  firstScreenCards,
  ROW_GAP_PX,
} from '../../dashboard/src/first-screen.js';

describe("the board's first screen", () => {
  it('on the measured window (1500 × 950, four columns a row) draws the first row down past the bottom, and no second row', () => {
    const drawn = firstScreenCards([30, 30, 30, 30, 30, 30, 30, 30], {
      viewportHeight: 950,
      columnsTop: 160,
      perRow: 4,
    });
    expect(drawn.slice(4)).toEqual([0, 0, 0, 0]);
    for (const n of drawn.slice(0, 4)) {
      expect(n).toBe(drawn[0]);
      // Cards are at least CARD_MIN_PX high: the drawn ones reach past the window's bottom.
      expect(160 + COLUMN_HEAD_PX + n * CARD_MIN_PX).toBeGreaterThan(950);
      expect(n).toBeLessThan(30);
    }
  });

  it('draws a short column whole, and the row below it when that row starts inside the window', () => {
    const drawn = firstScreenCards([2, 1, 0, 3, 30, 30, 30, 30], {
      viewportHeight: 950,
      columnsTop: 160,
      perRow: 4,
    });
    expect(drawn.slice(0, 4)).toEqual([2, 1, 0, 3]);
    expect(drawn.slice(4).every((n) => n > 0 && n < 30)).toBe(true);
  });

  it('never draws more cards than a column has, and covers the window wherever its rows start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 200, max: 3000 }),
        fc.integer({ min: -500, max: 1500 }),
        fc.integer({ min: 1, max: 6 }),
        (counts, viewportHeight, columnsTop, perRow) => {
          const drawn = firstScreenCards(counts, { viewportHeight, columnsTop, perRow });
          expect(drawn).toHaveLength(counts.length);
          // Rows laid out as drawn, each card at its least height: every column whose heading starts
          // inside the window is drawn whole or down past the window's bottom.
          let top = columnsTop;
          for (let i = 0; i < counts.length; i += perRow) {
            const row = drawn.slice(i, i + perRow);
            row.forEach((n, j) => {
              expect(n).toBeLessThanOrEqual(counts[i + j]!);
              if (top < viewportHeight && n < counts[i + j]!)
                expect(top + COLUMN_HEAD_PX + n * CARD_MIN_PX).toBeGreaterThanOrEqual(viewportHeight);
            });
            top += Math.max(Math.max(...row) * CARD_MIN_PX + COLUMN_HEAD_PX, COLUMN_MIN_PX) + ROW_GAP_PX;
          }
        },
      ),
    );
  });
});
