import { ModalForm, ProFormDependency, ProFormDigit, ProFormRadio, ProFormSelect, ProFormSwitch, ProFormText } from '@ant-design/pro-components';
import { Alert, Space } from 'antd';
import type { ReactElement } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan, yuanToFen } from '../../lib/money.ts';
import { BundleFields, isPack, PACK_KINDS, packValues } from './BundleFields.tsx';

export type Product = ResponseOf<'/v1/admin/products/{id}', 'get'>;
type Unit = NonNullable<Product['period']>['unit'];

const KINDS = ['card_code', 'direct_recharge', 'link', ...PACK_KINDS] as const;
const UNITS: Unit[] = ['day', 'week', 'month', 'quarter', 'year'];
const ACCOUNT_TYPES = ['mobile', 'qq', 'uid', 'email'] as const;
const PLATFORMS = ['iqiyi', 'tencent_video', 'youku', 'mango_tv', 'bilibili'];
const MONEY = ['price', 'cost', 'face_value'] as const;

/** What the form edits: money as 元 strings, the period as two fields. */
interface FormValues {
  sku: string;
  name: string;
  platform: string[] | string;
  kind: Product['kind'];
  period_count?: number | null;
  period_unit?: Unit;
  renewal: boolean;
  price: string;
  cost?: string;
  face_value?: string;
  validity_days?: number | null;
  safety_stock?: number;
  account_types?: Product['account_types'];
  /** bundle / choice pack: component product ids in order, and k */
  components?: string[];
  pick_count?: number;
}

function toForm(p?: Product): Partial<FormValues> {
  if (!p) return { kind: 'card_code', period_count: 1, period_unit: 'month', renewal: false, safety_stock: 0, price: '' };
  return {
    ...p,
    platform: [p.platform],
    period_count: p.period?.count ?? null,
    period_unit: p.period?.unit ?? 'month',
    price: fenToYuan(p.price),
    cost: fenToYuan(p.cost),
    face_value: fenToYuan(p.face_value),
  };
}

function toBody(v: FormValues) {
  const money = Object.fromEntries(MONEY.filter((k) => v[k] !== undefined && v[k] !== '').map((k) => [k, yuanToFen(String(v[k]))!]));
  return {
    name: v.name,
    platform: Array.isArray(v.platform) ? v.platform[0] : v.platform,
    period: v.period_count ? { unit: v.period_unit ?? 'month', count: v.period_count } : null,
    renewal: v.renewal,
    ...money,
    validity_days: v.validity_days || null,
    safety_stock: v.safety_stock ?? 0,
    ...(v.kind === 'direct_recharge' && v.account_types?.length ? { account_types: v.account_types } : {}),
  };
}

/** Create (no `product`) or edit a product in a modal; `onSaved` after the server accepted it. */
export function ProductForm({ product, trigger, onSaved }: { product?: Product; trigger: ReactElement; onSaved(p: Product): void }) {
  const { t } = useI18n();
  const moneyRule = (required: boolean) => ({
    validator: async (_: unknown, value?: string) => {
      if ((value === undefined || value === '') && !required) return;
      if (yuanToFen(String(value ?? '')) === null) throw new Error(t('products.moneyInvalid'));
    },
  });
  const submit = async (v: FormValues) => {
    onSaved(isPack(v.kind) ? await savePack(v) : product
      ? unwrap(await api.PATCH('/v1/admin/products/{id}', { params: { path: { id: product.id } }, body: toBody(v) }))
      : unwrap(await api.POST('/v1/admin/products', { body: { ...toBody(v), sku: v.sku, kind: v.kind as (typeof KINDS)[number] & Exclude<Product['kind'], 'bundle' | 'choice_pack'> } })));
    return true;
  };
  // a bundle or choice pack is created with its components in one call; an edit saves both parts
  const savePack = async (v: FormValues): Promise<Product> => {
    const spec = { components: v.components ?? [], ...(v.kind === 'choice_pack' ? { pick_count: v.pick_count } : {}) };
    if (!product) {
      const kind = v.kind as 'bundle' | 'choice_pack';
      return unwrap(await api.POST('/v1/admin/bundles', { body: { ...toBody(v), sku: v.sku, kind, ...spec } })).product;
    }
    const saved = unwrap(await api.PATCH('/v1/admin/products/{id}', { params: { path: { id: product.id } }, body: toBody(v) }));
    unwrap(await api.PUT('/v1/admin/products/{id}/components', { params: { path: { id: product.id } }, body: spec }));
    return saved;
  };
  return (
    <ModalForm<FormValues>
      title={product ? t('products.edit') : t('products.new')}
      trigger={trigger}
      initialValues={toForm(product)}
      request={product && isPack(product.kind) ? async () => ({ ...toForm(product), ...(await packValues(product.id)) }) as FormValues : undefined}
      modalProps={{ destroyOnHidden: true }}
      onFinish={submit}
      submitter={{ searchConfig: { submitText: t('common.save'), resetText: t('common.cancel') } }}
      grid
      rowProps={{ gutter: 16 }}
    >
      <ProFormText name="sku" label={t('products.sku')} tooltip={t('products.skuHint')} disabled={!!product} colProps={{ span: 12 }}
        rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, message: t('products.skuHint') }]} />
      <ProFormText name="name" label={t('products.name')} colProps={{ span: 12 }} rules={[{ required: true, max: 200 }]} />
      <ProFormSelect name="platform" label={t('products.platform')} colProps={{ span: 12 }} mode="tags" options={PLATFORMS}
        fieldProps={{ maxCount: 1 }} rules={[{ required: true }]} />
      <ProFormRadio.Group name="kind" label={t('products.kind')} colProps={{ span: 12 }} disabled={!!product} radioType="button"
        options={KINDS.map((k) => ({ value: k, label: t(`products.kinds.${k}`) }))} />
      <ProFormDigit name="period_count" label={t('products.period')} placeholder={t('products.noPeriod')} colProps={{ span: 6 }} min={1} max={120} fieldProps={{ precision: 0 }} />
      <ProFormSelect name="period_unit" label={t('products.periodUnit')} colProps={{ span: 6 }} allowClear={false}
        options={UNITS.map((u) => ({ value: u, label: t(`products.units.${u}`) }))} />
      <ProFormSwitch name="renewal" label={t('products.renewal')} colProps={{ span: 12 }} />
      <ProFormDependency name={['renewal']}>
        {({ renewal }) => (
          <Alert style={{ margin: '0 8px 16px', width: '100%' }} type={renewal ? 'warning' : 'info'} showIcon
            message={renewal ? t('products.renewalNotice') : t('products.independentNotice')} />
        )}
      </ProFormDependency>
      <ProFormText name="price" label={t('products.price')} colProps={{ span: 8 }} rules={[{ required: true, message: t('products.moneyInvalid') }, moneyRule(true)]} />
      <ProFormText name="cost" label={t('products.cost')} colProps={{ span: 8 }} rules={[moneyRule(false)]} />
      <ProFormText name="face_value" label={t('products.faceValue')} colProps={{ span: 8 }} rules={[moneyRule(false)]} />
      <ProFormDigit name="validity_days" label={t('products.validityDays')} placeholder={t('products.validityHint')} colProps={{ span: 12 }} min={1} max={3650} fieldProps={{ precision: 0 }} />
      <ProFormDigit name="safety_stock" label={t('products.safetyStock')} colProps={{ span: 12 }} min={0} max={100_000_000} fieldProps={{ precision: 0 }} />
      <ProFormDependency name={['kind']}>
        {({ kind }) =>
          kind === 'direct_recharge' && (
            <ProFormSelect name="account_types" label={t('products.accountTypes')} mode="multiple" colProps={{ span: 24 }}
              options={ACCOUNT_TYPES.map((a) => ({ value: a, label: t(`products.accountType.${a}`) }))} />
          )
        }
      </ProFormDependency>
      <BundleFields />
      <Space />
    </ModalForm>
  );
}
