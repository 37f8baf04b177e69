import { useMemo } from 'react';
import type { ChartOption } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useDashboard, type Filters } from './filters.ts';
import { BASE, Panel, volumeColumns } from './Panel.tsx';

/** The products issued most in the period (the server orders them; the first is at the top of the chart). */
export function TopProductsPanel({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('top-products', filters);
  const rows = q.data?.data;
  const option = useMemo<ChartOption>(() => {
    const top = [...(rows ?? [])].reverse(); // a horizontal chart draws its first category at the bottom
    return {
      ...BASE,
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: top.map((r) => r.sku ?? r.product_id) },
      series: [
        { name: t('dashboard.kpi.issued'), type: 'bar', data: top.map((r) => r.issued) },
        { name: t('dashboard.kpi.redeemed'), type: 'bar', data: top.map((r) => r.redeemed) },
      ],
    };
  }, [rows, t]);
  return (
    <Panel
      id="top-products"
      title={t('dashboard.top.title')}
      state={q}
      rows={rows}
      rowKey={(r) => r.product_id}
      option={option}
      columns={[
        { title: t('dashboard.product'), render: (r) => <span title={r.name ?? undefined}>{r.sku ?? r.product_id}</span> },
        ...volumeColumns(t),
      ]}
    />
  );
}
