import { useCallback, useMemo } from 'react';
import type { ChartOption } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useDashboard, type Filters } from './filters.ts';
import { BASE, Panel, volumeColumns } from './Panel.tsx';

/** Volume per client (channel); grants issued from the console or the CLI have no client and show as such. */
export function ClientsPanel({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('clients', filters);
  const rows = q.data?.data;
  const name = useCallback((r: { client_id: string | null; name: string | null }) => (r.client_id === null ? t('dashboard.adminIssued') : (r.name ?? r.client_id)), [t]);
  const option = useMemo<ChartOption>(
    () => ({
      ...BASE,
      xAxis: { type: 'category', data: rows?.map(name) ?? [], axisLabel: { interval: 0, rotate: (rows?.length ?? 0) > 5 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('dashboard.kpi.issued'), type: 'bar', data: rows?.map((r) => r.issued) ?? [] },
        { name: t('dashboard.kpi.redeemed'), type: 'bar', data: rows?.map((r) => r.redeemed) ?? [] },
      ],
    }),
    [rows, t, name],
  );
  return (
    <Panel
      id="clients"
      title={t('dashboard.clients.title')}
      state={q}
      rows={rows}
      rowKey={(r) => r.client_id ?? 'none'}
      option={option}
      columns={[
        { title: t('dashboard.client'), render: name },
        ...volumeColumns(t),
      ]}
    />
  );
}
