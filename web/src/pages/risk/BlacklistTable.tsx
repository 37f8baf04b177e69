import { ModalForm, ProFormRadio, ProFormText, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { App, Button, Popconfirm, Tag } from 'antd';
import { useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';

type Entry = ResponseOf<'/v1/admin/risk/blacklist', 'get'>['data'][number];

/** Blacklisted IP ranges (CIDR, IPv4 / IPv6) and phones (shown masked: the server keeps a fingerprint only). */
export function BlacklistTable() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const request = useCursorRequest(async (query: { kind?: 'ip' | 'phone'; limit: number; cursor?: string }) =>
    unwrap(await api.GET('/v1/admin/risk/blacklist', { params: { query } })),
  );
  const remove = async (e: Entry) => {
    unwrap(await api.DELETE('/v1/admin/risk/blacklist/{id}', { params: { path: { id: e.id } } }));
    message.success(t('risk.removed'));
    table.current?.reload();
  };
  const columns: ProColumns<Entry>[] = [
    { title: t('risk.kind'), dataIndex: 'kind', valueType: 'select', valueEnum: { ip: { text: t('risk.kinds.ip') }, phone: { text: t('risk.kinds.phone') } }, render: (_, e) => <Tag>{t(`risk.kinds.${e.kind}`)}</Tag> },
    { title: t('risk.value'), dataIndex: 'value', search: false },
    { title: t('risk.note'), dataIndex: 'note', search: false },
    { title: t('risk.by'), dataIndex: 'created_by', search: false },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, e) => formatTime(e.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, e) => (
        <Can permission="risk:write">
          <Popconfirm title={t('risk.removeConfirm', { value: e.value })} onConfirm={() => remove(e)} okText={t('common.ok')} cancelText={t('common.cancel')}>
            <a>{t('risk.remove')}</a>
          </Popconfirm>
        </Can>
      ),
    },
  ];
  return (
    <ProTable<Entry>
      rowKey="id"
      actionRef={table}
      columns={columns}
      request={request}
      pagination={{ defaultPageSize: 20 }}
      search={{ labelWidth: 'auto' }}
      options={{ reload: true, density: false, setting: false }}
      locale={{ emptyText: t('risk.noBlacklist') }}
      toolBarRender={() => [
        <Can key="add" permission="risk:write">
          <ModalForm<{ kind: 'ip' | 'phone'; value: string; note?: string }>
            title={t('risk.addBlacklist')}
            trigger={<Button type="primary" id="risk-blacklist-add">{t('risk.addBlacklist')}</Button>}
            width={460}
            initialValues={{ kind: 'ip' }}
            modalProps={{ destroyOnHidden: true }}
            onFinish={async (body) => {
              unwrap(await api.POST('/v1/admin/risk/blacklist', { body: { ...body, value: body.value.trim() } }));
              message.success(t('risk.added'));
              table.current?.reload();
              return true;
            }}
          >
            <ProFormRadio.Group name="kind" label={t('risk.kind')} radioType="button" options={(['ip', 'phone'] as const).map((k) => ({ value: k, label: t(`risk.kinds.${k}`) }))} />
            <ProFormText name="value" label={t('risk.value')} extra={t('risk.valueHint')} rules={[{ required: true, whitespace: true, message: t('risk.valueRequired') }]} />
            <ProFormText name="note" label={t('risk.note')} fieldProps={{ maxLength: 500 }} />
          </ModalForm>
        </Can>,
      ]}
    />
  );
}
