import chineseDaysLib from 'chinese-days';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMs,
  addWorkingDays,
  type BusinessCalendar,
  businessMsBetween,
  deadlineFor,
  elapsedFor,
  isWorkingDay,
  localDateOf,
  subtractBusinessMs,
  type TargetUnit,
  toOffsetIso,
  validateCalendar,
  workingPeriodsOn,
  zonedTime,
} from '../../domain/calendar.js';
import { chinaCalendar, chinaDataYears, chinaOverridesForYear } from '../../domain/calendar-china.js';

const TZ = 'Asia/Shanghai';
const H = 3_600_000;
const cal = chinaCalendar();

/** Instant from an ISO string with offset, e.g. '2025-09-30T10:00+08:00'. */
const at = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new Error(`bad test instant ${iso}`);
  return d;
};
const cn = (d: Date) => toOffsetIso(TZ, d);
const bh = (start: string, hours: number) =>
  cn(deadlineFor(cal, at(start), { amount: hours, unit: 'business_hours' }));
const wd = (start: string, days: number) =>
  cn(deadlineFor(cal, at(start), { amount: days, unit: 'working_days' }));

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** A calendar in a DST zone, to exercise offset changes. */
function dstCalendar(timeZone: string, weekly: { start: string; end: string }[][]): BusinessCalendar {
  return {
    id: `dst-${timeZone}`,
    name: timeZone,
    timeZone,
    weekly,
    workdayPeriods: [{ start: '09:00', end: '17:00' }],
    overrides: [],
    coveredYears: [],
  };
}
const NINE_TO_FIVE = [{ start: '09:00', end: '17:00' }];
const newYork = dstCalendar('America/New_York', [
  [],
  NINE_TO_FIVE,
  NINE_TO_FIVE,
  NINE_TO_FIVE,
  NINE_TO_FIVE,
  NINE_TO_FIVE,
  [],
]);
const ALL_DAY = [{ start: '00:00', end: '24:00' }];
const berlin24x7 = dstCalendar('Europe/Berlin', [
  ALL_DAY,
  ALL_DAY,
  ALL_DAY,
  ALL_DAY,
  ALL_DAY,
  ALL_DAY,
  ALL_DAY,
]);
// odd periods, including ones inside the New York spring-forward gap (02:00–03:00) and fall-back overlap
const newYorkNight = dstCalendar(
  'America/New_York',
  Array.from({ length: 7 }, () => [
    { start: '00:30', end: '01:30' },
    { start: '02:15', end: '02:45' },
    { start: '03:00', end: '04:00' },
    { start: '22:00', end: '24:00' },
  ]),
);

describe('chinaCalendar (data from chinese-days)', () => {
  it('has the expected shape and is valid', () => {
    expect(cal.id).toBe('cn');
    expect(cal.name).toBe('中国大陆工作日历');
    expect(cal.timeZone).toBe(TZ);
    expect(cal.weekly[0]).toEqual([]);
    expect(cal.weekly[6]).toEqual([]);
    for (let i = 1; i <= 5; i++) {
      expect(cal.weekly[i]).toEqual([
        { start: '09:00', end: '12:00' },
        { start: '13:00', end: '18:00' },
      ]);
    }
    expect(validateCalendar(cal)).toEqual([]);
  });

  it('covers 2024 through the latest year in the package', () => {
    const latest = Math.max(...chinaDataYears());
    expect(latest).toBeGreaterThanOrEqual(2026);
    expect(cal.coveredYears).toEqual(Array.from({ length: latest - 2024 + 1 }, (_, i) => 2024 + i));
    expect(cal.overrides.every((o) => Number(o.date.slice(0, 4)) >= 2024)).toBe(true);
    expect(chinaOverridesForYear(1990)).toEqual([]);
    expect(chinaOverridesForYear(latest + 1)).toEqual([]);
  });

  it('has the 2025 make-up workdays and holidays with Chinese names', () => {
    const o2025 = chinaOverridesForYear(2025);
    const byDate = new Map(o2025.map((o) => [o.date, o]));
    expect(byDate.get('2025-09-28')).toEqual({ date: '2025-09-28', kind: 'workday', name: '国庆节' });
    expect(byDate.get('2025-10-11')).toEqual({ date: '2025-10-11', kind: 'workday', name: '国庆节' });
    expect(byDate.get('2025-01-26')).toMatchObject({ kind: 'workday', name: '春节' });
    expect(byDate.get('2025-02-08')).toMatchObject({ kind: 'workday', name: '春节' });
    expect(byDate.get('2025-10-01')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(byDate.get('2025-10-06')).toMatchObject({ kind: 'holiday', name: '中秋' });
    expect(byDate.get('2025-01-28')).toMatchObject({ kind: 'holiday', name: '春节' });
    expect(o2025.filter((o) => o.kind === 'workday').map((o) => o.date)).toEqual([
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
    ]);
    // returned arrays are copies
    o2025[0].name = 'changed';
    expect(chinaOverridesForYear(2025)[0].name).not.toBe('changed');
  });

  it('has the 2026 arrangements', () => {
    const byDate = new Map(chinaOverridesForYear(2026).map((o) => [o.date, o]));
    expect(byDate.get('2026-01-04')).toMatchObject({ kind: 'workday', name: '元旦' });
    expect(byDate.get('2026-02-14')).toMatchObject({ kind: 'workday', name: '春节' });
    expect(byDate.get('2026-02-28')).toMatchObject({ kind: 'workday', name: '春节' });
    expect(byDate.get('2026-09-20')).toMatchObject({ kind: 'workday', name: '国庆节' });
    expect(byDate.get('2026-10-10')).toMatchObject({ kind: 'workday', name: '国庆节' });
    expect(byDate.get('2026-09-25')).toMatchObject({ kind: 'holiday', name: '中秋' });
    expect(byDate.get('2026-10-07')).toMatchObject({ kind: 'holiday', name: '国庆节' });
  });

  it('agrees with chinese-days isWorkday on every day of the covered years', () => {
    for (const year of cal.coveredYears) {
      for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
        expect([d, isWorkingDay(cal, d)]).toEqual([d, chineseDaysLib.isWorkday(d)]);
      }
    }
  });
});

describe('working days and periods', () => {
  it('weekdays, weekends, holidays and make-up days', () => {
    expect(isWorkingDay(cal, '2025-11-04')).toBe(true); // Tuesday
    expect(isWorkingDay(cal, '2025-11-08')).toBe(false); // Saturday
    expect(isWorkingDay(cal, '2025-10-01')).toBe(false); // 国庆节, Wednesday
    expect(isWorkingDay(cal, '2025-10-06')).toBe(false); // 中秋, Monday
    expect(isWorkingDay(cal, '2025-09-28')).toBe(true); // make-up Sunday
    expect(isWorkingDay(cal, '2025-10-11')).toBe(true); // make-up Saturday
    expect(isWorkingDay(cal, '2026-02-16')).toBe(false); // 春节, Monday
    expect(isWorkingDay(cal, '2026-02-14')).toBe(true); // make-up Saturday
    expect(isWorkingDay(cal, '2027-03-01')).toBe(true); // beyond the data: weekly pattern still applies
  });

  it('workingPeriodsOn', () => {
    const std = [
      { start: '09:00', end: '12:00' },
      { start: '13:00', end: '18:00' },
    ];
    expect(workingPeriodsOn(cal, '2025-11-04')).toEqual(std);
    expect(workingPeriodsOn(cal, '2025-10-11')).toEqual(std);
    expect(workingPeriodsOn(cal, '2025-10-03')).toEqual([]);
    expect(workingPeriodsOn(cal, '2025-11-09')).toEqual([]);
  });

  it('uses explicit periods of a workday override and the weekday pattern otherwise', () => {
    const custom: BusinessCalendar = {
      ...cal,
      id: 'custom',
      overrides: [
        { date: '2025-11-08', kind: 'workday', periods: [{ start: '10:00', end: '14:00' }] },
        { date: '2025-11-15', kind: 'workday' },
        { date: '2025-11-05', kind: 'holiday', name: 'company day' },
      ],
    };
    expect(workingPeriodsOn(custom, '2025-11-08')).toEqual([{ start: '10:00', end: '14:00' }]);
    expect(workingPeriodsOn(custom, '2025-11-15')).toEqual(cal.workdayPeriods);
    expect(isWorkingDay(custom, '2025-11-05')).toBe(false);
    expect(cn(addBusinessMs(custom, at('2025-11-07T17:00+08:00'), 3 * H))).toBe('2025-11-08T12:00:00+08:00');
    expect(cn(addWorkingDays(custom, at('2025-11-07T17:00+08:00'), 1))).toBe('2025-11-08T14:00:00+08:00');
  });

  it('rejects malformed dates', () => {
    expect(() => isWorkingDay(cal, '2025-02-30')).toThrow(RangeError);
    expect(() => workingPeriodsOn(cal, '20251001')).toThrow(RangeError);
  });
});

describe('business hours on an ordinary week (2025-11-03 Mon … 2025-11-07 Fri)', () => {
  it('counts from the next working period when started outside working hours', () => {
    expect(bh('2025-11-04T08:00+08:00', 1)).toBe('2025-11-04T10:00:00+08:00');
    expect(bh('2025-11-04T12:00+08:00', 1)).toBe('2025-11-04T14:00:00+08:00');
    expect(bh('2025-11-04T12:30+08:00', 1)).toBe('2025-11-04T14:00:00+08:00');
    expect(bh('2025-11-04T18:00+08:00', 1)).toBe('2025-11-05T10:00:00+08:00');
    expect(bh('2025-11-04T23:59+08:00', 1)).toBe('2025-11-05T10:00:00+08:00');
    expect(bh('2025-11-08T10:00+08:00', 1)).toBe('2025-11-10T10:00:00+08:00'); // Saturday → Monday
  });

  it('spans the lunch break and the night', () => {
    expect(bh('2025-11-04T11:30+08:00', 1)).toBe('2025-11-04T13:30:00+08:00');
    expect(bh('2025-11-04T15:00+08:00', 4)).toBe('2025-11-05T10:00:00+08:00');
    expect(bh('2025-11-07T17:30+08:00', 1)).toBe('2025-11-10T09:30:00+08:00'); // Friday → Monday
  });

  it('ends at the end of a period rather than the start of the next one', () => {
    expect(bh('2025-11-04T09:00+08:00', 3)).toBe('2025-11-04T12:00:00+08:00');
    expect(bh('2025-11-04T09:00+08:00', 8)).toBe('2025-11-04T18:00:00+08:00');
    expect(bh('2025-11-04T10:00+08:00', 8)).toBe('2025-11-05T10:00:00+08:00');
  });

  it('handles tiny and fractional targets', () => {
    expect(bh('2025-11-04T10:00+08:00', 0.001)).toBe('2025-11-04T10:00:03.600+08:00');
    expect(bh('2025-11-04T11:59:59+08:00', 0.001)).toBe('2025-11-04T13:00:02.600+08:00');
    expect(bh('2025-11-04T10:00+08:00', 1.5)).toBe('2025-11-04T11:30:00+08:00');
  });

  it('businessMsBetween', () => {
    const between = (a: string, b: string) => businessMsBetween(cal, at(a), at(b));
    expect(between('2025-11-04T00:00+08:00', '2025-11-05T00:00+08:00')).toBe(8 * H);
    expect(between('2025-11-03T00:00+08:00', '2025-11-10T00:00+08:00')).toBe(40 * H);
    expect(between('2025-11-04T11:00+08:00', '2025-11-04T14:00+08:00')).toBe(2 * H);
    expect(between('2025-11-04T12:10+08:00', '2025-11-04T12:50+08:00')).toBe(0);
    expect(between('2025-11-04T14:00+08:00', '2025-11-04T11:00+08:00')).toBe(0);
    expect(between('2025-11-04T14:00+08:00', '2025-11-04T14:00+08:00')).toBe(0);
  });

  it('working days end at 18:00 on the Nth working day after the start day', () => {
    expect(wd('2025-11-04T10:00+08:00', 1)).toBe('2025-11-05T18:00:00+08:00');
    expect(wd('2025-11-04T00:00+08:00', 3)).toBe('2025-11-07T18:00:00+08:00');
    expect(wd('2025-11-04T23:59+08:00', 3)).toBe('2025-11-07T18:00:00+08:00');
    expect(wd('2025-11-07T23:59+08:00', 1)).toBe('2025-11-10T18:00:00+08:00');
    expect(wd('2025-11-08T00:00+08:00', 1)).toBe('2025-11-10T18:00:00+08:00');
    expect(wd('2025-11-04T10:00+08:00', 1.2)).toBe('2025-11-06T18:00:00+08:00'); // rounded up to 2
    expect(wd('2025-11-04T10:00+08:00', 0.001)).toBe('2025-11-05T18:00:00+08:00');
  });

  it('uses the local (Shanghai) day, not the UTC day', () => {
    // 2025-11-05T00:30+08:00 is still 2025-11-04 in UTC
    expect(localDateOf(TZ, at('2025-11-05T00:30+08:00'))).toBe('2025-11-05');
    expect(wd('2025-11-05T00:30+08:00', 1)).toBe('2025-11-06T18:00:00+08:00');
    expect(localDateOf(TZ, at('2025-11-04T23:59:59.999+08:00'))).toBe('2025-11-04');
  });
});

describe('2025 National Day / Mid-Autumn (Oct 1–8 off, Sep 28 Sun and Oct 11 Sat worked)', () => {
  it('3 working-day repair clock from 2025-09-30 10:00 ends 2025-10-11 18:00 (make-up Saturday)', () => {
    expect(wd('2025-09-30T10:00+08:00', 3)).toBe('2025-10-11T18:00:00+08:00');
  });

  it('7 working-day complex repair from 2025-09-26 (Fri)', () => {
    // Sep 28 Sun (1), 29 (2), 30 (3), Oct 9 (4), 10 (5), 11 Sat (6), 13 Mon (7)
    expect(wd('2025-09-26T15:00+08:00', 7)).toBe('2025-10-13T18:00:00+08:00');
  });

  it('business hours skip the holiday week and count the make-up Sunday', () => {
    expect(bh('2025-09-30T16:00+08:00', 4)).toBe('2025-10-09T11:00:00+08:00');
    expect(bh('2025-09-26T17:00+08:00', 4)).toBe('2025-09-28T12:00:00+08:00');
    expect(bh('2025-10-03T10:00+08:00', 2)).toBe('2025-10-09T11:00:00+08:00'); // started on a holiday
    expect(bh('2025-09-30T17:59:59+08:00', 0.001)).toBe('2025-10-09T09:00:02.600+08:00');
    expect(wd('2025-10-03T10:00+08:00', 1)).toBe('2025-10-09T18:00:00+08:00');
  });

  it('businessMsBetween across the holiday weeks', () => {
    // Sep 27 Sat off, Sep 28 Sun worked, Sep 29–30 worked, Oct 1–8 off, Oct 9–11 worked, Oct 12 Sun off
    expect(businessMsBetween(cal, at('2025-09-27T00:00+08:00'), at('2025-10-13T00:00+08:00'))).toBe(
      6 * 8 * H,
    );
    expect(businessMsBetween(cal, at('2025-10-01T00:00+08:00'), at('2025-10-09T00:00+08:00'))).toBe(0);
    expect(
      elapsedFor(cal, 'business_hours', at('2025-09-30T17:00+08:00'), at('2025-10-09T10:00+08:00')),
    ).toBe(2 * H);
    expect(elapsedFor(cal, 'working_days', at('2025-09-30T17:00+08:00'), at('2025-10-09T10:00+08:00'))).toBe(
      2 * H,
    );
    expect(elapsedFor(cal, 'hours', at('2025-09-30T17:00+08:00'), at('2025-10-09T10:00+08:00'))).toBe(
      (8 * 24 + 17) * H,
    );
  });

  it('24x7 hours ignore the holiday', () => {
    const s = at('2025-09-30T10:00+08:00');
    expect(cn(deadlineFor(cal, s, { amount: 24, unit: 'hours' }))).toBe('2025-10-01T10:00:00+08:00');
    expect(cn(deadlineFor(cal, s, { amount: 8, unit: 'hours' }))).toBe('2025-09-30T18:00:00+08:00');
    expect(deadlineFor(cal, s, { amount: 0.001, unit: 'hours' }).getTime() - s.getTime()).toBe(3600);
  });
});

describe('2026 Mid-Autumn (Sep 25–27) and National Day (Oct 1–7; Sep 20 Sun and Oct 10 Sat worked)', () => {
  it('working days', () => {
    expect(wd('2026-09-30T10:00+08:00', 3)).toBe('2026-10-10T18:00:00+08:00');
    expect(wd('2026-09-30T10:00+08:00', 2)).toBe('2026-10-09T18:00:00+08:00');
    // Sep 25 Fri (中秋) off; Sep 28 (1), 29 (2), 30 (3), Oct 8 (4), Oct 9 (5)
    expect(wd('2026-09-24T15:00+08:00', 5)).toBe('2026-10-09T18:00:00+08:00');
    expect(wd('2026-09-18T15:00+08:00', 1)).toBe('2026-09-20T18:00:00+08:00'); // make-up Sunday
  });

  it('business hours', () => {
    expect(bh('2026-09-19T10:00+08:00', 1)).toBe('2026-09-20T10:00:00+08:00');
    expect(bh('2026-09-24T17:00+08:00', 2)).toBe('2026-09-28T10:00:00+08:00');
    expect(bh('2026-09-30T17:00+08:00', 9)).toBe('2026-10-08T18:00:00+08:00');
    expect(bh('2026-09-30T17:00+08:00', 10)).toBe('2026-10-09T10:00:00+08:00');
  });
});

describe('Spring Festival', () => {
  it('2025 (Jan 28 – Feb 4 off; Jan 26 Sun and Feb 8 Sat worked)', () => {
    expect(wd('2025-01-24T10:00+08:00', 3)).toBe('2025-02-05T18:00:00+08:00');
    expect(wd('2025-01-27T14:00+08:00', 7)).toBe('2025-02-12T18:00:00+08:00');
    expect(bh('2025-01-27T17:00+08:00', 4)).toBe('2025-02-05T12:00:00+08:00');
    expect(bh('2025-01-24T17:00+08:00', 2)).toBe('2025-01-26T10:00:00+08:00');
  });

  it('2026 (Feb 15–23 off; Feb 14 Sat and Feb 28 Sat worked)', () => {
    expect(wd('2026-02-12T10:00+08:00', 3)).toBe('2026-02-24T18:00:00+08:00');
    expect(wd('2026-02-24T10:00+08:00', 4)).toBe('2026-02-28T18:00:00+08:00');
    expect(businessMsBetween(cal, at('2026-02-13T00:00+08:00'), at('2026-02-25T00:00+08:00'))).toBe(24 * H);
    expect(bh('2026-02-14T16:00+08:00', 3)).toBe('2026-02-24T10:00:00+08:00');
  });
});

describe('year edges', () => {
  it('2025-12-31 → 2026 (Jan 1–3 off, Jan 4 Sun worked)', () => {
    expect(bh('2025-12-31T17:00+08:00', 2)).toBe('2026-01-04T10:00:00+08:00');
    expect(wd('2025-12-31T17:00+08:00', 1)).toBe('2026-01-04T18:00:00+08:00');
    expect(wd('2025-12-31T23:59+08:00', 2)).toBe('2026-01-05T18:00:00+08:00');
  });

  it('2024-12-31 → 2025 (Jan 1 off)', () => {
    expect(bh('2024-12-31T17:30+08:00', 1)).toBe('2025-01-02T09:30:00+08:00');
    expect(wd('2024-12-31T10:00+08:00', 1)).toBe('2025-01-02T18:00:00+08:00');
    expect(businessMsBetween(cal, at('2024-12-31T00:00+08:00'), at('2025-01-03T00:00+08:00'))).toBe(16 * H);
  });
});

describe('time-zone helpers', () => {
  it('zonedTime and toOffsetIso in Shanghai', () => {
    expect(zonedTime(TZ, '2026-10-09', '18:00').toISOString()).toBe('2026-10-09T10:00:00.000Z');
    expect(zonedTime(TZ, '2026-10-09', '24:00').toISOString()).toBe('2026-10-09T16:00:00.000Z');
    expect(toOffsetIso(TZ, new Date('2026-10-09T10:00:00Z'))).toBe('2026-10-09T18:00:00+08:00');
    expect(localDateOf(TZ, new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(localDateOf('UTC', new Date('2025-12-31T16:00:00Z'))).toBe('2025-12-31');
  });

  it('other offsets', () => {
    expect(toOffsetIso('Asia/Kolkata', new Date('2025-06-01T00:00:00Z'))).toBe('2025-06-01T05:30:00+05:30');
    expect(toOffsetIso('Asia/Kathmandu', new Date('2025-06-01T00:00:00Z'))).toBe('2025-06-01T05:45:00+05:45');
    expect(toOffsetIso('UTC', new Date('2025-06-01T00:00:00Z'))).toBe('2025-06-01T00:00:00+00:00');
    expect(toOffsetIso('America/New_York', new Date('2025-07-01T16:00:00Z'))).toBe(
      '2025-07-01T12:00:00-04:00',
    );
    expect(toOffsetIso('America/New_York', new Date('2025-01-01T16:00:00Z'))).toBe(
      '2025-01-01T11:00:00-05:00',
    );
  });

  it('DST: nonexistent times move forward, ambiguous times take the earlier instant', () => {
    expect(zonedTime('America/New_York', '2025-03-09', '02:30').toISOString()).toBe(
      '2025-03-09T07:30:00.000Z',
    );
    expect(zonedTime('America/New_York', '2025-03-09', '03:00').toISOString()).toBe(
      '2025-03-09T07:00:00.000Z',
    );
    expect(zonedTime('America/New_York', '2025-11-02', '01:30').toISOString()).toBe(
      '2025-11-02T05:30:00.000Z',
    );
    expect(zonedTime('America/New_York', '2025-11-02', '02:00').toISOString()).toBe(
      '2025-11-02T07:00:00.000Z',
    );
    expect(zonedTime('Europe/Berlin', '2025-03-30', '02:30').toISOString()).toBe('2025-03-30T01:30:00.000Z');
  });

  it('DST calendars count real elapsed working time', () => {
    // Berlin 24x7: spring-forward day has 23 hours, fall-back day 25
    const day = (d: string, tz = 'Europe/Berlin') =>
      businessMsBetween(berlin24x7, zonedTime(tz, d, '00:00'), zonedTime(tz, addDays(d, 1), '00:00'));
    expect(day('2025-03-30')).toBe(23 * H);
    expect(day('2025-10-26')).toBe(25 * H);
    expect(day('2025-10-27')).toBe(24 * H);
    // New York 9-to-5 over the spring-forward weekend
    expect(
      businessMsBetween(newYork, new Date('2025-03-07T14:00:00Z'), new Date('2025-03-10T21:00:00Z')),
    ).toBe(16 * H);
    expect(
      toOffsetIso('America/New_York', addBusinessMs(newYork, new Date('2025-03-07T22:00:00Z'), 1 * H)),
    ).toBe('2025-03-10T10:00:00-04:00');
    expect(
      toOffsetIso('America/New_York', addWorkingDays(newYork, new Date('2025-03-07T15:00:00Z'), 1)),
    ).toBe('2025-03-10T17:00:00-04:00');
  });
});

describe('validateCalendar', () => {
  it('reports problems', () => {
    const bad: BusinessCalendar = {
      id: 'x',
      name: 'bad',
      timeZone: 'Mars/Olympus_Mons',
      weekly: [
        [],
        [{ start: '9:00', end: '12:00' }],
        [{ start: '13:00', end: '12:00' }],
        [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '14:00' },
        ],
        [{ start: '09:00', end: '24:00' }],
        [{ start: '24:00', end: '24:00' }],
        [],
      ],
      workdayPeriods: [{ start: '09:00', end: '25:00' }],
      overrides: [
        { date: '2025-02-30', kind: 'holiday' },
        { date: '2025-10-01', kind: 'holiday' },
        { date: '2025-10-01', kind: 'workday' },
        { date: '2025-10-02', kind: 'holiday', periods: [{ start: '09:00', end: '10:00' }] },
      ],
      coveredYears: [2025],
    };
    const problems = validateCalendar(bad);
    const has = (re: RegExp) =>
      expect(
        problems.some((p) => re.test(p)),
        `${re} in ${JSON.stringify(problems, null, 1)}`,
      ).toBe(true);
    has(/unknown time zone/);
    has(/Monday.*bad start time "9:00"/);
    has(/Tuesday.*not before/);
    has(/Wednesday.*overlap/);
    has(/Friday.*bad start time "24:00"/);
    has(/workdayPeriods.*bad end time "25:00"/);
    has(/bad date "2025-02-30"/);
    has(/duplicate override for 2025-10-01/);
    has(/only allowed on workday/);
    expect(problems.some((p) => /Thursday/.test(p))).toBe(false); // 09:00–24:00 is fine
  });

  it('flags a calendar without any working time', () => {
    const none: BusinessCalendar = { ...cal, weekly: [[], [], [], [], [], [], []], overrides: [] };
    expect(validateCalendar(none)).toContain('calendar has no working time at all');
    expect(() => addBusinessMs(none, at('2025-11-04T10:00+08:00'), H)).toThrow(/no working time/);
    expect(() => addWorkingDays(none, at('2025-11-04T10:00+08:00'), 1)).toThrow(/no working days/);
    expect(businessMsBetween(none, at('2025-11-04T10:00+08:00'), at('2026-11-04T10:00+08:00'))).toBe(0);
  });
});

describe('properties', () => {
  // Instants from late 2023 to early 2027: across all covered years and beyond the data on both sides.
  const instant = fc
    .integer({ min: Date.UTC(2023, 10, 1), max: Date.UTC(2027, 2, 1) })
    .map((t) => new Date(t));
  // Also instants aligned to whole minutes/period boundaries, which hit the edge cases more often.
  const boundaryInstant = fc
    .tuple(
      fc.integer({ min: 0, max: 1200 }),
      fc.constantFrom('00:00', '08:59', '09:00', '12:00', '12:30', '13:00', '17:59', '18:00', '23:59'),
    )
    .map(([days, hhmm]) => zonedTime(TZ, addDays('2023-12-01', days), hhmm));
  const start = fc.oneof(instant, boundaryInstant);
  const businessMs = fc.oneof(
    fc.integer({ min: 1, max: 300 * H }),
    fc.integer({ min: 1, max: 8 }).map((h) => h * H),
  );

  it('businessMsBetween(start, addBusinessMs(start, ms)) === ms', () => {
    fc.assert(
      fc.property(start, businessMs, (s, ms) => {
        expect(businessMsBetween(cal, s, addBusinessMs(cal, s, ms))).toBe(ms);
      }),
      { numRuns: 500 },
    );
  });

  it('the same round trip holds in DST zones with odd periods', () => {
    const dstInstant = fc
      .integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) })
      .map((t) => new Date(t));
    for (const c of [newYork, berlin24x7, newYorkNight]) {
      fc.assert(
        fc.property(dstInstant, fc.integer({ min: 1, max: 100 * H }), (s, ms) => {
          expect(businessMsBetween(c, s, addBusinessMs(c, s, ms))).toBe(ms);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('addBusinessMs is additive and businessMsBetween is additive over adjacent ranges', () => {
    fc.assert(
      fc.property(start, businessMs, businessMs, (s, a, b) => {
        expect(addBusinessMs(cal, addBusinessMs(cal, s, a), b).getTime()).toBe(
          addBusinessMs(cal, s, a + b).getTime(),
        );
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime());
        expect(businessMsBetween(cal, a, b) + businessMsBetween(cal, b, c)).toBe(
          businessMsBetween(cal, a, c),
        );
        expect(businessMsBetween(cal, a, c)).toBeLessThanOrEqual(c.getTime() - a.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('subtractBusinessMs goes back exactly that much working time, to the latest such instant', () => {
    fc.assert(
      fc.property(instant, businessMs, (end, ms) => {
        const back = subtractBusinessMs(cal, end, ms);
        expect(businessMsBetween(cal, back, end)).toBe(ms);
        // The latest: a millisecond later is less working time before `end`.
        if (ms > 0) expect(businessMsBetween(cal, new Date(back.getTime() + 1), end)).toBe(ms - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('deadlines are monotonic in the amount', () => {
    const unit = fc.constantFrom<TargetUnit>('hours', 'business_hours', 'working_days');
    const amount = fc.double({ min: 0.001, max: 200, noNaN: true });
    fc.assert(
      fc.property(start, unit, amount, amount, (s, u, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const dLo = deadlineFor(cal, s, { amount: lo, unit: u }).getTime();
        const dHi = deadlineFor(cal, s, { amount: hi, unit: u }).getTime();
        expect(dLo).toBeLessThanOrEqual(dHi);
        expect(dLo).toBeGreaterThan(s.getTime());
      }),
      { numRuns: 500 },
    );
  });

  it('a business-hours deadline falls inside or at the end of a working period', () => {
    fc.assert(
      fc.property(start, fc.double({ min: 0.001, max: 200, noNaN: true }), (s, hours) => {
        const d = deadlineFor(cal, s, { amount: hours, unit: 'business_hours' });
        const day = localDateOf(TZ, d);
        const inside = workingPeriodsOn(cal, day).some(
          (p) => zonedTime(TZ, day, p.start) < d && d <= zonedTime(TZ, day, p.end),
        );
        expect(inside, `${cn(s)} + ${hours} bh = ${cn(d)}`).toBe(true);
        expect(elapsedFor(cal, 'business_hours', s, d)).toBe(Math.round(hours * H));
      }),
      { numRuns: 500 },
    );
  });

  it('addWorkingDays lands at 18:00 local on the Nth working day after the start day', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 25 }), (s, n) => {
        const d = addWorkingDays(cal, s, n);
        expect(cn(d)).toMatch(/T18:00:00\+08:00$/);
        const endDay = localDateOf(TZ, d);
        expect(isWorkingDay(cal, endDay)).toBe(true);
        let count = 0;
        for (let day = addDays(localDateOf(TZ, s), 1); day <= endDay; day = addDays(day, 1)) {
          if (isWorkingDay(cal, day)) count++;
        }
        expect(count).toBe(n);
        // fractional amounts round up
        expect(deadlineFor(cal, s, { amount: n - 0.5, unit: 'working_days' }).getTime()).toBe(d.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it("'hours' is pure 24x7", () => {
    fc.assert(
      fc.property(start, fc.double({ min: 0, max: 2000, noNaN: true }), (s, hours) => {
        const d = deadlineFor(cal, s, { amount: hours, unit: 'hours' });
        expect(d.getTime() - s.getTime()).toBe(Math.round(hours * H));
        expect(elapsedFor(cal, 'hours', s, d)).toBe(d.getTime() - s.getTime());
      }),
      { numRuns: 300 },
    );
  });

  it('toOffsetIso round-trips through Date parsing and agrees with localDateOf', () => {
    fc.assert(
      fc.property(
        instant,
        fc.constantFrom(TZ, 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'UTC'),
        (s, tz) => {
          const text = toOffsetIso(tz, s);
          expect(new Date(text).getTime()).toBe(s.getTime());
          expect(text.slice(0, 10)).toBe(localDateOf(tz, s));
        },
      ),
      { numRuns: 300 },
    );
  });
});
