import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Popconfirm, Space, Tag } from 'antd';
import { useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { LIST_TABLE } from '../../lib/table.ts';
import { formatTime } from '../../lib/time.ts';
import { useSession } from '../../session.ts';
import { ChangeRoleForm, CreateUserForm, ResetPasswordForm, ROLES, type AdminUser } from './UserForms.tsx';

/** Admin users: create with a role and an initial password, change the role, disable, reset a password or a lost TOTP. */
export default function UsersPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { me } = useSession();
  const table = useRef<ActionType>(null);
  const reload = () => table.current?.reload();
  const request = useCursorRequest<AdminUser, QueryOf<'/v1/admin/users', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/users', { params: { query } })));
  const setStatus = useMutation({
    mutationFn: async ({ id, status }: { id: string; status: AdminUser['status'] }) =>
      unwrap(await api.PATCH('/v1/admin/users/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: (u) => {
      message.success(t(u.status === 'active' ? 'users.enabled' : 'users.disabled', { email: u.email }));
      reload();
    },
  });
  const resetTotp = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/v1/admin/users/{id}/totp/reset', { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t('users.totpReset'));
      reload();
    },
  });

  const columns: ProColumns<AdminUser>[] = [
    { title: t('users.email'), dataIndex: 'email', copyable: true },
    {
      title: t('users.role'),
      dataIndex: 'role',
      valueType: 'select',
      valueEnum: Object.fromEntries(ROLES.map((r) => [r, { text: t(`roles.${r}`) }])),
      render: (_, u) => <Tag color={u.role === 'admin' ? 'red' : 'blue'}>{t(`roles.${u.role}`)}</Tag>,
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: { active: { text: t('users.status.active'), status: 'Success' }, disabled: { text: t('users.status.disabled'), status: 'Default' } },
    },
    { title: t('users.totp'), dataIndex: 'totp_enabled', search: false, render: (_, u) => (u.totp_enabled ? <Tag color="green">{t('users.totpOn')}</Tag> : <Tag>{t('users.totpOff')}</Tag>) },
    { title: t('users.lastLogin'), dataIndex: 'last_login_at', search: false, render: (_, u) => formatTime(u.last_login_at) },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, u) => formatTime(u.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, u) =>
        // the server refuses changing oneself (role, status) too; the own account is managed on the account page
        u.id === me?.id ? (
          <Tag>{t('users.you')}</Tag>
        ) : (
          <Can permission="users:write">
            <Space wrap size={4}>
              <ChangeRoleForm user={u} trigger={<a>{t('users.changeRole')}</a>} onDone={reload} />
              {u.status === 'active' ? (
                <Popconfirm title={t('users.disableConfirm', { email: u.email })} description={t('users.disableBody')} onConfirm={() => setStatus.mutateAsync({ id: u.id, status: 'disabled' })}>
                  <a>{t('users.disable')}</a>
                </Popconfirm>
              ) : (
                <Popconfirm title={t('users.enableConfirm', { email: u.email })} onConfirm={() => setStatus.mutateAsync({ id: u.id, status: 'active' })}>
                  <a>{t('users.enable')}</a>
                </Popconfirm>
              )}
              <ResetPasswordForm user={u} trigger={<a>{t('users.resetPassword')}</a>} onDone={reload} />
              {u.totp_enabled && (
                <Popconfirm title={t('users.resetTotpConfirm', { email: u.email })} description={t('users.resetTotpBody')} onConfirm={() => resetTotp.mutateAsync(u.id)}>
                  <a>{t('users.resetTotp')}</a>
                </Popconfirm>
              )}
            </Space>
          </Can>
        ),
    },
  ];

  return (
    <PageContainer title={t('users.title')}>
      <ProTable<AdminUser>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        {...LIST_TABLE}
        toolBarRender={() => [
          <Can key="new" permission="users:write">
            <CreateUserForm trigger={<Button type="primary" icon={<PlusOutlined />} id="user-new">{t('users.new')}</Button>} onDone={reload} />
          </Can>,
        ]}
      />
    </PageContainer>
  );
}
