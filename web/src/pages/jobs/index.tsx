import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Popconfirm, Progress, Switch, Typography } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { LIST_TABLE } from '../../lib/table.ts';
import { formatTime } from '../../lib/time.ts';

type Job = ResponseOf<'/v1/admin/jobs/{id}', 'get'>;
type Status = Job['status'];
const STATUSES: readonly Status[] = ['running', 'queued', 'dead', 'failed', 'succeeded'];
const BADGE: Record<Status, 'Processing' | 'Default' | 'Error' | 'Warning' | 'Success'> = {
  running: 'Processing',
  queued: 'Default',
  dead: 'Error',
  failed: 'Warning',
  succeeded: 'Success',
};
/** How often the list follows running jobs while auto-refresh is on. */
const POLL_MS = 2000;

/** Done out of total as a bar; a job that does not know its total yet shows the count alone. */
function JobProgress({ job, label }: { job: Job; label: string }) {
  if (job.progress_total === null) return job.progress_done > 0 ? <span>{job.progress_done}</span> : <span>-</span>;
  const total = job.progress_total;
  const percent = total === 0 ? (job.status === 'succeeded' ? 100 : 0) : Math.floor((job.progress_done / total) * 100);
  return (
    <Progress
      percent={percent}
      size="small"
      status={job.status === 'dead' || job.status === 'failed' ? 'exception' : job.status === 'running' ? 'active' : undefined}
      format={() => `${job.progress_done}/${total}`}
      aria-label={label}
      style={{ minWidth: 160, marginBottom: 0 }}
    />
  );
}

/** Background jobs: what runs now (with progress, refreshed live) and what died (its last error, re-queue). */
export default function JobsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const table = useRef<ActionType>(null);
  const [tab, setTab] = useState<Status | 'all'>('all');
  const [live, setLive] = useState(true);
  const request = useCursorRequest<Job, QueryOf<'/v1/admin/jobs', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/jobs', { params: { query } })));
  const requeue = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/v1/admin/jobs/{id}/requeue', { params: { path: { id } } })),
    onSuccess: () => {
      message.success(t('jobs.requeued'));
      table.current?.reload();
    },
  });

  const columns: ProColumns<Job>[] = [
    { title: t('jobs.id'), dataIndex: 'id', search: false, copyable: true, width: 140, ellipsis: true },
    { title: t('jobs.kind'), dataIndex: 'kind' },
    {
      title: t('common.status'),
      dataIndex: 'status',
      search: false,
      valueType: 'select',
      valueEnum: Object.fromEntries(STATUSES.map((s) => [s, { text: t(`jobs.status.${s}`), status: BADGE[s] }])),
    },
    { title: t('jobs.progress'), dataIndex: 'progress_done', search: false, render: (_, j) => <JobProgress job={j} label={t('jobs.progressOf', { id: j.id })} /> },
    { title: t('jobs.attempts'), dataIndex: 'attempts', search: false, align: 'right', render: (_, j) => `${j.attempts}/${j.max_attempts}` },
    {
      title: t('jobs.lastError'),
      dataIndex: 'last_error',
      search: false,
      ellipsis: true,
      render: (_, j) => (j.last_error ? <Typography.Text type="danger">{j.last_error}</Typography.Text> : j.note ?? '-'),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, j) => formatTime(j.created_at) },
    { title: t('jobs.updatedAt'), dataIndex: 'updated_at', search: false, render: (_, j) => formatTime(j.updated_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, j) =>
        j.status === 'dead' || j.status === 'failed' ? (
          <Can permission="jobs:write">
            <Popconfirm title={t('jobs.requeueConfirm')} description={t('jobs.requeueBody', { kind: j.kind })} onConfirm={() => requeue.mutateAsync(j.id)}>
              <a data-testid={`requeue-${j.id}`}>{t('jobs.requeue')}</a>
            </Popconfirm>
          </Can>
        ) : null,
    },
  ];

  return (
    <PageContainer title={t('jobs.title')}>
      <ProTable<Job>
        rowKey="id"
        actionRef={table}
        columns={columns}
        params={tab === 'all' ? {} : { status: tab }}
        request={request}
        // only while something can still move: a list of dead jobs does not need refreshing
        polling={live ? POLL_MS : undefined}
        {...LIST_TABLE}
        toolbar={{
          menu: {
            type: 'tab',
            activeKey: tab,
            onChange: (key) => setTab(key as Status | 'all'),
            items: [{ key: 'all', label: t('jobs.all') }, ...STATUSES.map((s) => ({ key: s, label: t(`jobs.status.${s}`) }))],
          },
        }}
        toolBarRender={() => [
          <span key="live" style={{ display: 'inline-flex', gap: 8, alignItems: 'center' }}>
            <Switch size="small" checked={live} onChange={setLive} aria-label={t('jobs.autoRefresh')} id="jobs-live" />
            <label htmlFor="jobs-live">{t('jobs.autoRefresh')}</label>
          </span>,
        ]}
      />
    </PageContainer>
  );
}
