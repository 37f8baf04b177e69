import { PlusOutlined } from '@ant-design/icons';
import { ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Space } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { LIST_TABLE } from '../../lib/table.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { SupplierDetail } from './SupplierDetail.tsx';
import { SupplierForm, type Supplier } from './SupplierForm.tsx';
import { Balance, CircuitTag } from './SupplierTags.tsx';

/** Suppliers with their health: status, circuit state, last balance (flagged when low); refresh, edit, create. */
export function SuppliersTable() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const [open, setOpen] = useState<string>();
  const request = useCursorRequest<Supplier, QueryOf<'/v1/admin/suppliers', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/suppliers', { params: { query } })));
  const refresh = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/v1/admin/suppliers/{id}/balance/refresh', { params: { path: { id } } })),
    onSuccess: (r) => {
      if (r.refresh.ok) message.success(t('suppliers.balanceRefreshed'));
      else message.warning(t('suppliers.balanceFailed', { reason: r.refresh.reason ?? '' }));
      table.current?.reload();
    },
  });
  const saved = (created: boolean) => (s: Supplier) => {
    message.success(t(created ? 'suppliers.created' : 'suppliers.saved'));
    table.current?.reload();
    if (created) setOpen(s.id); // the new supplier's callback address is what the operator needs next
  };

  const columns: ProColumns<Supplier>[] = [
    { title: t('suppliers.name'), dataIndex: 'name', search: false, render: (_, s) => <a onClick={() => setOpen(s.id)}>{s.name}</a> },
    { title: t('suppliers.adapter'), dataIndex: 'adapter', search: false },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: { active: { text: t('suppliers.status.active'), status: 'Success' }, disabled: { text: t('suppliers.status.disabled'), status: 'Default' } },
    },
    { title: t('suppliers.circuitState'), dataIndex: ['circuit', 'state'], search: false, render: (_, s) => <CircuitTag state={s.circuit.state} /> },
    { title: t('suppliers.balance'), dataIndex: 'balance', search: false, align: 'right', render: (_, s) => <Balance supplier={s} /> },
    { title: t('suppliers.balanceCheckedAt'), dataIndex: 'balance_checked_at', search: false, render: (_, s) => formatTime(s.balance_checked_at) },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, s) => formatTime(s.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, s) => (
        <Space>
          <a onClick={() => setOpen(s.id)}>{t('suppliers.detail')}</a>
          <Can permission="suppliers:write">
            <Space>
              <a onClick={() => refresh.mutate(s.id)} data-testid={`refresh-${s.name}`}>
                {t('suppliers.refreshBalance')}
              </a>
              <SupplierForm supplier={s} trigger={<a>{t('common.edit')}</a>} onSaved={saved(false)} />
            </Space>
          </Can>
        </Space>
      ),
    },
  ];
  return (
    <>
      <ProTable<Supplier>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        {...LIST_TABLE}
        toolBarRender={() => [
          <Can key="new" permission="suppliers:write">
            <SupplierForm trigger={<Button type="primary" icon={<PlusOutlined />} id="supplier-new">{t('suppliers.new')}</Button>} onSaved={saved(true)} />
          </Can>,
        ]}
      />
      <SupplierDetail id={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
