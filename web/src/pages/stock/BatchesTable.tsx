import { ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Input, Space } from 'antd';
import { useRef, useState, type MutableRefObject } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { fenToYuan } from '../../lib/money.ts';
import { formatTime } from '../../lib/time.ts';
import { BatchDetail } from './BatchDetail.tsx';
import { STOCK_KEY } from './StockTable.tsx';

type Batch = ResponseOf<'/v1/admin/batches', 'get'>['data'][number];

/** Batches, newest first, filterable by product; detail drawer with the import report; void with a reason. */
export function BatchesTable({ tableRef }: { tableRef?: MutableRefObject<ActionType | undefined> }) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const queryClient = useQueryClient();
  const own = useRef<ActionType>();
  const table = tableRef ?? own;
  const [open, setOpen] = useState<string>();
  const request = useCursorRequest<Batch, QueryOf<'/v1/admin/batches', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/batches', { params: { query } })));
  const voidBatch = useMutation({
    mutationFn: async ({ id, reason }: { id: string; reason: string }) =>
      unwrap(await api.POST('/v1/admin/batches/{id}/void', { params: { path: { id } }, body: reason ? { reason } : {} } as never)),
    onSuccess: (r: ResponseOf<'/v1/admin/batches/{id}/void', 'post'>) => {
      message.success(t('stock.voidDone', { count: r.voided }));
      table.current?.reload();
      void queryClient.invalidateQueries({ queryKey: STOCK_KEY });
    },
  });
  const confirmVoid = (b: Batch) => {
    let reason = '';
    modal.confirm({
      title: t('stock.voidTitle'),
      content: (
        <Space direction="vertical" style={{ width: '100%' }}>
          {t('stock.voidBody')}
          <Input.TextArea maxLength={500} placeholder={t('stock.voidReason')} aria-label={t('stock.voidReason')} onChange={(e) => (reason = e.target.value)} />
        </Space>
      ),
      okType: 'danger',
      okText: t('stock.void'),
      cancelText: t('common.cancel'),
      onOk: () => voidBatch.mutateAsync({ id: b.id, reason }),
    });
  };

  const columns: ProColumns<Batch>[] = [
    { title: t('stock.batchId'), dataIndex: 'id', search: false, render: (_, b) => <a onClick={() => setOpen(b.id)}>{b.id}</a> },
    { title: t('stock.product'), dataIndex: 'product', hideInTable: true },
    { title: t('stock.product'), dataIndex: 'product_id', search: false },
    { title: t('stock.sourceName'), dataIndex: 'source_name', search: false },
    { title: t('stock.supplier'), dataIndex: 'supplier', search: false },
    { title: t('stock.unitCost'), dataIndex: 'unit_cost', search: false, align: 'right', render: (_, b) => (b.unit_cost === null ? '-' : fenToYuan(b.unit_cost)) },
    { title: t('stock.imported'), dataIndex: 'imported_count', search: false, align: 'right' },
    { title: t('stock.rejected'), dataIndex: 'rejected_count', search: false, align: 'right' },
    { title: t('stock.voided'), dataIndex: 'voided_count', search: false, align: 'right' },
    { title: t('common.status'), dataIndex: 'status', search: false, render: (_, b) => t(`stock.batchStatus.${b.status}`) },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, b) => formatTime(b.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, b) => (
        <Space>
          <a onClick={() => setOpen(b.id)}>{t('stock.detail')}</a>
          {b.status !== 'voided' && (
            <Can permission="batches:void">
              <a onClick={() => confirmVoid(b)}>{t('stock.void')}</a>
            </Can>
          )}
        </Space>
      ),
    },
  ];
  return (
    <>
      <ProTable<Batch> rowKey="id" actionRef={table} columns={columns} request={request} pagination={{ defaultPageSize: 20 }} search={{ labelWidth: 'auto' }} options={{ reload: true, density: false, setting: false }} />
      <BatchDetail id={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
