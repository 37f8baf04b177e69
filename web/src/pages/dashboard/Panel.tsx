import { Card, Col, Empty, Row, Spin } from 'antd';
import type { ReactNode } from 'react';
import { Chart, type ChartOption } from '../../components/Chart.tsx';
import { DataTable, type DataColumn } from '../../components/DataTable.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { count, yuan } from './format.ts';

const HEIGHT = 300;

// One dashboard panel: the chart and, beside it, the same figures as a table (exact values, and what a screen
// reader reads). A skeleton while the first answer comes, a spinner over the previous figures while a new
// filter loads (aria-busy tells tests and assistive technology), an empty state rather than a blank chart.
export function Panel<T>(props: {
  id: string;
  title: string;
  extra?: ReactNode;
  /** the panel's query: a skeleton while it first loads, a spinner while a new filter loads */
  state: { isLoading: boolean; isFetching: boolean };
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  columns: DataColumn<T>[];
  option: ChartOption;
  /** the chart's share of the width on wide screens (out of 24; default half) */
  chartSpan?: number;
}) {
  const { t } = useI18n();
  const rows = props.rows ?? [];
  const { isLoading: loading, isFetching: fetching } = props.state;
  const span = props.chartSpan ?? 12;
  return (
    <Card title={props.title} extra={props.extra} loading={loading} data-testid={`panel-${props.id}`} aria-busy={fetching} styles={{ body: { minHeight: loading ? HEIGHT : undefined } }}>
      <Spin spinning={fetching && !loading} delay={200}>
        {rows.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('dashboard.empty')} />
        ) : (
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={span}>
              <Chart option={props.option} label={props.title} height={HEIGHT} />
            </Col>
            <Col xs={24} xl={24 - span}>
              <div style={{ maxHeight: HEIGHT, overflowY: 'auto' }} data-testid={`table-${props.id}`}>
                <DataTable caption={props.title} rows={rows} rowKey={props.rowKey} columns={props.columns} />
              </div>
            </Col>
          </Row>
        )}
      </Spin>
    </Card>
  );
}

/** The grid, legend and tooltip every dashboard chart shares. */
export const BASE: ChartOption = {
  tooltip: { trigger: 'axis', confine: true },
  legend: { top: 0 },
  grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
};

type Volume = { issued: number; redeemed: number; revenue: number };

/** The issued / redeemed / revenue columns the daily, product and client tables share. */
export function volumeColumns<T extends Volume>(t: (key: 'dashboard.kpi.issued' | 'dashboard.kpi.redeemed' | 'dashboard.kpi.revenue') => string): DataColumn<T>[] {
  return [
    { title: t('dashboard.kpi.issued'), render: (r) => count(r.issued), numeric: true },
    { title: t('dashboard.kpi.redeemed'), render: (r) => count(r.redeemed), numeric: true },
    { title: t('dashboard.kpi.revenue'), render: (r) => yuan(r.revenue), numeric: true },
  ];
}
