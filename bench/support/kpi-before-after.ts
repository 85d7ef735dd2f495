// The KPI report's query before and after a change, on the same data in the same process, the two
// interleaved (before, after; then after, before …) so the load of a shared machine falls on both alike.
// The data: a database the queries bench's generate() filled (bench/queries.ts).
//   KPI_BEFORE=<checkout>/api/insight/kpi-query.ts DATABASE_URL=<url> nice -n 19 npx tsx \
//     bench/support/kpi-before-after.ts <rounds> <out.json>
// Refuses to time two codes that give different figures.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { kpiCounts as afterCounts, type KpiQuery } from '../../api/insight/kpi-query.js';
import { loadSettings } from '../../api/insight/settings-store.js';
import { connectDb } from '../../db/client.js';
import type { GroupBy } from '../../domain/insight/kpis.js';
import { type Period, parsePeriod } from '../../domain/insight/period.js';

type Counts = typeof afterCounts;
const { kpiCounts: beforeCounts } = (await import(process.env.KPI_BEFORE!)) as { kpiCounts: Counts };
const handle = connectDb(process.env.DATABASE_URL!, { max: 10 });
const settings = await loadSettings(handle.db);
const now = new Date();
const day = (d: Date) => d.toISOString().slice(0, 10);
const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0));
const yearStart = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1));
const quarterStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 3, 1));
const scenarios: Array<[string, Date, GroupBy | undefined]> = [
  ['twelve months by model', yearStart, 'model'],
  ['twelve months, totals', yearStart, undefined],
  ['one quarter by team', quarterStart, 'team'],
];
const rounds = Number(process.argv[2] ?? 15);
const [{ cases }] = await handle.sql<{ cases: number }[]>`select count(*)::int as cases from cases`;
const med = (xs: number[]) => round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
const p90 = (xs: number[]) => round([...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.9) - 1]!);
const round = (x: number) => Math.round(x * 10) / 10;
const out = {
  benchmark: 'kpi-before-after',
  command: process.argv.slice(1).join(' '),
  before: process.env.KPI_BEFORE,
  cases,
  startedAt: new Date().toISOString(),
  loadAverageBefore: loadavg(),
  loadAverageAfter: [] as number[],
  scenarios: {} as Record<string, object>,
};
for (const [name, start, groupBy] of scenarios) {
  const period = parsePeriod(day(start), day(monthEnd), settings.timeZone) as Period;
  const q: KpiQuery = { period, groupBy, filters: {}, settings, now };
  if (JSON.stringify(await beforeCounts(handle.db, q)) !== JSON.stringify(await afterCounts(handle.db, q)))
    throw new Error(`${name}: the figures differ`);
  for (let i = 0; i < 2; i++) await Promise.all([beforeCounts(handle.db, q), afterCounts(handle.db, q)]);
  const times = { before: [] as number[], after: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    const order: Array<['before' | 'after', Counts]> = [
      ['before', beforeCounts],
      ['after', afterCounts],
    ];
    for (const [which, counts] of i % 2 ? order.reverse() : order) {
      const t = performance.now();
      await counts(handle.db, q);
      times[which].push(performance.now() - t);
    }
  }
  out.scenarios[name] = {
    samples: rounds,
    beforeMedianMs: med(times.before),
    afterMedianMs: med(times.after),
    beforeP90Ms: p90(times.before),
    afterP90Ms: p90(times.after),
    ratio: Math.round((med(times.after) / med(times.before)) * 100) / 100,
    identicalFigures: true,
  };
  console.log(name, JSON.stringify(out.scenarios[name]));
}
out.loadAverageAfter = loadavg();
writeFileSync(
  process.argv[3] ?? 'bench/results/queries-kpi-before-after.json',
  `${JSON.stringify(out, null, 2)}\n`,
);
await handle.close();
