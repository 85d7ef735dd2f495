// The SLA configuration: business calendars (with their dated overrides and the years those cover) and
// versioned SLA policies. Seeded with the mainland-China calendar and the default policy; read at every
// case intake to snapshot the policy and calendar the case starts under.
import { and, asc, eq, gte, isNull, lte, sql } from 'drizzle-orm';
import type { BusinessCalendar, DayOverride } from '../domain/calendar.js';
import { chinaCalendar } from '../domain/calendar-china.js';
import {
  DEFAULT_POLICY,
  type PolicySubject,
  resolvePolicy,
  type SlaPolicy,
  type SlaSnapshot,
  trimCalendar,
} from '../domain/sla-policy.js';
import type { Database } from './client.js';
import { calendarDays, calendars, calendarYears, slaConfigGeneration, slaPolicies } from './schema.js';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type Db = Database | Tx;

/** Serialises writers of one calendar or policy until the end of the transaction. */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${key}))`);
}

export const calendarLock = (id: string) => `calendar:${id}`;
export const policyLock = (id: string) => `sla-policy:${id}`;

export function dayRow(calendarId: string, o: DayOverride): typeof calendarDays.$inferInsert {
  return { calendarId, date: o.date, kind: o.kind, name: o.name ?? null, periods: o.periods ?? null };
}

function overrideOf(row: typeof calendarDays.$inferSelect): DayOverride {
  return {
    date: row.date,
    kind: row.kind,
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.periods ? { periods: row.periods } : {}),
  };
}

/**
 * Idempotent: the 'cn' calendar if absent; the chinese-days years it covers that the database does not
 * cover yet (so a package upgrade adds new years while years an administrator edited stay as they are);
 * the default policy as version 1 if there is no policy 'default'.
 */
export async function seedDefaults(db: Database): Promise<void> {
  const cn = chinaCalendar();
  await db.transaction(async (tx) => {
    await lockKey(tx, calendarLock(cn.id));
    await tx
      .insert(calendars)
      .values({
        id: cn.id,
        name: cn.name,
        timeZone: cn.timeZone,
        weekly: cn.weekly,
        workdayPeriods: cn.workdayPeriods,
      })
      .onConflictDoNothing();
    if (cn.coveredYears.length === 0) return;
    const added = await tx
      .insert(calendarYears)
      .values(cn.coveredYears.map((year) => ({ calendarId: cn.id, year, source: 'chinese-days' })))
      .onConflictDoNothing()
      .returning({ year: calendarYears.year });
    const fresh = new Set(added.map((r) => r.year));
    const days = cn.overrides.filter((o) => fresh.has(Number(o.date.slice(0, 4))));
    if (days.length > 0) {
      await tx
        .insert(calendarDays)
        .values(days.map((o) => dayRow(cn.id, o)))
        .onConflictDoNothing();
    }
  });
  await db.transaction(async (tx) => {
    await lockKey(tx, policyLock(DEFAULT_POLICY.id));
    const [existing] = await tx
      .select({ version: slaPolicies.version })
      .from(slaPolicies)
      .where(eq(slaPolicies.id, DEFAULT_POLICY.id))
      .limit(1);
    if (existing) return;
    await tx
      .insert(slaPolicies)
      .values({ id: DEFAULT_POLICY.id, version: 1, name: DEFAULT_POLICY.name, definition: DEFAULT_POLICY })
      .onConflictDoNothing();
  });
}

export interface CalendarYear {
  year: number;
  source: string;
  importedAt: Date;
}

export interface StoredCalendar {
  calendar: BusinessCalendar;
  years: CalendarYear[];
  updatedAt: Date;
}

/**
 * A calendar with its overrides (all, or those of the years fromYear…toYear) and covered years;
 * undefined when there is no such calendar.
 */
export async function loadStoredCalendar(
  db: Db,
  id: string,
  range?: { fromYear: number; toYear: number },
): Promise<StoredCalendar | undefined> {
  const dayFilter = range
    ? and(
        eq(calendarDays.calendarId, id),
        gte(calendarDays.date, `${range.fromYear}-01-01`),
        lte(calendarDays.date, `${range.toYear}-12-31`),
      )
    : eq(calendarDays.calendarId, id);
  const [rows, days, years] = await Promise.all([
    db.select().from(calendars).where(eq(calendars.id, id)),
    db.select().from(calendarDays).where(dayFilter).orderBy(asc(calendarDays.date)),
    db.select().from(calendarYears).where(eq(calendarYears.calendarId, id)).orderBy(asc(calendarYears.year)),
  ]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    calendar: {
      id: row.id,
      name: row.name,
      timeZone: row.timeZone,
      weekly: row.weekly,
      workdayPeriods: row.workdayPeriods,
      overrides: days.map(overrideOf),
      coveredYears: years.map((y) => y.year),
    },
    years: years.map((y) => ({ year: y.year, source: y.source, importedAt: y.importedAt })),
    updatedAt: row.updatedAt,
  };
}

/** A calendar with all its overrides and covered years; undefined when there is no such calendar. */
export async function loadCalendar(db: Db, id: string): Promise<BusinessCalendar | undefined> {
  return (await loadStoredCalendar(db, id))?.calendar;
}

export function policyOf(row: typeof slaPolicies.$inferSelect): SlaPolicy {
  return { ...row.definition, id: row.id, version: row.version, name: row.name };
}

/** The current (non-retired) version of every policy, oldest policy first. */
export async function currentPolicies(db: Db): Promise<SlaPolicy[]> {
  const rows = await db
    .select()
    .from(slaPolicies)
    .where(isNull(slaPolicies.retiredAt))
    .orderBy(asc(slaPolicies.createdAt), asc(slaPolicies.id));
  return rows.map(policyOf);
}

/**
 * The policy version and calendar a case opened at `at` starts under: the most specific current policy
 * (DEFAULT_POLICY if none matches) and its calendar (the built-in China calendar if it is missing),
 * trimmed to the years the case can need. Read from the database every time (SlaSnapshots keeps them).
 */
export async function loadSlaSnapshot(db: Db, subject: PolicySubject, at: Date): Promise<SlaSnapshot> {
  return snapshotOf(await currentPolicies(db), (id, year) => loadYears(db, id, year), subject, at);
}

async function snapshotOf(
  policies: SlaPolicy[],
  calendarFor: (id: string, year: number) => Promise<StoredCalendar | undefined>,
  subject: PolicySubject,
  at: Date,
): Promise<SlaSnapshot> {
  const policy = resolvePolicy(policies, subject) ?? DEFAULT_POLICY;
  const stored = await calendarFor(policy.calendarId, at.getUTCFullYear());
  return { policy, calendar: trimCalendar(stored?.calendar ?? chinaCalendar(), at) };
}

/** trimCalendar keeps the year before the start to two years after: only those overrides are loaded. */
const loadYears = (db: Db, id: string, year: number) =>
  loadStoredCalendar(db, id, { fromYear: year - 1, toYear: year + 2 });

/** The SLA configuration's generation (migration 0016), as a column of a select. */
export const currentSlaGeneration = sql<string>`(select ${slaConfigGeneration.generation} from ${slaConfigGeneration})`;

/**
 * The current policies and the calendars intakes snapshot, kept in memory for as long as the SLA
 * configuration's generation stays the same. The database bumps that number after every statement that
 * writes a calendar, its days or years, or a policy (migration 0016) — by the API, a migration or by hand —
 * and an intake reads it with its case number, in the statement it runs anyway; so an edit applies to the
 * next intake of every API process, as when each intake read the tables (five statements) itself.
 */
export class SlaSnapshots {
  private generation = -1;
  /** The current policies (key `policies`) and calendars' years (`calendar:<id>:<year>`), as loads. */
  private readonly kept = new Map<string, Promise<unknown>>();

  /** The snapshot for a case opened at `at`, under the configuration of `generation` or a later one. */
  async snapshot(db: Db, generation: string, subject: PolicySubject, at: Date): Promise<SlaSnapshot> {
    const g = Number(generation);
    // Only forward: what an older generation asks for, a newer configuration answers as well (that intake
    // could as well have come a moment later).
    if (g > this.generation) {
      this.generation = g;
      this.kept.clear();
    }
    return snapshotOf(
      await this.keep('policies', () => currentPolicies(db)),
      (id, year) => this.keep(`calendar:${id}:${year}`, () => loadYears(db, id, year)),
      subject,
      at,
    );
  }

  /** The kept load of `key`, or a new one; a load that failed is not kept, so the next intake tries again. */
  private keep<T>(key: string, load: () => Promise<T>): Promise<T> {
    const kept = this.kept.get(key) as Promise<T> | undefined;
    if (kept) return kept;
    const loading: Promise<T> = load().catch((err) => {
      if (this.kept.get(key) === loading) this.kept.delete(key);
      throw err;
    });
    this.kept.set(key, loading);
    return loading;
  }
}
