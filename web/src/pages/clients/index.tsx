import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Space, Tag } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';
import { useSession } from '../../session.ts';
import { ClientEndpoints } from './ClientEndpoints.tsx';
import { NewClient } from './NewClient.tsx';

type Client = ResponseOf<'/v1/admin/clients', 'get'>['data'][number];

export default function ClientsPage() {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const { access } = useSession();
  const table = useRef<ActionType>(null);
  const [endpointsOf, setEndpointsOf] = useState<Client>();
  const disable = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/v1/admin/clients/{id}/disable', { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t('clients.disabled'));
      table.current?.reload();
    },
  });
  const confirmDisable = (c: Client) =>
    modal.confirm({
      title: t('clients.disableTitle', { name: c.name }),
      content: t('clients.disableBody'),
      okType: 'danger',
      okText: t('clients.disable'),
      cancelText: t('common.cancel'),
      onOk: () => disable.mutateAsync(c.id),
    });

  const columns: ProColumns<Client>[] = [
    { title: t('clients.name'), dataIndex: 'name' },
    { title: t('clients.id'), dataIndex: 'id', copyable: true },
    { title: t('clients.keyId'), dataIndex: 'key_id', copyable: true },
    { title: t('clients.scopes'), dataIndex: 'scopes', render: (_, c) => <Space size={[0, 4]} wrap>{c.scopes.map((s) => <Tag key={s}>{s}</Tag>)}</Space> },
    { title: t('common.status'), dataIndex: 'status', render: (_, c) => <Tag color={c.status === 'active' ? 'green' : 'default'}>{c.status === 'active' ? t('clients.active') : t('clients.disabledStatus')}</Tag> },
    { title: t('common.createdAt'), dataIndex: 'created_at', render: (_, c) => formatTime(c.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, c) => (
        <Space>
          {access.can('webhooks:read') && <a onClick={() => setEndpointsOf(c)}>{t('clients.endpoints')}</a>}
          {c.status === 'active' && (
            <Can permission="clients:write">
              <a onClick={() => confirmDisable(c)}>{t('clients.disable')}</a>
            </Can>
          )}
        </Space>
      ),
    },
  ];

  return (
    <PageContainer title={t('clients.title')} content={t('clients.intro')}>
      <ProTable<Client>
        rowKey="id"
        actionRef={table}
        columns={columns}
        // the API answers every client at once (a platform has tens of client systems, not thousands)
        request={async () => ({ data: unwrap(await api.GET('/v1/admin/clients')).data, success: true })}
        pagination={{ defaultPageSize: 20 }}
        search={false}
        options={{ reload: true, density: false, setting: false }}
        toolBarRender={() => [
          <Can key="new" permission="clients:write">
            <NewClient trigger={<Button type="primary" icon={<PlusOutlined />} id="client-new">{t('clients.new')}</Button>} onCreated={() => table.current?.reload()} />
          </Can>,
        ]}
      />
      <ClientEndpoints client={endpointsOf} onClose={() => setEndpointsOf(undefined)} />
    </PageContainer>
  );
}
