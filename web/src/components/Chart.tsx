import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// ECharts from echarts/core with only the charts and components the console uses (the full build is ~1 MB).
// Add a chart type or component here when a page needs it; each costs the dashboard route's budget.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendPlainComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** One chart; re-renders when `option` changes, resizes with its box. Give it an aria-label for screen readers. */
export function Chart({ option, height = 320, label }: { option: ChartOption; height?: number; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      c.dispose();
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={el} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
