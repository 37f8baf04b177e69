import { ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Space, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';
import { EndpointDeliveries } from './EndpointDeliveries.tsx';

export type Endpoint = ResponseOf<'/v1/admin/webhooks/endpoints/{id}', 'get'>;

/** Webhook endpoints (of one client, or of all); their delivery log; disable / re-enable. */
export function EndpointsTable({ clientId }: { clientId?: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const [open, setOpen] = useState<Endpoint>();
  const toggle = useMutation({
    mutationFn: async ({ id, action }: { id: string; action: 'enable' | 'disable' }) =>
      unwrap(await api.POST(action === 'enable' ? '/v1/admin/webhooks/endpoints/{id}/enable' : '/v1/admin/webhooks/endpoints/{id}/disable', { params: { path: { id } } })),
    onSuccess: (e) => {
      message.success(t(e.status === 'active' ? 'webhooks.enabled' : 'webhooks.disabled'));
      table.current?.reload();
    },
  });
  const columns: ProColumns<Endpoint>[] = [
    { title: t('webhooks.url'), dataIndex: 'url', search: false, render: (_, e) => <a onClick={() => setOpen(e)}>{e.url}</a> },
    { title: t('webhooks.client'), dataIndex: 'client_id', hideInSearch: !!clientId, hideInTable: !!clientId },
    {
      title: t('webhooks.events'),
      dataIndex: 'events',
      search: false,
      render: (_, e) => (e.events.length === 0 ? <Tag>{t('webhooks.allEvents')}</Tag> : <Space size={[0, 4]} wrap>{e.events.map((x) => <Tag key={x}>{x}</Tag>)}</Space>),
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: { active: { text: t('webhooks.endpointStatus.active'), status: 'Success' }, disabled: { text: t('webhooks.endpointStatus.disabled'), status: 'Error' } },
      render: (_, e) => (
        <Space direction="vertical" size={0}>
          <Tag color={e.status === 'active' ? 'green' : 'red'}>{t(`webhooks.endpointStatus.${e.status}`)}</Tag>
          {e.disabled_reason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{e.disabled_reason}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, e) => formatTime(e.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, e) => (
        <Space>
          <a onClick={() => setOpen(e)}>{t('webhooks.deliveries')}</a>
          <Can permission="webhooks:write">
            <a onClick={() => toggle.mutate({ id: e.id, action: e.status === 'active' ? 'disable' : 'enable' })}>
              {e.status === 'active' ? t('webhooks.disable') : t('webhooks.enable')}
            </a>
          </Can>
        </Space>
      ),
    },
  ];
  return (
    <>
      <ProTable<Endpoint>
        rowKey="id"
        actionRef={table}
        columns={columns}
        params={{ client_id: clientId }}
        // every endpoint at once: a client has a few
        request={async (p: Record<string, unknown>) => {
          const query = Object.fromEntries(Object.entries({ client_id: p.client_id, status: p.status }).filter(([, v]) => v)) as { client_id?: string; status?: 'active' | 'disabled' };
          return { data: unwrap(await api.GET('/v1/admin/webhooks/endpoints', { params: { query } })).data, success: true };
        }}
        pagination={{ defaultPageSize: 20 }}
        search={clientId ? false : { labelWidth: 'auto' }}
        options={clientId ? false : { reload: true, density: false, setting: false }}
        locale={{ emptyText: t('webhooks.noEndpoints') }}
      />
      <EndpointDeliveries endpoint={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
