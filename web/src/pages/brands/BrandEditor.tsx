import { UploadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Col, ColorPicker, Drawer, Form, Input, Row, Space, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { BrandPreview } from './BrandPreview.tsx';

export type Brand = ResponseOf<'/v1/admin/brands', 'get'>['data'][number];
type Values = { name: string; client_id?: string; campaign_id?: string; primary_color: string; text_color: string; service_phone?: string; service_wechat?: string; service_url?: string; footer?: string };

const LOGO_MAX = 100 * 1024;
const hex = (v: unknown) => (typeof v === 'string' ? v : (v as { toHexString?: () => string })?.toHexString?.() ?? '#1664ff');

async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Create (brand undefined) or edit a brand, with the phone preview beside the form. */
export function BrandEditor({ open, brand, onClose, onSaved }: { open: boolean; brand?: Brand; onClose(): void; onSaved(b: Brand): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [logoUrl, setLogoUrl] = useState<string | null>(null);
  const watched = Form.useWatch([], form) as Values | undefined;
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({ primary_color: '#1664ff', text_color: '#ffffff', ...Object.fromEntries(Object.entries(brand ?? {}).filter(([, v]) => v !== null)) });
    setLogoUrl(brand?.logo_url ?? null);
  }, [open, brand, form]);

  const save = useMutation({
    mutationFn: async (v: Values) => {
      const body = { ...v, primary_color: hex(v.primary_color), text_color: hex(v.text_color) };
      const blankToNull = Object.fromEntries(Object.entries(body).map(([k, x]) => [k, x === '' || x === undefined ? null : x])) as typeof body;
      if (brand) return unwrap(await api.PATCH('/v1/admin/brands/{id}', { params: { path: { id: brand.id } }, body: blankToNull }));
      return unwrap(await api.POST('/v1/admin/brands', { body: { ...blankToNull, name: v.name } }));
    },
    onSuccess: (b) => {
      message.success(t('h5.saved'));
      onSaved(b);
    },
  });
  const uploadLogo = useMutation({
    mutationFn: async (file: File) => unwrap(await api.PUT('/v1/admin/brands/{id}/logo', { params: { path: { id: brand!.id } }, body: { data_base64: await base64Of(file) } })),
    onSuccess: (b) => {
      setLogoUrl(b.logo_url);
      onSaved(b);
    },
  });

  return (
    <Drawer open={open} onClose={onClose} width={980} title={brand ? t('h5.edit', { name: brand.name }) : t('h5.new')} destroyOnHidden
      extra={<Can permission="brands:write"><Button type="primary" id="brand-save" loading={save.isPending} onClick={() => form.validateFields().then((v) => save.mutate(v), () => undefined)}>{t('h5.save')}</Button></Can>}>
      <Row gutter={24}>
        <Col flex="auto">
          <Form form={form} layout="vertical">
            <Form.Item name="name" label={t('h5.name')} rules={[{ required: true, whitespace: true, max: 60 }]}><Input id="brand-name" /></Form.Item>
            <Space.Compact block>
              <Form.Item name="client_id" label={t('h5.clientId')} style={{ width: '50%' }}><Input id="brand-client" placeholder="cli_…" /></Form.Item>
              <Form.Item name="campaign_id" label={t('h5.campaignId')} style={{ width: '50%' }}><Input id="brand-campaign" /></Form.Item>
            </Space.Compact>
            <Space size="large">
              <Form.Item name="primary_color" label={t('h5.primaryColor')} getValueFromEvent={(c) => hex(c)}><ColorPicker showText disabledAlpha /></Form.Item>
              <Form.Item name="text_color" label={t('h5.textColor')} getValueFromEvent={(c) => hex(c)}><ColorPicker showText disabledAlpha /></Form.Item>
            </Space>
            <Form.Item name="service_phone" label={t('h5.servicePhone')} rules={[{ pattern: /^[0-9+\-() ]{3,30}$/, message: t('h5.badPhone') }]}><Input id="brand-phone" /></Form.Item>
            <Form.Item name="service_wechat" label={t('h5.serviceWechat')} rules={[{ pattern: /^[A-Za-z][-_A-Za-z0-9]{5,19}$/, message: t('h5.badWechat') }]}><Input id="brand-wechat" /></Form.Item>
            <Form.Item name="service_url" label={t('h5.serviceUrl')} rules={[{ type: 'url', message: t('h5.badUrl') }]}><Input id="brand-url" placeholder="https://" /></Form.Item>
            <Form.Item name="footer" label={t('h5.footer')} rules={[{ max: 200 }]}><Input.TextArea id="brand-footer" maxLength={200} showCount /></Form.Item>
            <Form.Item label={t('h5.logo')} extra={brand ? t('h5.logoHint') : t('h5.logoAfterCreate')}>
              <Upload accept="image/png,image/jpeg" showUploadList={false} disabled={!brand}
                beforeUpload={(file) => {
                  if (file.size > LOGO_MAX) message.error(t('h5.logoTooLarge'));
                  else uploadLogo.mutate(file);
                  return false;
                }}>
                <Button icon={<UploadOutlined />} disabled={!brand} loading={uploadLogo.isPending}>{t('h5.uploadLogo')}</Button>
              </Upload>
            </Form.Item>
          </Form>
        </Col>
        <Col flex="395px">
          <BrandPreview brand={{ ...watched, primary_color: hex(watched?.primary_color), text_color: hex(watched?.text_color ?? '#ffffff'), logo_url: logoUrl }} />
        </Col>
      </Row>
    </Drawer>
  );
}
