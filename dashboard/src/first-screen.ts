// How many cards of each stage column the board's first screen needs. Pure (no DOM):
// test/unit/dashboard-first-screen.test.ts.
//
// Why: the board holds up to 240 cards, but a 950 px high window shows about 7 cards in each of the
// first row's four columns, and none of the second row. Creating, styling and laying out all of them
// before the first paint was most of a cold first load's time after the lists had arrived
// (bench/README.md, "queries"). The board draws what the first screen needs, then the rest in the
// frames after (views/Board.tsx).

/**
 * The least height of a card with its margin (styles.css: .card is ~100 px and 8 px of margin; a long
 * name makes one taller). Taken low on purpose: an estimate too low draws a card too many; one too high
 * would leave the bottom of a column empty until the rest is drawn.
 */
export const CARD_MIN_PX = 90;
/** A column's padding and heading above its first card (styles.css: .column, .column h3). */
export const COLUMN_HEAD_PX = 34;
/** Space between two rows of columns (styles.css: .columns gap) and a column's bottom padding. */
export const ROW_GAP_PX = 18;
/** Least height of a column (styles.css: .column min-height). */
export const COLUMN_MIN_PX = 120;

export interface ScreenGeometry {
  /** Window height, px. */
  viewportHeight: number;
  /** Top of the grid of columns in the window, px (below the header and the tiles). */
  columnsTop: number;
  /** Columns per row of the grid (4 on a wide window, 2 on a narrow one). */
  perRow: number;
}

/**
 * For each column (in grid order) the number of its first cards that can fall inside the window, given
 * how many it has. A row that starts below the window's bottom needs none; the rows above it count
 * with the cards drawn in them (what the first screen draws, not the full columns).
 */
export function firstScreenCards(counts: number[], g: ScreenGeometry): number[] {
  const perRow = Math.max(1, Math.floor(g.perRow));
  const out: number[] = [];
  let top = g.columnsTop;
  for (let i = 0; i < counts.length; i += perRow) {
    const row = counts.slice(i, i + perRow);
    const room = g.viewportHeight - top - COLUMN_HEAD_PX;
    // One more than fits whole: the card the window's bottom edge cuts through is seen too.
    const fit = room > 0 ? Math.ceil(room / CARD_MIN_PX) + 1 : 0;
    const drawn = row.map((n) => Math.min(n, fit));
    out.push(...drawn);
    const tallest = Math.max(...drawn) * CARD_MIN_PX + COLUMN_HEAD_PX;
    top += Math.max(tallest, COLUMN_MIN_PX) + ROW_GAP_PX;
  }
  return out;
}
