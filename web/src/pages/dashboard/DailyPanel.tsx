import { useMemo } from 'react';
import type { ChartOption } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useDashboard, type Filters } from './filters.ts';
import { BASE, Panel, volumeColumns } from './Panel.tsx';

/** Grants issued and redeemed per day of the period (every day, zeros included), with revenue in the table. */
export function DailyPanel({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('daily', filters);
  const rows = q.data?.data;
  // a period without a single grant is an empty state, not a flat line at zero
  const any = rows?.some((r) => r.issued || r.redeemed || r.voided || r.expired || r.failed);
  const option = useMemo<ChartOption>(
    () => ({
      ...BASE,
      xAxis: { type: 'category', data: rows?.map((r) => r.day.slice(5)) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('dashboard.kpi.issued'), type: 'bar', data: rows?.map((r) => r.issued) ?? [] },
        { name: t('dashboard.kpi.redeemed'), type: 'line', data: rows?.map((r) => r.redeemed) ?? [] },
      ],
    }),
    [rows, t],
  );
  return (
    <Panel
      id="daily"
      title={t('dashboard.daily.title')}
      state={q}
      rows={any ? [...(rows ?? [])].reverse() : []}
      rowKey={(r) => r.day}
      option={option}
      chartSpan={14}
      columns={[
        { title: t('dashboard.daily.day'), render: (r) => r.day },
        ...volumeColumns(t),
      ]}
    />
  );
}
