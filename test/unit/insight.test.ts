import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetReport, budgetWarning } from '../../domain/insight/budget.js';
import { labourAmount } from '../../domain/insight/costs.js';
import { emptyCounts, type KpiCounts, kpisFrom, nearestRank, rate } from '../../domain/insight/kpis.js';
import { parsePeriod } from '../../domain/insight/period.js';
import { rankWithinTeams, scoreComponents, weightedScore } from '../../domain/insight/score.js';
import { DEFAULT_INSIGHT_SETTINGS, validateSettings } from '../../domain/insight/settings.js';
import { addMonths, defaultCoverage, warrantyOf } from '../../domain/insight/warranty.js';

const counts = (c: Partial<KpiCounts>): KpiCounts => ({ ...emptyCounts(), ...c });
const targets = DEFAULT_INSIGHT_SETTINGS.targets;

describe('rates', () => {
  it('a share of the cases that decided it, four decimals; null when none did', () => {
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(0, 5)).toBe(0);
    expect(rate(0, 0)).toBeNull();
  });

  it('nearest-rank percentiles, as percentile_disc', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([7], 0.9)).toBe(7);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { minLength: 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, p) => {
          const sorted = [...xs].sort((a, b) => a - b);
          const v = nearestRank(sorted, p)!;
          // At least a share p of the values lie at or below it.
          expect(sorted.filter((x) => x <= v).length).toBeGreaterThanOrEqual(Math.ceil(p * sorted.length));
        },
      ),
    );
  });
});

describe('kpisFrom', () => {
  it('turns counts into figures: rates, survey averages, the ladder levels always listed, costs summed', () => {
    const k = kpisFrom(
      counts({
        cases: 10,
        responded: 9,
        responseMinutesMedian: 12.34,
        responseMinutesP90: 99.96,
        responseDecided: 8,
        respondedOnTime: 6,
        accepted: 4,
        fixedFirstTime: 3,
        repaired: 5,
        repeatFailures: 1,
        surveysClosed: 4,
        surveysAnswered: 2,
        surveySums: { serviceQuality: 9, repairEffect: 7, attitude: 10 },
        escalationsByLevel: { '2': 3, '4': 1 },
        complaintEscalationsByLevel: { '1': 2, '3': 1 },
        openByStage: { assigned: 2 },
        openByAge: { '1to3d': 2 },
        costsByCategory: { labour: 100, parts: 250 },
        costsByCoverage: { warranty: 350 },
      }),
      targets,
    );
    expect(k.responseMinutes).toEqual({ median: 12.3, p90: 100 });
    expect(k.onTimeResponseRate).toBe(0.75);
    expect(k.onTimeArrivalRate).toBeNull();
    expect(k.firstTimeFixRate).toBe(0.75);
    expect(k.repeatFailureRate).toBe(0.2);
    expect(k.repeatFailureTarget).toBe(0.02);
    expect(k.satisfaction).toEqual({
      responseRate: 0.5,
      answered: 2,
      average: 4.33,
      questions: [
        { question: 'serviceQuality', label: '服务质量', average: 4.5 },
        { question: 'repairEffect', label: '维修效果', average: 3.5 },
        { question: 'attitude', label: '服务态度', average: 5 },
      ],
    });
    // The cases' escalations, and the complaints' and quality issues' beside them (levels 1–3 always).
    expect(k.escalations).toEqual({
      total: 4,
      byLevel: { '1': 0, '2': 3, '3': 0, '4': 1 },
      complaints: { total: 3, byLevel: { '1': 2, '2': 0, '3': 1 } },
      quality: { total: 0, byLevel: { '1': 0, '2': 0, '3': 0 } },
    });
    expect(k.backlog.open).toBe(2);
    expect(k.backlog.byStage).toMatchObject({ intake: 0, assigned: 2, survey: 0 });
    expect(Object.keys(k.backlog.byStage)).not.toContain('closed');
    expect(k.costs).toEqual({
      currency: 'CNY',
      total: 350,
      byCategory: { parts: 250, labour: 100, travel: 0, training: 0, other: 0 },
      byCoverage: { warranty: 350, goodwill: 0, chargeable: 0 },
    });
  });

  it('no cases: every rate and average null, every count 0', () => {
    const k = kpisFrom(emptyCounts(), targets);
    expect([k.onTimeResponseRate, k.onTimeRepairRate, k.firstTimeFixRate, k.repeatFailureRate]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(k.satisfaction.average).toBeNull();
    expect(k.responseMinutes).toEqual({ median: null, p90: null });
    expect(k.costs.total).toBe(0);
    expect(k.complaints).toMatchObject({
      received: 0,
      onTimeResolutionRate: null,
      resolutionMinutes: { median: null, p90: null },
      progressUpdates: { due: 0, onTime: 0, complianceRate: null },
    });
    expect(Object.keys(k.complaints.byPriority)).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('complaints: resolution against the target per priority, every priority listed; compliance of due updates', () => {
    const p2 = {
      received: 3,
      resolved: 2,
      resolutionMinutesMedian: 61.04,
      resolutionMinutesP90: 1440.06,
      resolutionClockMinutesMedian: 30,
      resolutionClockMinutesP90: 480,
      resolutionDecided: 3,
      resolvedOnTime: 2,
    };
    const k = kpisFrom(
      counts({
        complaints: { ...p2, received: 4 },
        complaintsByPriority: { P2: p2 },
        progressUpdatesDue: 7,
        progressUpdatesOnTime: 6,
      }),
      targets,
    );
    expect(k.complaints).toMatchObject({
      received: 4,
      resolved: 2,
      onTimeResolutionRate: 0.6667,
      resolutionMinutes: { median: 61, p90: 1440.1 },
      progressUpdates: { due: 7, onTime: 6, complianceRate: 0.8571 },
    });
    expect(k.complaints.byPriority.P2).toEqual({
      received: 3,
      resolved: 2,
      resolutionMinutes: { median: 61, p90: 1440.1 },
      resolutionClockMinutes: { median: 30, p90: 480 },
      onTimeResolutionRate: 0.6667,
      resolutionDecided: 3,
      resolvedOnTime: 2,
    });
    expect(k.complaints.byPriority.P1).toMatchObject({ received: 0, onTimeResolutionRate: null });
    // Every due update late is 0, not null; null is only "nothing was due".
    expect(
      kpisFrom(counts({ progressUpdatesDue: 2 }), targets).complaints.progressUpdates.complianceRate,
    ).toBe(0);
  });
});

describe('the scorecard', () => {
  const kpis = (c: Partial<KpiCounts>) => kpisFrom(counts(c), targets);

  it('repeat failures score 1 up to the target and fall to 0 at twice it; satisfaction maps 1..5 onto 0..1', () => {
    const at = (repeat: number, repaired: number) =>
      scoreComponents(kpis({ repaired, repeatFailures: repeat })).repeatFailure;
    expect(at(0, 100)).toBe(1);
    expect(at(2, 100)).toBe(1);
    expect(at(3, 100)).toBe(0.5);
    expect(at(4, 100)).toBe(0);
    expect(at(50, 100)).toBe(0);
    expect(at(0, 0)).toBeNull();
    const sat = scoreComponents(
      kpis({
        surveysAnswered: 1,
        surveysClosed: 1,
        surveySums: { serviceQuality: 5, repairEffect: 5, attitude: 5 },
      }),
    ).satisfaction;
    expect(sat).toBe(1);
  });

  it('weighs only the components the period gives a value, one decimal', () => {
    const weights = DEFAULT_INSIGHT_SETTINGS.scoreWeights;
    const none = {
      onTimeResponse: null,
      onTimeArrival: null,
      onTimeRepair: null,
      firstTimeFix: null,
      repeatFailure: null,
      satisfaction: null,
    };
    expect(weightedScore(none, weights)).toBeNull();
    expect(weightedScore({ ...none, onTimeResponse: 1, onTimeRepair: 0 }, weights)).toBe(44.4); // 20 / 45
    expect(weightedScore({ ...none, satisfaction: 0.9175 }, weights)).toBe(91.8); // a tie rounds up
    expect(weightedScore({ ...none, satisfaction: 1 }, { ...weights, satisfaction: 0 })).toBeNull();
    fc.assert(
      fc.property(
        fc.record({
          onTimeResponse: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          onTimeArrival: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          onTimeRepair: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          firstTimeFix: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          repeatFailure: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          satisfaction: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
        }),
        (c) => {
          const s = weightedScore(c, weights);
          if (s !== null) expect(s).toBeGreaterThanOrEqual(0);
          if (s !== null) expect(s).toBeLessThanOrEqual(100);
        },
      ),
    );
  });

  it('ranks within each team, ties sharing a rank; no score, no rank', () => {
    const ranked = rankWithinTeams([
      { id: 'a', team: 't1', score: 80 },
      { id: 'b', team: 't1', score: 90 },
      { id: 'c', team: 't1', score: 80 },
      { id: 'd', team: 't1', score: 70 },
      { id: 'e', team: 't2', score: 10 },
      { id: 'f', team: 't1', score: null },
    ]);
    expect(ranked.map((p) => [p.id, p.rank, p.rankedInTeam])).toEqual([
      ['a', 2, 4],
      ['b', 1, 4],
      ['c', 2, 4],
      ['d', 4, 4],
      ['e', 1, 1],
      ['f', null, 4],
    ]);
  });
});

describe('warranty', () => {
  it('purchase date plus months, the 31st clamped to the end of a shorter month', () => {
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-11-15', 2)).toBe('2026-01-15');
    expect(addMonths('2025-03-10', 0)).toBe('2025-03-10');
  });

  it('covered when reported before the end; nothing proves it without a purchase date', () => {
    expect(warrantyOf('2025-03-01', 12, '2026-02-28')).toEqual({
      inWarranty: true,
      endsOn: '2026-03-01',
      months: 12,
    });
    expect(warrantyOf('2025-03-01', 12, '2026-03-01').inWarranty).toBe(false);
    expect(warrantyOf(null, 12, '2025-01-01')).toEqual({ inWarranty: false, endsOn: null, months: 12 });
    expect(defaultCoverage(warrantyOf('2025-03-01', 0, '2025-03-01'))).toBe('chargeable');
    expect(defaultCoverage(warrantyOf('2025-03-01', 1, '2025-03-01'))).toBe('warranty');
  });
});

describe('costs', () => {
  it('labour: hours × rate in integer fen, half away from zero', () => {
    expect(labourAmount(1.33, 12_000)).toBe(15_960);
    expect(labourAmount(0.01, 50)).toBe(1); // 0.5 fen rounds up
    expect(labourAmount(0.01, 49)).toBe(0);
    expect(labourAmount(2.5, 6_001)).toBe(15_003); // 15002.5
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (hundredths, rate) => {
          const exact = (hundredths * rate) / 100;
          const got = labourAmount(hundredths / 100, rate);
          expect(Number.isInteger(got)).toBe(true);
          expect(Math.abs(got - exact)).toBeLessThanOrEqual(0.5);
        },
      ),
    );
  });
});

describe('budget against actual', () => {
  it('variance is actual − budget, share actual ÷ budget, warning past the share (or any spending of no budget)', () => {
    const r = budgetReport(
      [
        { category: 'parts', month: 1, amount: 1000 },
        { category: 'parts', month: 2, amount: 1000 },
        { category: 'training', month: 3, amount: 500 },
      ],
      [
        { category: 'parts', month: 1, amount: 1500 },
        { category: 'parts', month: 2, amount: 300 },
        { category: 'travel', month: 5, amount: 10 },
        { category: 'travel', month: 5, amount: 5 },
      ],
      0.9,
    );
    const of = (c: string) => r.categories.find((x) => x.category === c)!;
    expect(of('parts')).toMatchObject({
      budget: 2000,
      actual: 1800,
      variance: -200,
      share: 0.9,
      warning: false,
    });
    expect(of('parts').months.slice(0, 2)).toEqual([
      { month: 1, budget: 1000, actual: 1500, variance: 500 },
      { month: 2, budget: 1000, actual: 300, variance: -700 },
    ]);
    expect(of('training')).toMatchObject({ budget: 500, actual: 0, share: 0, warning: false });
    expect(of('travel')).toMatchObject({ budget: 0, actual: 15, share: null, warning: true });
    expect(r.totals).toEqual({ budget: 2500, actual: 1815, variance: -685, share: 0.726, warning: false });
    expect(budgetWarning(100, 91, 0.9)).toBe(true);
    expect(budgetWarning(100, 90, 0.9)).toBe(false);
    expect(budgetWarning(0, 0, 0.9)).toBe(false);
  });

  it('the months of every category add up to its year', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            category: fc.constantFrom('parts', 'labour', 'travel', 'training', 'other' as const),
            month: fc.integer({ min: 1, max: 12 }),
            amount: fc.integer({ min: 0, max: 10 ** 9 }),
          }),
        ),
        (lines) => {
          const r = budgetReport([], lines, 0.9);
          for (const c of r.categories) expect(c.months.reduce((s, m) => s + m.actual, 0)).toBe(c.actual);
          expect(r.totals.actual).toBe(lines.reduce((s, l) => s + l.amount, 0));
        },
      ),
    );
  });
});

describe('periods', () => {
  it('dates are whole local days, both included; date-times are instants, `to` excluded', () => {
    const p = parsePeriod('2026-01-01', '2026-01-31', 'Asia/Shanghai');
    expect('problem' in p).toBe(false);
    if ('problem' in p) return;
    expect(p.fromInstant.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(p.toInstant.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    const q = parsePeriod('2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'Asia/Shanghai');
    expect('problem' in q ? null : q.toInstant.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(parsePeriod('2026-01-01', '2026-01-01', 'Asia/Shanghai')).toHaveProperty('fromInstant');
    expect(parsePeriod('2026-01-02', '2026-01-01', 'Asia/Shanghai')).toEqual({
      problem: 'the period from 2026-01-02 to 2026-01-01 is empty: "from" must come before "to"',
    });
  });
});

describe('settings', () => {
  it('the defaults are valid; each wrong setting is named', () => {
    expect(validateSettings(DEFAULT_INSIGHT_SETTINGS)).toEqual([]);
    const bad = validateSettings({
      ...DEFAULT_INSIGHT_SETTINGS,
      timeZone: 'Nowhere/Else',
      targets: { ...DEFAULT_INSIGHT_SETTINGS.targets, onTimeRepairRate: 1.5, satisfactionAverage: 6 },
      repeatFailureWindowDays: 0,
      scoreWeights: {
        onTimeResponse: 0,
        onTimeArrival: 0,
        onTimeRepair: 0,
        firstTimeFix: 0,
        repeatFailure: 0,
        satisfaction: 0,
      },
      labourRates: { engineer: 12.5 },
      budgetWarningShare: -1,
      defaultWarrantyMonths: 1.5,
    });
    expect(bad).toEqual([
      'timeZone "Nowhere/Else" is not an IANA time zone',
      'targets.onTimeRepairRate must be a share between 0 and 1',
      'targets.satisfactionAverage must lie between 1 and 5',
      'repeatFailureWindowDays must be a whole number of days, at least 1',
      'scoreWeights need at least one weight above 0',
      'labourRates.engineer must be a whole number of fen per hour, not negative',
      'budgetWarningShare must be greater than 0',
      'defaultWarrantyMonths must be a whole number of months, not negative',
    ]);
  });
});
