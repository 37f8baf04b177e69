import { DownloadOutlined } from '@ant-design/icons';
import { ModalForm, ProFormDigit, ProFormSelect, ProFormText, ProTable, type ProColumns } from '@ant-design/pro-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Drawer, Progress, Space, Table, Tag, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';
import { useSession } from '../../session.ts';
import { downloadExport } from '../exports/download.ts';

type RedemptionSet = ResponseOf<'/v1/admin/redemption-sets', 'get'>['data'][number];
type Generation = ResponseOf<'/v1/admin/redemption-sets/{id}/generations', 'get'>['data'][number];
type Code = ResponseOf<'/v1/admin/redemption-sets/{id}/codes', 'get'>['data'][number];

/** A set's codes (masked hints and counters) and its generations (progress, the one-time download). */
export function SetDrawer({ set, onClose }: { set?: RedemptionSet; onClose(): void }) {
  const { t } = useI18n();
  const { access } = useSession();
  const qc = useQueryClient();
  const id = set?.id ?? '';
  const generations = useQuery({
    queryKey: ['redemption-generations', id],
    enabled: Boolean(set),
    queryFn: async () => unwrap(await api.GET('/v1/admin/redemption-sets/{id}/generations', { params: { path: { id } } })).data,
    // poll while one is being written, so the progress moves
    refetchInterval: (q) => (q.state.data?.some((g) => g.status === 'queued' || g.status === 'running') ? 1_000 : false),
  });
  // read again whenever a generation has written more codes
  const written = generations.data?.reduce((n, g) => n + g.generated, 0) ?? 0;
  const codes = useQuery({
    queryKey: ['redemption-codes', id, written],
    enabled: Boolean(set),
    queryFn: async () => unwrap(await api.GET('/v1/admin/redemption-sets/{id}/codes', { params: { path: { id }, query: { limit: 200 } } })).data,
  });
  const download = useMutation({
    mutationFn: downloadExport,
    onSettled: () => void qc.invalidateQueries({ queryKey: ['redemption-generations', id] }),
  });

  const genColumns: ProColumns<Generation>[] = [
    { title: t('redemption.generation'), dataIndex: 'id', render: (_, g) => <Typography.Text copyable>{g.id}</Typography.Text> },
    { title: t('redemption.count'), dataIndex: 'count' },
    { title: t('common.status'), dataIndex: 'status', render: (_, g) => <Tag>{t(`redemption.genStatus.${g.status}`)}</Tag> },
    { title: t('redemption.progress'), dataIndex: 'generated', width: 160, render: (_, g) => <Progress size="small" percent={Math.floor((100 * g.generated) / g.count)} status={g.status === 'failed' ? 'exception' : undefined} /> },
    { title: t('redemption.listExpires'), dataIndex: 'expires_at', render: (_, g) => formatTime(g.expires_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, g) =>
        g.download_url && access.can('redemption:export') ? (
          <Button type="link" size="small" icon={<DownloadOutlined />} data-testid={`download-${g.id}`} onClick={() => download.mutate(g.download_url!)}>
            {t('redemption.downloadOnce')}
          </Button>
        ) : g.downloaded_at ? (
          <Typography.Text type="secondary">{t('redemption.downloadedAt', { at: formatTime(g.downloaded_at) })}</Typography.Text>
        ) : (
          '-'
        ),
    },
  ];

  return (
    <Drawer open={Boolean(set)} onClose={onClose} width={900} title={set ? `${set.name} · ${set.id}` : ''} destroyOnHidden>
      <Alert type="warning" showIcon message={t('redemption.shownOnce')} style={{ marginBottom: 16 }} />
      <Space style={{ marginBottom: 12 }}>
        <Can permission="redemption:write">
          <ModalForm<{ count: number; length: number; prefix?: string; format: 'csv' | 'xlsx' }>
            title={t('redemption.generate')}
            trigger={<Button type="primary" disabled={set?.status === 'voided'}>{t('redemption.generate')}</Button>}
            initialValues={{ count: 100, length: 12, format: 'csv' }}
            modalProps={{ destroyOnHidden: true }}
            onFinish={async (v) => {
              unwrap(await api.POST('/v1/admin/redemption-sets/{id}/generate', { params: { path: { id } }, body: { ...v, prefix: v.prefix?.toUpperCase() || undefined } }));
              void qc.invalidateQueries({ queryKey: ['redemption-generations', id] });
              return true;
            }}
          >
            <ProFormDigit name="count" label={t('redemption.count')} min={1} max={100_000} fieldProps={{ precision: 0 }} rules={[{ required: true }]} />
            <ProFormDigit name="length" label={t('redemption.length')} min={8} max={24} fieldProps={{ precision: 0 }} />
            <ProFormText name="prefix" label={t('redemption.prefix')} tooltip={t('redemption.prefixHint')} rules={[{ pattern: /^[2-9A-HJKMNP-Za-hjkmnp-z]{0,8}$/, message: t('redemption.prefixHint') }]} />
            <ProFormSelect name="format" label={t('redemption.format')} options={[{ value: 'csv', label: 'CSV' }, { value: 'xlsx', label: 'XLSX' }]} />
          </ModalForm>
        </Can>
      </Space>
      <ProTable<Generation> rowKey="id" search={false} options={false} pagination={false} columns={genColumns} dataSource={generations.data ?? []} loading={generations.isLoading} headerTitle={t('redemption.generations')} />
      <Typography.Title level={5} style={{ marginTop: 16 }}>{t('redemption.codes')}</Typography.Title>
      <Table<Code>
        rowKey="id"
        size="small"
        loading={codes.isLoading}
        dataSource={codes.data ?? []}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: t('redemption.hint'), dataIndex: 'hint', render: (h: string) => <Typography.Text code>{h}</Typography.Text> },
          { title: t('redemption.redeemed'), dataIndex: 'redeemed', render: (_: unknown, c) => `${c.redeemed} / ${c.max_redemptions}` },
          { title: t('redemption.source'), dataIndex: 'source', render: (s: string) => t(s === 'imported' ? 'redemption.imported' : 'redemption.generated') },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
        ]}
      />
    </Drawer>
  );
}
