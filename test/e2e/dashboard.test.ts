// The dashboard end to end, in a real browser: Debian's Chromium driven by playwright-core against the
// real stack (Temporal, Postgres, a worker, the API on an HTTP port serving the built dashboard). An
// engineer signs in, sees their open case counting down, watches a case with a short SLA appear, warn
// and breach without a reload, switches to English, and drills into the case's clocks and timeline; the
// reports are not theirs to read. A manager then sees the KPI and budget views show exactly what the
// report routes answer for cases closed through their steps, costs and an approved budget, and the open
// complaints by priority with their clocks, an overdue one marked. Screenshots go to
// .test-results/screenshots/.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { get as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRate } from '../../dashboard/src/time.js';
import { launchChromium } from '../../scripts/chromium-launch.js';
import { buildDashboard, DASHBOARD_DIST } from '../../scripts/dashboard-build.mjs';
import { REPO_ROOT } from '../../scripts/process-helpers.mjs';
import { fastComplaintPolicy, openComplaint } from '../support/complaints.js';
import { fastPolicy, openSlaCase, seconds } from '../support/sla.js';
import { call, eventually, get, post, repairReport, type Stack, startStack } from '../support/stack.js';

const SCREENSHOTS = join(REPO_ROOT, '.test-results/screenshots');
const ENGINEER = 'eng-dashboard';
/** The engineer of the cases the KPI view is checked with: a group of the report no other file has. */
const KPI_ENGINEER = `eng-dashboard-kpi-${process.pid}`;
/** A budget year no other test file books costs in. */
const BUDGET_YEAR = 2023;

/** The parts of the report answers (GET /api/v1/reports/kpis, /budget) the views draw. */
interface KpiFigures {
  key: string | null;
  label: string | null;
  cases: number;
  onTimeResponseRate: number | null;
  onTimeRepairRate: number | null;
  firstTimeFixRate: number | null;
  backlog: { byStage: Record<string, number> };
  costs: { total: number; byCategory: Record<string, number> };
}
interface KpiReport {
  totals: KpiFigures;
  groups: KpiFigures[];
}
interface BudgetReport {
  status: string;
  categories: Array<{
    category: string;
    budget: number;
    actual: number;
    variance: number;
    share: number | null;
    warning: boolean;
    months: Array<{ budget: number; actual: number }>;
  }>;
}
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
  // Surveys expire slowly enough to be answered on a loaded machine.
  stack = await startStack({
    engineers: [ENGINEER, KPI_ENGINEER],
    dashboardRoot: DASHBOARD_DIST,
    surveyExpiryMs: 120_000,
  });
  base = await stack.app.listen({ host: '127.0.0.1', port: 0 });
  // No sandbox (containers lack user namespaces), and none of the browser's own UI a headless run never
  // shows (the address bar's WebUI pop-ups): scripts/chromium-launch.ts says why.
  browser = await launchChromium(chromiumPath());
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

/** Waits until a chart has drawn its figures (animations done), for the screenshot. */
const drawn = (id: string) =>
  page.locator(`[data-testid="${id}"][data-drawn="true"]`).waitFor({ timeout: 30_000 });
/** What a chart draws, as its text for screen readers (components/Chart.tsx describeChart). */
const chartText = async (id: string) => (await testId(id).getAttribute('aria-label')) ?? '';
/** The values of a one-series chart's text ("label value, label value"). */
const valuesOf = (text: string) => text.split(', ').map((point) => point.split(' ').at(-1));
/** The values of the named series of a chart's text ("name: label value, …; name: …"). */
const seriesValues = (text: string, name: string) =>
  valuesOf(
    text
      .split('; ')
      .find((s) => s.startsWith(`${name}: `))!
      .slice(name.length + 2),
  );
const digits = (text: string) => text.replace(/\D/g, '');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const manager = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key = stack.keys.manager) =>
  call(stack.app, method, url, { key, ...(payload !== undefined ? { payload } : {}) });
const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key?: string) => {
  const r = await manager(method, url, payload, key);
  expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
};

/**
 * Opens a case under the policy of `line` for KPI_ENGINEER and walks it through every step to closed,
 * the survey answered; `beforeRepair` runs before the repair is reported.
 */
async function closeCase(line: string, beforeRepair?: (id: string) => Promise<void>) {
  const { id } = await openSlaCase(stack, line);
  const stage = async () => (await manager('GET', `/api/v1/cases/${id}`)).body.stage as string;
  await ok('POST', `/api/v1/cases/${id}/assign`, { engineer: KPI_ENGINEER });
  await ok('POST', `/api/v1/cases/${id}/diagnose`, {
    cause: '排气阀积碳',
    plan: '清洗并更换阀片',
    complexity: 'ordinary',
    parts: [],
  });
  await ok('POST', `/api/v1/cases/${id}/schedule`, { mode: 'onsite', agreedAt: new Date().toISOString() });
  await ok('POST', `/api/v1/cases/${id}/check-in`, {});
  await beforeRepair?.(id);
  await ok('POST', `/api/v1/cases/${id}/complete-repair`, repairReport);
  await ok('POST', `/api/v1/cases/${id}/customer-feedback`, { accepted: true });
  await eventually(async () => (await stage()) === 'survey', 60_000);
  await ok('POST', `/api/v1/cases/${id}/survey-response`, {
    serviceQuality: 5,
    repairEffect: 4,
    attitude: 5,
    via: 'phone',
  });
  await eventually(async () => (await stage()) === 'closed', 60_000);
  return id as string;
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
    // The board draws the cards of its first screen first and the rest in the frames after: every
    // column ends up holding as many cards as its heading counts.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid^="stage-"]')].every(
          (column) =>
            column.querySelectorAll('.card').length ===
            Number(column.querySelector('h3 .count')?.textContent),
        ),
      undefined,
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

  it('shows a manager the KPI and budget figures the report routes give for cases closed through their steps', async () => {
    // An engineer may not read the reports: the view says so.
    await testId('nav-kpis').click();
    await page.locator('[data-testid="report-state"][data-state="forbidden"]').waitFor({ timeout: 60_000 });
    expect(await textOf('report-state')).toMatch(/无权查看/);
    await testId('sign-out').click();
    await testId('sign-in').waitFor();

    // Two cases of this test's own engineer (a KPI group no other file writes to), closed through every
    // step: one repaired within its clock, one after a 3-second repair clock ran out. Costs on both.
    const onTimeLine = await fastPolicy(stack);
    const lateLine = await fastPolicy(stack, {
      targets: { repair: { ordinary: seconds(3), complex: seconds(3) } },
    });
    const late = await closeCase(lateLine, async (id) => {
      await eventually(
        async () => (await manager('GET', `/api/v1/cases/${id}`)).body.breached === true,
        60_000,
      );
    });
    const onTime = await closeCase(onTimeLine);
    const labour = await ok('POST', `/api/v1/cases/${onTime}/costs`, {
      category: 'labour',
      hours: 2,
      role: 'engineer',
    });
    const travel = await ok('POST', `/api/v1/cases/${late}/costs`, { category: 'travel', amount: 12_345 });

    // A budget for a year no other file books costs in: entered by finance, approved by the manager,
    // training spent past the warning share.
    const months = (m: Record<number, number>) => Array.from({ length: 12 }, (_, i) => m[i + 1] ?? 0);
    await ok(
      'PUT',
      `/api/v1/budgets/${BUDGET_YEAR}`,
      { categories: { training: months({ 3: 1_000_000 }), travel: months({ 3: 100_000, 4: 100_000 }) } },
      stack.keys.finance,
    );
    await ok('POST', `/api/v1/budgets/${BUDGET_YEAR}/approve`, {});
    for (const [category, amount, incurredOn] of [
      ['training', 950_000, `${BUDGET_YEAR}-03-15`],
      ['travel', 20_000, `${BUDGET_YEAR}-04-20`],
    ] as const)
      await ok('POST', '/api/v1/costs', { category, amount, incurredOn }, stack.keys.finance);

    // The KPI view, as the manager opens it: what it shows is what the route answered the browser.
    await signIn(stack.keys.manager);
    const kpiAnswer = page.waitForResponse((r) => r.url().includes('/api/v1/reports/kpis?'));
    await testId('nav-kpis').click();
    const kpiResponse = await kpiAnswer;
    expect(kpiResponse.status()).toBe(200);
    const kpis = (await kpiResponse.json()) as KpiReport;
    const ours = kpis.groups.find((g) => g.key === KPI_ENGINEER);
    expect(ours).toMatchObject({
      cases: 2,
      onTimeResponseRate: 1,
      onTimeRepairRate: 0.5,
      firstTimeFixRate: 1,
      costs: { total: labour.amount + travel.amount },
    });
    expect(ours!.costs.byCategory).toMatchObject({ labour: labour.amount, travel: travel.amount });
    // The same request, asked of the API directly, gives this engineer the same figures.
    const url = new URL(kpiResponse.url());
    const direct = await manager('GET', `${url.pathname}${url.search}`);
    expect(direct.body.groups.find((g: { key: string }) => g.key === KPI_ENGINEER)).toEqual(ours);

    await testId('kpi-tile').first().waitFor({ timeout: 60_000 });
    const tiles = await page.locator('[data-testid="kpi-tile"] .tile-value').allTextContents();
    const k = kpis.totals;
    expect(tiles[0]).toBe(String(k.cases));
    expect(tiles[3]).toBe(formatRate(k.onTimeResponseRate));
    expect(tiles[5]).toBe(formatRate(k.onTimeRepairRate));
    expect(tiles[6]).toBe(formatRate(k.firstTimeFixRate));
    expect(digits(tiles[9])).toBe(String(Math.round(k.costs.total / 100)));
    const label = escapeRegExp(ours!.label ?? KPI_ENGINEER);
    expect(await chartText('chart-cases')).toMatch(new RegExp(`(^|, )${label} 2(,|$)`));
    expect(await chartText('chart-on-time')).toMatch(new RegExp(`修复及时率: ([^;]*, )?${label} 50(,|;|$)`));
    expect(valuesOf(await chartText('chart-backlog'))).toEqual(Object.values(k.backlog.byStage).map(String));
    expect(valuesOf(await chartText('chart-costs'))).toEqual(Object.values(k.costs.byCategory).map(String));
    await drawn('chart-costs');
    await shot('06-kpis');

    // Budget against actual for that year, as the route gives it.
    await testId('nav-budget').click();
    await testId('budget').waitFor();
    const budgetAnswer = page.waitForResponse((r) =>
      r.url().includes(`/api/v1/reports/budget?year=${BUDGET_YEAR}`),
    );
    await page.locator('[data-testid="budget"] input[type="number"]').fill(String(BUDGET_YEAR));
    const budgetResponse = await budgetAnswer;
    expect(budgetResponse.status()).toBe(200);
    const budget = (await budgetResponse.json()) as BudgetReport;
    expect((await manager('GET', `/api/v1/reports/budget?year=${BUDGET_YEAR}`)).body).toEqual(budget);
    expect(budget.status).toBe('approved');
    const training = budget.categories.find((c) => c.category === 'training')!;
    expect(training).toMatchObject({
      budget: 1_000_000,
      actual: 950_000,
      variance: -50_000,
      share: 0.95,
      warning: true,
    });
    expect(budget.categories.find((c) => c.category === 'travel')).toMatchObject({
      budget: 200_000,
      actual: 20_000,
      warning: false,
    });

    await page.locator('[data-testid="chart-budget"] canvas').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="chart-budget-months"] canvas').waitFor({ timeout: 30_000 });
    expect(await textOf('budget')).toContain('已批准');
    const rows = await page.locator('[data-testid="budget-table"] tbody tr').all();
    expect(rows).toHaveLength(budget.categories.length);
    for (const [i, c] of budget.categories.entries()) {
      const cells = await rows[i].locator('th, td').allTextContents();
      expect(digits(cells[1])).toBe(String(Math.round(c.budget / 100)));
      expect(digits(cells[2])).toBe(String(Math.round(c.actual / 100)));
      expect(digits(cells[3])).toBe(String(Math.abs(Math.round(c.variance / 100))));
      expect(cells[4]).toContain(formatRate(c.share));
      expect(cells[4].includes('超出预警线')).toBe(c.warning);
    }
    const byCategory = await chartText('chart-budget');
    expect(seriesValues(byCategory, '预算')).toEqual(budget.categories.map((c) => String(c.budget)));
    expect(seriesValues(byCategory, '实际')).toEqual(budget.categories.map((c) => String(c.actual)));
    // Month by month for the category picked: the training row.
    await rows[budget.categories.indexOf(training)].click();
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="budget"] .charts')?.textContent?.includes(text),
      '培训',
    );
    const byMonth = await chartText('chart-budget-months');
    expect(seriesValues(byMonth, '预算')).toEqual(training.months.map((m) => String(m.budget)));
    expect(seriesValues(byMonth, '实际')).toEqual(training.months.map((m) => String(m.actual)));
    await drawn('chart-budget');
    await drawn('chart-budget-months');
    await shot('07-budget');

    // Signing out forgets the key.
    await testId('sign-out').click();
    await testId('sign-in').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('shouhou.apiKey'))).toBeNull();
  }, 300_000);

  it('shows a manager the open complaints by priority, each counting down its clock, an overdue one marked, in both languages', async () => {
    // A P1 complaint that must be acknowledged within 2 seconds, and a P4 one with an hour for everything.
    const line = await fastComplaintPolicy(stack, { P1: { acknowledge: seconds(2) } });
    const complaint = (urgency: string, importance: string) =>
      openComplaint(stack, line, {
        complaint: { description: '维修后仍漏气，要求答复', category: 'service', urgency, importance },
      });
    const urgent = await complaint('high', 'high');
    const calm = await complaint('low', 'low');
    expect([urgent.priority, calm.priority]).toEqual(['P1', 'P4']);
    // The API's word first: the P1 complaint's acknowledge clock ran out.
    await eventually(async () => {
      const r = await manager('GET', `/api/v1/complaints/${urgent.id}`);
      return r.body.clocks.some(
        (c: { name: string; breached: boolean }) => c.name === 'acknowledge' && c.breached,
      );
    }, 60_000);

    await signIn(stack.keys.manager);
    await testId('nav-complaints').click();
    const calmCard = `[data-testid="complaints-P4"] [data-testid="complaint-${calm.id}"]`;
    await page.locator(calmCard).waitFor({ timeout: 60_000 });
    expect(await untilText(`complaint-${calm.id}`, /(确认|解决|进度反馈) 剩余 \d+:\d\d/)).toContain(calm.id);
    expect(await page.locator(calmCard).getAttribute('data-overdue')).toBe('false');
    // The P1 one, overdue: red, counting up, and counted on its priority's tile.
    await page
      .locator(`[data-testid="complaints-P1"] [data-testid="complaint-${urgent.id}"][data-overdue="true"]`)
      .waitFor({ timeout: 60_000 });
    expect(await untilText(`complaint-${urgent.id}`, /确认 超时 \d+:\d\d/)).toContain('已登记');
    const p1 = page.getByTestId('complaint-tile-P1');
    expect(Number(await p1.getByTestId('open').textContent())).toBeGreaterThanOrEqual(1);
    expect(await p1.getByTestId('overdue').textContent()).toMatch(/超时 [1-9]/);
    expect(await p1.getAttribute('class')).toContain('alarm');
    await shot('08-complaints');

    // English, and back.
    await testId('switch-lang').click();
    expect(await untilText('nav-complaints', /Complaints/)).toBe('Complaints');
    expect(await untilText(`complaint-${urgent.id}`, /Acknowledge overdue/)).toMatch(/Registered/);
    expect(await p1.getByTestId('overdue').textContent()).toMatch(/[1-9] overdue/);
    await testId('switch-lang').click();
    await untilText('nav-complaints', /投诉/);
  }, 180_000);

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
