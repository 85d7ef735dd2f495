// The baseline's one local activity: a row per wake-up, written like the product's escalation record
// (one statement, idempotent on its key), so the baseline pays a database round trip as the product does.
import type postgres from 'postgres';

export const BASELINE_TABLE = 'bench_burst_baseline';

/** The baseline's table; the benchmark creates it before the worker starts. */
export const createBaselineTable = (sql: postgres.Sql) =>
  sql.unsafe(`create table if not exists ${BASELINE_TABLE} (
    workflow_id text not null,
    wave integer not null,
    due_at timestamptz(3) not null,
    fired_at timestamptz(3) not null,
    recorded_at timestamptz not null default clock_timestamp(),
    attempts integer not null default 1,
    primary key (workflow_id, wave))`);

export function baselineActivities(sql: postgres.Sql) {
  return {
    async recordWake(w: { id: string; wave: number; dueAt: number; firedAt: number }): Promise<void> {
      await sql`insert into ${sql(BASELINE_TABLE)} (workflow_id, wave, due_at, fired_at)
        values (${w.id}, ${w.wave}, ${new Date(w.dueAt)}, ${new Date(w.firedAt)})
        on conflict (workflow_id, wave) do update set attempts = ${sql(BASELINE_TABLE)}.attempts + 1`;
    },
  };
}

export type BaselineActivities = ReturnType<typeof baselineActivities>;
