// The dashboard's first load, measured in a real browser (issue 13: "dashboard first load ≤ 1 s"): headless
// Chromium (Debian's package, driven by playwright-core) against the API and the built dashboard served
// over real HTTP. A manager signs in through the form once; then each sample is a fresh browser context
// (empty cache, nothing but the key in the tab's session) opening the board, timed in the page from the
// start of navigation (performance.now()). The same for the KPI view's first chart, and a reload of the
// board with a warm cache.
//
// When the board counts as loaded: when the window shows what it will show — the tiles filled in, and
// every stage column in view holding its cards, each with its countdown, down to the window's bottom
// (or all of the column's cards when they end above it) — and that frame has been drawn. The board
// draws the cards below the window in the frames after (dashboard/src/first-screen.ts); the moment all
// of them are drawn is kept too, and the count of cards checked then.
//
// The moments are taken by a check the page runs at every animation frame from its very start (an init
// script); a check that passes waits for the end of that frame's rendering (a task queued from the
// frame runs after its style, layout and paint) and takes the time then. The page reports by a console
// message: polling it from outside (page.waitForFunction) had Playwright compile its injected script
// on the renderer's main thread (~120–240 ms under load) in the middle of the load it measured.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium-launch.js';

/** Where the benchmark finds Chromium unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY_STORAGE = 'shouhou.apiKey';

export interface FirstLoadSamples {
  /** Navigation to the board's first screen drawn: the cards in the window, each with its countdown (fresh context: cold cache). */
  board: number[];
  /** The same load, to every card of the board drawn. */
  boardAllCards: number[];
  /** The same, reloading the board in a context that has loaded it before (warm cache). */
  boardReload: number[];
  /** Navigation to the KPI view's first chart drawn (fresh context). */
  kpiFirstChart: number[];
  /** Sign-in form submitted to the board shown, once. */
  signInToBoardMs: number;
  /** Cards the board showed (checked against the cases it should show). */
  cards: number;
  /** Where the time of the last cold board load went: the document, each request, the board shown. */
  breakdown: LoadBreakdown | null;
}

/** Milliseconds from the start of navigation, as the browser's timing entries give them. */
export interface LoadBreakdown {
  documentEnd: number;
  domContentLoaded: number;
  requests: Array<{ path: string; start: number; end: number; bytes: number }>;
  /** The board's first screen drawn. */
  boardShown: number;
  /** Every card of the board drawn. */
  allCardsShown: number;
}

/** In the page: the navigation and resource timing entries, rounded. */
const timings = () => {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
  return {
    documentEnd: Math.round(nav.responseEnd),
    domContentLoaded: Math.round(nav.domContentLoadedEventEnd),
    requests: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => {
      const url = new URL(r.name);
      return {
        path: url.pathname + url.search,
        start: Math.round(r.startTime),
        end: Math.round(r.responseEnd),
        bytes: r.encodedBodySize,
      };
    }),
  };
};

/** What the page reports (console message SHOWN + JSON), ms since navigation start. */
interface Shown {
  /** The first screen of the board drawn (or, for the KPI view, its first chart). */
  ms: number;
  /** Every card of the board drawn (the board only). */
  allMs?: number;
  /** Cards on the page when every one was drawn. */
  cards: number;
}
const SHOWN = 'shouhou-shown ';

/**
 * In the page, before any of its scripts (every navigation of the context, reloads too): checks at every
 * animation frame whether the board's first screen (or a chart) is shown, and whether every card is;
 * each moment is taken after the frame that passed its check has been rendered. As source text: a
 * compiled function could carry helpers of the TypeScript loader (__name) that do not exist in the page.
 */
const watchShown = (what: 'board' | 'chart', expectedCards: number) => `(() => {
  const loaded = () => {
    const tile = document.querySelector('[data-testid="tile-open"] .tile-value')?.textContent;
    return Boolean(tile) && tile !== '…';
  };
  const carded = (cards) => [...cards].every((c) => c.querySelector('[data-testid="countdown"]'));
  // Every column whose top is in the window holds its cards down to the window's bottom, or all of them
  // (the count its heading shows); every card on the page has its countdown.
  const firstScreen = () => {
    if (!loaded()) return false;
    const bottom = window.innerHeight;
    let seen = 0;
    for (const column of document.querySelectorAll('.column')) {
      if (column.getBoundingClientRect().top >= bottom) continue;
      const cards = column.querySelectorAll('.card');
      const total = Number(column.querySelector('h3 .count')?.textContent ?? NaN);
      if (!(cards.length === total || (cards.length > 0 && cards[cards.length - 1].getBoundingClientRect().bottom >= bottom)))
        return false;
      seen += cards.length;
    }
    return seen > 0 && carded(document.querySelectorAll('.card'));
  };
  const everyCard = () => {
    if (!loaded()) return false;
    const cards = document.querySelectorAll('.card');
    return cards.length >= ${expectedCards} && carded(cards);
  };
  const chart = () => Boolean(document.querySelector('[data-testid^="chart-"] canvas'));
  const found = {};
  const report = () => {
    if (found.ms === undefined || (${JSON.stringify(what)} === 'board' && found.allMs === undefined)) return;
    console.debug(${JSON.stringify(SHOWN)} + JSON.stringify(found));
  };
  // After the frame: a task queued from it runs once its rendering is done.
  const drawn = (key, extra) => setTimeout(() => {
    found[key] = performance.now();
    Object.assign(found, extra);
    report();
  });
  let first = false;
  let every = false;
  const frame = () => {
    if (${JSON.stringify(what)} === 'chart') {
      if (chart()) return drawn('ms', { cards: 0 });
    } else {
      if (!first && firstScreen()) {
        first = true;
        drawn('ms', {});
      }
      if (!every && everyCard()) {
        every = true;
        drawn('allMs', { cards: document.querySelectorAll('.card').length });
      }
      if (first && every) return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

export async function measureFirstLoad(
  base: string,
  managerKey: string,
  samples: number,
  expectedCards: number,
  /** Launch with the headless flags (scripts/chromium-launch.ts); false: the plain launch, the baseline. */
  lean = true,
): Promise<FirstLoadSamples> {
  const browser: Browser = await launchChromium(CHROMIUM, { lean });
  const viewport = { width: 1500, height: 950 };
  try {
    // The moments a page noted (watchShown), from its console message.
    const shownOn = (page: Page) =>
      page
        .waitForEvent('console', { predicate: (m) => m.text().startsWith(SHOWN), timeout: 60_000 })
        .then((m) => JSON.parse(m.text().slice(SHOWN.length)) as Shown);
    // Sign in as a person does, once: the form, then the board with every card (the same check as below).
    const first = await browser.newContext({ viewport, locale: 'zh-CN' });
    await first.addInitScript(watchShown('board', expectedCards));
    const signIn = await first.newPage();
    await signIn.goto(`${base}/dashboard/`);
    await signIn.getByTestId('api-key').fill(managerKey);
    const submitted = await signIn.evaluate(() => performance.now());
    const signedIn = shownOn(signIn);
    await signIn.getByTestId('sign-in-submit').click();
    const shown = await signedIn;
    if (shown.cards !== expectedCards)
      throw new Error(`the board showed ${shown.cards} cases, expected ${expectedCards}`);
    await first.close();

    const out: FirstLoadSamples = {
      board: [],
      boardAllCards: [],
      boardReload: [],
      kpiFirstChart: [],
      signInToBoardMs: shown.allMs! - submitted,
      cards: shown.cards,
      breakdown: null,
    };
    const open = async (hash: string, what: 'board' | 'chart', reload: boolean) => {
      const context = await browser.newContext({ viewport, locale: 'zh-CN' });
      try {
        await context.addInitScript(([k, v]) => sessionStorage.setItem(k, v), [KEY_STORAGE, managerKey]);
        await context.addInitScript(watchShown(what, expectedCards));
        const page = await context.newPage();
        const coldShown = shownOn(page);
        await page.goto(`${base}/dashboard/${hash}`);
        const cold = await coldShown;
        if (what === 'board') {
          if (cold.cards !== expectedCards)
            throw new Error(`the board showed ${cold.cards} cases, expected ${expectedCards}`);
          out.breakdown = {
            ...(await page.evaluate(timings)),
            boardShown: Math.round(cold.ms),
            allCardsShown: Math.round(cold.allMs!),
          };
        }
        let warm: number | undefined;
        if (reload) {
          const warmShown = shownOn(page);
          await page.reload();
          warm = (await warmShown).ms;
        }
        return { cold, warm };
      } finally {
        await context.close();
      }
    };
    // One of each unmeasured first: the server's and the browser's first-use costs.
    await open('#/', 'board', false);
    await open('#/kpis', 'chart', false);
    for (let i = 0; i < samples; i++) {
      const board = await open('#/', 'board', true);
      out.board.push(board.cold.ms);
      out.boardAllCards.push(board.cold.allMs!);
      out.boardReload.push(board.warm!);
      out.kpiFirstChart.push((await open('#/kpis', 'chart', false)).cold.ms);
    }
    return out;
  } finally {
    await browser.close();
  }
}
