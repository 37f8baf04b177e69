import { PageContainer } from '@ant-design/pro-components';
import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row } from 'antd';
import { useMemo } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { Chart, type ChartOption } from '../../components/Chart.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { useI18n } from '../../i18n/index.tsx';

// The first dashboard card: stock per product against its safety stock, chart and table side by side.
// The period, per-day and per-client figures come with the analytics endpoints.
export default function DashboardPage() {
  const { t } = useI18n();
  const stock = useQuery({ queryKey: ['stock'], queryFn: async () => unwrap(await api.GET('/v1/admin/stock')).data });
  const rows = stock.data ?? [];
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 8, right: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => r.sku) },
      yAxis: { type: 'value' },
      series: [
        { name: t('stock.available'), type: 'bar', data: rows.map((r) => r.available) },
        { name: t('stock.safetyStock'), type: 'line', step: 'middle', data: rows.map((r) => r.safety_stock) },
      ],
    }),
    [rows, t],
  );
  return (
    <PageContainer title={t('dashboard.title')}>
      <Row gutter={16}>
        <Col xs={24} xl={14}>
          <Card title={t('stock.tabStock')}>
            <Chart option={option} label={t('stock.tabStock')} />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('stock.tabStock')} loading={stock.isLoading}>
            <DataTable
              caption={t('stock.tabStock')}
              rows={rows}
              rowKey={(r) => r.product_id}
              columns={[
                { title: t('stock.product'), render: (r) => r.sku },
                { title: t('stock.available'), render: (r) => r.available, numeric: true },
                { title: t('stock.safetyStock'), render: (r) => r.safety_stock, numeric: true },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </PageContainer>
  );
}
