import { ModalForm, ProFormDateTimePicker, ProFormDigit, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import type { ReactElement } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

interface Values {
  name: string;
  client_id: string;
  product: string;
  max_redemptions: number;
  per_user_limit: number;
  starts_at?: string;
  ends_at: string;
}

const iso = (v: unknown) => new Date(String(v)).toISOString();

/** A new code set: which client issues, which product, how often a code and a person may claim, and when. */
export function NewSet({ trigger, onCreated }: { trigger: ReactElement; onCreated(): void }) {
  const { t } = useI18n();
  return (
    <ModalForm<Values>
      title={t('redemption.newSet')}
      trigger={trigger}
      initialValues={{ max_redemptions: 1, per_user_limit: 1 }}
      modalProps={{ destroyOnHidden: true }}
      submitter={{ searchConfig: { submitText: t('common.create'), resetText: t('common.cancel') } }}
      onFinish={async (v) => {
        unwrap(await api.POST('/v1/admin/redemption-sets', { body: { ...v, name: v.name.trim(), starts_at: v.starts_at ? iso(v.starts_at) : undefined, ends_at: iso(v.ends_at) } }));
        onCreated();
        return true;
      }}
    >
      <ProFormText name="name" label={t('redemption.name')} rules={[{ required: true, whitespace: true, max: 100 }]} />
      <ProFormSelect
        name="client_id"
        label={t('redemption.client')}
        tooltip={t('redemption.clientHint')}
        rules={[{ required: true }]}
        request={async () => unwrap(await api.GET('/v1/admin/clients')).data.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
      />
      <ProFormText name="product" label={t('redemption.product')} placeholder="SKU / prd_…" rules={[{ required: true, whitespace: true }]} />
      <ProFormDigit name="max_redemptions" label={t('redemption.maxRedemptions')} tooltip={t('redemption.maxRedemptionsHint')} min={1} fieldProps={{ precision: 0 }} rules={[{ required: true }]} />
      <ProFormDigit name="per_user_limit" label={t('redemption.perUserLimit')} min={1} fieldProps={{ precision: 0 }} rules={[{ required: true }]} />
      <ProFormDateTimePicker name="starts_at" label={t('redemption.startsAt')} />
      <ProFormDateTimePicker name="ends_at" label={t('redemption.endsAt')} rules={[{ required: true }]} />
    </ModalForm>
  );
}
