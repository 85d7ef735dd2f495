// The dashboard's first load, measured in a real browser (issue 13: "dashboard first load ≤ 1 s"): headless
// Chromium (Debian's package, driven by playwright-core) against the API and the built dashboard served
// over real HTTP. A manager signs in through the form once; then each sample is a fresh browser context
// (empty cache, nothing but the key in the tab's session) opening the board, timed in the page from the
// start of navigation (performance.now()) to the board showing every case it loads with its countdown.
// The same for the KPI view's first chart, and a reload of the board with a warm cache.
//
// The moment is taken by a check the page runs at every animation frame from its very start (an init
// script): polling from outside (page.waitForFunction) can begin only once page.goto has returned at the
// load event, a round trip later, with Playwright's injected script to compile first (~120 ms of the
// renderer's main thread) — a board drawn before then was measured late, the harness's own floor.
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../scripts/chromium-launch.js';

/** Where the benchmark finds Chromium unless CHROMIUM_PATH says otherwise. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY_STORAGE = 'shouhou.apiKey';

export interface FirstLoadSamples {
  /** Navigation to the board showing its cases, each with a countdown (fresh context: cold cache). */
  board: number[];
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
  boardShown: number;
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

/** In the page: the board is loaded and every card carries a countdown → ms since navigation start. */
const boardShown = () => {
  const tile = document.querySelector('[data-testid="tile-open"] .tile-value')?.textContent;
  if (!tile || tile === '…') return false;
  const cards = document.querySelectorAll('.card').length;
  const countdowns = document.querySelectorAll('.card [data-testid="countdown"]').length;
  return cards > 0 && countdowns === cards ? { ms: performance.now(), cards } : false;
};

const chartShown = () =>
  document.querySelector('[data-testid^="chart-"] canvas') ? { ms: performance.now(), cards: 0 } : false;

/**
 * In the page, before any of its scripts (every navigation of the context, reloads too): checks at every
 * animation frame whether the board (or a chart) is shown, and keeps the first moment it is. The same
 * checks as boardShown and chartShown, as source text: a compiled function could carry helpers of the
 * TypeScript loader (__name) that do not exist in the page.
 */
const watchShown = (what: 'board' | 'chart') => `(() => {
  const shown = () => {
    if (${JSON.stringify(what)} === 'chart')
      return document.querySelector('[data-testid^="chart-"] canvas') ? { ms: performance.now(), cards: 0 } : false;
    const tile = document.querySelector('[data-testid="tile-open"] .tile-value')?.textContent;
    if (!tile || tile === '…') return false;
    const cards = document.querySelectorAll('.card').length;
    const countdowns = document.querySelectorAll('.card [data-testid="countdown"]').length;
    return cards > 0 && countdowns === cards ? { ms: performance.now(), cards } : false;
  };
  const frame = () => {
    const found = shown();
    if (found) window.__shouhouShown = found;
    else requestAnimationFrame(frame);
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
    // Sign in as a person does, once: the form, then the board.
    const first = await browser.newContext({ viewport, locale: 'zh-CN' });
    const signIn = await first.newPage();
    await signIn.goto(`${base}/dashboard/`);
    await signIn.getByTestId('api-key').fill(managerKey);
    const submitted = await signIn.evaluate(() => performance.now());
    await signIn.getByTestId('sign-in-submit').click();
    const signedIn = await signIn.waitForFunction(boardShown, undefined, { polling: 'raf', timeout: 60_000 });
    const shown = (await signedIn.jsonValue()) as { ms: number; cards: number };
    if (shown.cards !== expectedCards)
      throw new Error(`the board showed ${shown.cards} cases, expected ${expectedCards}`);
    await first.close();

    const out: FirstLoadSamples = {
      board: [],
      boardReload: [],
      kpiFirstChart: [],
      signInToBoardMs: shown.ms - submitted,
      cards: shown.cards,
      breakdown: null,
    };
    const open = async (hash: string, until: typeof boardShown, reload: boolean) => {
      const context = await browser.newContext({ viewport, locale: 'zh-CN' });
      try {
        await context.addInitScript(([k, v]) => sessionStorage.setItem(k, v), [KEY_STORAGE, managerKey]);
        await context.addInitScript(watchShown(until === boardShown ? 'board' : 'chart'));
        const page = await context.newPage();
        // The moment the page itself noted (watchShown); read once it is there.
        const load = async () => {
          const handle = await page.waitForFunction(
            () => (window as unknown as { __shouhouShown?: object }).__shouhouShown ?? false,
            undefined,
            { polling: 50, timeout: 60_000 },
          );
          return (await handle.jsonValue()) as { ms: number; cards: number };
        };
        await page.goto(`${base}/dashboard/${hash}`);
        const cold = await load();
        if (until === boardShown) {
          if (cold.cards !== expectedCards)
            throw new Error(`the board showed ${cold.cards} cases, expected ${expectedCards}`);
          out.breakdown = { ...(await page.evaluate(timings)), boardShown: Math.round(cold.ms) };
        }
        let warm: number | undefined;
        if (reload) {
          await page.reload();
          warm = (await load()).ms;
        }
        return { cold: cold.ms, warm };
      } finally {
        await context.close();
      }
    };
    // One of each unmeasured first: the server's and the browser's first-use costs.
    await open('#/', boardShown, false);
    await open('#/kpis', chartShown, false);
    for (let i = 0; i < samples; i++) {
      const board = await open('#/', boardShown, true);
      out.board.push(board.cold);
      out.boardReload.push(board.warm!);
      out.kpiFirstChart.push((await open('#/kpis', chartShown, false)).cold);
    }
    return out;
  } finally {
    await browser.close();
  }
}
