import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';

type Template = ResponseOf<'/v1/admin/notify/templates', 'get'>['data'][number];
type Draft = Pick<Template, 'scope' | 'scope_id' | 'event' | 'channel' | 'subject' | 'body' | 'provider_template'>;

/** Templates: the stored ones above the built-in zh-CN defaults; edit one (or override a default) with a live preview. */
export function TemplatesTab() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Draft>();
  const [preview, setPreview] = useState<{ subject: string; body: string }>();
  const [form] = Form.useForm<Draft>();
  const list = useQuery({ queryKey: ['notify', 'templates'], queryFn: async () => unwrap(await api.GET('/v1/admin/notify/templates')) });
  const save = useMutation({
    mutationFn: async (d: Draft) =>
      unwrap(await api.PUT('/v1/admin/notify/templates', { body: { ...d, scope_id: d.scope === 'default' ? undefined : d.scope_id, provider_template: d.provider_template || undefined } })),
    onSuccess: () => {
      message.success(t('notify.saved'));
      setEditing(undefined);
      void qc.invalidateQueries({ queryKey: ['notify', 'templates'] });
    },
  });
  const render = useMutation({
    mutationFn: async (d: { subject?: string; body: string }) => unwrap(await api.POST('/v1/admin/notify/templates/preview', { body: d })),
    onSuccess: setPreview,
  });
  const open = (tpl: Template) => {
    const d: Draft = { scope: tpl.scope, scope_id: tpl.scope_id, event: tpl.event, channel: tpl.channel, subject: tpl.subject, body: tpl.body, provider_template: tpl.provider_template };
    form.setFieldsValue(d);
    setPreview(undefined);
    setEditing(d);
  };
  return (
    <>
      <Typography.Paragraph type="secondary">{t('notify.variables', { list: (list.data?.variables ?? []).map((v) => `{{${v}}}`).join(' ') })}</Typography.Paragraph>
      <Table<Template>
        rowKey={(r) => r.id ?? `${r.event}-${r.channel}-builtin`}
        loading={list.isLoading}
        dataSource={list.data?.data ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('notify.scope'), dataIndex: 'scope', render: (_, r) => (r.built_in ? <Tag>{t('notify.builtIn')}</Tag> : `${t(`notify.scopes.${r.scope}`)} ${r.scope_id}`) },
          { title: t('notify.event'), dataIndex: 'event' },
          { title: t('notify.channel'), dataIndex: 'channel', render: (_, r) => t(`notify.channels.${r.channel}`) },
          { title: t('notify.body'), dataIndex: 'body', ellipsis: true },
          { title: t('common.actions'), render: (_, r) => <Can permission="notify:write"><a onClick={() => open(r)}>{r.built_in ? t('notify.override') : t('notify.edit')}</a></Can> },
        ]}
      />
      <Modal open={!!editing} title={t('notify.editTemplate')} onCancel={() => setEditing(undefined)} onOk={() => form.validateFields().then((v) => save.mutate(v))} confirmLoading={save.isPending} width={640} destroyOnClose>
        <Form form={form} layout="vertical">
          <Form.Item name="scope" label={t('notify.scope')} rules={[{ required: true }]}>
            <Select options={(['default', 'product', 'campaign'] as const).map((s) => ({ value: s, label: t(`notify.scopes.${s}`) }))} />
          </Form.Item>
          <Form.Item noStyle shouldUpdate>
            {() => form.getFieldValue('scope') !== 'default' && (
              <Form.Item name="scope_id" label={t('notify.scopeId')} rules={[{ required: true }]}>
                <Input placeholder="prd_… / cmp_…" />
              </Form.Item>
            )}
          </Form.Item>
          <Form.Item name="event" label={t('notify.event')}><Input disabled /></Form.Item>
          <Form.Item name="channel" label={t('notify.channel')}><Input disabled /></Form.Item>
          <Form.Item name="subject" label={t('notify.subject')}><Input /></Form.Item>
          <Form.Item name="body" label={t('notify.body')} rules={[{ required: true }]}><Input.TextArea rows={4} /></Form.Item>
          <Form.Item name="provider_template" label={t('notify.providerTemplate')}><Input placeholder="SMS_…" /></Form.Item>
          <Button onClick={() => render.mutate({ subject: form.getFieldValue('subject'), body: form.getFieldValue('body') })} loading={render.isPending}>{t('notify.preview')}</Button>
          {preview && (
            <Typography.Paragraph style={{ marginTop: 12, whiteSpace: 'pre-wrap' }} data-testid="notify-preview">
              {preview.subject && <strong>{preview.subject}<br /></strong>}
              {preview.body}
            </Typography.Paragraph>
          )}
        </Form>
      </Modal>
    </>
  );
}
