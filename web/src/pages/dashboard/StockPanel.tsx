import { WarningOutlined } from '@ant-design/icons';
import { Tag, Tooltip } from 'antd';
import { useMemo } from 'react';
import type { ChartOption } from '../../components/Chart.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useDashboard, type Filters } from './filters.ts';
import { count, days } from './format.ts';
import { BASE, Panel } from './Panel.tsx';

const DANGER = '#ff4d4f';

/** Stock per card-code product against its safety stock, and days left at the last 7 days' rate (库存周转). */
export function StockPanel({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('stock', filters);
  const rows = q.data?.data;
  const option = useMemo<ChartOption>(
    () => ({
      ...BASE,
      xAxis: { type: 'category', data: rows?.map((r) => r.sku) ?? [], axisLabel: { interval: 0, rotate: (rows?.length ?? 0) > 6 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: t('dashboard.stock.available'),
          type: 'bar',
          // a product below its safety stock is red: the bar the operator must act on
          data: rows?.map((r) => ({ value: r.available, itemStyle: r.below_safety_stock ? { color: DANGER } : undefined })) ?? [],
        },
        // beside each product's stock, its own safety line as a grey bar (a line across products would join
        // values that have nothing to do with each other)
        { name: t('dashboard.stock.safety'), type: 'bar', itemStyle: { color: '#d9d9d9' }, data: rows?.map((r) => r.safety_stock) ?? [] },
      ],
    }),
    [rows, t],
  );
  return (
    <Panel
      id="stock"
      title={t('dashboard.stock.title')}
      state={q}
      rows={rows}
      rowKey={(r) => r.product_id}
      option={option}
      columns={[
        { title: t('dashboard.product'), render: (r) => <Tooltip title={r.name}>{r.sku}</Tooltip> },
        {
          title: t('dashboard.stock.available'),
          numeric: true,
          render: (r) =>
            r.below_safety_stock ? (
              <Tag color="error" icon={<WarningOutlined />} style={{ marginInlineEnd: 0 }} title={t('dashboard.stock.below')}>
                {count(r.available)}
              </Tag>
            ) : (
              count(r.available)
            ),
        },
        { title: t('dashboard.stock.safety'), render: (r) => count(r.safety_stock), numeric: true },
        { title: t('dashboard.stock.rate'), render: (r) => r.daily_rate.toFixed(1), numeric: true },
        { title: t('dashboard.stock.daysLeft'), render: (r) => days(r.days_left), numeric: true },
      ]}
    />
  );
}
