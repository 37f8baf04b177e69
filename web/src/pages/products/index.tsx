import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Space, Tag } from 'antd';
import { useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { fenToYuan } from '../../lib/money.ts';
import { formatTime } from '../../lib/time.ts';
import { ProductForm, type Product } from './ProductForm.tsx';
import { ProductSuppliers } from './ProductSuppliers.tsx';

const STATUSES = ['active', 'inactive', 'archived'] as const;

export default function ProductsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const request = useCursorRequest<Product, QueryOf<'/v1/admin/products', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/products', { params: { query } })));
  const setStatus = useMutation({
    mutationFn: async ({ id, status }: { id: string; status: 'active' | 'inactive' }) =>
      unwrap(await api.PATCH('/v1/admin/products/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: (p) => {
      message.success(t(p.status === 'active' ? 'products.activated' : 'products.deactivated'));
      table.current?.reload();
    },
  });
  const saved = (created: boolean) => () => {
    message.success(t(created ? 'products.created' : 'products.saved'));
    table.current?.reload();
  };

  const columns: ProColumns<Product>[] = [
    { title: t('products.sku'), dataIndex: 'sku', search: false, copyable: true },
    { title: t('products.name'), dataIndex: 'name', search: false },
    { title: t('products.platform'), dataIndex: 'platform' },
    { title: t('products.kind'), dataIndex: 'kind', search: false, render: (_, p) => t(`products.kinds.${p.kind}`) },
    {
      title: t('products.period'),
      dataIndex: 'period',
      search: false,
      render: (_, p) => (
        <Space size={4}>
          {p.period ? `${p.period.count} ${t(`products.units.${p.period.unit}`)}` : t('products.noPeriod')}
          {p.renewal && <Tag color="orange">{t('products.renewal')}</Tag>}
        </Space>
      ),
    },
    { title: t('products.price'), dataIndex: 'price', search: false, align: 'right', render: (_, p) => fenToYuan(p.price) },
    { title: t('products.safetyStock'), dataIndex: 'safety_stock', search: false, align: 'right' },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: Object.fromEntries(STATUSES.map((s) => [s, { text: t(`products.status.${s}`), status: s === 'active' ? 'Success' : 'Default' }])),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, p) => formatTime(p.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, p) => (
        <Space>
          {p.kind === 'direct_recharge' && (
            <Can permission="suppliers:read">
              <ProductSuppliers product={p} />
            </Can>
          )}
          <Can permission="products:write">
            <Space>
              <ProductForm product={p} trigger={<a>{t('common.edit')}</a>} onSaved={saved(false)} />
              {p.status === 'active' ? (
                <a onClick={() => setStatus.mutate({ id: p.id, status: 'inactive' })}>{t('products.deactivate')}</a>
              ) : (
                <a onClick={() => setStatus.mutate({ id: p.id, status: 'active' })}>{t('products.activate')}</a>
              )}
            </Space>
          </Can>
        </Space>
      ),
    },
  ];

  return (
    <PageContainer title={t('products.title')}>
      <ProTable<Product>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        search={{ labelWidth: 'auto' }}
        options={{ reload: true, density: false, setting: false }}
        toolBarRender={() => [
          <Can key="new" permission="products:write">
            <ProductForm trigger={<Button type="primary" icon={<PlusOutlined />} id="product-new">{t('products.new')}</Button>} onSaved={saved(true)} />
          </Can>,
        ]}
      />
    </PageContainer>
  );
}
