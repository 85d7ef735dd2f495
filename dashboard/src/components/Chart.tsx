// An Apache ECharts chart in a React component: created on mount, given the new option on every
// render, resized with its box, disposed on unmount. Only the chart types the dashboard draws are
// registered, which keeps the bundle small.
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({
  option,
  height = 280,
  testId,
}: {
  option: ChartOption;
  height?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!box.current) return;
    const element = box.current;
    const instance = echarts.init(element);
    chart.current = instance;
    // Says when the figures are drawn (animations done), for whoever waits on them: the browser test
    // takes its screenshots then.
    instance.on('finished', () => element.setAttribute('data-drawn', 'true'));
    const resized = new ResizeObserver(() => instance.resize());
    resized.observe(box.current);
    return () => {
      resized.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    box.current?.setAttribute('data-drawn', 'false');
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);
  return (
    <div
      className="chart"
      ref={box}
      style={{ height }}
      data-testid={testId}
      role="img"
      aria-label={describeChart(option)}
    />
  );
}

type Point = number | string | null | { name?: string; value?: unknown };

/**
 * The figures a chart draws, as text for screen readers (a canvas says nothing): each series as
 * "name: label value, label value", the label being the category or the slice's name.
 */
export function describeChart(option: ChartOption): string {
  const axis = option.xAxis as { data?: unknown[] } | undefined;
  const categories = axis?.data ?? [];
  const series = (option.series ?? []) as Array<{ name?: string; data?: Point[] }>;
  return series
    .map((s) => {
      const points = (s.data ?? []).map((d, i) => {
        const item = d !== null && typeof d === 'object' ? d : { value: d };
        const label = item.name ?? String(categories[i] ?? i + 1);
        return `${label} ${item.value ?? '—'}`;
      });
      return `${s.name ? `${s.name}: ` : ''}${points.join(', ')}`;
    })
    .join('; ');
}
