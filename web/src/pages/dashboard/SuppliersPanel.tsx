import { useMemo } from 'react';
import type { ChartOption } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useDashboard, type Filters } from './filters.ts';
import { count, duration, percent } from './format.ts';
import { useSuppliers } from './options.ts';
import { BASE, Panel } from './Panel.tsx';

/** "125 ms" on one line in a narrow column */
const Nowrap = ({ children }: { children: string }) => <span style={{ whiteSpace: 'nowrap' }}>{children}</span>;

/** Direct recharge per supplier: success rate (left axis, %) and p50/p95 latency from submit to final (right axis). */
export function SuppliersPanel({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('suppliers', filters);
  const suppliers = useSuppliers();
  const rows = q.data?.data;
  const names = useMemo(() => new Map(suppliers.data?.map((s) => [s.id, s.name])), [suppliers.data]);
  const name = (id: string) => names.get(id) ?? id;
  const option = useMemo<ChartOption>(
    () => ({
      ...BASE,
      xAxis: { type: 'category', data: rows?.map((r) => names.get(r.supplier_id) ?? r.supplier_id) ?? [] },
      yAxis: [
        { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
        { type: 'value', min: 0, axisLabel: { formatter: (ms: number) => duration(ms) } },
      ],
      series: [
        { name: t('dashboard.suppliers.successRate'), type: 'bar', data: rows?.map((r) => (r.success_rate === null ? null : Math.round(r.success_rate * 1000) / 10)) ?? [] },
        { name: 'p50', type: 'line', yAxisIndex: 1, data: rows?.map((r) => r.latency.p50_ms) ?? [] },
        { name: 'p95', type: 'line', yAxisIndex: 1, data: rows?.map((r) => r.latency.p95_ms) ?? [] },
      ],
    }),
    [rows, t, names],
  );
  return (
    <Panel
      id="suppliers"
      title={t('dashboard.suppliers.title')}
      state={q}
      rows={rows}
      rowKey={(r) => r.supplier_id}
      option={option}
      chartSpan={9}
      columns={[
        { title: t('dashboard.supplier'), render: (r) => name(r.supplier_id) },
        { title: t('dashboard.suppliers.started'), render: (r) => count(r.started), numeric: true },
        { title: t('dashboard.suppliers.succeeded'), render: (r) => count(r.succeeded), numeric: true },
        { title: t('dashboard.suppliers.failed'), render: (r) => count(r.failed + r.rejected), numeric: true },
        { title: t('dashboard.suppliers.successRate'), render: (r) => percent(r.success_rate), numeric: true },
        { title: 'p50', render: (r) => <Nowrap>{duration(r.latency.p50_ms)}</Nowrap>, numeric: true },
        { title: 'p95', render: (r) => <Nowrap>{duration(r.latency.p95_ms)}</Nowrap>, numeric: true },
      ]}
    />
  );
}
