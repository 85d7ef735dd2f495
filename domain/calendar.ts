// Business calendars and SLA-deadline arithmetic.
//
// Pure and deterministic: no I/O, no Node built-ins, no imports. Safe to use from Temporal workflow code.
// Local dates are 'YYYY-MM-DD' strings (internally: day numbers since 1970-01-01), local wall times are
// 'HH:MM' strings ('24:00' is accepted as a period end). Time-zone offsets come from Intl.DateTimeFormat,
// so zones with daylight-saving time work; a wall time that does not exist (spring-forward gap) is moved
// forward by the length of the gap and an ambiguous one (fall-back) takes the earlier instant.
//
// Calendars are treated as immutable values: a per-calendar index (parsed periods, overrides by day) is
// cached in a WeakMap and rebuilt only when the calendar's top-level fields are replaced.

export interface WorkingPeriod {
  start: string;
  end: string;
} // local "HH:MM", start < end, e.g. {start:'09:00', end:'12:00'}

export type DayOverride = {
  date: string; // YYYY-MM-DD local
  kind: 'holiday' | 'workday';
  name?: string;
  periods?: WorkingPeriod[]; // workday only; default = the calendar's standard workday periods
};

export interface BusinessCalendar {
  id: string;
  name: string;
  timeZone: string; // IANA, e.g. 'Asia/Shanghai'
  weekly: WorkingPeriod[][]; // index 0 = Sunday … 6 = Saturday; [] = not a working day
  workdayPeriods: WorkingPeriod[]; // periods used for make-up workdays (调休) that fall on weekends
  overrides: DayOverride[]; // holidays and make-up working days
  coveredYears: number[]; // years for which overrides data is present
}

export type TargetUnit = 'hours' | 'business_hours' | 'working_days';

export interface Target {
  amount: number;
  unit: TargetUnit;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Give up after this many consecutive days without working time (the calendar has none left). */
const MAX_IDLE_DAYS = 3_700;

// ---------------------------------------------------------------------------------------------------------
// Civil-date helpers (proleptic Gregorian, via Date.UTC — independent of the process time zone)

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HHMM_RE = /^(\d{2}):(\d{2})$/;

function parseDateOrNull(localDate: string): number | null {
  const m = typeof localDate === 'string' ? DATE_RE.exec(localDate) : null;
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

function dayNumber(localDate: string): number {
  const n = parseDateOrNull(localDate);
  if (n === null) throw new RangeError(`invalid local date "${localDate}" (expected YYYY-MM-DD)`);
  return n;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function dateString(day: number): string {
  const d = new Date(day * DAY_MS);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function parseHHMMOrNull(hhmm: string, allow24: boolean): number | null {
  const m = typeof hhmm === 'string' ? HHMM_RE.exec(hhmm) : null;
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h < 24) return h * 60 + min;
  if (allow24 && h === 24 && min === 0) return 1440;
  return null;
}

function minutesOf(hhmm: string): number {
  const n = parseHHMMOrNull(hhmm, true);
  if (n === null) throw new RangeError(`invalid wall time "${hhmm}" (expected HH:MM)`);
  return n;
}

// ---------------------------------------------------------------------------------------------------------
// Time-zone helpers (Intl), with formatter and per-day offset caches

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(timeZone: string, epochMs: number): WallClock {
  const parts = formatterFor(timeZone).formatToParts(epochMs);
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        w.year = Number(p.value);
        break;
      case 'month':
        w.month = Number(p.value);
        break;
      case 'day':
        w.day = Number(p.value);
        break;
      case 'hour':
        w.hour = Number(p.value) % 24; // some engines print midnight as 24
        break;
      case 'minute':
        w.minute = Number(p.value);
        break;
      case 'second':
        w.second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
    }
  }
  if (bc) w.year = 1 - w.year;
  return w;
}

function utcOfWall(w: WallClock): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day); // setUTCFullYear keeps years 0–99 literal
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

/** Offset (local − UTC) in ms of the zone at an instant, at second precision. */
function offsetAt(timeZone: string, epochMs: number): number {
  const floored = Math.floor(epochMs / 1000) * 1000;
  return utcOfWall(wallClock(timeZone, floored)) - floored;
}

const OFFSET_CACHE_LIMIT = 50_000;
/** `${timeZone}|${day}` → the offset valid for the whole local day, or null if a transition is near. */
const dayOffsets = new Map<string, number | null>();

function dayOffset(timeZone: string, day: number): number | null {
  const key = `${timeZone}|${day}`;
  const cached = dayOffsets.get(key);
  if (cached !== undefined) return cached;
  // Offsets are less than a day, so the local day [day, day+1) lies within the UTC window [day-1, day+2].
  const before = offsetAt(timeZone, (day - 1) * DAY_MS);
  const after = offsetAt(timeZone, (day + 2) * DAY_MS);
  const result = before === after ? before : null;
  if (dayOffsets.size >= OFFSET_CACHE_LIMIT) dayOffsets.clear();
  dayOffsets.set(key, result);
  return result;
}

/** Instant of a local wall time given as ms since 1970-01-01T00:00 local. */
function instantOfLocal(timeZone: string, localMs: number): number {
  const fixed = dayOffset(timeZone, Math.floor(localMs / DAY_MS));
  if (fixed !== null) return localMs - fixed;
  const before = offsetAt(timeZone, localMs - DAY_MS);
  const after = offsetAt(timeZone, localMs + DAY_MS);
  const a = localMs - before;
  const b = localMs - after;
  const aValid = offsetAt(timeZone, a) === before;
  const bValid = offsetAt(timeZone, b) === after;
  if (aValid && bValid) return Math.min(a, b); // ambiguous (fall back): earlier instant
  if (aValid) return a;
  if (bValid) return b;
  return a; // nonexistent (spring forward): shift forward by the gap
}

function localDayOf(timeZone: string, epochMs: number): number {
  const w = wallClock(timeZone, epochMs);
  return Math.floor(utcOfWall(w) / DAY_MS);
}

/** Local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDateOf(timeZone: string, instant: Date): string {
  return dateString(localDayOf(timeZone, instant.getTime()));
}

/** The instant at which the local wall time `hhmm` ('HH:MM', '24:00' allowed) occurs on `localDate`. */
export function zonedTime(timeZone: string, localDate: string, hhmm: string): Date {
  return new Date(instantOfLocal(timeZone, dayNumber(localDate) * DAY_MS + minutesOf(hhmm) * MINUTE_MS));
}

/** ISO 8601 with the zone's UTC offset, e.g. '2026-10-09T18:00:00+08:00' (milliseconds only when non-zero). */
export function toOffsetIso(timeZone: string, instant: Date): string {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError('invalid Date');
  const floored = Math.floor(t / 1000) * 1000;
  const w = wallClock(timeZone, floored);
  const offset = utcOfWall(w) - floored;
  const ms = t - floored;
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 1000;
  const oh = Math.floor(abs / 3600);
  const om = Math.floor((abs % 3600) / 60);
  const os = abs % 60;
  const year =
    w.year >= 0 && w.year <= 9999 ? pad(w.year, 4) : (w.year < 0 ? '-' : '+') + pad(Math.abs(w.year), 6);
  return (
    `${year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` +
    (ms ? `.${pad(ms, 3)}` : '') +
    `${sign}${pad(oh)}:${pad(om)}` +
    (os ? `:${pad(os)}` : '')
  );
}

// ---------------------------------------------------------------------------------------------------------
// Calendar index

/** A working period as minutes after local midnight, plus the original strings. */
interface Span {
  from: number;
  to: number;
  period: WorkingPeriod;
}

interface CalendarIndex {
  // fields the index was built from; a mismatch means the calendar was mutated and the index is stale
  timeZone: string;
  weeklyRef: WorkingPeriod[][];
  workdayRef: WorkingPeriod[];
  overridesRef: DayOverride[];
  overridesLength: number;
  weekly: Span[][];
  workday: Span[];
  overrides: Map<number, { kind: 'holiday' | 'workday'; spans: Span[] | null }>;
}

const indexes = new WeakMap<BusinessCalendar, CalendarIndex>();

function toSpans(periods: readonly WorkingPeriod[] | undefined): Span[] {
  const spans: Span[] = [];
  for (const p of periods ?? []) {
    const from = minutesOf(p.start);
    const to = minutesOf(p.end);
    if (to > from) spans.push({ from, to, period: p });
  }
  return spans.sort((x, y) => x.from - y.from || x.to - y.to);
}

function indexOf(cal: BusinessCalendar): CalendarIndex {
  const cached = indexes.get(cal);
  if (
    cached &&
    cached.timeZone === cal.timeZone &&
    cached.weeklyRef === cal.weekly &&
    cached.workdayRef === cal.workdayPeriods &&
    cached.overridesRef === cal.overrides &&
    cached.overridesLength === cal.overrides.length
  ) {
    return cached;
  }
  const overrides = new Map<number, { kind: 'holiday' | 'workday'; spans: Span[] | null }>();
  for (const o of cal.overrides ?? []) {
    overrides.set(dayNumber(o.date), {
      kind: o.kind,
      spans: o.kind === 'workday' && o.periods ? toSpans(o.periods) : null,
    });
  }
  const weekly: Span[][] = [];
  for (let i = 0; i < 7; i++) weekly.push(toSpans(cal.weekly?.[i]));
  const index: CalendarIndex = {
    timeZone: cal.timeZone,
    weeklyRef: cal.weekly,
    workdayRef: cal.workdayPeriods,
    overridesRef: cal.overrides,
    overridesLength: cal.overrides?.length ?? 0,
    weekly,
    workday: toSpans(cal.workdayPeriods),
    overrides,
  };
  indexes.set(cal, index);
  return index;
}

function spansOn(index: CalendarIndex, day: number): Span[] {
  const o = index.overrides.get(day);
  const regular = index.weekly[weekdayOf(day)];
  if (!o) return regular;
  if (o.kind === 'holiday') return [];
  if (o.spans) return o.spans;
  // A make-up workday on a day that already has working periods keeps them; otherwise (weekends) it
  // uses the calendar's standard workday periods.
  return regular.length > 0 ? regular : index.workday;
}

/**
 * Walks the working intervals (as epoch-ms [start, end) pairs, strictly increasing and non-overlapping)
 * from local day `firstDay` to `lastDay`, until `visit` returns true. Whole non-working days cost a map lookup.
 */
function walkIntervals(
  cal: BusinessCalendar,
  firstDay: number,
  visit: (start: number, end: number, day: number) => boolean,
  lastDay = Number.POSITIVE_INFINITY,
): void {
  const index = indexOf(cal);
  const tz = cal.timeZone;
  let lastEnd = Number.NEGATIVE_INFINITY;
  let idle = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    const spans = spansOn(index, day);
    let worked = false;
    for (const s of spans) {
      const base = day * DAY_MS;
      const start = Math.max(instantOfLocal(tz, base + s.from * MINUTE_MS), lastEnd);
      const end = instantOfLocal(tz, base + s.to * MINUTE_MS);
      if (end <= start) continue;
      worked = true;
      lastEnd = end;
      if (visit(start, end, day)) return;
    }
    if (worked) idle = 0;
    else if (++idle > MAX_IDLE_DAYS) {
      throw new RangeError(`calendar "${cal.id}" has no working time after ${dateString(day - idle)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Public calendar API

/** Working periods on a local date (sorted by start); [] on holidays and days off. */
export function workingPeriodsOn(cal: BusinessCalendar, localDate: string): WorkingPeriod[] {
  return spansOn(indexOf(cal), dayNumber(localDate)).map((s) => s.period);
}

/** True when the local date has at least one working period. */
export function isWorkingDay(cal: BusinessCalendar, localDate: string): boolean {
  return spansOn(indexOf(cal), dayNumber(localDate)).length > 0;
}

function checkInstant(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid Date`);
  return t;
}

/**
 * The instant at which `ms` of working time (counting only working periods) has elapsed after `start`.
 * A clock started outside working hours starts counting at the next working period. The result lies inside
 * a working period or exactly at its end (never at the start of the next one). `ms` is rounded to a whole
 * millisecond; ms <= 0 returns `start` unchanged.
 */
export function addBusinessMs(cal: BusinessCalendar, start: Date, ms: number): Date {
  const t0 = checkInstant(start, 'start');
  if (!Number.isFinite(ms)) throw new RangeError(`invalid duration ${ms}`);
  let remaining = Math.round(ms);
  if (remaining <= 0) return new Date(t0);
  let result = t0;
  walkIntervals(cal, localDayOf(cal.timeZone, t0), (s, e) => {
    if (e <= t0) return false;
    const from = Math.max(s, t0);
    const available = e - from;
    if (remaining <= available) {
      result = from + remaining;
      return true;
    }
    remaining -= available;
    return false;
  });
  return new Date(result);
}

/**
 * The latest instant from which `ms` of working time runs up to `end`: addBusinessMs backwards, so an
 * overdue clock's deadline can be placed the working time it is overdue before the instant it runs again.
 * The result lies inside a working period or exactly at its start. ms <= 0 returns `end` unchanged.
 */
export function subtractBusinessMs(cal: BusinessCalendar, end: Date, ms: number): Date {
  const t0 = checkInstant(end, 'end');
  if (!Number.isFinite(ms)) throw new RangeError(`invalid duration ${ms}`);
  let remaining = Math.round(ms);
  if (remaining <= 0) return new Date(t0);
  const index = indexOf(cal);
  const tz = cal.timeZone;
  // Intervals are visited latest first; `limit` keeps each one before the one after it (a period that a
  // clock change made overlap the next) and before `end`.
  let limit = t0;
  let idle = 0;
  for (let day = localDayOf(tz, t0); ; day--) {
    const spans = spansOn(index, day);
    let worked = false;
    for (let i = spans.length - 1; i >= 0; i--) {
      const base = day * DAY_MS;
      const start = instantOfLocal(tz, base + spans[i].from * MINUTE_MS);
      const stop = Math.min(instantOfLocal(tz, base + spans[i].to * MINUTE_MS), limit);
      if (stop <= start) continue;
      worked = true;
      if (remaining <= stop - start) return new Date(stop - remaining);
      remaining -= stop - start;
      limit = start;
    }
    if (worked) idle = 0;
    else if (++idle > MAX_IDLE_DAYS) {
      throw new RangeError(`calendar "${cal.id}" has no working time before ${dateString(day + idle)}`);
    }
  }
}

/** Working time in ms within [from, to); 0 when to <= from. */
export function businessMsBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const a = checkInstant(from, 'from');
  const b = checkInstant(to, 'to');
  if (b <= a) return 0;
  let total = 0;
  walkIntervals(
    cal,
    localDayOf(cal.timeZone, a),
    (s, e) => {
      if (s >= b) return true;
      if (e > a) total += Math.min(e, b) - Math.max(s, a);
      return false;
    },
    localDayOf(cal.timeZone, b) + 1,
  );
  return total;
}

/**
 * End of the last working period (e.g. 18:00 local) of the Nth working day after the local day on which
 * `start` falls. Fractional n is rounded up; n < 1 is treated as 1.
 */
export function addWorkingDays(cal: BusinessCalendar, start: Date, n: number): Date {
  const t0 = checkInstant(start, 'start');
  if (!Number.isFinite(n)) throw new RangeError(`invalid number of working days ${n}`);
  let left = Math.max(1, Math.ceil(n));
  const index = indexOf(cal);
  let day = localDayOf(cal.timeZone, t0);
  let idle = 0;
  for (;;) {
    day++;
    const spans = spansOn(index, day);
    if (spans.length === 0) {
      if (++idle > MAX_IDLE_DAYS) {
        throw new RangeError(`calendar "${cal.id}" has no working days after ${dateString(day - idle)}`);
      }
      continue;
    }
    idle = 0;
    if (--left === 0) {
      const last = spans.reduce((m, s) => Math.max(m, s.to), 0);
      return new Date(instantOfLocal(cal.timeZone, day * DAY_MS + last * MINUTE_MS));
    }
  }
}

/**
 * Deadline of a target started at `start`: 'hours' is 24×7 wall-clock time, 'business_hours' counts only
 * working periods, 'working_days' ends at the close of the Nth working day after the start day.
 */
export function deadlineFor(cal: BusinessCalendar, start: Date, target: Target): Date {
  const t0 = checkInstant(start, 'start');
  const { amount, unit } = target;
  if (!Number.isFinite(amount)) throw new RangeError(`invalid target amount ${amount}`);
  switch (unit) {
    case 'hours':
      return new Date(t0 + Math.max(0, Math.round(amount * HOUR_MS)));
    case 'business_hours':
      return addBusinessMs(cal, start, Math.round(amount * HOUR_MS));
    case 'working_days':
      return addWorkingDays(cal, start, amount);
    default:
      throw new RangeError(`unknown target unit "${String(unit)}"`);
  }
}

/** Milliseconds elapsed between two instants on the unit's clock: 24×7 for 'hours', business time otherwise. */
export function elapsedFor(cal: BusinessCalendar, unit: TargetUnit, from: Date, to: Date): number {
  if (unit === 'hours') {
    const a = checkInstant(from, 'from');
    const b = checkInstant(to, 'to');
    return b > a ? b - a : 0;
  }
  if (unit !== 'business_hours' && unit !== 'working_days') {
    throw new RangeError(`unknown target unit "${String(unit)}"`);
  }
  return businessMsBetween(cal, from, to);
}

// ---------------------------------------------------------------------------------------------------------
// Validation

function isValidTimeZone(timeZone: unknown): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function checkPeriods(where: string, periods: unknown, problems: string[]): void {
  if (!Array.isArray(periods)) {
    problems.push(`${where}: periods must be an array`);
    return;
  }
  const ok: { from: number; to: number; text: string }[] = [];
  periods.forEach((p: unknown, i: number) => {
    const label = `${where} period ${i + 1}`;
    if (typeof p !== 'object' || p === null) {
      problems.push(`${label}: not a {start, end} object`);
      return;
    }
    const { start, end } = p as { start?: unknown; end?: unknown };
    const from = typeof start === 'string' ? parseHHMMOrNull(start, false) : null;
    const to = typeof end === 'string' ? parseHHMMOrNull(end, true) : null;
    if (from === null)
      problems.push(`${label}: bad start time ${JSON.stringify(start)} (expected HH:MM, 00:00–23:59)`);
    if (to === null)
      problems.push(`${label}: bad end time ${JSON.stringify(end)} (expected HH:MM, 00:00–24:00)`);
    if (from === null || to === null) return;
    if (from >= to) {
      problems.push(`${label}: start ${start} is not before end ${end}`);
      return;
    }
    ok.push({ from, to, text: `${start}–${end}` });
  });
  ok.sort((x, y) => x.from - y.from);
  for (let i = 1; i < ok.length; i++) {
    if (ok[i].from < ok[i - 1].to)
      problems.push(`${where}: periods ${ok[i - 1].text} and ${ok[i].text} overlap`);
  }
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Human-readable problems with a calendar; [] when it is valid. */
export function validateCalendar(cal: BusinessCalendar): string[] {
  const problems: string[] = [];
  if (typeof cal !== 'object' || cal === null) return ['calendar must be an object'];
  if (typeof cal.id !== 'string' || cal.id.trim() === '') problems.push('id must be a non-empty string');
  if (typeof cal.name !== 'string' || cal.name.trim() === '')
    problems.push('name must be a non-empty string');
  if (!isValidTimeZone(cal.timeZone)) problems.push(`unknown time zone ${JSON.stringify(cal.timeZone)}`);

  let anyWeekly = false;
  if (!Array.isArray(cal.weekly) || cal.weekly.length !== 7) {
    problems.push('weekly must have 7 entries (index 0 = Sunday … 6 = Saturday)');
  } else {
    cal.weekly.forEach((periods, i) => {
      checkPeriods(`weekly ${WEEKDAY_NAMES[i]}`, periods, problems);
      if (Array.isArray(periods) && periods.length > 0) anyWeekly = true;
    });
  }
  checkPeriods('workdayPeriods', cal.workdayPeriods, problems);

  let anyWorkdayOverride = false;
  if (!Array.isArray(cal.overrides)) {
    problems.push('overrides must be an array');
  } else {
    const seen = new Set<string>();
    cal.overrides.forEach((o, i) => {
      const label = `override ${i + 1}${o && typeof o.date === 'string' ? ` (${o.date})` : ''}`;
      if (typeof o !== 'object' || o === null) {
        problems.push(`${label}: not an object`);
        return;
      }
      if (parseDateOrNull(o.date) === null)
        problems.push(`${label}: bad date ${JSON.stringify(o.date)} (expected YYYY-MM-DD)`);
      else if (seen.has(o.date)) problems.push(`${label}: duplicate override for ${o.date}`);
      else seen.add(o.date);
      if (o.kind !== 'holiday' && o.kind !== 'workday') {
        problems.push(`${label}: kind must be 'holiday' or 'workday', got ${JSON.stringify(o.kind)}`);
      }
      if (o.name !== undefined && typeof o.name !== 'string')
        problems.push(`${label}: name must be a string`);
      if (o.periods !== undefined) {
        if (o.kind === 'holiday') problems.push(`${label}: periods are only allowed on workday overrides`);
        else if (Array.isArray(o.periods) && o.periods.length === 0)
          problems.push(`${label}: workday override has no periods`);
        else checkPeriods(label, o.periods, problems);
      }
      if (o.kind === 'workday') {
        anyWorkdayOverride = true;
        const day = parseDateOrNull(o.date);
        const weekdayHasPeriods =
          day !== null && Array.isArray(cal.weekly) && (cal.weekly[weekdayOf(day)]?.length ?? 0) > 0;
        if (
          o.periods === undefined &&
          !weekdayHasPeriods &&
          Array.isArray(cal.workdayPeriods) &&
          cal.workdayPeriods.length === 0
        ) {
          problems.push(`${label}: make-up workday without periods, but workdayPeriods is empty`);
        }
      }
    });
  }
  if (!Array.isArray(cal.coveredYears) || cal.coveredYears.some((y) => !Number.isInteger(y))) {
    problems.push('coveredYears must be an array of integer years');
  }
  if (!anyWeekly && !anyWorkdayOverride) problems.push('calendar has no working time at all');
  return problems;
}
