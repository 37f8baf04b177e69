import { ProFormDependency, ProFormDigit, ProFormSelect } from '@ant-design/pro-components';
import { Alert } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

// The product form's part for bundles and choice packs (组合套餐 / 自选权益包): the component picker (existing
// products that are not packs themselves, in the order chosen) and, for a choice pack, the pick count k.
export const PACK_KINDS = ['bundle', 'choice_pack'] as const;
export const isPack = (kind?: string) => kind === 'bundle' || kind === 'choice_pack';

async function componentOptions() {
  const page = unwrap(await api.GET('/v1/admin/products', { params: { query: { limit: 200, status: 'active' } } }));
  return page.data.filter((p) => !isPack(p.kind)).map((p) => ({ value: p.id, label: `${p.name} · ${p.sku}` }));
}

/** Loads what the form edits of an existing pack: its component ids and pick count. */
export async function packValues(productId: string) {
  const spec = unwrap(await api.GET('/v1/admin/products/{id}/components', { params: { path: { id: productId } } }));
  return { components: spec.components.map((c) => c.product.id), pick_count: spec.pick_count ?? undefined };
}

export function BundleFields() {
  const { t } = useI18n();
  return (
    <ProFormDependency name={['kind', 'components']}>
      {({ kind, components }) =>
        isPack(kind) && (
          <>
            <Alert style={{ margin: '0 8px 16px', width: '100%' }} type="info" showIcon message={t(kind === 'bundle' ? 'bundles.bundleNotice' : 'bundles.choiceNotice')} />
            <ProFormSelect name="components" label={t('bundles.components')} tooltip={t('bundles.componentsHint')} mode="multiple" colProps={{ span: kind === 'choice_pack' ? 18 : 24 }}
              request={componentOptions} rules={[{ required: true, type: 'array', min: 2, max: 20, message: t('bundles.componentsHint') }]} />
            {kind === 'choice_pack' && (
              <ProFormDigit name="pick_count" label={t('bundles.pickCount')} tooltip={t('bundles.pickCountHint')} colProps={{ span: 6 }} min={1}
                max={Math.max(1, (components as string[] | undefined)?.length ?? 1)} fieldProps={{ precision: 0 }} rules={[{ required: true, message: t('bundles.pickCountHint') }]} />
            )}
          </>
        )
      }
    </ProFormDependency>
  );
}
