import { ModalForm, ProFormDigit, ProFormSelect, ProFormSwitch, ProFormText, ProFormTextArea } from '@ant-design/pro-components';
import { useQuery } from '@tanstack/react-query';
import type { ReactElement } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useSession } from '../../session.ts';

export type Campaign = ResponseOf<'/v1/admin/campaigns', 'get'>['data'][number];

interface Values {
  name: string;
  client: string;
  product: string;
  budget: number;
  per_person_limit: number;
  starts_at: string;
  ends_at: string;
  description?: string;
  instructions?: string;
  activate?: boolean;
}

// native datetime-local inputs (local time) ↔ the API's ISO date-times: antd's pickers would add ~50 KB
const toLocal = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const toIso = (local: string) => new Date(local).toISOString();

/** Create a campaign, or edit one (`campaign` given): client and product are fixed once created. */
export function CampaignForm({ trigger, campaign, onSaved }: { trigger: ReactElement; campaign?: Campaign; onSaved(): void }) {
  const { t } = useI18n();
  const { access } = useSession();
  // only admins may list client keys: other roles type the client id (cli_…) the admin gave them
  const listClients = access.can('clients:read');
  const clients = useQuery({ queryKey: ['clients', 'all'], queryFn: async () => unwrap(await api.GET('/v1/admin/clients')).data, enabled: !campaign && listClients });
  const products = useQuery({ queryKey: ['products', 'all'], queryFn: async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { limit: 200 } } })).data, enabled: !campaign });
  const now = new Date();
  const initial = campaign
    ? { ...campaign, starts_at: toLocal(campaign.starts_at), ends_at: toLocal(campaign.ends_at) }
    : { budget: 100, per_person_limit: 1, starts_at: toLocal(now.toISOString()), ends_at: toLocal(new Date(now.getTime() + 7 * 86_400_000).toISOString()) };
  const submit = async (v: Values) => {
    const common = {
      name: v.name.trim(),
      budget: v.budget,
      per_person_limit: v.per_person_limit,
      starts_at: toIso(v.starts_at),
      ends_at: toIso(v.ends_at),
      description: v.description ?? '',
      instructions: v.instructions ?? '',
    };
    if (campaign) unwrap(await api.PATCH('/v1/admin/campaigns/{id}', { params: { path: { id: campaign.id } }, body: common }));
    else unwrap(await api.POST('/v1/admin/campaigns', { body: { ...common, client: v.client, product: v.product, activate: Boolean(v.activate) } }));
    onSaved();
    return true;
  };
  return (
    <ModalForm<Values>
      title={campaign ? t('campaigns.edit') : t('campaigns.new')}
      trigger={trigger}
      initialValues={initial}
      modalProps={{ destroyOnHidden: true }}
      onFinish={submit}
      submitter={{ searchConfig: { submitText: campaign ? t('common.save') : t('common.create'), resetText: t('common.cancel') } }}
    >
      <ProFormText name="name" label={t('campaigns.name')} rules={[{ required: true, whitespace: true, max: 100 }]} />
      {!campaign && (
        <>
          {listClients ? (
            <ProFormSelect name="client" label={t('campaigns.client')} tooltip={t('campaigns.clientHint')} rules={[{ required: true }]} showSearch
              options={(clients.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))} />
          ) : (
            <ProFormText name="client" label={t('campaigns.client')} tooltip={t('campaigns.clientHint')} placeholder="cli_…" rules={[{ required: true, whitespace: true, max: 100 }]} />
          )}
          <ProFormSelect name="product" label={t('campaigns.product')} rules={[{ required: true }]} showSearch
            options={(products.data ?? []).map((p) => ({ value: p.id, label: `${p.name} · ${p.sku}` }))} />
        </>
      )}
      <ProFormDigit name="budget" label={t('campaigns.budget')} min={Math.max(1, campaign?.used ?? 1)} max={10_000_000} fieldProps={{ precision: 0 }} rules={[{ required: true }]} />
      <ProFormDigit name="per_person_limit" label={t('campaigns.perPerson')} min={1} max={100} fieldProps={{ precision: 0 }} rules={[{ required: true }]} />
      <ProFormText name="starts_at" label={t('campaigns.startsAt')} fieldProps={{ type: 'datetime-local' }} rules={[{ required: true }]} />
      <ProFormText name="ends_at" label={t('campaigns.endsAt')} fieldProps={{ type: 'datetime-local' }} rules={[{ required: true }]} />
      <ProFormTextArea name="description" label={t('campaigns.description')} fieldProps={{ maxLength: 2000, rows: 2 }} />
      <ProFormTextArea name="instructions" label={t('campaigns.instructions')} fieldProps={{ maxLength: 4000, rows: 3 }} />
      {!campaign && <ProFormSwitch name="activate" label={t('campaigns.activateNow')} />}
    </ModalForm>
  );
}
