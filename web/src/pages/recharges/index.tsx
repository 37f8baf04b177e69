import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { LIST_TABLE } from '../../lib/table.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { TIME_ZONE, formatTime } from '../../lib/time.ts';
import { useSuppliers } from '../suppliers/useSuppliers.ts';
import { RechargeDetail } from './RechargeDetail.tsx';
import { OrderStatusTag } from './RechargeTags.tsx';
import { ExportButton } from '../exports/ExportButton.tsx';

type Row = ResponseOf<'/v1/admin/recharges', 'get'>['data'][number];
const STATUSES = ['processing', 'succeeded', 'failed'] as const;

/** China-time days picked in the filter → the instants the API compares creation times with. */
function dayRange(v: [string, string]) {
  return {
    created_from: dayjs.tz(v[0], TIME_ZONE).startOf('day').toISOString(),
    created_to: dayjs.tz(v[1], TIME_ZONE).startOf('day').add(1, 'day').toISOString(),
  };
}

export default function RechargesPage() {
  const { t } = useI18n();
  const table = useRef<ActionType>(null);
  const [open, setOpen] = useState<string>();
  const suppliers = useSuppliers();
  const products = useQuery({ queryKey: ['products', 'all'], queryFn: async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { limit: 200 } } })).data });
  const productName = (id: string) => products.data?.find((p) => p.id === id)?.sku ?? id;
  // the export button exports what the list shows (the export takes the status and product filters)
  const [filter, setFilter] = useState<{ status?: string; product?: string }>({});
  const request = useCursorRequest<Row, QueryOf<'/v1/admin/recharges', 'get'>>(async (query) => {
    setFilter({ status: query.status, product: query.product });
    return unwrap(await api.GET('/v1/admin/recharges', { params: { query } }));
  });

  const columns: ProColumns<Row>[] = [
    { title: t('recharges.id'), dataIndex: 'id', search: false, render: (_, o) => <a onClick={() => setOpen(o.id)}>{o.id}</a> },
    { title: t('recharges.grant'), dataIndex: 'grant_id', search: false, copyable: true },
    {
      title: t('recharges.product'),
      dataIndex: 'product',
      valueType: 'select',
      hideInTable: true,
      fieldProps: { showSearch: true, optionFilterProp: 'label', options: (products.data ?? []).filter((p) => p.kind === 'direct_recharge').map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` })) },
    },
    { title: t('recharges.product'), dataIndex: 'product_id', search: false, render: (_, o) => productName(o.product_id) },
    {
      title: t('recharges.supplier'),
      dataIndex: 'supplier',
      valueType: 'select',
      hideInTable: true,
      fieldProps: { options: (suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name })) },
    },
    { title: t('recharges.account'), dataIndex: 'account', search: false },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: Object.fromEntries(STATUSES.map((s) => [s, { text: t(`recharges.status.${s}`) }])),
      render: (_, o) => <OrderStatusTag status={o.status} />,
    },
    { title: t('recharges.failure'), dataIndex: 'failure', search: false, ellipsis: true, render: (_, o) => (o.failure ? o.failure.code : '-') },
    {
      title: t('common.createdAt'),
      dataIndex: 'created',
      valueType: 'dateRange',
      hideInTable: true,
      search: { transform: (v: [string, string]) => dayRange(v) },
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, o) => formatTime(o.created_at) },
    { title: t('recharges.finishedAt'), dataIndex: 'finished_at', search: false, render: (_, o) => formatTime(o.finished_at) },
    { title: t('common.actions'), valueType: 'option', render: (_, o) => <a onClick={() => setOpen(o.id)}>{t('recharges.detail')}</a> },
  ];

  return (
    <PageContainer title={t('recharges.title')}>
      <ProTable<Row>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        {...LIST_TABLE}
        toolBarRender={() => [<ExportButton key="export" kind="recharges" filter={filter} />]}
      />
      <RechargeDetail id={open} onClose={() => setOpen(undefined)} onChanged={() => table.current?.reload()} />
    </PageContainer>
  );
}
