import { ModalForm, ProFormRadio, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import type { ReactElement } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan, yuanToFen } from '../../lib/money.ts';

export type Supplier = ResponseOf<'/v1/admin/suppliers/{id}', 'get'>;

const ADAPTERS = ['fulu'];

interface FormValues {
  name: string;
  adapter: string;
  endpoint: string;
  app_key?: string;
  app_secret?: string;
  low_balance_threshold?: string;
  status?: Supplier['status'];
}

/**
 * Create (no `supplier`) or edit a supplier. The credentials are write-only: the form never shows them back
 * (the server answers only a masked app_key); on edit an empty field keeps the stored value, a filled one
 * rotates it.
 */
export function SupplierForm({ supplier, trigger, onSaved }: { supplier?: Supplier; trigger: ReactElement; onSaved(s: Supplier): void }) {
  const { t } = useI18n();
  const keep = supplier ? t('suppliers.keepCredential') : undefined;
  const submit = async (v: FormValues) => {
    const threshold = v.low_balance_threshold ? yuanToFen(v.low_balance_threshold) : null;
    const saved = supplier
      ? unwrap(
          await api.PATCH('/v1/admin/suppliers/{id}', {
            params: { path: { id: supplier.id } },
            body: {
              name: v.name,
              endpoint: v.endpoint,
              status: v.status,
              low_balance_threshold: threshold,
              ...(v.app_key ? { app_key: v.app_key } : {}),
              ...(v.app_secret ? { app_secret: v.app_secret } : {}),
            },
          }),
        )
      : unwrap(
          await api.POST('/v1/admin/suppliers', {
            body: { name: v.name, adapter: v.adapter, endpoint: v.endpoint, app_key: v.app_key!, app_secret: v.app_secret!, low_balance_threshold: threshold },
          }),
        );
    onSaved(saved);
    return true;
  };
  return (
    <ModalForm<FormValues>
      title={supplier ? t('suppliers.edit') : t('suppliers.new')}
      trigger={trigger}
      initialValues={
        supplier
          ? { name: supplier.name, adapter: supplier.adapter, endpoint: supplier.endpoint, status: supplier.status, low_balance_threshold: supplier.low_balance_threshold === null ? '' : fenToYuan(supplier.low_balance_threshold) }
          : { adapter: 'fulu' }
      }
      modalProps={{ destroyOnHidden: true }}
      onFinish={submit}
      submitter={{ searchConfig: { submitText: t('common.save'), resetText: t('common.cancel') } }}
      grid
      rowProps={{ gutter: 16 }}
    >
      <ProFormText name="name" label={t('suppliers.name')} colProps={{ span: 12 }} rules={[{ required: true, max: 100 }]} />
      <ProFormSelect name="adapter" label={t('suppliers.adapter')} colProps={{ span: 12 }} disabled={!!supplier} allowClear={false} options={ADAPTERS} rules={[{ required: true }]} />
      <ProFormText name="endpoint" label={t('suppliers.endpoint')} colProps={{ span: 24 }} placeholder="https://"
        rules={[{ required: true, pattern: /^https?:\/\/\S+$/, message: t('suppliers.endpointInvalid') }]} />
      <ProFormText name="app_key" label={t('suppliers.appKey')} colProps={{ span: 12 }} placeholder={keep}
        tooltip={supplier ? t('suppliers.appKeyHint', { hint: supplier.app_key_hint }) : undefined}
        fieldProps={{ autoComplete: 'off' }} rules={[{ required: !supplier, max: 200 }]} />
      <ProFormText.Password name="app_secret" label={t('suppliers.appSecret')} colProps={{ span: 12 }} placeholder={keep}
        tooltip={t('suppliers.secretWriteOnly')} fieldProps={{ autoComplete: 'new-password', visibilityToggle: false }} rules={[{ required: !supplier, max: 500 }]} />
      <ProFormText name="low_balance_threshold" label={t('suppliers.threshold')} colProps={{ span: 12 }} placeholder={t('suppliers.noThreshold')}
        rules={[{ validator: async (_: unknown, v?: string) => { if (v && yuanToFen(v) === null) throw new Error(t('products.moneyInvalid')); } }]} />
      {supplier && (
        <ProFormRadio.Group name="status" label={t('common.status')} colProps={{ span: 12 }} radioType="button"
          options={(['active', 'disabled'] as const).map((s) => ({ value: s, label: t(`suppliers.status.${s}`) }))} />
      )}
    </ModalForm>
  );
}
