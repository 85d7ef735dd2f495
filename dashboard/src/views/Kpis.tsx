// KPIs of a period (GET /api/v1/reports/kpis): the totals as tiles, and charts per group — on-time
// rates, cases, escalations by level, backlog by stage, costs by category.
import { useMemo, useState } from 'react';
import type { Kpis as KpiFigures, KpiReport } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { useI18n } from '../i18n';
import { formatRate } from '../time';
import { ReportState, useReport, yuan } from './report';

const GROUPS = ['engineer', 'team', 'region', 'model', 'line', 'customer', 'channel'] as const;

// Report dates are days of the service's reporting time zone (docs/kpis.md, default Asia/Shanghai), not
// of the browser's: late in a UTC evening it is already tomorrow in Shanghai, and today's cases belong there.
const REPORT_TIME_ZONE = 'Asia/Shanghai';
const isoDay = (d: Date) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: REPORT_TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(d);

export function Kpis() {
  const { t, lang } = useI18n();
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 29 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [groupBy, setGroupBy] = useState<string>('engineer');
  const [reload, setReload] = useState(0);
  const query = new URLSearchParams({ from, to, ...(groupBy ? { groupBy } : {}) });
  const report = useReport<KpiReport>(`/api/v1/reports/kpis?${query}`, reload);
  const data = report.state === 'ok' ? report.data : null;

  return (
    <section className="report" data-testid="kpis">
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('report.from')} <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('report.to')} <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {t('report.groupBy')}{' '}
          <select value={groupBy} onChange={(e) => setGroupBy(e.target.value)} data-testid="group-by">
            <option value="">{t('group.none')}</option>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`group.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setReload((n) => n + 1)}>
          {t('report.refresh')}
        </button>
      </form>
      <ReportState report={report} />
      {data && <KpiCharts data={data} lang={lang} />}
    </section>
  );
}

function KpiCharts({ data, lang }: { data: KpiReport; lang: string }) {
  const { t } = useI18n();
  const k = data.totals;
  const minutes = (n: number | null | undefined) =>
    n === null || n === undefined ? '—' : t('kpi.minutes', { n });
  const tiles: Array<[string, string]> = [
    [t('kpi.cases'), String(k.cases)],
    [t('kpi.responseMedian'), minutes(k.responseMinutes?.median)],
    [t('kpi.responseP90'), minutes(k.responseMinutes?.p90)],
    [t('kpi.onTimeResponse'), formatRate(k.onTimeResponseRate)],
    [t('kpi.onTimeArrival'), formatRate(k.onTimeArrivalRate)],
    [t('kpi.onTimeRepair'), formatRate(k.onTimeRepairRate)],
    [t('kpi.firstTimeFix'), formatRate(k.firstTimeFixRate)],
    [t('kpi.repeatFailure'), formatRate(k.repeatFailureRate)],
    [t('kpi.surveyResponse'), formatRate(k.satisfaction?.responseRate)],
    [t('kpi.costs'), yuan(k.costs?.total, lang)],
  ];
  const groups = data.groups ?? [];
  const options = useMemo(() => chartOptions(data, t, lang), [data, t, lang]);
  return (
    <>
      <div className="tiles">
        {tiles.map(([label, value]) => (
          <div className="tile" key={label} data-testid="kpi-tile">
            <div className="tile-value">{value}</div>
            <div className="tile-label">{label}</div>
          </div>
        ))}
      </div>
      {k.cases === 0 && <p className="muted">{t('report.none')}</p>}
      <div className="charts">
        {groups.length > 0 && (
          <>
            <figure>
              <figcaption>{t('kpi.onTimeByGroup')}</figcaption>
              <Chart option={options.onTime} testId="chart-on-time" />
            </figure>
            <figure>
              <figcaption>{t('kpi.casesByGroup')}</figcaption>
              <Chart option={options.cases} testId="chart-cases" />
            </figure>
          </>
        )}
        <figure>
          <figcaption>{t('kpi.escalationsByLevel')}</figcaption>
          <Chart option={options.escalations} testId="chart-escalations" />
        </figure>
        <figure>
          <figcaption>{t('kpi.backlogByStage')}</figcaption>
          <Chart option={options.backlog} testId="chart-backlog" />
        </figure>
        <figure>
          <figcaption>{t('kpi.costsByCategory')}</figcaption>
          <Chart option={options.costs} testId="chart-costs" />
        </figure>
      </div>
    </>
  );
}

const percent = (r: number | null | undefined) =>
  r === null || r === undefined ? null : Math.round(r * 1000) / 10;

function chartOptions(
  data: KpiReport,
  t: (k: string, p?: Record<string, string | number>) => string,
  lang: string,
) {
  const groups = data.groups ?? [];
  const labels = groups.map((g) => g.label ?? g.key ?? '—');
  // Every group named; slanted and cut short when they would run into each other.
  const crowded = labels.length > 6 || labels.some((l) => l.length > 10);
  const groupAxisLabel = { interval: 0, rotate: crowded ? 30 : 0, width: 100, overflow: 'truncate' };
  const rateSeries = (name: string, pick: (g: KpiFigures) => number | null | undefined) => ({
    name,
    type: 'bar',
    data: groups.map((g) => percent(pick(g))),
  });
  const k = data.totals;
  const entries = (o: Record<string, number> | undefined) => Object.entries(o ?? {});
  const onTime: ChartOption = {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (v === null ? '—' : `${v}%`) },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 30, bottom: 40 },
    xAxis: { type: 'category', data: labels, axisLabel: groupAxisLabel },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      rateSeries(t('kpi.onTimeResponse'), (g) => g.onTimeResponseRate),
      rateSeries(t('kpi.onTimeArrival'), (g) => g.onTimeArrivalRate),
      rateSeries(t('kpi.onTimeRepair'), (g) => g.onTimeRepairRate),
    ],
  };
  const cases: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 10, top: 20, bottom: 40 },
    xAxis: { type: 'category', data: labels, axisLabel: groupAxisLabel },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: t('kpi.cases'), type: 'bar', data: groups.map((g) => g.cases) }],
  };
  // Escalations by level, of the cases, the complaints and the quality issues side by side.
  const levels = [
    ...new Set([
      ...Object.keys(k.escalations?.byLevel ?? {}),
      ...Object.keys(k.escalations?.complaints?.byLevel ?? {}),
      ...Object.keys(k.escalations?.quality?.byLevel ?? {}),
    ]),
  ].sort((a, b) => Number(a) - Number(b));
  const levelSeries = (name: string, byLevel: Record<string, number> | undefined) => ({
    name,
    type: 'bar' as const,
    data: levels.map((l) => byLevel?.[l] ?? 0),
  });
  const escalations: ChartOption = {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 40, right: 10, top: 20, bottom: 50 },
    xAxis: { type: 'category', data: levels.map((l) => t('level.n', { n: l })) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      levelSeries(t('kpi.escalationsOf.cases'), k.escalations?.byLevel),
      levelSeries(t('kpi.escalationsOf.complaints'), k.escalations?.complaints?.byLevel),
      levelSeries(t('kpi.escalationsOf.quality'), k.escalations?.quality?.byLevel),
    ],
  };
  const backlog: ChartOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 10, top: 20, bottom: 60 },
    xAxis: {
      type: 'category',
      data: entries(k.backlog?.byStage).map(([stage]) => t(`stage.${stage}`)),
      axisLabel: { interval: 0, rotate: 30 },
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', data: entries(k.backlog?.byStage).map(([, n]) => n) }],
  };
  const costs: ChartOption = {
    tooltip: { trigger: 'item', valueFormatter: (v: unknown) => yuan(Number(v), lang) },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: '60%',
        data: entries(k.costs?.byCategory).map(([c, fen]) => ({ name: t(`category.${c}`), value: fen })),
      },
    ],
  };
  return { onTime, cases, escalations, backlog, costs };
}
