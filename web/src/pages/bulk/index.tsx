import { DownloadOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { Button, Popconfirm, Progress, Space, Tag, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { downloadExport } from '../exports/download.ts';
import { NewRun } from './NewRun.tsx';

type Run = ResponseOf<'/v1/admin/bulk-issuances', 'get'>['data'][number];

const STATUS_COLOR: Record<Run['status'], string> = { validating: 'default', ready: 'default', running: 'processing', paused: 'warning', completed: 'success', cancelled: 'default', failed: 'error' };
const LIVE: Run['status'][] = ['ready', 'running'];
const REFRESH_MS = 2_000;

function RunProgress({ r }: { r: Run }) {
  const { t } = useI18n();
  const p = r.progress;
  const percent = p.valid ? Math.floor((p.done / p.valid) * 100) : 100;
  return (
    <Space direction="vertical" size={0} style={{ width: '100%', minWidth: 200 }}>
      <Progress percent={percent} size="small" status={r.status === 'failed' ? 'exception' : r.status === 'running' ? 'active' : r.status === 'completed' ? 'success' : 'normal'} aria-label={t('bulk.progress')} />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('bulk.counts', { done: p.done, valid: p.valid, issued: p.issued, failed: p.failed, rejected: p.rejected, duplicates: p.duplicates })}
      </Typography.Text>
    </Space>
  );
}

/** Bulk runs, newest first: progress, pause / resume / cancel, the per-row report; refreshes while any runs. */
export default function BulkPage() {
  const { t } = useI18n();
  const table = useRef<ActionType>();
  const rows = useRef<Run[]>([]);
  const request = useCursorRequest<Run, QueryOf<'/v1/admin/bulk-issuances', 'get'>>(async (query) => {
    const page = unwrap(await api.GET('/v1/admin/bulk-issuances', { params: { query } }));
    rows.current = page.data;
    return page;
  });
  useEffect(() => {
    const timer = setInterval(() => {
      if (rows.current.some((r) => LIVE.includes(r.status))) void table.current?.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const act = useMutation({
    mutationFn: async ({ id, event }: { id: string; event: 'pause' | 'resume' | 'cancel' }) => {
      const path = `/v1/admin/bulk-issuances/{id}/${event}` as '/v1/admin/bulk-issuances/{id}/pause';
      return unwrap(await api.POST(path, { params: { path: { id } } }));
    },
    onSuccess: () => void table.current?.reload(),
  });
  const report = useMutation({ mutationFn: ({ id, format }: { id: string; format: 'csv' | 'xlsx' }) => downloadExport(`/v1/admin/bulk-issuances/${id}/report?format=${format}`) });

  const columns: ProColumns<Run>[] = [
    { title: t('bulk.id'), dataIndex: 'id', search: false, render: (_, r) => <Typography.Text copyable={{ text: r.id }}>{r.id}</Typography.Text> },
    { title: t('bulk.source'), dataIndex: 'source_name', search: false, render: (_, r) => r.source_name ?? t('bulk.viaApi') },
    { title: t('bulk.client'), dataIndex: 'client_id', search: false },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: Object.fromEntries(Object.keys(STATUS_COLOR).map((s) => [s, { text: t(`bulk.status.${s as Run['status']}`) }])),
      render: (_, r) => <Tag color={STATUS_COLOR[r.status]}>{t(`bulk.status.${r.status}`)}</Tag>,
    },
    { title: t('bulk.progress'), dataIndex: 'progress', search: false, render: (_, r) => <RunProgress r={r} /> },
    { title: t('bulk.notify'), dataIndex: 'notify', search: false, render: (_, r) => (r.notify ? r.notify.toUpperCase() : '-') },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, r) => formatTime(r.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, r) => (
        <Can permission="bulk:write">
          <Space size={0} wrap>
            {['ready', 'running'].includes(r.status) && (
              <Button type="link" size="small" onClick={() => act.mutate({ id: r.id, event: 'pause' })} data-testid={`pause-${r.id}`}>
                {t('bulk.pause')}
              </Button>
            )}
            {r.status === 'paused' && (
              <Button type="link" size="small" onClick={() => act.mutate({ id: r.id, event: 'resume' })} data-testid={`resume-${r.id}`}>
                {t('bulk.resume')}
              </Button>
            )}
            {['ready', 'running', 'paused'].includes(r.status) && (
              <Popconfirm title={t('bulk.cancelConfirm')} onConfirm={() => act.mutate({ id: r.id, event: 'cancel' })}>
                <Button type="link" size="small" danger data-testid={`cancel-${r.id}`}>
                  {t('bulk.cancel')}
                </Button>
              </Popconfirm>
            )}
            <Button type="link" size="small" icon={<DownloadOutlined />} onClick={() => report.mutate({ id: r.id, format: 'csv' })} data-testid={`report-${r.id}`}>
              CSV
            </Button>
            <Button type="link" size="small" icon={<DownloadOutlined />} onClick={() => report.mutate({ id: r.id, format: 'xlsx' })}>
              XLSX
            </Button>
          </Space>
        </Can>
      ),
    },
  ];
  return (
    <PageContainer title={t('bulk.title')} content={t('bulk.hint')}>
      <Can permission="bulk:write">
        <NewRun onCreated={() => void table.current?.reload()} />
      </Can>
      <ProTable<Run>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        pagination={{ defaultPageSize: 20 }}
        search={{ labelWidth: 'auto' }}
        scroll={{ x: 'max-content' }}
        options={{ reload: true, density: false, setting: false }}
      />
    </PageContainer>
  );
}
