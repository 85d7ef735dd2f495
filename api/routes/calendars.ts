// Business calendars (工作日历): weekly working periods, and per year the statutory holidays and make-up
// working days (调休). A year is "covered" once its overrides are put or imported, even if it has none.
// Cases snapshot the calendar at intake, so an edit here applies to cases opened afterwards.
import { and, asc, eq, gte, lte, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import { calendarDays, calendars, calendarYears } from '../../db/schema.js';
import {
  calendarLock,
  dayRow,
  loadStoredCalendar,
  lockKey,
  type StoredCalendar,
  type Tx,
} from '../../db/sla-store.js';
import {
  type BusinessCalendar,
  type DayOverride,
  localDateOf,
  validateCalendar,
  type WorkingPeriod,
} from '../../domain/calendar.js';
import { chinaDataYears, chinaOverridesForYear } from '../../domain/calendar-china.js';
import type { AppDeps } from '../app.js';
import { notFound, Problem } from '../problem.js';
import {
  calendarBody,
  calendarIdParams,
  calendarQuery,
  calendarResponses,
  calendarYearParams,
  importBody,
  noQuery,
  yearBody,
} from '../sla-schemas.js';

interface CalendarBody {
  name: string;
  timeZone: string;
  weekly: WorkingPeriod[][];
  workdayPeriods: WorkingPeriod[];
}

export const invalidCalendar = (problems: string[]) =>
  new Problem(422, 'invalid-calendar', 'Invalid calendar', problems.join('; '), { problems });

/** The current year in the calendar's zone (from the real clock), and the next one. */
function yearsThatMatter(timeZone: string, now: Date): number[] {
  let year: number;
  try {
    year = Number(localDateOf(timeZone, now).slice(0, 4));
  } catch {
    year = now.getUTCFullYear();
  }
  return [year, year + 1];
}

/** The current or next year without override data: deadlines in it would ignore holidays and 调休. */
export function calendarWarnings(
  cal: Pick<BusinessCalendar, 'id' | 'timeZone' | 'coveredYears'>,
  now = new Date(),
): string[] {
  const [current, next] = yearsThatMatter(cal.timeZone, now);
  const base = `/api/v1/calendars/${cal.id}/years`;
  return [current, next]
    .filter((y) => !cal.coveredYears.includes(y))
    .map(
      (y) =>
        `no holiday data for ${y}: deadlines ${y === current ? `in ${y}` : `after ${current}`} ignore statutory ` +
        `holidays and make-up working days; import the year (PUT ${base}/${y} or POST ${base}/${y}/import)`,
    );
}

function summaryView(cal: BusinessCalendar, updatedAt: Date) {
  return {
    id: cal.id,
    name: cal.name,
    timeZone: cal.timeZone,
    weekly: cal.weekly,
    workdayPeriods: cal.workdayPeriods,
    coveredYears: cal.coveredYears,
    warnings: calendarWarnings(cal),
    updatedAt: updatedAt.toISOString(),
  };
}

function detailView(stored: StoredCalendar, year?: number) {
  const { calendar } = stored;
  return {
    ...summaryView(calendar, stored.updatedAt),
    years: stored.years.map((y) => ({ ...y, importedAt: y.importedAt.toISOString() })),
    overrides:
      year === undefined
        ? calendar.overrides
        : calendar.overrides.filter((o) => o.date.startsWith(`${year}-`)),
  };
}

async function listCalendars(db: Database) {
  const [rows, years] = await Promise.all([
    db.select().from(calendars).orderBy(asc(calendars.id)),
    db
      .select({ calendarId: calendarYears.calendarId, year: calendarYears.year })
      .from(calendarYears)
      .orderBy(asc(calendarYears.year)),
  ]);
  const covered = new Map<string, number[]>();
  for (const y of years) covered.set(y.calendarId, [...(covered.get(y.calendarId) ?? []), y.year]);
  return rows.map((r) =>
    summaryView(
      {
        id: r.id,
        name: r.name,
        timeZone: r.timeZone,
        weekly: r.weekly,
        workdayPeriods: r.workdayPeriods,
        overrides: [],
        coveredYears: covered.get(r.id) ?? [],
      },
      r.updatedAt,
    ),
  );
}

/** Problems with a year's overrides: each date in the year, plus everything validateCalendar checks. */
function yearProblems(cal: BusinessCalendar, year: number, overrides: DayOverride[]): string[] {
  const problems: string[] = [];
  overrides.forEach((o, i) => {
    if (!o.date.startsWith(`${year}-`)) problems.push(`override ${i + 1} (${o.date}): not in ${year}`);
  });
  // Validated on their own so that messages number the overrides as the request does.
  const own = validateCalendar({ ...cal, overrides, coveredYears: [year] }).filter(
    (p) => p !== 'calendar has no working time at all',
  );
  return [...problems, ...own];
}

/** Replaces one year's overrides of a locked calendar and marks the year covered. */
async function replaceYear(
  tx: Tx,
  calendarId: string,
  year: number,
  overrides: DayOverride[],
  source: string,
) {
  await tx
    .delete(calendarDays)
    .where(
      and(
        eq(calendarDays.calendarId, calendarId),
        gte(calendarDays.date, `${year}-01-01`),
        lte(calendarDays.date, `${year}-12-31`),
      ),
    );
  if (overrides.length > 0) await tx.insert(calendarDays).values(overrides.map((o) => dayRow(calendarId, o)));
  await tx
    .insert(calendarYears)
    .values({ calendarId, year, source })
    .onConflictDoUpdate({
      target: [calendarYears.calendarId, calendarYears.year],
      set: { source, importedAt: sql`now()` },
    });
  await tx.update(calendars).set({ updatedAt: sql`now()` }).where(eq(calendars.id, calendarId));
}

async function putYear(db: Database, id: string, year: number, overrides: DayOverride[], source: string) {
  return db.transaction(async (tx) => {
    await lockKey(tx, calendarLock(id));
    const stored = await loadStoredCalendar(tx, id);
    if (!stored) throw notFound('calendar', id);
    const problems = yearProblems(stored.calendar, year, overrides);
    if (problems.length > 0) throw invalidCalendar(problems);
    await replaceYear(tx, id, year, overrides, source);
    return detailView((await loadStoredCalendar(tx, id))!, year);
  });
}

export async function calendarRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get(
    '/api/v1/calendars',
    {
      schema: {
        operationId: 'listCalendars',
        tags: ['calendars'],
        summary: 'Business calendars, with the years their holiday data covers and warnings',
        querystring: noQuery,
        response: calendarResponses.list,
      },
      config: { permission: 'calendars.read' },
    },
    async () => ({ items: await listCalendars(db) }),
  );

  app.get<{ Params: { id: string }; Querystring: { year?: string } }>(
    '/api/v1/calendars/:id',
    {
      schema: {
        operationId: 'getCalendar',
        tags: ['calendars'],
        summary: 'A calendar with its holidays and make-up working days (all, or of one year)',
        params: calendarIdParams,
        querystring: calendarQuery,
        response: calendarResponses.detail,
      },
      config: { permission: 'calendars.read' },
    },
    async (req) => {
      const stored = await loadStoredCalendar(db, req.params.id);
      if (!stored) throw notFound('calendar', req.params.id);
      return detailView(stored, req.query.year ? Number(req.query.year) : undefined);
    },
  );

  app.put<{ Params: { id: string }; Body: CalendarBody }>(
    '/api/v1/calendars/:id',
    {
      schema: {
        operationId: 'putCalendar',
        tags: ['calendars'],
        summary: 'Create a calendar, or replace its name, time zone and working periods',
        description:
          'The dated overrides are kept (edit them per year). 201 when created, 200 when replaced; 422 lists ' +
          'every problem (bad HH:MM, overlapping periods, unknown time zone, not 7 weekdays…).',
        params: calendarIdParams,
        body: calendarBody,
        response: calendarResponses.put,
      },
      config: { permission: 'calendars.write' },
    },
    async (req, reply) => {
      const { id } = req.params;
      const { name, timeZone, weekly, workdayPeriods } = req.body;
      const { created, view } = await db.transaction(async (tx) => {
        await lockKey(tx, calendarLock(id));
        const existing = await loadStoredCalendar(tx, id);
        const problems = validateCalendar({
          id,
          name,
          timeZone,
          weekly,
          workdayPeriods,
          overrides: existing?.calendar.overrides ?? [],
          coveredYears: existing?.calendar.coveredYears ?? [],
        });
        if (problems.length > 0) throw invalidCalendar(problems);
        const values = { name, timeZone, weekly, workdayPeriods, updatedAt: sql`now()` };
        if (existing) await tx.update(calendars).set(values).where(eq(calendars.id, id));
        else await tx.insert(calendars).values({ id, ...values });
        return { created: !existing, view: detailView((await loadStoredCalendar(tx, id))!) };
      });
      return reply.code(created ? 201 : 200).send(view);
    },
  );

  app.put<{ Params: { id: string; year: string }; Body: { overrides: DayOverride[] } }>(
    '/api/v1/calendars/:id/years/:year',
    {
      schema: {
        operationId: 'putCalendarYear',
        tags: ['calendars'],
        summary: "Replace a year's holidays and make-up working days and mark the year covered",
        description:
          'Atomic: the year ends up with exactly these overrides ([] = a year without any). Every date must ' +
          'lie in the year and appear once (422 otherwise). Answers with the calendar and that year.',
        params: calendarYearParams,
        body: yearBody,
        response: calendarResponses.year,
      },
      config: { permission: 'calendars.write' },
    },
    async (req) => {
      const year = Number(req.params.year);
      return putYear(db, req.params.id, year, req.body.overrides, 'api');
    },
  );

  app.post<{ Params: { id: string; year: string }; Body: { source: 'chinese-days' } }>(
    '/api/v1/calendars/:id/years/:year/import',
    {
      schema: {
        operationId: 'importCalendarYear',
        tags: ['calendars'],
        summary: "Import a year's State Council holiday arrangements from the chinese-days package",
        description:
          "Replaces the year's overrides like PUT …/years/{year}; 422 when the installed package has no data for it.",
        params: calendarYearParams,
        body: importBody,
        response: calendarResponses.year,
      },
      config: { permission: 'calendars.write' },
    },
    async (req) => {
      const year = Number(req.params.year);
      const overrides = chinaOverridesForYear(year);
      if (overrides.length === 0) {
        const years = chinaDataYears();
        const have = years.length > 0 ? `it has ${years[0]}–${years[years.length - 1]}` : 'it has none';
        throw new Problem(
          422,
          'no-holiday-data',
          'No holiday data',
          `the installed chinese-days package has no holiday data for ${year} (${have}); upgrade the package ` +
            `once the State Council publishes the ${year} arrangements, or PUT the year's overrides`,
        );
      }
      return putYear(db, req.params.id, year, overrides, req.body.source);
    },
  );
}
