import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Form, Input, Select, Switch, Typography } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';

/** Per product: may messages carry the plaintext code (audited per message), and the renewal link of period-end reminders. */
export function ProductSettingsTab() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [product, setProduct] = useState<string>();
  const [form] = Form.useForm<{ send_codes: boolean; renewal_url: string }>();
  const products = useQuery({ queryKey: ['products', 'all'], queryFn: async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { limit: 200 } } })).data });
  const settings = useQuery({
    queryKey: ['notify', 'settings', product],
    enabled: !!product,
    queryFn: async () => {
      const s = unwrap(await api.GET('/v1/admin/notify/products/{id}/settings', { params: { path: { id: product! } } }));
      form.setFieldsValue({ send_codes: s.send_codes, renewal_url: s.renewal_url ?? '' });
      return s;
    },
  });
  const save = useMutation({
    mutationFn: async (v: { send_codes: boolean; renewal_url: string }) =>
      unwrap(await api.PUT('/v1/admin/notify/products/{id}/settings', { params: { path: { id: product! } }, body: { send_codes: v.send_codes, renewal_url: v.renewal_url || null } })),
    onSuccess: () => message.success(t('notify.saved')),
  });
  return (
    <div style={{ maxWidth: 560 }}>
      <Select
        showSearch
        optionFilterProp="label"
        style={{ width: '100%', marginBottom: 16 }}
        placeholder={t('notify.pickProduct')}
        value={product}
        onChange={setProduct}
        options={(products.data ?? []).map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }))}
      />
      {product && settings.data && (
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="send_codes" label={t('notify.sendCodes')} valuePropName="checked" extra={t('notify.sendCodesHelp')}>
            <Switch />
          </Form.Item>
          <Form.Item name="renewal_url" label={t('notify.renewalUrl')} rules={[{ type: 'url' }]}>
            <Input placeholder="https://" />
          </Form.Item>
          <Can permission="notify:write">
            <Button type="primary" htmlType="submit" loading={save.isPending}>{t('notify.save')}</Button>
          </Can>
        </Form>
      )}
      {!product && <Typography.Text type="secondary">{t('notify.pickProduct')}</Typography.Text>}
    </div>
  );
}
