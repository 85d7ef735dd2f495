// The default mainland-China business calendar: Mon–Fri 09:00–12:00 and 13:00–18:00 (Asia/Shanghai) with the
// State Council holiday arrangements and make-up working days (调休), taken from the `chinese-days` package.
//
// The data comes from the package's published JSON (dist/chinese-days.json, also documented in its README as
// the non-JS way to consume it): { holidays, workdays, inLieuDays }, each mapping 'YYYY-MM-DD' to
// "English name,中文名,statutory days", e.g. "National Day,国庆节,3". `holidays` are days off (including the
// weekend days inside a holiday block), `workdays` are the make-up working days; `inLieuDays` (holidays
// that are paid back by make-up days) is informational and not needed for the arithmetic.
import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { BusinessCalendar, DayOverride, WorkingPeriod } from './calendar.js';

/** First year whose arrangements the default calendar includes. */
export const CHINA_FIRST_YEAR = 2024;

const STANDARD_DAY: WorkingPeriod[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
];

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const data = chineseDays as unknown as ChineseDaysData;

/** "National Day,国庆节,3" → "国庆节" (the Chinese name is the second-to-last comma-separated field). */
function chineseName(description: string): string {
  const fields = description.split(',');
  return (fields.length >= 2 ? fields[fields.length - 2] : fields[0]).trim();
}

let byYear: Map<number, DayOverride[]> | undefined;

function overridesByYear(): Map<number, DayOverride[]> {
  if (byYear) return byYear;
  const map = new Map<number, DayOverride[]>();
  const add = (date: string, kind: DayOverride['kind'], description: string) => {
    const year = Number(date.slice(0, 4));
    let list = map.get(year);
    if (!list) {
      list = [];
      map.set(year, list);
    }
    list.push({ date, kind, name: chineseName(description) });
  };
  for (const [date, description] of Object.entries(data.holidays)) add(date, 'holiday', description);
  // A date listed as a make-up workday wins over a holiday entry for the same date (none in the data today).
  for (const [date, description] of Object.entries(data.workdays)) {
    const list = map.get(Number(date.slice(0, 4)));
    const i = list ? list.findIndex((o) => o.date === date) : -1;
    if (list && i >= 0) list.splice(i, 1);
    add(date, 'workday', description);
  }
  for (const list of map.values()) list.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  byYear = map;
  return map;
}

/** Holidays and make-up workdays of one year from the chinese-days data; [] when the package has none. */
export function chinaOverridesForYear(year: number): DayOverride[] {
  return (overridesByYear().get(year) ?? []).map((o) => ({ ...o }));
}

/** Years (ascending) for which the installed chinese-days package has holiday data. */
export function chinaDataYears(): number[] {
  return [...overridesByYear().keys()].sort((a, b) => a - b);
}

/** The default mainland-China calendar, with arrangements from 2024 through the latest year in the data. */
export function chinaCalendar(): BusinessCalendar {
  const years = chinaDataYears().filter((y) => y >= CHINA_FIRST_YEAR);
  const day = () => STANDARD_DAY.map((p) => ({ ...p }));
  return {
    id: 'cn',
    name: '中国大陆工作日历',
    timeZone: 'Asia/Shanghai',
    weekly: [[], day(), day(), day(), day(), day(), []],
    workdayPeriods: day(),
    overrides: years.flatMap((y) => chinaOverridesForYear(y)),
    coveredYears: years,
  };
}
