import { Card, Col, Row, Statistic, Tooltip } from 'antd';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useDashboard, type DashboardData, type Filters } from './filters.ts';
import { count, percent, yuan } from './format.ts';

type Summary = DashboardData<'summary'>;

// The period's totals. 核销率 is "of what was issued in the period, the share redeemed now"
// (redeemed_of_issued ÷ issued, docs/dashboards.md), which is not redeemed ÷ issued: the tooltip says so.
const KPIS: Array<{ key: string; label: MessageKey; hint?: MessageKey; value: (s: Summary) => string; tone?: (s: Summary) => string | undefined }> = [
  { key: 'issued', label: 'dashboard.kpi.issued', value: (s) => count(s.issued) },
  { key: 'redeemed', label: 'dashboard.kpi.redeemed', hint: 'dashboard.kpi.redeemedHint', value: (s) => count(s.redeemed) },
  { key: 'rate', label: 'dashboard.kpi.rate', hint: 'dashboard.kpi.rateHint', value: (s) => percent(s.redemption_rate) },
  { key: 'revenue', label: 'dashboard.kpi.revenue', value: (s) => yuan(s.revenue) },
  { key: 'cost', label: 'dashboard.kpi.cost', value: (s) => yuan(s.cost) },
  { key: 'margin', label: 'dashboard.kpi.margin', value: (s) => yuan(s.margin), tone: (s) => (s.margin < 0 ? '#cf1322' : undefined) },
  { key: 'failed', label: 'dashboard.kpi.failed', hint: 'dashboard.kpi.failedHint', value: (s) => count(s.failed), tone: (s) => (s.failed > 0 ? '#cf1322' : undefined) },
];

export function KpiCards({ filters }: { filters: Filters }) {
  const { t } = useI18n();
  const q = useDashboard('summary', filters);
  const s = q.data;
  return (
    <Row gutter={[16, 16]} data-testid="kpis" aria-busy={q.isFetching}>
      {KPIS.map((k) => (
        // seven cards share a row on a wide screen and wrap on a narrow one
        <Col key={k.key} flex="1 1 160px">
          <Card size="small" loading={q.isLoading}>
            <Statistic
              title={k.hint ? <Tooltip title={t(k.hint)}><span tabIndex={0} style={{ borderBottom: '1px dashed currentColor' }}>{t(k.label)}</span></Tooltip> : t(k.label)}
              formatter={() => <span data-testid={`kpi-${k.key}`}>{s ? k.value(s) : '-'}</span>}
              valueStyle={{ color: s && k.tone?.(s), fontVariantNumeric: 'tabular-nums' }}
            />
          </Card>
        </Col>
      ))}
    </Row>
  );
}
