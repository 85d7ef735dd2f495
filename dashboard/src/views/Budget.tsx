// Budget against actual costs for a year (GET /api/v1/reports/budget): per category the budget, the
// actual, the variance and the share used (with the warning past the configured share), and month by
// month for the category picked.
import { useMemo, useState } from 'react';
import type { BudgetReport } from '../api';
import { Chart, type ChartOption } from '../components/Chart';
import { useI18n } from '../i18n';
import { formatRate } from '../time';
import { ReportState, useReport, yuan } from './report';

export function Budget() {
  const { t, lang } = useI18n();
  const [year, setYear] = useState(() => new Date().getFullYear());
  const [reload, setReload] = useState(0);
  const report = useReport<BudgetReport>(`/api/v1/reports/budget?year=${year}`, reload);
  const data = report.state === 'ok' ? report.data : null;
  const [picked, setPicked] = useState<string | null>(null);
  const category = data?.categories.find((c) => c.category === picked) ?? data?.categories[0];

  const byCategory = useMemo<ChartOption | null>(
    () =>
      data && {
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => yuan(Number(v), lang) },
        legend: { top: 0 },
        grid: { left: 80, right: 10, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: data.categories.map((c) => t(`category.${c.category}`)) },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => yuan(v, lang) } },
        series: [
          { name: t('budget.budget'), type: 'bar', data: data.categories.map((c) => c.budget) },
          {
            name: t('budget.actual'),
            type: 'bar',
            data: data.categories.map((c) => ({
              value: c.actual,
              itemStyle: c.warning ? { color: '#d4380d' } : {},
            })),
          },
        ],
      },
    [data, t, lang],
  );
  const byMonth = useMemo<ChartOption | null>(
    () =>
      category
        ? {
            tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => yuan(Number(v), lang) },
            legend: { top: 0 },
            grid: { left: 80, right: 10, top: 30, bottom: 30 },
            xAxis: { type: 'category', data: category.months.map((m) => t('budget.month', { n: m.month })) },
            yAxis: { type: 'value', axisLabel: { formatter: (v: number) => yuan(v, lang) } },
            series: [
              { name: t('budget.budget'), type: 'line', data: category.months.map((m) => m.budget) },
              { name: t('budget.actual'), type: 'bar', data: category.months.map((m) => m.actual) },
            ],
          }
        : null,
    [category, t, lang],
  );

  return (
    <section className="report" data-testid="budget">
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('budget.year')}{' '}
          <input
            type="number"
            min={2000}
            max={2100}
            value={year}
            onChange={(e) => setYear(Number(e.target.value) || new Date().getFullYear())}
          />
        </label>
        <button type="button" onClick={() => setReload((n) => n + 1)}>
          {t('report.refresh')}
        </button>
        {data && (
          <span className="muted">{t('budget.status', { status: t(`budget.status.${data.status}`) })}</span>
        )}
      </form>
      <ReportState report={report} />
      {data && (
        <>
          <table className="budget-table" data-testid="budget-table">
            <thead>
              <tr>
                <th>{t('budget.category')}</th>
                <th>{t('budget.budget')}</th>
                <th>{t('budget.actual')}</th>
                <th>{t('budget.variance')}</th>
                <th>{t('budget.share')}</th>
              </tr>
            </thead>
            <tbody>
              {data.categories.map((c) => (
                <tr
                  key={c.category}
                  className={`${c.warning ? 'warning' : ''} ${c.category === category?.category ? 'picked' : ''}`}
                  onClick={() => setPicked(c.category)}
                >
                  <th>{t(`category.${c.category}`)}</th>
                  <td>{yuan(c.budget, lang)}</td>
                  <td>{yuan(c.actual, lang)}</td>
                  <td className={c.variance > 0 ? 'over' : ''}>{yuan(c.variance, lang)}</td>
                  <td>
                    {formatRate(c.share)}{' '}
                    {c.warning && <span className="badge level-2">{t('budget.warning')}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="charts">
            {byCategory && (
              <figure>
                <figcaption>{t('budget.byCategory')}</figcaption>
                <Chart option={byCategory} testId="chart-budget" />
              </figure>
            )}
            {byMonth && category && (
              <figure>
                <figcaption>
                  {t('budget.byMonth', { category: t(`category.${category.category}`) })}
                </figcaption>
                <Chart option={byMonth} testId="chart-budget-months" />
              </figure>
            )}
          </div>
        </>
      )}
    </section>
  );
}
