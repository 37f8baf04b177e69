import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Space, Tag } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { NewSet } from './NewSet.tsx';
import { SetDrawer } from './SetDrawer.tsx';

type RedemptionSet = ResponseOf<'/v1/admin/redemption-sets', 'get'>['data'][number];
type Move = 'pause' | 'resume' | 'void';

const STATUS_COLOR: Record<RedemptionSet['status'], string> = { active: 'green', paused: 'orange', voided: 'default' };

/** Redemption code sets (兑换码): create, generate with progress and the one-time download, pause / void. */
export default function RedemptionPage() {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const table = useRef<ActionType>(null);
  const [open, setOpen] = useState<RedemptionSet>();
  const request = useCursorRequest<RedemptionSet, QueryOf<'/v1/admin/redemption-sets', 'get'>>(async (query) =>
    unwrap(await api.GET('/v1/admin/redemption-sets', { params: { query } })),
  );
  const move = useMutation({
    mutationFn: async ({ id, event }: { id: string; event: Move }) => {
      const path = { id };
      if (event === 'pause') return unwrap(await api.POST('/v1/admin/redemption-sets/{id}/pause', { params: { path } }));
      if (event === 'resume') return unwrap(await api.POST('/v1/admin/redemption-sets/{id}/resume', { params: { path } }));
      return unwrap(await api.POST('/v1/admin/redemption-sets/{id}/void', { params: { path } }));
    },
    onSuccess: () => table.current?.reload(),
  });
  const confirmVoid = (s: RedemptionSet) =>
    modal.confirm({ title: t('redemption.voidTitle', { name: s.name }), content: t('redemption.voidBody'), okType: 'danger', okText: t('redemption.void'), cancelText: t('common.cancel'), onOk: () => move.mutateAsync({ id: s.id, event: 'void' }) });

  const columns: ProColumns<RedemptionSet>[] = [
    { title: t('redemption.name'), dataIndex: 'name', search: false, render: (_, s) => <a onClick={() => setOpen(s)}>{s.name}</a> },
    { title: t('redemption.setId'), dataIndex: 'id', search: false, copyable: true },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: { active: { text: t('redemption.status.active') }, paused: { text: t('redemption.status.paused') }, voided: { text: t('redemption.status.voided') } },
      render: (_, s) => <Tag color={STATUS_COLOR[s.status]}>{t(`redemption.status.${s.status}`)}</Tag>,
    },
    { title: t('redemption.product'), dataIndex: 'product_id', search: false },
    { title: t('redemption.maxRedemptions'), dataIndex: 'max_redemptions', search: false, align: 'right' },
    { title: t('redemption.perUserLimit'), dataIndex: 'per_user_limit', search: false, align: 'right' },
    { title: t('redemption.codeCount'), dataIndex: 'code_count', search: false, align: 'right' },
    { title: t('redemption.window'), dataIndex: 'ends_at', search: false, render: (_, s) => `${formatTime(s.starts_at)} – ${formatTime(s.ends_at)}` },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, s) => (
        <Space>
          <a onClick={() => setOpen(s)}>{t('redemption.open')}</a>
          <Can permission="redemption:write">
            {s.status === 'active' && <a onClick={() => move.mutate({ id: s.id, event: 'pause' })}>{t('redemption.pause')}</a>}
            {s.status === 'paused' && <a onClick={() => move.mutate({ id: s.id, event: 'resume' })}>{t('redemption.resume')}</a>}
            {s.status !== 'voided' && <a onClick={() => confirmVoid(s)}>{t('redemption.void')}</a>}
          </Can>
        </Space>
      ),
    },
  ];
  return (
    <PageContainer title={t('redemption.title')}>
      <ProTable<RedemptionSet>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20 }}
        search={{ labelWidth: 'auto' }}
        options={{ reload: true, density: false, setting: false }}
        toolBarRender={() => [
          <Can key="new" permission="redemption:write">
            <NewSet trigger={<Button type="primary" icon={<PlusOutlined />}>{t('redemption.newSet')}</Button>} onCreated={() => table.current?.reload()} />
          </Can>,
        ]}
      />
      <SetDrawer set={open} onClose={() => setOpen(undefined)} />
    </PageContainer>
  );
}
