import { DownloadOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Progress, Space, Tag, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { downloadExport } from './download.ts';

type Export = ResponseOf<'/v1/admin/exports', 'get'>['data'][number];

const STATUS_COLOR: Record<Export['status'], string> = { queued: 'default', running: 'processing', succeeded: 'success', failed: 'error' };
const REFRESH_MS = 2_000;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The filter an export was made with, as `key=value` chips (the server already masked a phone). */
function FilterChips({ filter }: { filter: Record<string, unknown> }) {
  const { t } = useI18n();
  const entries = Object.entries(filter).filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!entries.length) return <Typography.Text type="secondary">{t('exports.noFilter')}</Typography.Text>;
  return (
    <Space size={[0, 4]} wrap>
      {entries.map(([k, v]) => (
        <Tag key={k}>
          {k}={String(v)}
        </Tag>
      ))}
    </Space>
  );
}

/** The total is not known while an export runs (it streams), so a running one shows its rows so far. */
function ExportProgress({ e }: { e: Export }) {
  const { t } = useI18n();
  if (e.status === 'succeeded') return <Progress percent={100} size="small" />;
  if (e.status === 'failed') return <Progress percent={100} size="small" status="exception" format={() => null} />;
  if (e.status === 'queued') return <Progress percent={0} size="small" />;
  return (
    <Space direction="vertical" size={0} style={{ width: '100%' }}>
      <Progress percent={100} size="small" status="active" showInfo={false} />
      <Typography.Text type="secondary">{t('exports.rowsSoFar', { count: e.progress_rows })}</Typography.Text>
    </Space>
  );
}

/** Exports of the kinds the role may make, newest first; refreshes itself while any is still working. */
export default function ExportsPage() {
  const { t } = useI18n();
  const table = useRef<ActionType>();
  const rows = useRef<Export[]>([]);
  const download = useMutation({ mutationFn: downloadExport });
  const request = useCursorRequest<Export, QueryOf<'/v1/admin/exports', 'get'>>(async (query) => {
    const page = unwrap(await api.GET('/v1/admin/exports', { params: { query } }));
    rows.current = page.data;
    return page;
  });
  // poll only while something is queued or running: an idle page makes no requests
  useEffect(() => {
    const timer = setInterval(() => {
      if (rows.current.some((e) => e.status === 'queued' || e.status === 'running')) void table.current?.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const columns: ProColumns<Export>[] = [
    {
      title: t('exports.id'),
      dataIndex: 'id',
      search: false,
      render: (_, e) => (
        <Typography.Text copyable={{ text: e.id }} ellipsis={{ tooltip: e.id }} style={{ maxWidth: 160 }}>
          {e.id}
        </Typography.Text>
      ),
    },
    {
      title: t('exports.kind'),
      dataIndex: 'kind',
      valueType: 'select',
      valueEnum: { grants: { text: t('exports.kinds.grants') }, recharges: { text: t('exports.kinds.recharges') }, audit: { text: t('exports.kinds.audit') } },
      // what and in which format in one cell, so that a row fits on a laptop screen
      render: (_, e) => `${t(`exports.kinds.${e.kind}`)} · ${e.format.toUpperCase()}`,
    },
    { title: t('exports.filter'), dataIndex: 'filter', search: false, render: (_, e) => <FilterChips filter={e.filter} /> },
    { title: t('common.status'), dataIndex: 'status', search: false, render: (_, e) => <Tag color={STATUS_COLOR[e.status]}>{t(`exports.status.${e.status}`)}</Tag> },
    { title: t('exports.progress'), dataIndex: 'progress_rows', search: false, width: 150, render: (_, e) => <ExportProgress e={e} /> },
    { title: t('exports.rows'), dataIndex: 'rows', search: false, align: 'right', render: (_, e) => (e.status === 'succeeded' ? e.rows : '-') },
    { title: t('exports.size'), dataIndex: 'size_bytes', search: false, align: 'right', render: (_, e) => (e.status === 'succeeded' ? size(e.size_bytes) : '-') },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, e) => formatTime(e.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, e) =>
        e.download_url ? (
          <Button type="link" size="small" icon={<DownloadOutlined />} onClick={() => download.mutate(e.download_url!)} data-testid={`download-${e.id}`}>
            {t('exports.download')}
          </Button>
        ) : e.error ? (
          <Typography.Text type="danger">{e.error}</Typography.Text>
        ) : (
          '-'
        ),
    },
  ];
  return (
    <PageContainer title={t('exports.title')}>
      <Alert type="info" showIcon message={t('exports.hint')} style={{ marginBottom: 16 }} />
      <ProTable<Export>
        rowKey="id"
        actionRef={table}
        // one line per export: the table scrolls sideways rather than wrapping ids, sizes and times
        columns={columns.map((c) => (c.dataIndex === 'filter' || c.dataIndex === 'id' ? c : { ...c, onCell: () => ({ style: { whiteSpace: 'nowrap' } }) }))}
        request={request}
        pagination={{ defaultPageSize: 20 }}
        search={{ labelWidth: 'auto' }}
        scroll={{ x: 'max-content' }}
        headerTitle={<Typography.Text type="secondary">{t('exports.autoRefresh')}</Typography.Text>}
        options={{ reload: true, density: false, setting: false }}
      />
    </PageContainer>
  );
}
