// The dashboard end to end, in a real browser: Debian's Chromium driven by playwright-core against the
// real stack (Temporal, Postgres, a worker, the API on an HTTP port serving the built dashboard). An
// engineer signs in, sees their open case counting down, watches a case with a short SLA appear, warn
// and breach without a reload, switches to English, and drills into the case's clocks and timeline; a
// manager opens the KPI and budget views. Screenshots go to .test-results/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { get as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, DASHBOARD_DIST } from '../../scripts/dashboard-build.mjs';
import { REPO_ROOT } from '../../scripts/process-helpers.mjs';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { eventually, get, post, type Stack, startStack } from '../support/stack.js';
import { SAMPLE_BUDGET_REPORT, SAMPLE_KPI_REPORT } from './report-samples.js';

const SCREENSHOTS = join(REPO_ROOT, '.test-results/screenshots');
const ENGINEER = 'eng-dashboard';
/** Long enough to be seen in the browser on a loaded machine before it fires. */
const SHORT_REPAIR_SECONDS = 25;

let stack: Stack;
let base: string;
let browser: Browser;
let page: Page;

function chromiumPath(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return configured;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error(
      "no Chromium found: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH",
    );
  }
}

beforeAll(async () => {
  // The built app, rebuilt only when its sources are newer (npm run build made it in CI already).
  buildDashboard({ onlyIfStale: true, quiet: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startStack({ engineers: [ENGINEER], dashboardRoot: DASHBOARD_DIST });
  base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    // The sandbox needs user namespaces, which containers and root shells often lack.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale: 'zh-CN' });
}, 300_000);

afterAll(async () => {
  // The browser first: its connections would otherwise hold the API open.
  await browser?.close();
  await stack?.close();
});

/** A GET on its own connection (no keep-alive socket left for the server to wait on when it closes). */
function httpGet(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const testId = (id: string) => page.getByTestId(id);
const textOf = async (id: string) => (await testId(id).first().textContent()) ?? '';
/** Waits until the element's text matches. */
async function untilText(id: string, pattern: RegExp, timeout = 60_000) {
  await page.waitForFunction(
    ([selector, source, flags]) =>
      new RegExp(source, flags).test(document.querySelector(selector)?.textContent ?? ''),
    [`[data-testid="${id}"]`, pattern.source, pattern.flags] as const,
    { timeout },
  );
  return textOf(id);
}

async function signIn(key: string) {
  await page.goto(`${base}/dashboard/`);
  await testId('api-key').fill(key);
  await testId('sign-in-submit').click();
  await page.locator('[data-testid="live-state"][data-state="live"]').waitFor({ timeout: 60_000 });
}

async function assignedCase(line: string) {
  const created = await openSlaCase(stack, line);
  const assigned = await post(stack.app, `/api/v1/cases/${created.id}/assign`, { engineer: ENGINEER });
  expect(assigned.status).toBe(200);
  return created.id as string;
}

describe('dashboard in Chromium', () => {
  it('signs in, counts down, shows a breach and its escalations live, speaks English, drills into a case', async () => {
    const slowLine = await fastPolicy(stack, {
      targets: { repair: { ordinary: seconds(3600), complex: seconds(7200) } },
    });
    const fastLine = await fastPolicy(stack, {
      targets: {
        repair: { ordinary: seconds(SHORT_REPAIR_SECONDS), complex: seconds(SHORT_REPAIR_SECONDS) },
      },
    });
    const waiting = await assignedCase(slowLine);

    // The app is served under /dashboard/ and starts in Chinese.
    await page.goto(`${base}/dashboard/`);
    await testId('sign-in').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await testId('sign-in').textContent()).toContain('登录');
    await testId('api-key').fill('shk_00000000_not-a-key-at-all-0000000');
    await testId('sign-in-submit').click();
    expect(await untilText('sign-in-error', /密钥无效/)).toContain('密钥无效');
    await shot('01-sign-in');

    await signIn(stack.engineerKeys[ENGINEER]);
    // The key stays in this tab's session only.
    expect(await page.evaluate(() => sessionStorage.getItem('shouhou.apiKey'))).toBe(
      stack.engineerKeys[ENGINEER],
    );
    expect(await page.evaluate(() => localStorage.getItem('shouhou.apiKey'))).toBeNull();

    // The open case, in its stage, with the repair clock counting down.
    const card = `case-${waiting}`;
    await page.locator(`[data-testid="stage-assigned"] [data-testid="${card}"]`).waitFor({ timeout: 60_000 });
    const first = await untilText(card, /修复 剩余 \d+:\d\d/);
    await page.waitForFunction(
      ([selector, before]) => (document.querySelector(selector)?.textContent ?? '') !== before,
      [`[data-testid="${card}"] [data-testid="countdown"]`, first] as const,
      { timeout: 30_000 },
    );
    // Anything that reloads the page would drop this mark. Notices are kept for a few seconds only:
    // note each one shown.
    await page.evaluate(() => {
      const w = window as unknown as { notReloaded: boolean; notices: string[] };
      w.notReloaded = true;
      w.notices = [];
      new MutationObserver(() => {
        for (const n of document.querySelectorAll('[data-testid="toast"]'))
          if (!w.notices.includes(n.textContent ?? '')) w.notices.push(n.textContent ?? '');
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await shot('02-board-countdown');

    // A case with a 25-second repair target: it appears, warns its engineer, then breaches — live.
    const urgent = await assignedCase(fastLine);
    const urgentCard = `case-${urgent}`;
    await testId(urgentCard).waitFor({ timeout: 60_000 });
    // The warning (at 75 % of the target) and the breach pop up as notices…
    await page.waitForFunction(
      (texts) => texts.every((t) => (window as unknown as { notices: string[] }).notices.includes(t)),
      [`${urgent}：修复预警（1 级）`, `${urgent}：修复超时（2 级）`],
      { timeout: 120_000 },
    );
    await page.locator(`[data-testid="${urgentCard}"][data-breached="true"]`).waitFor({ timeout: 120_000 });
    expect(await untilText(urgentCard, /修复 超时 \d+:\d\d/)).toMatch(/修复 超时/);
    const feed = await untilText('escalation-feed', new RegExp(`${urgent}[^C]*修复 超时`), 60_000);
    expect(feed).toMatch(new RegExp(`${urgent}[^C]*修复 预警`));
    expect(await textOf('tile-breached')).toMatch(/^[1-9]/);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await shot('03-breach-live');
    // What the page shows is what the API holds.
    const api = await get(stack.app, `/api/v1/cases/${urgent}`, {
      authorization: `Bearer ${stack.keys.manager}`,
    });
    expect(api.body.breached).toBe(true);
    expect(api.body.escalations.map((e: { name: string }) => e.name)).toEqual(
      expect.arrayContaining(['warning', 'breach']),
    );

    // English, everywhere at once.
    await testId('switch-lang').click();
    await untilText('nav-board', /Open cases/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await untilText(card, /Repair \d+:\d\d(:\d\d)? left/)).toMatch(/left/);
    expect(await untilText(urgentCard, /Repair overdue/)).toMatch(/overdue/);
    expect(await textOf('escalation-feed')).toMatch(/Live warnings and escalations/);
    await shot('04-board-english');

    // Drill-down: the case's clocks and its timeline.
    await testId(urgentCard).click();
    await page.locator(`[data-testid="case-detail"][data-case="${urgent}"]`).waitFor();
    expect(page.url()).toContain(`#/cases/${urgent}`);
    const timeline = await untilText('timeline', /SLA breached/);
    for (const step of ['Opened', 'Assigned', 'SLA warning', 'SLA breached'])
      expect(timeline).toContain(step);
    const repair = await untilText('clock-repair', /breached/);
    expect(repair).toMatch(/Repair/);
    expect(repair).toMatch(/overdue \d+:\d\d/);
    expect(await textOf('case-escalations')).toMatch(/Repair warning · level 1/);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    await shot('05-case-timeline');

    // Back in Chinese: the choice is remembered, the timeline follows.
    await testId('switch-lang').click();
    expect(await untilText('timeline', /SLA 超时/)).toContain('派工');

    // The Temporal UI finds the same state with the README's queries (search attributes lag a little).
    const running = "WorkflowType = 'serviceCase' AND ExecutionStatus = 'Running'";
    const found = async (query: string) => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids;
    };
    const queries: Array<[string, string[]]> = [
      [`${running} AND ShouhouStage = 'assigned'`, [urgent, waiting]],
      [`${running} AND ShouhouBreached = true`, [urgent]],
      [`${running} AND ShouhouBreached IS NULL`, [waiting]],
      [`${running} AND ShouhouAssignee = '${ENGINEER}'`, [urgent, waiting]],
    ];
    for (const [query, expected] of queries) {
      await eventually(async () => {
        const ids = await found(`${query} AND WorkflowId IN ('case-${urgent}', 'case-${waiting}')`);
        return (
          ids.sort().join() ===
          expected
            .map((id) => `case-${id}`)
            .sort()
            .join()
        );
      }, 60_000);
    }
  }, 420_000);

  it('shows KPI charts and budget against actual, or says plainly that this server has no reports', async () => {
    const reportsServed = stack.app.routeTable.some((r) => r.url === '/api/v1/reports/kpis');
    await page.evaluate(() => sessionStorage.clear());
    await signIn(stack.keys.manager);

    await testId('nav-kpis').click();
    await testId('kpis').waitFor();
    if (!reportsServed) {
      // This API has no report routes: the view says so instead of failing…
      await page
        .locator('[data-testid="report-state"][data-state="unavailable"]')
        .waitFor({ timeout: 60_000 });
      expect(await textOf('report-state')).toMatch(/\/api\/v1\/reports\/kpis.*404/);
      await shot('06-kpis-unavailable');
      // …and draws a report of the documented shape once there is one (answered here by the browser).
      await page.route('**/api/v1/reports/kpis?*', (route) => route.fulfill({ json: SAMPLE_KPI_REPORT }));
      await page.route('**/api/v1/reports/budget?*', (route) =>
        route.fulfill({ json: SAMPLE_BUDGET_REPORT }),
      );
      await page.getByRole('button', { name: '刷新' }).click();
    }
    await testId('kpi-tile').first().waitFor({ timeout: 60_000 });
    for (const chart of ['chart-escalations', 'chart-backlog', 'chart-costs', 'chart-on-time', 'chart-cases'])
      await page.locator(`[data-testid="${chart}"] canvas`).waitFor({ timeout: 30_000 });
    const tiles = await page.getByTestId('kpi-tile').allTextContents();
    expect(tiles.join(' ')).toMatch(/响应及时率/);
    if (!reportsServed) expect(tiles.join(' ')).toMatch(/92\.0%响应及时率/);
    await shot('06-kpis');

    await testId('nav-budget').click();
    await testId('budget').waitFor();
    await testId('budget-table').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="chart-budget"] canvas').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="chart-budget-months"] canvas').waitFor({ timeout: 30_000 });
    if (!reportsServed) expect(await textOf('budget-table')).toMatch(/备件.*超出预警线/);
    await shot('07-budget');

    // Signing out forgets the key.
    await testId('sign-out').click();
    await testId('sign-in').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('shouhou.apiKey'))).toBeNull();
  }, 300_000);

  it('is served from the built files, with the security headers of the API', async () => {
    const index = await httpGet(`${base}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const asset = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(asset).toBeDefined();
    const script = await httpGet(`${base}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers['cache-control']).toMatch(/immutable/);
    const root = await httpGet(`${base}/`);
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe('/dashboard/');
  });
});
