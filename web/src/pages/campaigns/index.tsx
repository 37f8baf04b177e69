import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Progress, Space, Tag } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { CampaignForm, type Campaign } from './CampaignForm.tsx';
import { QrDrawer } from './QrDrawer.tsx';

type Move = 'activate' | 'pause' | 'resume' | 'end';
const MOVES: Record<Campaign['status'], Move[]> = { draft: ['activate', 'end'], active: ['pause', 'end'], paused: ['resume', 'end'], ended: [] };
const COLORS: Record<Campaign['status'], string> = { draft: 'default', active: 'green', paused: 'orange', ended: 'default' };

export default function CampaignsPage() {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const table = useRef<ActionType>(null);
  const [qrOf, setQrOf] = useState<Campaign>();
  const request = useCursorRequest<Campaign, QueryOf<'/v1/admin/campaigns', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/campaigns', { params: { query } })));
  const move = useMutation({
    mutationFn: async ({ id, to }: { id: string; to: Move }) => unwrap(await api.POST(`/v1/admin/campaigns/{id}/${to}`, { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t('campaigns.saved'));
      table.current?.reload();
    },
  });
  const confirmMove = (c: Campaign, to: Move) =>
    to === 'end'
      ? modal.confirm({ title: t('campaigns.endTitle', { name: c.name }), content: t('campaigns.endBody'), okType: 'danger', okText: t('campaigns.move.end'), cancelText: t('common.cancel'), onOk: () => move.mutateAsync({ id: c.id, to }) })
      : move.mutate({ id: c.id, to });

  const columns: ProColumns<Campaign>[] = [
    { title: t('campaigns.name'), dataIndex: 'name', search: false },
    { title: t('common.status'), dataIndex: 'status', valueType: 'select', valueEnum: Object.fromEntries((['draft', 'active', 'paused', 'ended'] as const).map((s) => [s, { text: t(`campaigns.status.${s}`) }])),
      render: (_, c) => <Tag color={COLORS[c.status]}>{t(`campaigns.status.${c.status}`)}</Tag> },
    { title: t('campaigns.budgetUsed'), search: false, render: (_, c) => (
      <Space direction="vertical" size={0} style={{ minWidth: 140 }}>
        <Progress percent={Math.round((c.used / c.budget) * 100)} size="small" showInfo={false} />
        <span>{t('campaigns.usedOf', { used: c.used, budget: c.budget, remaining: c.remaining })}</span>
      </Space>
    ) },
    { title: t('campaigns.perPerson'), dataIndex: 'per_person_limit', search: false },
    { title: t('campaigns.window'), search: false, render: (_, c) => `${formatTime(c.starts_at)} – ${formatTime(c.ends_at)}` },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, c) => (
        <Space wrap>
          <a onClick={() => setQrOf(c)} data-testid={`campaign-qr-${c.id}`}>{t('campaigns.link')}</a>
          <Can permission="campaigns:write">
            {c.status !== 'ended' && <CampaignForm campaign={c} trigger={<a>{t('campaigns.edit')}</a>} onSaved={() => table.current?.reload()} />}
            {MOVES[c.status].map((to) => <a key={to} onClick={() => confirmMove(c, to)} data-testid={`campaign-${to}-${c.id}`}>{t(`campaigns.move.${to}`)}</a>)}
          </Can>
        </Space>
      ),
    },
  ];

  return (
    <PageContainer title={t('campaigns.title')} content={t('campaigns.intro')}>
      <ProTable<Campaign>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20 }}
        options={{ reload: true, density: false, setting: false }}
        toolBarRender={() => [
          <Can key="new" permission="campaigns:write">
            <CampaignForm trigger={<Button type="primary" icon={<PlusOutlined />} id="campaign-new">{t('campaigns.new')}</Button>} onSaved={() => table.current?.reload()} />
          </Can>,
        ]}
      />
      <QrDrawer campaign={qrOf} onClose={() => setQrOf(undefined)} />
    </PageContainer>
  );
}
