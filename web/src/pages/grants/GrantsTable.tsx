import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Space, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime, TIME_ZONE } from '../../lib/time.ts';
import { ExportButton } from '../exports/ExportButton.tsx';
import { GRANT_STATUSES, GrantStatusTag, recipientText, type Grant } from './GrantStatus.tsx';

type Filter = Omit<QueryOf<'/v1/admin/grants', 'get'>, 'limit' | 'cursor'>;

/** The picker's wall-clock times are China time (like every time shown), whatever the browser's zone. */
const toIso = (v: string) => dayjs.tz(v, TIME_ZONE).toISOString();

/** Grant search: every filter the API serves by an index; the export button exports what the list shows. */
export function GrantsTable() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<Filter>({});
  const request = useCursorRequest<Grant, QueryOf<'/v1/admin/grants', 'get'>>(async (query) => {
    const { limit: _l, cursor: _c, ...shown } = query;
    setFilter(shown);
    return unwrap(await api.GET('/v1/admin/grants', { params: { query } }));
  });

  const text = (placeholder?: string) => ({ fieldProps: { placeholder, allowClear: true } });
  const columns: ProColumns<Grant>[] = [
    // the two fields support staff ask for first: the client's order number and the recipient's phone
    { title: t('grants.outOrderNo'), dataIndex: 'out_order_no', order: 10, ...text(), render: (_, g) => g.out_order_no ?? '-' },
    { title: t('grants.phone'), dataIndex: 'phone', order: 9, hideInTable: true, ...text(t('grants.phonePlaceholder')) },
    {
      title: t('common.status'),
      dataIndex: 'status',
      order: 8,
      valueType: 'select',
      valueEnum: Object.fromEntries(GRANT_STATUSES.map((s) => [s, { text: t(`grants.status.${s}`) }])),
      render: (_, g) => <GrantStatusTag status={g.status} />,
    },
    { title: t('grants.externalId'), dataIndex: 'external_id', order: 7, hideInTable: true, ...text() },
    { title: t('grants.product'), dataIndex: 'product', order: 6, hideInTable: true, ...text(t('grants.productPlaceholder')) },
    { title: t('grants.client'), dataIndex: 'client', order: 5, hideInTable: true, ...text(t('grants.clientPlaceholder')) },
    {
      title: t('grants.createdRange'),
      dataIndex: 'created',
      order: 4,
      valueType: 'dateTimeRange',
      hideInTable: true,
      search: { transform: ([from, to]: [string, string]) => ({ created_from: toIso(from), created_to: toIso(to) }) },
    },
    { title: t('grants.id'), dataIndex: 'id', search: false, render: (_, g) => <Link to={`/grants/${g.id}`}>{g.id}</Link> },
    {
      title: t('grants.product'),
      dataIndex: ['product', 'name'],
      search: false,
      render: (_, g) => (
        <Space direction="vertical" size={0}>
          {g.product.name}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {g.product.sku}
          </Typography.Text>
        </Space>
      ),
    },
    { title: t('grants.recipient'), dataIndex: 'recipient', search: false, render: (_, g) => recipientText(g.recipient) },
    { title: t('grants.issuedAt'), dataIndex: 'created_at', search: false, render: (_, g) => formatTime(g.created_at) },
    { title: t('grants.redeemedAt'), dataIndex: 'redeemed_at', search: false, render: (_, g) => formatTime(g.redeemed_at) },
  ];
  return (
    <PageContainer title={t('grants.title')}>
      <ProTable<Grant>
        rowKey="id"
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20 }}
        search={{ labelWidth: 'auto' }}
        scroll={{ x: 'max-content' }}
        options={{ reload: true, density: false, setting: false }}
        toolBarRender={() => [<ExportButton key="export" kind="grants" filter={filter} />]}
      />
    </PageContainer>
  );
}
