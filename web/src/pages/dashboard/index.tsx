import { ReloadOutlined } from '@ant-design/icons';
import { PageContainer } from '@ant-design/pro-components';
import { useQueryClient } from '@tanstack/react-query';
import { Button, Col, Row, Space } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { ClientsPanel } from './ClientsPanel.tsx';
import { DailyPanel } from './DailyPanel.tsx';
import { FailuresPanel } from './FailuresPanel.tsx';
import { FilterBar } from './FilterBar.tsx';
import { useFilters } from './filters.ts';
import { KpiCards } from './KpiCards.tsx';
import { StockPanel } from './StockPanel.tsx';
import { SuppliersPanel } from './SuppliersPanel.tsx';
import { TopProductsPanel } from './TopProductsPanel.tsx';

// The dashboard (issue 6 §3): a period and product / client / supplier, the period's totals, then one panel
// per question, each a chart with its table beside it. Every figure is a server-side aggregate
// (GET /v1/admin/dashboard/*, docs/dashboards.md); this page only draws and formats them.
export default function DashboardPage() {
  const { t } = useI18n();
  const [filters, setFilters] = useFilters();
  const queryClient = useQueryClient();
  const refresh = (
    <Button key="refresh" icon={<ReloadOutlined />} onClick={() => queryClient.invalidateQueries({ queryKey: ['dashboard'] })}>
      {t('common.refresh')}
    </Button>
  );
  return (
    <PageContainer title={t('dashboard.title')} content={t('dashboard.subtitle', { from: filters.from, to: filters.to })} extra={[refresh]}>
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <FilterBar filters={filters} onChange={setFilters} />
        <KpiCards filters={filters} />
        <DailyPanel filters={filters} />
        <StockPanel filters={filters} />
        <Row gutter={[16, 16]}>
          <Col xs={24} xxl={12}>
            <TopProductsPanel filters={filters} />
          </Col>
          <Col xs={24} xxl={12}>
            <ClientsPanel filters={filters} />
          </Col>
        </Row>
        <SuppliersPanel filters={filters} />
        <FailuresPanel filters={filters} />
      </Space>
    </PageContainer>
  );
}
