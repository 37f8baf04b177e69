import { Tag } from 'antd';
import { useMemo } from 'react';
import type { ChartOption } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useDashboard, type Filters } from './filters.ts';
import { count } from './format.ts';
import { BASE, Panel } from './Panel.tsx';

// Failures by reason. The reason is a stable code (a grant's failure_code, or an attempt's
// `<state>:<supplier code>`): shown as it is, the way operators search logs and supplier documents for it.
export function FailuresPanel({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('failures', filters);
  const rows = useMemo(() => [...(q.data?.data ?? [])].sort((a, b) => b.count - a.count), [q.data]);
  const option = useMemo<ChartOption>(() => {
    const bars = [...rows].reverse();
    return {
      ...BASE,
      legend: { show: false },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: bars.map((r) => r.reason) },
      series: [{ name: t('dashboard.failures.count'), type: 'bar', data: bars.map((r) => ({ value: r.count, itemStyle: { color: r.source === 'grant' ? '#ff7875' : '#ffc069' } })) }],
    };
  }, [rows, t]);
  return (
    <Panel
      id="failures"
      title={t('dashboard.failures.title')}
      state={q}
      rows={rows}
      rowKey={(r) => `${r.source}/${r.reason}`}
      option={option}
      columns={[
        { title: t('dashboard.failures.source'), render: (r) => <Tag color={r.source === 'grant' ? 'red' : 'orange'}>{t(`dashboard.failures.${r.source}`)}</Tag> },
        { title: t('dashboard.failures.reason'), render: (r) => <code>{r.reason}</code> },
        { title: t('dashboard.failures.count'), render: (r) => count(r.count), numeric: true },
      ]}
    />
  );
}
