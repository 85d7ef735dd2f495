// Manager insight end to end on the real stack: cases walked through their workflows (one repaired and
// surveyed, one with parts from stock, disputed and its survey expired, one cancelled, one come back on a
// repaired serial), then the KPI report, costs to the fen, scorecards, budgets and the report settings —
// every figure checked against what the cases did. Everything is scoped to this file's own product
// model, team and budget year: other files write cases into the same database at the same time.
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warrantyCoverageSql } from '../../api/insight/cost-lines.js';
import { labourAmount } from '../../domain/insight/costs.js';
import { localDate } from '../../domain/insight/period.js';
import { scoreComponents, weightedScore } from '../../domain/insight/score.js';
import { DEFAULT_INSIGHT_SETTINGS } from '../../domain/insight/settings.js';
import { warrantyOf } from '../../domain/insight/warranty.js';
import { parseCsv } from '../../domain/people/csv.js';
import { complaintStep, declarePeople, fastComplaintPolicy, openComplaint } from '../support/complaints.js';
import { seconds } from '../support/sla.js';
import {
  call,
  eventually,
  intakeBody,
  repairReport,
  type Stack,
  startStack,
  waitFor,
} from '../support/stack.js';

const tag = `${process.pid}${Date.now() % 100_000}`;
const MODEL = `KPI-${tag} 空压机`;
const LINE = `kpi-line-${tag}`;
const TEAM = `ins-team-${tag}`;
const ENG_A = `ins-a-${tag}`;
const ENG_B = `ins-b-${tag}`;
const WAREHOUSE = `W-INS-${tag}`;
const PART = `P-INS-${tag}`;
const TZ = DEFAULT_INSIGHT_SETTINGS.timeZone;

let stack: Stack;
const as = (role: 'manager' | 'finance' | 'procurement' | 'engineer' | 'specialist' | 'admin') =>
  stack.keys[role];
const req = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key: string = as('manager')) =>
  call(stack.app, method, url, { key, ...(payload !== undefined ? { payload } : {}) });
const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, key?: string) => {
  const r = await req(method, url, payload, key);
  expect(r.status, `${method} ${url}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
};

const today = () => localDate(TZ, new Date());
const shift = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
/** A period around now, in local dates: every case of this file lies in it. */
const period = () => `from=${shift(today(), -1)}&to=${shift(today(), 1)}`;

/** The KPI sheet of an XLSX report, and the column of a figure by its key (the header ends in "(key)"). */
async function kpiSheet(url: string) {
  const xlsx = await stack.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${as('manager')}` },
  });
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const sheet = book.getWorksheet('KPI')!;
  const header = Array.from(sheet.getRow(1).values as unknown[], (v) => String(v ?? ''));
  return { sheet, at: (key: string) => header.findIndex((h) => h.endsWith(`(${key})`)) };
}

async function open(extra: { severity?: string; purchaseDate?: string | null; serial?: string } = {}) {
  const body = intakeBody();
  const product: Record<string, unknown> = {
    ...body.product,
    model: MODEL,
    line: LINE,
    serialNumber: extra.serial ?? body.product.serialNumber,
  };
  if (extra.purchaseDate === null) delete product.purchaseDate;
  else if (extra.purchaseDate) product.purchaseDate = extra.purchaseDate;
  const r = await req('POST', '/api/v1/cases', {
    ...body,
    product,
    problem: { description: '排气温度过高', severity: extra.severity ?? 'normal' },
  });
  expect(r.status).toBe(201);
  return r.body as { id: string; product: { serialNumber: string } };
}
const step = (id: string, name: string, body: Record<string, unknown>) =>
  ok('POST', `/api/v1/cases/${id}/${name}`, body);
const stageOf = async (id: string) => (await req('GET', `/api/v1/cases/${id}`)).body.stage as string;
const diagnosis = { cause: '排气阀积碳', plan: '清洗并更换阀片', complexity: 'ordinary', parts: [] };
const schedule = () => ({ mode: 'onsite', agreedAt: new Date().toISOString() });

const cases: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };

beforeAll(async () => {
  stack = await startStack({ engineers: [ENG_A, ENG_B], surveyDelayMs: 4_000, surveyExpiryMs: 4_000 });
  await ok('PUT', `/api/v1/teams/${TEAM}`, { name: '洞察测试组', region: '华东' });
  await ok('PUT', `/api/v1/people/${ENG_A}`, { name: '甲工程师', roles: ['engineer'], teamId: TEAM });
  await ok('PUT', `/api/v1/people/${ENG_B}`, { name: '乙工程师', roles: ['engineer'], teamId: TEAM });
  // A part in stock at an average of 10.0133 (two at 10.01, one at 10.02).
  const procurement = as('procurement');
  await ok(
    'PUT',
    `/api/v1/warehouses/${WAREHOUSE}`,
    { name: '洞察库', kind: 'central', priority: 5 },
    procurement,
  );
  await ok('PUT', `/api/v1/parts/${PART}`, { name: '排气阀片', standardCost: 10 }, procurement);
  for (const [quantity, unitCost] of [
    [2, 10.01],
    [1, 10.02],
  ])
    await ok(
      'POST',
      '/api/v1/stock/movements',
      { kind: 'receive', partNumber: PART, warehouseId: WAREHOUSE, quantity, unitCost },
      procurement,
    );
}, 180_000);
afterAll(() => stack?.close());

describe('product models', () => {
  it('a model gets its line and warranty months (201), and changes them (200)', async () => {
    const created = await req('PUT', `/api/v1/product-models/${encodeURIComponent(MODEL)}`, {
      productLine: LINE,
      warrantyMonths: 12,
    });
    expect(created.status).toBe(201);
    const changed = await req('PUT', `/api/v1/product-models/${encodeURIComponent(MODEL)}`, {
      productLine: LINE,
      warrantyMonths: 24,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ model: MODEL, warrantyMonths: 24, updatedBy: 'test-manager' });
    const list = await req('GET', '/api/v1/product-models', undefined, as('engineer'));
    expect(list.status).toBe(200);
    expect(list.body.items.find((m: { model: string }) => m.model === MODEL).warrantyMonths).toBe(24);
    expect((await req('PUT', '/api/v1/product-models/x', { warrantyMonths: 12 }, as('finance'))).status).toBe(
      403,
    );
    expect((await req('PUT', '/api/v1/product-models/x', { warrantyMonths: 999 })).status).toBe(400);
  });
});

describe('the cases of the period', () => {
  it('four cases walk through their workflows', async () => {
    // A: repaired at the first visit, survey answered; in warranty (bought this year, 24 months).
    const a = await open({ purchaseDate: `${today().slice(0, 4)}-01-01` });
    cases.a = a.id;
    await step(a.id, 'assign', { engineer: ENG_A });
    await step(a.id, 'diagnose', diagnosis);
    await step(a.id, 'schedule', schedule());
    await step(a.id, 'check-in', {});
    await step(a.id, 'complete-repair', repairReport);
    await step(a.id, 'customer-feedback', { accepted: true });
    const answered = await step(a.id, 'survey-response', {
      serviceQuality: 5,
      repairEffect: 4,
      attitude: 5,
      via: 'phone',
    });
    expect(answered.outcome).toBe('survey_answered');

    // B: an emergency out of warranty; two of the stock part issued at the repair, the repair disputed
    // and done again, the survey left to expire.
    const b = await open({ severity: 'emergency', purchaseDate: '2019-05-01' });
    cases.b = b.id;
    await step(b.id, 'assign', { engineer: ENG_B });
    await step(b.id, 'diagnose', { ...diagnosis, parts: [{ partNumber: PART, quantity: 2 }] });
    await eventually(async () => (await stageOf(b.id)) === 'diagnosed', 60_000);
    await step(b.id, 'schedule', schedule());
    await step(b.id, 'check-in', {});
    await step(b.id, 'complete-repair', {
      ...repairReport,
      partsReplaced: [{ partNumber: PART, quantity: 2 }],
    });
    await eventually(async () => {
      const moves = (await req('GET', `/api/v1/stock/movements?caseId=${b.id}`, undefined, as('finance')))
        .body;
      return moves.items?.some((m: { kind: string }) => m.kind === 'issue');
    }, 60_000);
    await step(b.id, 'customer-feedback', { accepted: false, comment: '仍有异响' });
    await step(b.id, 'diagnose', diagnosis);
    await step(b.id, 'schedule', schedule());
    await step(b.id, 'check-in', {});
    await step(b.id, 'complete-repair', repairReport);
    await step(b.id, 'customer-feedback', { accepted: true });

    // C: cancelled before anyone responded; no purchase date.
    const c = await open({ purchaseDate: null });
    cases.c = c.id;
    await step(c.id, 'cancel', { reason: '客户自行解决' });

    // D: A's unit back within 30 days of its repair: a repeat failure of A; still open.
    const d = await open({ serial: a.product.serialNumber });
    cases.d = d.id;
    await step(d.id, 'assign', { engineer: ENG_A });

    await waitFor(async () => (await stageOf(b.id)) === 'closed');
    expect((await req('GET', `/api/v1/cases/${b.id}`)).body.outcome).toBe('survey_expired');
  }, 300_000);
});

describe('costs', () => {
  it('labour is hours × the rate of the role; coverage follows the warranty unless given', async () => {
    const labour = await req('POST', `/api/v1/cases/${cases.a}/costs`, {
      category: 'labour',
      hours: 1.33,
      role: 'engineer',
    });
    expect(labour.status).toBe(201);
    expect(labour.body).toMatchObject({
      caseId: cases.a,
      source: 'entry',
      category: 'labour',
      coverage: 'warranty',
      hours: 1.33,
      rate: 12_000,
      amount: labourAmount(1.33, 12_000),
      incurredOn: today(),
    });
    expect(labour.body.amount).toBe(15_960);
    // B is out of warranty: its travel is goodwill because the manager says so.
    const travel = await req('POST', `/api/v1/cases/${cases.b}/costs`, {
      category: 'travel',
      amount: 12_345,
      coverage: 'goodwill',
      description: '高铁往返',
    });
    expect(travel.status).toBe(201);
    // The engineer of a case enters costs on it, and only on it: a teammate's case they may read
    // (ENGINEER_CASE_SCOPE=team) answers 403.
    const own = await req(
      'POST',
      `/api/v1/cases/${cases.d}/costs`,
      { category: 'other', amount: 100 },
      stack.engineerKeys[ENG_A],
    );
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ coverage: 'warranty', enteredBy: ENG_A });
    expect(
      (
        await req(
          'POST',
          `/api/v1/cases/${cases.b}/costs`,
          { category: 'other', amount: 1 },
          stack.engineerKeys[ENG_A],
        )
      ).status,
    ).toBe(403);
    // C has no purchase date: nothing proves a warranty.
    expect(
      (await req('POST', `/api/v1/cases/${cases.c}/costs`, { category: 'other', amount: 55 })).body.coverage,
    ).toBe('chargeable');
  });

  it('refuses what cannot be a cost, naming why', async () => {
    const cases422 = [
      [{ category: 'labour', hours: 1, role: 'engineer', amount: 5 }, /hours × the rate/],
      [{ category: 'labour', hours: 1, role: 'astronaut' }, /no labour rate for role "astronaut"/],
      [{ category: 'labour', amount: 5 }, /hours × the rate|needs hours and role/],
      [{ category: 'travel' }, /needs amount/],
      [{ category: 'travel', amount: 5, hours: 1 }, /hours and role are for labour/],
      [{ category: 'travel', amount: 5, incurredOn: shift(today(), 3) }, /lies in the future/],
      [{ category: 'travel', amount: 5, incurredOn: '2024-01-01' }, /before the case was reported/],
    ] as const;
    for (const [body, detail] of cases422) {
      const r = await req('POST', `/api/v1/cases/${cases.a}/costs`, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.detail).toMatch(detail);
    }
    expect(
      (await req('POST', `/api/v1/cases/${cases.a}/costs`, { category: 'travel', amount: -1 })).status,
    ).toBe(400);
    expect(
      (await req('POST', '/api/v1/cases/C9999999/costs', { category: 'travel', amount: 1 })).status,
    ).toBe(404);
  });

  it("a case's sheet: entered lines and the stock issue at the ledger's average cost, to the fen", async () => {
    const sheet = await req('GET', `/api/v1/cases/${cases.b}/costs`, undefined, as('finance'));
    expect(sheet.status).toBe(200);
    expect(sheet.body.warranty).toMatchObject({ inWarranty: false, purchaseDate: '2019-05-01', months: 24 });
    const stock = sheet.body.lines.filter((l: { source: string }) => l.source === 'stock_issue');
    // 2 × 10.0133 = 20.0266 yuan → 2003 fen; out of warranty: chargeable.
    expect(stock).toEqual([
      expect.objectContaining({
        category: 'parts',
        partNumber: PART,
        quantity: 2,
        amount: 2003,
        coverage: 'chargeable',
      }),
    ]);
    expect(sheet.body.total).toBe(2003 + 12_345);
    expect(sheet.body.byCoverage).toEqual({ warranty: 0, goodwill: 12_345, chargeable: 2003 });
    const a = (await req('GET', `/api/v1/cases/${cases.a}/costs`)).body;
    expect(a.warranty).toMatchObject({
      inWarranty: true,
      months: 24,
      endsOn: `${Number(today().slice(0, 4)) + 2}-01-01`,
    });
    // Engineers do not read costs (as they do not read the stock ledger's).
    expect(
      (await req('GET', `/api/v1/cases/${cases.a}/costs`, undefined, stack.engineerKeys[ENG_A])).status,
    ).toBe(403);
  });

  it('the warranty rule of the reports (SQL) and of the API (TypeScript) agree, month ends included', async () => {
    const settings = DEFAULT_INSIGHT_SETTINGS;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            purchase: fc.date({
              min: new Date('2020-01-01'),
              max: new Date('2026-12-31'),
              noInvalidDate: true,
            }),
            months: fc.integer({ min: 0, max: 60 }),
            reportedMs: fc.integer({ min: Date.parse('2020-01-01'), max: Date.parse('2032-01-01') }),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        async (rows) => {
          const values = sql.join(
            rows.map(
              (r, i) =>
                sql`(${i}::int, ${r.purchase.toISOString().slice(0, 10)}::text, ${new Date(r.reportedMs).toISOString()}::timestamptz, ${r.months}::int)`,
            ),
            sql`, `,
          );
          const got = await stack.db.db.execute<{ i: number; coverage: string }>(sql`
            SELECT c.i, ${warrantyCoverageSql(settings)} AS coverage
            FROM (VALUES ${values}) c(i, purchase_date, reported_at, warranty_months)
            CROSS JOIN LATERAL (SELECT c.warranty_months) pm(warranty_months)`);
          for (const g of got) {
            const r = rows[g.i]!;
            const expected = warrantyOf(
              r.purchase.toISOString().slice(0, 10),
              r.months,
              localDate(settings.timeZone, new Date(r.reportedMs)),
            ).inWarranty
              ? 'warranty'
              : 'chargeable';
            expect(g.coverage).toBe(expected);
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('the KPI report', () => {
  it('counts what the cases did; every rate is a ratio of the counts it shows', async () => {
    const r = await req('GET', `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(MODEL)}`);
    expect(r.status).toBe(200);
    const t = r.body.totals;
    expect(r.body.groupBy).toBeNull();
    expect(r.body.groups).toEqual([]);
    expect(r.body.filters).toEqual({ model: MODEL });
    expect(t.counts).toEqual({
      cases: 4,
      responded: 3,
      responseDecided: 3,
      respondedOnTime: 3,
      arrivalDecided: 1,
      arrivedOnTime: 1,
      repairDecided: 2,
      repairedOnTime: 2,
      accepted: 2,
      fixedFirstTime: 1,
      repaired: 2,
      repeatFailures: 1,
      surveysClosed: 2,
      surveysAnswered: 1,
    });
    expect(t).toMatchObject({
      cases: 4,
      onTimeResponseRate: 1,
      onTimeArrivalRate: 1,
      onTimeRepairRate: 1,
      firstTimeFixRate: 0.5,
      repeatFailureRate: 0.5,
      repeatFailureTarget: 0.02,
    });
    expect(t.responseMinutes.median).toBeGreaterThanOrEqual(0);
    expect(t.responseMinutes.p90).toBeGreaterThanOrEqual(t.responseMinutes.median);
    expect(t.satisfaction).toEqual({
      responseRate: 0.5,
      answered: 1,
      average: 4.67,
      questions: [
        { question: 'serviceQuality', label: '服务质量', average: 5 },
        { question: 'repairEffect', label: '维修效果', average: 4 },
        { question: 'attitude', label: '服务态度', average: 5 },
      ],
    });
    const none = { total: 0, byLevel: { '1': 0, '2': 0, '3': 0 } };
    expect(t.escalations).toEqual({ ...none, complaints: none, quality: none });
    expect(t.backlog.open).toBe(1);
    expect(t.backlog.byStage.assigned).toBe(1);
    expect(t.backlog.byAge.under1d).toBe(1);
    expect(t.costs).toEqual({
      currency: 'CNY',
      total: 15_960 + 2003 + 12_345 + 100 + 55,
      byCategory: { parts: 2003, labour: 15_960, travel: 12_345, training: 0, other: 155 },
      byCoverage: { warranty: 15_960 + 100, goodwill: 12_345, chargeable: 2003 + 55 },
    });
  });

  it('a period longer than a quarter (counted by two statements at once) gives the same figures', async () => {
    const q = `model=${encodeURIComponent(MODEL)}&groupBy=engineer`;
    const short = await req('GET', `/api/v1/reports/kpis?${period()}&${q}`);
    const long = await req(
      'GET',
      `/api/v1/reports/kpis?from=${shift(today(), -200)}&to=${shift(today(), 1)}&${q}`,
    );
    expect(long.status).toBe(200);
    expect(long.body.totals).toEqual(short.body.totals);
    expect(long.body.groups).toEqual(short.body.groups);
  });

  it("per-case totals add up exactly to the period's", async () => {
    let sum = 0;
    for (const id of Object.values(cases))
      sum += (await req('GET', `/api/v1/cases/${id}/costs`, undefined, as('finance'))).body.total;
    const r = await req('GET', `/api/v1/reports/kpis?${period()}&line=${LINE}`);
    expect(r.body.totals.costs.total).toBe(sum);
  });

  it('by engineer: one group each, named from the directory; the unassigned case in its own', async () => {
    const r = await req(
      'GET',
      `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(MODEL)}&groupBy=engineer`,
    );
    expect(r.status).toBe(200);
    const byKey = Object.fromEntries(r.body.groups.map((g: { key: string }) => [g.key, g]));
    expect(Object.keys(byKey).sort()).toEqual([ENG_A, ENG_B, 'null'].sort());
    expect(byKey[ENG_A]).toMatchObject({
      label: '甲工程师',
      cases: 2,
      firstTimeFixRate: 1,
      repeatFailureRate: 1,
    });
    expect(byKey[ENG_B]).toMatchObject({
      label: '乙工程师',
      cases: 1,
      firstTimeFixRate: 0,
      onTimeArrivalRate: 1,
    });
    // The unassigned case was never responded to: no response time, not zero minutes.
    expect(byKey.null).toMatchObject({
      cases: 1,
      onTimeResponseRate: null,
      responseMinutes: { median: null, p90: null },
      responseClockMinutes: { median: null, p90: null },
    });
    expect(r.body.groups[0].key).toBe(ENG_A); // largest first
    // Groups add up to the totals.
    const sum = (f: (g: { cases: number; costs: { total: number } }) => number) =>
      r.body.groups.reduce((s: number, g: never) => s + f(g), 0);
    expect(sum((g) => g.cases)).toBe(r.body.totals.cases);
    expect(sum((g) => g.costs.total)).toBe(r.body.totals.costs.total);
    const team = await req('GET', `/api/v1/reports/kpis?${period()}&team=${TEAM}&groupBy=region`);
    expect(team.body.groups).toEqual([expect.objectContaining({ key: '华东', cases: 3 })]);
  });

  it('as CSV and XLSX: the same figures, one row per group after the totals', async () => {
    const csv = await req(
      'GET',
      `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(MODEL)}&groupBy=engineer&format=csv`,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parseCsv(csv.body as string);
    const col = (key: string) => rows[0]!.findIndex((h) => h.endsWith(`(${key})`));
    expect(rows[0]![col('cases')]).toBe('案件数 (cases)');
    expect(rows[1]![col('cases')]).toBe('4');
    expect(rows[1]![col('firstTimeFixRate')]).toBe('0.5');
    expect(rows[1]![col('costs.total')]).toBe(String(15_960 + 2003 + 12_345 + 155));
    expect(
      rows
        .slice(2)
        .map((r) => r[col('group')])
        .sort(),
    ).toEqual(['', ENG_A, ENG_B].sort());

    const res = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(MODEL)}&format=xlsx`,
      headers: { authorization: `Bearer ${as('manager')}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('KPI')!;
    const header = Array.from(sheet.getRow(1).values as unknown[], (v) => String(v ?? ''));
    const at = (key: string) => header.findIndex((h) => h.endsWith(`(${key})`));
    expect(sheet.getRow(2).getCell(at('cases')).value).toBe(4);
    expect(sheet.getRow(2).getCell(at('repeatFailureRate')).value).toBe(0.5);
  });

  it('refuses a period that is none, naming why', async () => {
    const r = await req('GET', '/api/v1/reports/kpis?from=2026-05-02&to=2026-05-01');
    expect(r.status).toBe(422);
    expect(r.body.detail).toMatch(/"from" must come before "to"/);
    expect(
      (await req('GET', '/api/v1/reports/kpis?from=2026-05-01&to=2026-05-02&groupBy=planet')).status,
    ).toBe(400);
    expect((await req('GET', '/api/v1/reports/kpis?from=yesterday&to=2026-05-02')).status).toBe(400);
    expect((await req('GET', `/api/v1/reports/kpis?${period()}`, undefined, as('finance'))).status).toBe(403);
  });
});

describe('scorecards', () => {
  it("a team's people: their figures, the weighted score and the rank", async () => {
    const r = await req('GET', `/api/v1/reports/scorecards?${period()}&team=${TEAM}`);
    expect(r.status).toBe(200);
    expect(r.body.weights).toEqual(DEFAULT_INSIGHT_SETTINGS.scoreWeights);
    const [first, second] = r.body.people;
    expect([first.personId, second.personId]).toEqual([ENG_A, ENG_B]);
    for (const p of r.body.people) {
      expect(p.teamId).toBe(TEAM);
      expect(p.score).toBe(weightedScore(scoreComponents(p.kpis), DEFAULT_INSIGHT_SETTINGS.scoreWeights));
      expect(p.rankedInTeam).toBe(2);
    }
    // A: on time, fixed first time, surveyed 4.67, but the unit came back (repeat failure 1 → 0).
    expect(first.components).toEqual({
      onTimeResponse: 1,
      onTimeArrival: null,
      onTimeRepair: 1,
      firstTimeFix: 1,
      repeatFailure: 0,
      satisfaction: 0.9175,
    });
    expect(first).toMatchObject({ score: 87.1, rank: 1 });
    expect(second).toMatchObject({ score: 81.3, rank: 2 });
  });

  it('an engineer reads only their own card, ranked within the team', async () => {
    const r = await req(
      'GET',
      `/api/v1/reports/scorecards?${period()}&team=${TEAM}`,
      undefined,
      stack.engineerKeys[ENG_B],
    );
    expect(r.status).toBe(200);
    expect(r.body.people.map((p: { personId: string; rank: number }) => [p.personId, p.rank])).toEqual([
      [ENG_B, 2],
    ]);
    const csv = await req(
      'GET',
      `/api/v1/reports/scorecards?${period()}&team=${TEAM}&format=csv`,
      undefined,
      stack.engineerKeys[ENG_B],
    );
    expect(
      parseCsv(csv.body as string)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual([ENG_B]);
    expect((await req('GET', `/api/v1/reports/scorecards?${period()}&team=no-such-team`)).status).toBe(404);
  });

  it('the weights are settings: a manager changes them, the scores follow', async () => {
    expect((await req('GET', '/api/v1/insight/settings', undefined, as('finance'))).body).toEqual(
      DEFAULT_INSIGHT_SETTINGS,
    );
    const onlySatisfaction = {
      ...DEFAULT_INSIGHT_SETTINGS,
      scoreWeights: {
        onTimeResponse: 0,
        onTimeArrival: 0,
        onTimeRepair: 0,
        firstTimeFix: 0,
        repeatFailure: 0,
        satisfaction: 1,
      },
    };
    const put = await req('PUT', '/api/v1/insight/settings', onlySatisfaction);
    expect(put.status).toBe(200);
    expect(put.body.scoreWeights.satisfaction).toBe(1);
    try {
      const r = await req('GET', `/api/v1/reports/scorecards?${period()}&team=${TEAM}`);
      expect(
        r.body.people.map((p: { personId: string; score: number | null; rank: number | null }) => [
          p.personId,
          p.score,
          p.rank,
        ]),
      ).toEqual([
        [ENG_A, 91.8, 1],
        [ENG_B, null, null],
      ]);
    } finally {
      expect((await req('PUT', '/api/v1/insight/settings', DEFAULT_INSIGHT_SETTINGS)).status).toBe(200);
    }
    const bad = await req('PUT', '/api/v1/insight/settings', {
      ...DEFAULT_INSIGHT_SETTINGS,
      timeZone: 'Mars/Olympus',
      budgetWarningShare: 0,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.problems).toEqual([
      'timeZone "Mars/Olympus" is not an IANA time zone',
      'budgetWarningShare must be greater than 0',
    ]);
    expect(
      (await req('PUT', '/api/v1/insight/settings', DEFAULT_INSIGHT_SETTINGS, as('finance'))).status,
    ).toBe(403);
  });
});

describe('budgets', () => {
  // A year no other file books costs in: the actual is exactly what this test enters.
  const YEAR = 2024;
  const months = (m: Record<number, number>) => Array.from({ length: 12 }, (_, i) => m[i + 1] ?? 0);

  it('finance enters (201, then 200 as a new revision), the manager approves once', async () => {
    const body = { categories: { training: months({ 3: 1_000_000 }), other: months({ 3: 10_000 }) } };
    expect((await req('PUT', `/api/v1/budgets/${YEAR}`, body)).status).toBe(403);
    const created = await req('PUT', `/api/v1/budgets/${YEAR}`, body, as('finance'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      year: YEAR,
      status: 'draft',
      revision: 1,
      enteredBy: 'test-finance',
      total: 1_010_000,
    });
    expect(created.body.categories.parts).toEqual(months({}));
    const approved = await req('POST', `/api/v1/budgets/${YEAR}/approve`, {});
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvedBy: 'test-manager' });
    const again = await req('POST', `/api/v1/budgets/${YEAR}/approve`, {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/was approved by test-manager/);
    expect((await req('POST', `/api/v1/budgets/${YEAR}/approve`, {}, as('finance'))).status).toBe(403);

    const revised = await req('PUT', `/api/v1/budgets/${YEAR}`, body, as('finance'));
    expect(revised.status).toBe(200);
    expect(revised.body).toMatchObject({ status: 'draft', revision: 2, approvedBy: null, approvedAt: null });
    expect((await req('GET', `/api/v1/budgets/${YEAR}`, undefined, as('finance'))).body.status).toBe('draft');
    expect((await req('POST', `/api/v1/budgets/${YEAR}/approve`, {})).body).toMatchObject({
      status: 'approved',
      revision: 2,
    });
    expect((await req('GET', '/api/v1/budgets/2031')).status).toBe(404);
    expect((await req('POST', '/api/v1/budgets/2031/approve', {})).status).toBe(404);
    expect((await req('PUT', '/api/v1/budgets/1999', body, as('finance'))).status).toBe(400);
  });

  it('budget against actual: variance, share and the warning per category and month', async () => {
    const booked = await req(
      'POST',
      '/api/v1/costs',
      { category: 'training', amount: 950_000, description: 'HX 系列培训', incurredOn: `${YEAR}-03-15` },
      as('finance'),
    );
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({
      caseId: null,
      coverage: null,
      amount: 950_000,
      incurredOn: `${YEAR}-03-15`,
    });
    await ok(
      'POST',
      '/api/v1/costs',
      { category: 'other', amount: 20_000, incurredOn: `${YEAR}-03-20` },
      as('finance'),
    );
    await ok(
      'POST',
      '/api/v1/costs',
      { category: 'labour', hours: 2, role: 'specialist', incurredOn: `${YEAR}-04-01` },
      as('manager'),
    );
    expect(
      (await req('POST', '/api/v1/costs', { category: 'training', amount: 1 }, as('engineer'))).status,
    ).toBe(403);

    const r = await req('GET', `/api/v1/reports/budget?year=${YEAR}`, undefined, as('finance'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: YEAR, status: 'approved', currency: 'CNY', warningShare: 0.9 });
    const of = (c: string) => r.body.categories.find((x: { category: string }) => x.category === c);
    expect(of('training')).toMatchObject({
      budget: 1_000_000,
      actual: 950_000,
      variance: -50_000,
      share: 0.95,
      warning: true,
    });
    expect(of('training').months[2]).toEqual({
      month: 3,
      budget: 1_000_000,
      actual: 950_000,
      variance: -50_000,
    });
    expect(of('other')).toMatchObject({
      budget: 10_000,
      actual: 20_000,
      variance: 10_000,
      share: 2,
      warning: true,
    });
    expect(of('labour')).toMatchObject({ budget: 0, actual: 12_000, share: null, warning: true });
    expect(of('parts')).toMatchObject({ budget: 0, actual: 0, variance: 0, share: null, warning: false });
    expect(r.body.totals).toMatchObject({ budget: 1_010_000, actual: 982_000, variance: -28_000 });

    const csv = await req('GET', `/api/v1/reports/budget?year=${YEAR}&format=csv`);
    const rows = parseCsv(csv.body as string);
    expect(rows.find((row) => row[0] === 'training' && row[1] === '3')).toEqual([
      'training',
      '3',
      '1000000',
      '950000',
      '-50000',
      '',
      '',
    ]);
    const xlsx = await stack.app.inject({
      method: 'GET',
      url: `/api/v1/reports/budget?year=${YEAR}&format=xlsx`,
      headers: { authorization: `Bearer ${as('manager')}` },
    });
    expect(xlsx.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.getWorksheet(`Budget ${YEAR}`)!.rowCount).toBe(1 + 5 * 13 + 1);
    const none = await req('GET', '/api/v1/reports/budget?year=2031');
    expect(none.body).toMatchObject({ status: 'none', totals: { budget: 0, actual: 0 } });
  });
});

describe('complaints in the KPI report', () => {
  // A model of their own, so the cases above are not in these reports (nor these complaints in theirs).
  const CMODEL = `KPI-CP-${tag}`;
  const OWNER = `ins-cp-owner-${tag}`;
  const ids: Record<'x' | 'y' | 'z', string> = { x: '', y: '', z: '' };
  const cstep = async (id: string, name: string, body: Record<string, unknown>) => {
    const r = await complaintStep(stack, id, name, body);
    expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  const clockOf = async (id: string, name: string) =>
    (await req('GET', `/api/v1/complaints/${id}`)).body.clocks.find((k: { name: string }) => k.name === name);
  let resolvedMinutes = 0;

  it('three complaints with second-scale clocks: resolved on time, updates late and missed, resolve target passed', async () => {
    await declarePeople(stack, { [OWNER]: ['specialist'] });
    // P2 and P3 may take an hour to resolve; P3 owes an update every 2 s; P4 must be resolved in 3 s.
    const line = await fastComplaintPolicy(stack, {
      P3: { progressUpdate: seconds(2) },
      P4: { resolve: seconds(3) },
    });
    const complaint = (urgency: string, importance: string) =>
      openComplaint(stack, line, {
        product: {
          model: CMODEL,
          serialNumber: `CP-${tag}-${urgency}-${importance}`,
          purchaseDate: '2025-05-01',
          line,
        },
        complaint: { description: '维修后仍有漏气', category: 'service', urgency, importance },
      });
    const x = await complaint('medium', 'high');
    const y = await complaint('medium', 'medium');
    const z = await complaint('low', 'low');
    expect([x.priority, y.priority, z.priority]).toEqual(['P2', 'P3', 'P4']);
    Object.assign(ids, { x: x.id, y: y.id, z: z.id });

    // X: acknowledged and answered within the hour (two updates on time), accepted: resolved on time.
    await cstep(x.id, 'acknowledge', { message: '已收到，正在调查', channel: 'phone' });
    await cstep(x.id, 'record-finding', { text: '密封圈装配不到位' });
    await cstep(x.id, 'answer', { answer: '免费上门重新装配', channel: 'phone' });
    const accepted = await cstep(x.id, 'customer-response', { accepted: true });
    expect(accepted.stage).toBe('verifying');
    const acceptedAt = accepted.timeline.find((e: { type: string }) => e.type === 'answer_accepted').at;
    resolvedMinutes = Math.round(((Date.parse(acceptedAt) - Date.parse(x.reportedAt)) / 60_000) * 10) / 10;

    // Y: its first update comes after the 2-s deadline passed (late), the next is never given (missed).
    await waitFor(async () => (await clockOf(y.id, 'progress')).state === 'breached');
    await cstep(y.id, 'acknowledge', { message: '抱歉久等', channel: 'phone' });
    await waitFor(async () => {
      const progress = await clockOf(y.id, 'progress');
      return progress.cycle === 1 && progress.state === 'breached';
    });

    // Z: owned by a person, its 3-s resolve target passes; withdrawn afterwards it stays late.
    await cstep(z.id, 'route', { department: 'after_sales', owner: OWNER, reason: '专人跟进' });
    await waitFor(async () => (await clockOf(z.id, 'resolve')).state === 'breached');
    expect((await cstep(z.id, 'withdraw', { reason: '客户撤回' })).stage).toBe('withdrawn');
  }, 240_000);

  it('by priority: received, resolved against their own targets, and progress-update compliance', async () => {
    const r = await req('GET', `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(CMODEL)}`);
    expect(r.status).toBe(200);
    const c = r.body.totals.complaints;
    expect(r.body.totals.cases).toBe(0);
    expect(c).toMatchObject({
      received: 3,
      resolved: 1,
      resolutionDecided: 2,
      resolvedOnTime: 1,
      onTimeResolutionRate: 0.5,
      resolutionMinutes: { median: resolvedMinutes, p90: resolvedMinutes },
      // X's two updates on time; Y's late one and its missed deadline; nothing was due of Z.
      progressUpdates: { due: 4, onTime: 2, complianceRate: 0.5 },
    });
    expect(c.resolutionClockMinutes.median).toBeGreaterThanOrEqual(0);
    const long = await req(
      'GET',
      `/api/v1/reports/kpis?from=${shift(today(), -200)}&to=${shift(today(), 1)}&model=${encodeURIComponent(CMODEL)}`,
    );
    expect(long.body.totals.complaints).toEqual(c);
    expect(c.byPriority.P1).toEqual({
      received: 0,
      resolved: 0,
      resolutionMinutes: { median: null, p90: null },
      resolutionClockMinutes: { median: null, p90: null },
      onTimeResolutionRate: null,
      resolutionDecided: 0,
      resolvedOnTime: 0,
    });
    expect(c.byPriority.P2).toMatchObject({
      received: 1,
      resolved: 1,
      onTimeResolutionRate: 1,
      resolutionMinutes: { median: resolvedMinutes, p90: resolvedMinutes },
    });
    expect(c.byPriority.P3).toMatchObject({ received: 1, resolved: 0, onTimeResolutionRate: null });
    expect(c.byPriority.P4).toMatchObject({
      received: 1,
      resolved: 0,
      resolutionDecided: 1,
      resolvedOnTime: 0,
      onTimeResolutionRate: 0,
      resolutionMinutes: { median: null, p90: null },
    });
  });

  it("by engineer the complaint's owner counts; nothing due is null, not 0 or 100 %", async () => {
    const r = await req(
      'GET',
      `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(CMODEL)}&groupBy=engineer`,
    );
    expect(r.status).toBe(200);
    const byKey = Object.fromEntries(r.body.groups.map((g: { key: string }) => [g.key, g]));
    expect(Object.keys(byKey).sort()).toEqual([OWNER, 'null'].sort());
    expect(byKey[OWNER]).toMatchObject({ label: OWNER, cases: 0 });
    expect(byKey[OWNER].complaints).toMatchObject({
      received: 1,
      onTimeResolutionRate: 0,
      progressUpdates: { due: 0, onTime: 0, complianceRate: null },
    });
    expect(byKey.null.complaints).toMatchObject({
      received: 2,
      progressUpdates: { due: 4, onTime: 2, complianceRate: 0.5 },
    });
    expect(r.body.totals.complaints.received).toBe(3);

    const csv = await req(
      'GET',
      `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(CMODEL)}&groupBy=engineer&format=csv`,
    );
    const rows = parseCsv(csv.body as string);
    const col = (key: string) => rows[0]!.findIndex((h) => h.endsWith(`(${key})`));
    expect(rows[0]![col('complaints.progressUpdates.complianceRate')]).toBe(
      '进度反馈及时率 (complaints.progressUpdates.complianceRate)',
    );
    expect(rows[1]![col('complaints.received')]).toBe('3');
    expect(rows[1]![col('complaints.P4.onTimeResolutionRate')]).toBe('0');
    expect(rows[1]![col('complaints.progressUpdates.complianceRate')]).toBe('0.5');
    const owner = rows.find((row) => row[0] === OWNER)!;
    expect(owner[col('complaints.progressUpdates.complianceRate')]).toBe('');

    const { sheet, at } = await kpiSheet(
      `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(CMODEL)}&format=xlsx`,
    );
    expect(sheet.getRow(2).getCell(at('complaints.P2.resolved')).value).toBe(1);
    expect(sheet.getRow(2).getCell(at('complaints.progressUpdates.due')).value).toBe(4);
  });

  it("escalations by level: the complaints' and a quality issue's beside the cases', in JSON, CSV and XLSX", async () => {
    // A quality issue on the same model, its analysis due in 2 s: the stage's three steps fire. Then it
    // is given to the complaint owner, whose group it joins (with its desk it would have no owner).
    const raised = await req(
      'POST',
      '/api/v1/quality-issues',
      {
        source: 'complaint',
        title: '维修后漏气',
        description: '同一型号多起投诉',
        model: CMODEL,
        complaintIds: [ids.y],
        targets: { analysis: seconds(2) },
      },
      as('engineer'),
    );
    expect(raised.status, JSON.stringify(raised.body)).toBe(201);
    const issue = raised.body.id as string;
    await waitFor(
      async () => (await req('GET', `/api/v1/quality-issues/${issue}`)).body.escalations.length === 3,
    );
    await ok('POST', `/api/v1/quality-issues/${issue}/assign`, { owner: OWNER });

    // What the complaints' own records say fired on each (Y's two missed progress cycles, Z's passed
    // resolve target …), counted by level: the report must give exactly these.
    const levelsOfComplaint = async (id: string) => {
      const fired = (await req('GET', `/api/v1/complaints/${id}`)).body.escalations as Array<{
        level: number;
      }>;
      const byLevel: Record<string, number> = { '1': 0, '2': 0, '3': 0 };
      for (const e of fired) byLevel[e.level] = (byLevel[e.level] ?? 0) + 1;
      return byLevel;
    };
    const sum = (...all: Array<Record<string, number>>) => {
      const out: Record<string, number> = {};
      for (const byLevel of all) for (const [l, n] of Object.entries(byLevel)) out[l] = (out[l] ?? 0) + n;
      return out;
    };
    const figures = (byLevel: Record<string, number>) => ({
      total: Object.values(byLevel).reduce((a, b) => a + b, 0),
      byLevel,
    });
    const none = figures({ '1': 0, '2': 0, '3': 0 });
    const quality = figures({ '1': 1, '2': 1, '3': 1 });
    const url = `/api/v1/reports/kpis?${period()}&model=${encodeURIComponent(CMODEL)}`;
    // The complaints' records and the report read together until they agree: a step that fires in
    // between (its row written a moment after the clock turned) is in both at the next read.
    let x: Record<string, number> = {};
    let y: Record<string, number> = {};
    let z: Record<string, number> = {};
    let complaints = none;
    let r = await req('GET', url);
    await eventually(async () => {
      [x, y, z] = await Promise.all([ids.x, ids.y, ids.z].map(levelsOfComplaint));
      complaints = figures(sum(x, y, z));
      r = await req('GET', url);
      return JSON.stringify(r.body.totals.escalations.complaints) === JSON.stringify(complaints);
    });
    // Y missed a progress deadline (a reminder, then the miss); Z passed its resolve target.
    expect(y['1']).toBeGreaterThanOrEqual(1);
    expect(y['2']).toBeGreaterThanOrEqual(1);
    expect(z['1']).toBeGreaterThanOrEqual(1);
    expect(z['2']).toBeGreaterThanOrEqual(1);
    expect(r.status).toBe(200);
    expect(r.body.totals.escalations).toEqual({ ...none, complaints, quality });
    // A period longer than a quarter (two statements at once) counts the same.
    const long = await req(
      'GET',
      `/api/v1/reports/kpis?from=${shift(today(), -200)}&to=${shift(today(), 1)}&model=${encodeURIComponent(CMODEL)}`,
    );
    expect(long.body.totals.escalations).toEqual(r.body.totals.escalations);

    // By engineer: Z's and the quality issue's with their owner, X's and Y's with nobody.
    const grouped = await req('GET', `${url}&groupBy=engineer`);
    const byKey = Object.fromEntries(grouped.body.groups.map((g: { key: string }) => [g.key, g]));
    expect(byKey[OWNER].escalations).toEqual({ ...none, complaints: figures(z), quality });
    expect(byKey.null.escalations).toEqual({ ...none, complaints: figures(sum(x, y)), quality: none });
    // A filter the quality issue has no value for (it has no customer) keeps none of its escalations.
    const byCustomer = await req('GET', `${url}&customer=${encodeURIComponent('无此客户')}`);
    expect(byCustomer.body.totals.escalations.quality).toEqual(none);

    const csv = parseCsv((await req('GET', `${url}&groupBy=engineer&format=csv`)).body as string);
    const col = (key: string) => csv[0]!.findIndex((h) => h.endsWith(`(${key})`));
    expect(csv[0]![col('escalations.complaints.level2')]).toBe('投诉2级升级 (escalations.complaints.level2)');
    expect(csv[1]![col('escalations.complaints.level1')]).toBe(String(complaints.byLevel['1']));
    expect(csv[1]![col('escalations.complaints.level2')]).toBe(String(complaints.byLevel['2']));
    expect(csv[1]![col('escalations.quality.level3')]).toBe('1');
    expect(csv.find((row) => row[0] === OWNER)![col('escalations.quality.level1')]).toBe('1');

    const { sheet, at } = await kpiSheet(`${url}&format=xlsx`);
    expect(sheet.getRow(2).getCell(at('escalations.complaints.level2')).value).toBe(complaints.byLevel['2']);
    expect(sheet.getRow(2).getCell(at('escalations.quality.level2')).value).toBe(1);
    expect(sheet.getRow(2).getCell(at('escalations.level1')).value).toBe(0);
  }, 120_000);
});
