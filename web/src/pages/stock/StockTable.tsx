import { WarningOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Table, Tag } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

type StockRow = ResponseOf<'/v1/admin/stock', 'get'>['data'][number];
export const STOCK_KEY = ['stock'] as const;

/** Stock per product; a product below its safety stock is highlighted (the line the operator must act on). */
export function StockTable() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: STOCK_KEY, queryFn: async () => unwrap(await api.GET('/v1/admin/stock')).data });
  const count = (key: 'available' | 'reserved' | 'delivered' | 'expired' | 'voided' | 'total') => ({ title: t(`stock.${key}`), dataIndex: key, align: 'right' as const });
  return (
    <Table<StockRow>
      rowKey="product_id"
      size="middle"
      loading={q.isLoading}
      dataSource={q.data}
      pagination={false}
      onRow={(r) => (r.below_safety_stock ? { style: { background: '#fff1f0' } } : {})}
      columns={[
        { title: t('stock.product'), dataIndex: 'sku', render: (sku: string, r) => <span title={r.name}>{sku}</span> },
        { title: t('products.name'), dataIndex: 'name' },
        {
          ...count('available'),
          render: (n: number, r) => (r.below_safety_stock ? <Tag color="error" icon={<WarningOutlined />}>{n}</Tag> : n),
        },
        { title: t('stock.safetyStock'), dataIndex: 'safety_stock', align: 'right' },
        count('reserved'),
        count('delivered'),
        count('expired'),
        count('voided'),
        count('total'),
        {
          title: t('common.status'),
          dataIndex: 'below_safety_stock',
          render: (below: boolean) => (below ? <Tag color="error">{t('stock.belowSafety')}</Tag> : null),
        },
      ]}
    />
  );
}
