import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { ModalForm } from '@ant-design/pro-components';
import { Alert, App, Button, Form, Input, Select, Space, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import { useSession } from '../../session.ts';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan, yuanToFen } from '../../lib/money.ts';
import { useSuppliers } from '../suppliers/useSuppliers.ts';
import type { Product } from './ProductForm.tsx';

interface Row {
  supplier_id: string;
  supplier_product_id: string;
  unit_cost: string;
}

/**
 * A direct-recharge product's suppliers in failover order (the first is tried first, the next when it
 * refuses or fails), each with the supplier's own product id and the agreed unit cost in 元.
 */
export function ProductSuppliers({ product }: { product: Product }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { access } = useSession();
  const suppliers = useSuppliers();
  const editable = access.can('suppliers:write');
  const load = async (): Promise<{ suppliers: Row[] }> => {
    const r = unwrap(await api.GET('/v1/admin/products/{id}/suppliers', { params: { path: { id: product.id } } }));
    return { suppliers: r.suppliers.map((s) => ({ supplier_id: s.supplier_id, supplier_product_id: s.supplier_product_id, unit_cost: fenToYuan(s.unit_cost) })) };
  };
  const save = async (v: { suppliers?: Row[] }) => {
    const body = { suppliers: (v.suppliers ?? []).map((r) => ({ supplier_id: r.supplier_id, supplier_product_id: r.supplier_product_id.trim(), unit_cost: yuanToFen(r.unit_cost)! })) };
    unwrap(await api.PUT('/v1/admin/products/{id}/suppliers', { params: { path: { id: product.id } }, body }));
    message.success(t('suppliers.failover.saved'));
    return true;
  };
  return (
    <ModalForm<{ suppliers?: Row[] }>
      title={t('suppliers.failover.title', { name: product.name })}
      trigger={<a data-testid={`suppliers-${product.sku}`}>{t('suppliers.failover.menu')}</a>}
      request={load}
      modalProps={{ destroyOnHidden: true }}
      width={760}
      onFinish={save}
      submitter={editable ? { searchConfig: { submitText: t('common.save'), resetText: t('common.cancel') } } : false}
      disabled={!editable}
    >
      <Alert type="info" showIcon message={t('suppliers.failover.hint')} style={{ marginBottom: 16 }} />
      <Form.List name="suppliers">
        {(fields, { add, remove, move }) => (
          <>
            {fields.length === 0 && <Typography.Paragraph type="secondary">{t('suppliers.failover.empty')}</Typography.Paragraph>}
            {fields.map((f, i) => (
              <Space key={f.key} align="start" style={{ display: 'flex' }} data-testid="failover-row">
                <Typography.Text strong style={{ display: 'inline-block', width: 24, lineHeight: '32px' }}>{i + 1}.</Typography.Text>
                <Form.Item name={[f.name, 'supplier_id']} rules={[{ required: true, message: t('suppliers.failover.chooseSupplier') }]} style={{ width: 220 }}>
                  <Select placeholder={t('suppliers.failover.supplier')} aria-label={t('suppliers.failover.supplier')} options={(suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name }))} />
                </Form.Item>
                <Form.Item name={[f.name, 'supplier_product_id']} rules={[{ required: true, pattern: /^[A-Za-z0-9._:-]{1,64}$/, message: t('suppliers.failover.supplierProductIdHint') }]} style={{ width: 200 }}>
                  <Input placeholder={t('suppliers.failover.supplierProductId')} aria-label={t('suppliers.failover.supplierProductId')} />
                </Form.Item>
                <Form.Item name={[f.name, 'unit_cost']} rules={[{ required: true, validator: async (_, v?: string) => { if (yuanToFen(String(v ?? '')) === null) throw new Error(t('products.moneyInvalid')); } }]} style={{ width: 130 }}>
                  <Input placeholder={t('suppliers.failover.unitCost')} aria-label={t('suppliers.failover.unitCost')} />
                </Form.Item>
                <Button icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, i - 1)} aria-label={t('suppliers.failover.moveUp')} />
                <Button icon={<ArrowDownOutlined />} disabled={i === fields.length - 1} onClick={() => move(i, i + 1)} aria-label={t('suppliers.failover.moveDown')} />
                <Button icon={<DeleteOutlined />} danger onClick={() => remove(f.name)} aria-label={t('suppliers.failover.remove')} />
              </Space>
            ))}
            {editable && <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ supplier_product_id: '', unit_cost: '' })} block>{t('suppliers.failover.add')}</Button>}
          </>
        )}
      </Form.List>
    </ModalForm>
  );
}
