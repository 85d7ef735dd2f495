// SLA administration: business calendars (seeded China calendar, per-year overrides, coverage warnings),
// versioned SLA policies, the snapshot a case gets at intake, and the escalations list.
//
// The database is shared with the other test files of the run, so this file never changes the 'cn'
// calendar in a way a case opened now could see, and creates only policies that match product lines
// and tiers of its own (or inserts them in a transaction that is rolled back).
import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  calendarDays,
  calendarYears,
  cases,
  escalations,
  slaConfigGeneration,
  slaPolicies,
} from '../../db/schema.js';
import { loadCalendar, loadSlaSnapshot, SlaSnapshots, seedDefaults } from '../../db/sla-store.js';
import { localDateOf } from '../../domain/calendar.js';
import { chinaDataYears, chinaOverridesForYear } from '../../domain/calendar-china.js';
import { DEFAULT_POLICY, type SlaPolicy } from '../../domain/sla-policy.js';
import { call, get, intakeBody, type Stack, startStack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

const put = (url: string, payload: unknown) => call(stack.app, 'PUT', url, { payload });
const post = (url: string, payload: unknown) => call(stack.app, 'POST', url, { payload });
const del = (url: string) => call(stack.app, 'DELETE', url);

const day = () => [
  { start: '08:30', end: '12:00' },
  { start: '13:00', end: '17:30' },
];
const calendarBody = (overrides: Record<string, unknown> = {}) => ({
  name: '测试日历',
  timeZone: 'Europe/Berlin',
  weekly: [[], day(), day(), day(), day(), day(), []],
  workdayPeriods: day(),
  ...overrides,
});

function expectProblem(r: {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}) {
  expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status: r.status, type: expect.stringMatching(/^urn:shouhou:problem:/) });
}

describe('calendars', () => {
  it('the seeded China calendar covers 2024–2026 with the State Council arrangements in Chinese', async () => {
    const list = await get(stack.app, '/api/v1/calendars');
    expect(list.status).toBe(200);
    const cn = list.body.items.find((c: { id: string }) => c.id === 'cn');
    expect(cn).toMatchObject({
      name: '中国大陆工作日历',
      timeZone: 'Asia/Shanghai',
      weekly: [
        [],
        [
          { start: '09:00', end: '12:00' },
          { start: '13:00', end: '18:00' },
        ],
        expect.any(Array),
        expect.any(Array),
        expect.any(Array),
        expect.any(Array),
        [],
      ],
    });
    expect(cn.coveredYears).toEqual(expect.arrayContaining([2024, 2025, 2026]));
    expect(cn.coveredYears).toEqual(chinaDataYears().filter((y) => y >= 2024));

    const detail = await get(stack.app, '/api/v1/calendars/cn?year=2025');
    expect(detail.status).toBe(200);
    expect(detail.body.overrides.every((o: { date: string }) => o.date.startsWith('2025-'))).toBe(true);
    expect(detail.body.overrides).toEqual(
      expect.arrayContaining([
        { date: '2025-10-01', kind: 'holiday', name: '国庆节' },
        { date: '2025-09-28', kind: 'workday', name: '国庆节' },
        { date: '2025-01-29', kind: 'holiday', name: '春节' },
      ]),
    );
    expect(detail.body.years).toEqual(
      expect.arrayContaining([{ year: 2025, source: 'chinese-days', importedAt: expect.any(String) }]),
    );
    const all = await get(stack.app, '/api/v1/calendars/cn');
    expect(all.body.overrides.length).toBeGreaterThan(detail.body.overrides.length);

    const missing = await get(stack.app, '/api/v1/calendars/nowhere');
    expect(missing.status).toBe(404);
    expectProblem(missing);
    expect((await get(stack.app, '/api/v1/calendars/cn?year=25')).status).toBe(400);
    expect((await get(stack.app, '/api/v1/calendars/cn?month=1')).status).toBe(400);
    expect((await get(stack.app, '/api/v1/calendars?active=true')).status).toBe(400);
    expect((await get(stack.app, '/api/v1/sla-policies?all=1')).status).toBe(400);
  });

  it('seeding again changes nothing, adds years it lacks and leaves years that were edited', async () => {
    const { db } = stack.db;
    const count2024 = async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(calendarDays)
          .where(and(eq(calendarDays.calendarId, 'cn'), like(calendarDays.date, '2024-%')))
      )[0].n;
    const before = (await loadCalendar(db, 'cn'))!;
    await seedDefaults(db);
    expect(await loadCalendar(db, 'cn')).toEqual(before);
    const [{ n: policies }] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(slaPolicies)
      .where(eq(slaPolicies.id, 'default'));
    expect(policies).toBe(1);

    // 2024 is edited (Labour Day removed): a new seed does not put it back.
    const full = await count2024();
    expect(full).toBe(chinaOverridesForYear(2024).length);
    await db
      .delete(calendarDays)
      .where(and(eq(calendarDays.calendarId, 'cn'), eq(calendarDays.date, '2024-05-01')));
    await seedDefaults(db);
    expect(await count2024()).toBe(full - 1);

    // 2024 is not covered (as if the package gained it in an upgrade): the seed imports it.
    await db
      .delete(calendarDays)
      .where(and(eq(calendarDays.calendarId, 'cn'), like(calendarDays.date, '2024-%')));
    await db
      .delete(calendarYears)
      .where(and(eq(calendarYears.calendarId, 'cn'), eq(calendarYears.year, 2024)));
    await seedDefaults(db);
    expect(await count2024()).toBe(full);
    expect(await loadCalendar(db, 'cn')).toEqual(before);
  });

  it('warns about a missing current or next year until the year is imported or put', async () => {
    const now = new Date();
    const current = Number(localDateOf('Europe/Berlin', now).slice(0, 4));
    const next = current + 1;

    const created = await put('/api/v1/calendars/sla-warn', calendarBody());
    expect(created.status).toBe(201);
    expect(created.body.coveredYears).toEqual([]);
    expect(created.body.warnings).toHaveLength(2);
    expect(created.body.warnings[0]).toContain(`no holiday data for ${current}`);
    expect(created.body.warnings[0]).toContain(`/api/v1/calendars/sla-warn/years/${current}`);
    expect(created.body.warnings[1]).toContain(`no holiday data for ${next}`);

    // The current year: from the package when it has it, otherwise by hand.
    const afterCurrent = chinaDataYears().includes(current)
      ? await post(`/api/v1/calendars/sla-warn/years/${current}/import`, { source: 'chinese-days' })
      : await put(`/api/v1/calendars/sla-warn/years/${current}`, { overrides: [] });
    expect(afterCurrent.status).toBe(200);
    expect(afterCurrent.body.coveredYears).toEqual([current]);
    expect(afterCurrent.body.warnings).toEqual([expect.stringContaining(`no holiday data for ${next}`)]);

    const afterNext = await put(`/api/v1/calendars/sla-warn/years/${next}`, {
      overrides: [{ date: `${next}-01-01`, kind: 'holiday', name: 'Neujahr' }],
    });
    expect(afterNext.status).toBe(200);
    expect(afterNext.body.warnings).toEqual([]);
    const listed = (await get(stack.app, '/api/v1/calendars')).body.items.find(
      (c: { id: string }) => c.id === 'sla-warn',
    );
    expect(listed).toMatchObject({ coveredYears: [current, next], warnings: [] });

    // The seeded calendar warns exactly about the years its package data lacks.
    const cn = (await get(stack.app, '/api/v1/calendars/cn')).body;
    const cnYear = Number(localDateOf('Asia/Shanghai', now).slice(0, 4));
    const lacking = [cnYear, cnYear + 1].filter((y) => !cn.coveredYears.includes(y));
    expect(cn.warnings).toHaveLength(lacking.length);
    lacking.forEach((y, i) => {
      expect(cn.warnings[i]).toContain(`no holiday data for ${y}`);
    });
  });

  it('replacing a calendar keeps its overrides and answers 200', async () => {
    await put('/api/v1/calendars/sla-replace', calendarBody());
    await put('/api/v1/calendars/sla-replace/years/2025', {
      overrides: [{ date: '2025-12-24', kind: 'holiday', name: 'Heiligabend' }],
    });
    const replaced = await put(
      '/api/v1/calendars/sla-replace',
      calendarBody({
        name: '新名字',
        timeZone: 'Asia/Tokyo',
        workdayPeriods: [{ start: '10:00', end: '16:00' }],
      }),
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id: 'sla-replace',
      name: '新名字',
      timeZone: 'Asia/Tokyo',
      workdayPeriods: [{ start: '10:00', end: '16:00' }],
      coveredYears: [2025],
      overrides: [{ date: '2025-12-24', kind: 'holiday', name: 'Heiligabend' }],
    });
  });

  it('rejects invalid calendars with 422 naming each problem, and creates nothing', async () => {
    const invalid: Array<[Record<string, unknown>, string]> = [
      [{ weekly: [[], [{ start: '9:00', end: '12:00' }], [], [], [], [], []] }, 'bad start time "9:00"'],
      [{ weekly: [[], [{ start: '09:00', end: '25:00' }], [], [], [], [], []] }, 'bad end time "25:00"'],
      [
        {
          weekly: [
            [],
            [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '14:00' },
            ],
            [],
            [],
            [],
            [],
            [],
          ],
        },
        'overlap',
      ],
      [{ workdayPeriods: [{ start: '14:00', end: '13:00' }] }, 'start 14:00 is not before end 13:00'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'unknown time zone "Mars/Olympus_Mons"'],
      [{ weekly: [[], day(), day(), day(), day(), day()] }, 'weekly must have 7 entries'],
      [{ weekly: [[], [], [], [], [], [], []], workdayPeriods: [] }, 'no working time'],
    ];
    for (const [patch, problem] of invalid) {
      const r = await put('/api/v1/calendars/sla-invalid', calendarBody(patch));
      expect(r.status, JSON.stringify(patch)).toBe(422);
      expectProblem(r);
      expect(r.body.detail).toContain(problem);
      expect(r.body.problems).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    }
    expect((await get(stack.app, '/api/v1/calendars/sla-invalid')).status).toBe(404);

    // What the schema can state is a 400.
    expect((await put('/api/v1/calendars/sla-invalid', calendarBody({ colour: 'red' }))).status).toBe(400);
    expect((await put('/api/v1/calendars/sla-invalid', { name: 'x', timeZone: 'UTC' })).status).toBe(400);
    expect((await put('/api/v1/calendars/Bad_Id', calendarBody())).status).toBe(400);
  });

  it("PUT of a year replaces that year's overrides, only that year's, and checks every date", async () => {
    await put('/api/v1/calendars/sla-years', calendarBody());
    await put('/api/v1/calendars/sla-years/years/2024', {
      overrides: [{ date: '2024-12-25', kind: 'holiday', name: 'Weihnachten' }],
    });
    const first = await put('/api/v1/calendars/sla-years/years/2025', {
      overrides: [
        { date: '2025-01-01', kind: 'holiday', name: 'Neujahr' },
        { date: '2025-05-01', kind: 'holiday' },
        {
          date: '2025-06-14',
          kind: 'workday',
          name: 'Inventur',
          periods: [{ start: '09:00', end: '13:00' }],
        },
      ],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.overrides).toHaveLength(3);
    expect(first.body.overrides[2]).toEqual({
      date: '2025-06-14',
      kind: 'workday',
      name: 'Inventur',
      periods: [{ start: '09:00', end: '13:00' }],
    });
    expect(first.body.years).toEqual([
      { year: 2024, source: 'api', importedAt: expect.any(String) },
      { year: 2025, source: 'api', importedAt: expect.any(String) },
    ]);

    const second = await put('/api/v1/calendars/sla-years/years/2025', {
      overrides: [{ date: '2025-10-03', kind: 'holiday', name: 'Tag der Deutschen Einheit' }],
    });
    expect(second.status).toBe(200);
    expect(second.body.overrides).toEqual([
      { date: '2025-10-03', kind: 'holiday', name: 'Tag der Deutschen Einheit' },
    ]);
    const all = await get(stack.app, '/api/v1/calendars/sla-years');
    expect(all.body.overrides.map((o: { date: string }) => o.date)).toEqual(['2024-12-25', '2025-10-03']);

    // The package import replaces the year as well.
    const imported = await post('/api/v1/calendars/sla-years/years/2025/import', { source: 'chinese-days' });
    expect(imported.status).toBe(200);
    expect(imported.body.overrides).toEqual(chinaOverridesForYear(2025));
    expect(imported.body.years).toContainEqual({
      year: 2025,
      source: 'chinese-days',
      importedAt: expect.any(String),
    });

    // An empty year is covered and has no overrides.
    const empty = await put('/api/v1/calendars/sla-years/years/2025', { overrides: [] });
    expect(empty.body.overrides).toEqual([]);
    expect(empty.body.coveredYears).toEqual([2024, 2025]);

    const bad: Array<[unknown[], string]> = [
      [[{ date: '2026-01-01', kind: 'holiday' }], 'override 1 (2026-01-01): not in 2025'],
      [
        [
          { date: '2025-03-01', kind: 'holiday' },
          { date: '2025-03-01', kind: 'workday' },
        ],
        'duplicate override for 2025-03-01',
      ],
      [[{ date: '2025-02-30', kind: 'holiday' }], 'bad date "2025-02-30"'],
      [
        [{ date: '2025-03-01', kind: 'holiday', periods: day() }],
        'periods are only allowed on workday overrides',
      ],
      [[{ date: '2025-03-01', kind: 'workday', periods: [{ start: '8', end: '9' }] }], 'bad start time "8"'],
    ];
    for (const [overrides, problem] of bad) {
      const r = await put('/api/v1/calendars/sla-years/years/2025', { overrides });
      expect(r.status, JSON.stringify(overrides)).toBe(422);
      expectProblem(r);
      expect(r.body.problems).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    }
    // Nothing of the rejected requests was written.
    expect((await get(stack.app, '/api/v1/calendars/sla-years?year=2025')).body.overrides).toEqual([]);

    expect(
      (
        await put('/api/v1/calendars/sla-years/years/2025', {
          overrides: [{ date: '2025-1-1', kind: 'holiday' }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await put('/api/v1/calendars/sla-years/years/2025', {
          overrides: [{ date: '2025-01-01', kind: 'vacation' }],
        })
      ).status,
    ).toBe(400);
    expect((await put('/api/v1/calendars/sla-years/years/1812', { overrides: [] })).status).toBe(400);
    const unknown = await put('/api/v1/calendars/sla-nowhere/years/2025', { overrides: [] });
    expect(unknown.status).toBe(404);
    expectProblem(unknown);
  });

  it('import answers 422 for a year the package has no data for, 404 for an unknown calendar', async () => {
    await put('/api/v1/calendars/sla-import', calendarBody());
    const future = Math.max(...chinaDataYears()) + 1;
    const r = await post(`/api/v1/calendars/sla-import/years/${future}/import`, { source: 'chinese-days' });
    expect(r.status).toBe(422);
    expectProblem(r);
    expect(r.body.detail).toContain(`no holiday data for ${future}`);
    expect((await get(stack.app, '/api/v1/calendars/sla-import')).body.coveredYears).toEqual([]);
    expect((await post('/api/v1/calendars/sla-import/years/2025/import', { source: 'ics' })).status).toBe(
      400,
    );
    expect(
      (await post('/api/v1/calendars/sla-none/years/2025/import', { source: 'chinese-days' })).status,
    ).toBe(404);
  });
});

const target = (amount: number, unit = 'business_hours') => ({ amount, unit });
const policyBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'VIP 服务标准',
  match: { customerTier: 'sla-admin-vip' },
  calendarId: 'cn',
  targets: {
    response: { normal: target(2), emergency: target(0.5, 'hours') },
    arrival: { emergency: target(4, 'hours') },
    repair: { ordinary: target(2, 'working_days'), complex: target(5, 'working_days') },
  },
  ...overrides,
});

describe('SLA policies', () => {
  it('lists the seeded default policy', async () => {
    const r = await get(stack.app, '/api/v1/sla-policies');
    expect(r.status).toBe(200);
    const def = r.body.items.find((p: { id: string }) => p.id === 'default');
    expect(def).toMatchObject({
      name: DEFAULT_POLICY.name,
      match: {},
      calendarId: 'cn',
      targets: DEFAULT_POLICY.targets,
      escalation: DEFAULT_POLICY.escalation,
      pauses: DEFAULT_POLICY.pauses,
      current: true,
      retiredAt: null,
    });
  });

  it('creates, versions and retires a policy; every version stays readable', async () => {
    const created = await post('/api/v1/sla-policies', { id: 'sla-admin-vip', ...policyBody() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'sla-admin-vip',
      version: 1,
      current: true,
      retiredAt: null,
      escalation: DEFAULT_POLICY.escalation,
      pauses: DEFAULT_POLICY.pauses,
      repairOnDispute: 'continue',
    });

    const changed = await put(
      '/api/v1/sla-policies/sla-admin-vip',
      policyBody({
        name: 'VIP 服务标准 v2',
        escalation: [
          { level: 1, at: 0.5, recipient: 'assignee', name: 'warning' },
          { level: 2, at: 1, recipient: 'vip-desk', name: 'breach' },
        ],
        pauses: { customer: ['response'], parts: [] },
        repairOnDispute: 'restart',
      }),
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      version: 2,
      name: 'VIP 服务标准 v2',
      current: true,
      repairOnDispute: 'restart',
      pauses: { customer: ['response'], parts: [] },
    });

    const detail = await get(stack.app, '/api/v1/sla-policies/sla-admin-vip');
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ version: 2, current: true });
    expect(detail.body.versions).toEqual([
      { version: 2, name: 'VIP 服务标准 v2', createdAt: expect.any(String), retiredAt: null },
      { version: 1, name: 'VIP 服务标准', createdAt: expect.any(String), retiredAt: expect.any(String) },
    ]);
    const v1 = await get(stack.app, '/api/v1/sla-policies/sla-admin-vip/versions/1');
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      version: 1,
      name: 'VIP 服务标准',
      current: false,
      repairOnDispute: 'continue',
    });
    expect((await get(stack.app, '/api/v1/sla-policies/sla-admin-vip/versions/3')).status).toBe(404);

    const listed = (await get(stack.app, '/api/v1/sla-policies')).body.items.filter(
      (p: { id: string }) => p.id === 'sla-admin-vip',
    );
    expect(listed.map((p: { version: number }) => p.version)).toEqual([2]);

    const retired = await del('/api/v1/sla-policies/sla-admin-vip');
    expect(retired.status).toBe(200);
    expect(retired.body).toMatchObject({ version: 2, current: false, retiredAt: expect.any(String) });
    expect((await del('/api/v1/sla-policies/sla-admin-vip')).body.retiredAt).toBe(retired.body.retiredAt);
    expect(
      (await get(stack.app, '/api/v1/sla-policies')).body.items.some(
        (p: { id: string }) => p.id === 'sla-admin-vip',
      ),
    ).toBe(false);
    expect((await get(stack.app, '/api/v1/sla-policies/sla-admin-vip')).body).toMatchObject({
      version: 2,
      current: false,
    });
    const putRetired = await put('/api/v1/sla-policies/sla-admin-vip', policyBody());
    expect(putRetired.status).toBe(409);
    expectProblem(putRetired);
    expect((await post('/api/v1/sla-policies', { id: 'sla-admin-vip', ...policyBody() })).status).toBe(409);
  });

  it('answers bad policies with the right 4xx naming the problem', async () => {
    const ok = await post('/api/v1/sla-policies', {
      id: 'sla-admin-gold',
      ...policyBody({ match: { customerTier: 'sla-admin-gold' } }),
    });
    expect(ok.status).toBe(201);

    const badUnit = policyBody();
    (badUnit.targets as { repair: { ordinary: unknown } }).repair.ordinary = target(3, 'fortnights');
    expect((await post('/api/v1/sla-policies', { id: 'sla-admin-x', ...badUnit })).status).toBe(400);

    const negative = policyBody();
    (negative.targets as { repair: { ordinary: unknown } }).repair.ordinary = target(-1, 'working_days');
    let r = await post('/api/v1/sla-policies', { id: 'sla-admin-x', ...negative });
    expect(r.status).toBe(422);
    expectProblem(r);
    expect(r.body.problems).toContain('targets.repair.ordinary.amount must be a positive number');

    const huge = policyBody();
    (huge.targets as { repair: { complex: unknown } }).repair.complex = target(100000, 'working_days');
    r = await post('/api/v1/sla-policies', { id: 'sla-admin-x', ...huge });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('targets.repair.complex.amount must be at most 366');

    r = await post('/api/v1/sla-policies', { id: 'sla-admin-x', ...policyBody({ calendarId: 'atlantis' }) });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('calendar "atlantis" does not exist');

    r = await post('/api/v1/sla-policies', {
      id: 'sla-admin-x',
      ...policyBody({ escalation: [{ level: 1, at: 0.8, recipient: 'assignee', name: 'warning' }] }),
    });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('escalation needs a step at 1');

    r = await post('/api/v1/sla-policies', {
      id: 'sla-admin-gold',
      ...policyBody({ match: { productLine: 'z' } }),
    });
    expect(r.status).toBe(409);
    expectProblem(r);
    expect(r.body.detail).toContain('already exists');

    // A second policy for exactly the same cases would make the choice arbitrary.
    r = await post('/api/v1/sla-policies', {
      id: 'sla-admin-x',
      ...policyBody({ match: { customerTier: 'sla-admin-gold' } }),
    });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('"sla-admin-gold" already applies');
    r = await post('/api/v1/sla-policies', { id: 'sla-admin-x', ...policyBody({ match: {} }) });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain('"default" already applies');

    r = await del('/api/v1/sla-policies/default');
    expect(r.status).toBe(409);
    expectProblem(r);
    expect(r.body.detail).toContain('cannot be retired');
    r = await put('/api/v1/sla-policies/default', { ...policyBody(), match: { severity: 'emergency' } });
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('the default policy must match every case');

    expect((await post('/api/v1/sla-policies', { id: 'Not A Slug', ...policyBody() })).status).toBe(400);
    expect(
      (await post('/api/v1/sla-policies', { id: 'sla-admin-y', ...policyBody(), extra: 1 })).status,
    ).toBe(400);
    expect(
      (
        await post('/api/v1/sla-policies', {
          id: 'sla-admin-y',
          ...policyBody({ match: { severity: 'urgent' } }),
        })
      ).status,
    ).toBe(400);
    expect((await get(stack.app, '/api/v1/sla-policies/sla-admin-nope')).status).toBe(404);
    expect((await put('/api/v1/sla-policies/sla-admin-nope', policyBody())).status).toBe(404);
    expect((await del('/api/v1/sla-policies/sla-admin-nope')).status).toBe(404);
    expect((await get(stack.app, '/api/v1/sla-policies/sla-admin-x')).status).toBe(404);
  });

  it('the snapshot takes the most specific current policy and falls back to the default', async () => {
    const { db } = stack.db;
    const at = new Date();
    const policy = (
      id: string,
      match: SlaPolicy['match'],
      calendarId = 'cn',
    ): typeof slaPolicies.$inferInsert => ({
      id,
      version: 1,
      name: id,
      definition: { ...DEFAULT_POLICY, id, version: 1, name: id, match, calendarId },
    });
    // In a transaction that is rolled back, so cases of other test files never see these policies.
    const rollback = new Error('rollback');
    const result = await db
      .transaction(async (tx) => {
        await tx
          .insert(slaPolicies)
          .values([
            policy('snap-severity', { severity: 'emergency' }),
            policy('snap-tier', { customerTier: 'snap-gold' }),
            policy('snap-tier-emergency', { customerTier: 'snap-gold', severity: 'emergency' }),
            policy('snap-line', { productLine: 'snap-line' }, 'sla-warn'),
            policy('snap-lost-calendar', { productLine: 'snap-lost' }, 'atlantis'),
          ]);
        const pick = async (subject: Parameters<typeof loadSlaSnapshot>[1]) =>
          (await loadSlaSnapshot(tx, subject, at)).policy.id;
        const picks = {
          lineBeatsTierAndSeverity: await pick({
            severity: 'emergency',
            productLine: 'snap-line',
            customerTier: 'snap-gold',
          }),
          tierAndSeverity: await pick({ severity: 'emergency', customerTier: 'snap-gold' }),
          tierBeatsSeverity: await pick({ severity: 'normal', customerTier: 'snap-gold' }),
          severityBeatsDefault: await pick({ severity: 'emergency', customerTier: 'snap-silver' }),
          fallback: await pick({ severity: 'normal', productLine: 'other', customerTier: 'other' }),
        };
        const lineSnapshot = await loadSlaSnapshot(tx, { severity: 'normal', productLine: 'snap-line' }, at);
        const lostCalendar = await loadSlaSnapshot(tx, { severity: 'normal', productLine: 'snap-lost' }, at);
        // With every policy retired the built-in default applies.
        await tx.update(slaPolicies).set({ retiredAt: new Date() });
        const none = await loadSlaSnapshot(tx, { severity: 'normal' }, at);
        throw Object.assign(rollback, { value: { picks, lineSnapshot, lostCalendar, none } });
      })
      .catch((err) => {
        if (err !== rollback) throw err;
        return (err as Error & { value: Record<string, never> }).value;
      });

    expect(result.picks).toEqual({
      lineBeatsTierAndSeverity: 'snap-line',
      tierAndSeverity: 'snap-tier-emergency',
      tierBeatsSeverity: 'snap-tier',
      severityBeatsDefault: 'snap-severity',
      fallback: 'default',
    });
    const line = result.lineSnapshot as Awaited<ReturnType<typeof loadSlaSnapshot>>;
    expect(line.calendar).toMatchObject({ id: 'sla-warn', timeZone: 'Europe/Berlin' });
    const lost = result.lostCalendar as Awaited<ReturnType<typeof loadSlaSnapshot>>;
    expect(lost.policy.id).toBe('snap-lost-calendar');
    expect(lost.calendar).toMatchObject({ id: 'cn', timeZone: 'Asia/Shanghai' });
    expect((result.none as Awaited<ReturnType<typeof loadSlaSnapshot>>).policy).toEqual(DEFAULT_POLICY);

    // The committed state is untouched, and a snapshot carries only the years a case can need.
    const snap = await loadSlaSnapshot(db, { severity: 'normal' }, new Date('2025-06-01T00:00:00Z'));
    expect(snap.policy).toMatchObject({ id: 'default', calendarId: 'cn' });
    const years = new Set(snap.calendar.overrides.map((o) => Number(o.date.slice(0, 4))));
    expect([...years].sort()).toEqual([2024, 2025, 2026].filter((y) => chinaDataYears().includes(y)));
    expect(snap.calendar.coveredYears).toEqual(expect.arrayContaining([2024, 2025, 2026]));
  });

  it('intake keeps policies and calendars in memory until the database says they changed', async () => {
    const { db } = stack.db;
    const tag = `${process.pid}-${Date.now()}`;
    const line = `gen-line-${tag}`;
    const calendarId = `gen-cal-${tag}`;
    const generation = async () => String((await db.select().from(slaConfigGeneration))[0].generation);
    const subject = { severity: 'normal' as const, productLine: line };
    const at = new Date();
    const snapshots = new SlaSnapshots();
    const first = await generation();
    expect((await snapshots.snapshot(db, first, subject, at)).policy.id).toBe('default');

    // A calendar through the API, a policy straight into the database: each bumps the generation.
    expect((await put(`/api/v1/calendars/${calendarId}`, calendarBody({ name: '旧名' }))).status).toBe(201);
    const id = `gen-policy-${tag}`;
    await db.insert(slaPolicies).values({
      id,
      version: 1,
      name: id,
      definition: { ...DEFAULT_POLICY, id, version: 1, name: id, match: { productLine: line }, calendarId },
    });
    const second = await generation();
    expect(Number(second)).toBeGreaterThan(Number(first));
    // Asked under the generation it was loaded at, the kept copy answers; under the new one, the database.
    expect((await snapshots.snapshot(db, first, subject, at)).policy.id).toBe('default');
    const now = await snapshots.snapshot(db, second, subject, at);
    expect(now.policy.id).toBe(id);
    expect(now.calendar).toMatchObject({ id: calendarId, name: '旧名', timeZone: 'Europe/Berlin' });

    // The API's intake sees each change at once, whoever made it.
    const intake = () => {
      const body = intakeBody();
      return post('/api/v1/cases', { ...body, product: { ...body.product, line } });
    };
    const opened = await intake();
    expect(opened.status).toBe(201);
    expect(opened.body.sla).toMatchObject({ policy: { id }, calendar: { id: calendarId, name: '旧名' } });
    await db.execute(sql`update calendars set name = '新名' where id = ${calendarId}`);
    expect((await intake()).body.sla).toMatchObject({ policy: { id }, calendar: { name: '新名' } });
    await db.update(slaPolicies).set({ retiredAt: new Date() }).where(eq(slaPolicies.id, id));
    expect((await intake()).body.sla).toMatchObject({ policy: { id: 'default' }, calendar: { id: 'cn' } });
  });
});

describe('escalations', () => {
  it('filters by level, clock, due range, assignee and case, newest due first, with a stable cursor', async () => {
    const { db } = stack.db;
    const caseRow = (serial: string) => ({
      workflowId: `case-esc-${serial}`,
      channel: 'phone',
      stage: 'assigned',
      severity: 'normal',
      customerName: '李雷',
      productModel: 'HX-200',
      serialNumber: serial,
      description: 'x',
      reportedAt: new Date('2001-01-01T00:00:00Z'),
    });
    const [c1, c2] = await db
      .insert(cases)
      .values([caseRow(`ESC-${process.pid}-1`), caseRow(`ESC-${process.pid}-2`)])
      .returning({ id: cases.id });
    const t = (iso: string) => new Date(iso);
    const row = (
      caseId: string,
      clock: string,
      level: number,
      dueAt: string,
      lateMs: number,
      assignee: string | null,
    ): typeof escalations.$inferInsert => ({
      caseId,
      clock,
      cycle: 1,
      level,
      name: ['warning', 'breach', 'escalation'][level - 1],
      dueAt: t(dueAt),
      firedAt: new Date(t(dueAt).getTime() + lateMs),
      recipient: level === 1 ? 'assignee' : 'service-manager',
      assignee,
      severity: 'normal',
    });
    const inserted = await db
      .insert(escalations)
      .values([
        row(c1.id, 'response', 1, '2001-03-01T01:00:00Z', 12, 'eng-esc-a'),
        row(c1.id, 'response', 2, '2001-03-01T02:00:00Z', 40, 'eng-esc-a'),
        row(c1.id, 'response', 3, '2001-03-01T03:00:00Z', 7, 'eng-esc-a'),
        row(c1.id, 'repair', 1, '2001-03-05T09:00:00Z', 0, 'eng-esc-a'),
        row(c2.id, 'repair', 1, '2001-03-05T09:00:00Z', 3, null),
        row(c2.id, 'repair', 2, '2001-03-06T09:00:00Z', 5, 'eng-esc-b'),
        row(c2.id, 'arrival', 2, '2001-03-02T09:00:00Z', 1500, 'eng-esc-b'),
      ])
      .returning();
    const byDueDesc = [...inserted]
      .sort((a, b) => b.dueAt.getTime() - a.dueAt.getTime() || b.id - a.id)
      .map((r) => r.id);

    const range = 'from=2001-01-01T00:00:00Z&to=2002-01-01T00:00:00Z';
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { id: number }[]; nextCursor: string | null } } =
        await get(stack.app, `/api/v1/escalations?${range}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(byDueDesc);

    const all = await get(stack.app, `/api/v1/escalations?${range}`);
    expect(all.body.nextCursor).toBeNull();
    const arrival = all.body.items.find((e: { clock: string }) => e.clock === 'arrival');
    expect(arrival).toEqual({
      id: expect.any(Number),
      caseId: c2.id,
      clock: 'arrival',
      cycle: 1,
      level: 2,
      name: 'breach',
      dueAt: '2001-03-02T09:00:00.000Z',
      firedAt: '2001-03-02T09:00:01.500Z',
      latenessMs: 1500,
      recipient: 'service-manager',
      assignee: 'eng-esc-b',
      severity: 'normal',
      notified: null,
      imported: false,
    });

    const ids = async (query: string) =>
      (await get(stack.app, `/api/v1/escalations?${range}&${query}`)).body.items.map(
        (e: { clock: string; level: number; caseId: string; dueAt: string }) =>
          `${e.caseId === c1.id ? 'c1' : 'c2'}:${e.clock}:${e.level}`,
      );
    expect(await ids('level=2')).toEqual(['c2:repair:2', 'c2:arrival:2', 'c1:response:2']);
    expect(await ids('clock=repair')).toEqual(['c2:repair:2', 'c2:repair:1', 'c1:repair:1']);
    expect(await ids('clock=repair&level=1')).toEqual(['c2:repair:1', 'c1:repair:1']);
    expect(await ids('assignee=eng-esc-b')).toEqual(['c2:repair:2', 'c2:arrival:2']);
    expect(await ids(`caseId=${c1.id}`)).toEqual([
      'c1:repair:1',
      'c1:response:3',
      'c1:response:2',
      'c1:response:1',
    ]);
    expect(
      (
        await get(
          stack.app,
          `/api/v1/escalations?caseId=${c1.id}&from=2001-03-01T02:00:00Z&to=2001-03-05T09:00:00Z`,
        )
      ).body.items.map((e: { level: number }) => e.level),
    ).toEqual([3, 2]);

    const bad: Array<[string, number]> = [
      ['cursor=not-a-cursor', 400],
      [`cursor=${Buffer.from('["2001-01-01T00:00:00Z", 1e12]').toString('base64url')}`, 400],
      ['level=0', 400],
      ['level=10', 400],
      ['clock=lunch', 400],
      ['limit=101', 400],
      ['limit=0', 400],
      ['caseId=42', 400],
      ['from=yesterday', 400],
      ['page=2', 400],
      ['from=2001-03-02T00:00:00Z&to=2001-03-01T00:00:00Z', 422],
    ];
    for (const [query, status] of bad) {
      const r = await get(stack.app, `/api/v1/escalations?${query}`);
      expect(r.status, query).toBe(status);
      expectProblem(r);
    }
  });
});

describe('who may administer SLAs', () => {
  it('everyone reads calendars and policies; only managers and admins change them; escalations are for staff', async () => {
    const { keys } = stack;
    const as = (
      key: string | null,
      method: 'GET' | 'PUT' | 'POST' | 'DELETE',
      url: string,
      payload?: unknown,
    ) =>
      call(stack.app, method, url, { key, ...(payload === undefined ? {} : { payload }) }).then(
        (r) => r.status,
      );

    expect(await as(null, 'GET', '/api/v1/calendars')).toBe(401);
    expect(await as(keys.helpdesk, 'GET', '/api/v1/calendars/cn')).toBe(200);
    expect(await as(keys.helpdesk, 'GET', '/api/v1/sla-policies/default')).toBe(200);
    expect(await as(keys.finance, 'GET', '/api/v1/sla-policies')).toBe(200);

    for (const role of ['helpdesk', 'specialist', 'engineer'] as const) {
      expect(await as(keys[role], 'PUT', '/api/v1/calendars/sla-auth', calendarBody()), role).toBe(403);
      expect(
        await as(keys[role], 'POST', '/api/v1/calendars/cn/years/2025/import', { source: 'chinese-days' }),
      ).toBe(403);
      expect(await as(keys[role], 'POST', '/api/v1/sla-policies', { id: 'sla-auth', ...policyBody() })).toBe(
        403,
      );
      expect(await as(keys[role], 'DELETE', '/api/v1/sla-policies/sla-admin-gold')).toBe(403);
    }
    expect(await as(keys.admin, 'PUT', '/api/v1/calendars/sla-auth', calendarBody())).toBe(201);
    expect(await as(keys.manager, 'PUT', '/api/v1/calendars/sla-auth/years/2025', { overrides: [] })).toBe(
      200,
    );

    expect(await as(keys.helpdesk, 'GET', '/api/v1/escalations')).toBe(403);
    expect(await as(keys.finance, 'GET', '/api/v1/escalations')).toBe(403);
    expect(await as(keys.engineer, 'GET', '/api/v1/escalations?limit=1')).toBe(200);
  });
});

describe('OpenAPI', () => {
  it('documents the SLA administration routes', async () => {
    const doc = await get(stack.app, '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/calendars',
        '/api/v1/calendars/{id}',
        '/api/v1/calendars/{id}/years/{year}',
        '/api/v1/calendars/{id}/years/{year}/import',
        '/api/v1/sla-policies',
        '/api/v1/sla-policies/{id}',
        '/api/v1/sla-policies/{id}/versions/{version}',
        '/api/v1/escalations',
      ]),
    );
    expect(doc.body.paths['/api/v1/sla-policies'].post.tags).toEqual(['sla policies']);
    expect(doc.body.paths['/api/v1/sla-policies'].post.responses['422'].content).toHaveProperty(
      'application/problem+json',
    );
    expect(doc.body.tags.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['calendars', 'sla policies', 'escalations']),
    );
  });
});
