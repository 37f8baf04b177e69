import { MinusSquareOutlined, PlusSquareOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert, Button, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { LIST_TABLE } from '../../lib/table.ts';
import { formatTime } from '../../lib/time.ts';
import { rangeQuery } from './range.ts';
import { ExportButton } from '../exports/ExportButton.tsx';

type AuditEvent = ResponseOf<'/v1/admin/audit', 'get'>['data'][number];
type Verify = ResponseOf<'/v1/admin/audit/verify', 'get'>;

function VerifyResult({ result }: { result: Verify }) {
  const { t } = useI18n();
  const [type, message, description] = result.ok
    ? (['success', t('audit.intact', { count: result.events }), <Typography.Text code>{t('audit.headHash', { hash: result.head_hash })}</Typography.Text>] as const)
    : (['error', t('audit.broken', { seq: result.broken_seq }), t('audit.brokenDetail', { checked: result.events_checked, reason: result.reason })] as const);
  return <Alert type={type} showIcon role={result.ok ? 'status' : 'alert'} data-testid="audit-verify-result" message={message} description={description} />;
}

/** The tamper-evident audit log: filter by actor, action, target and time; verify the hash chain on demand. */
export default function AuditPage() {
  const { t } = useI18n();
  // the export button exports what the list shows: the filters of the last request
  const [filter, setFilter] = useState<{ action?: string; actor?: string; target?: string }>({});
  const request = useCursorRequest<AuditEvent, QueryOf<'/v1/admin/audit', 'get'>>(async (query) => {
    setFilter({ action: query.action, actor: query.actor, target: query.target });
    return unwrap(await api.GET('/v1/admin/audit', { params: { query } }));
  });
  const verify = useMutation({ mutationFn: async () => unwrap(await api.GET('/v1/admin/audit/verify')) });

  const columns: ProColumns<AuditEvent>[] = [
    { title: t('audit.seq'), dataIndex: 'seq', search: false, width: 90, align: 'right' },
    { title: t('audit.time'), dataIndex: 'created_at', search: false, width: 180, render: (_, e) => formatTime(e.created_at) },
    {
      title: t('audit.range'),
      dataIndex: 'range',
      valueType: 'dateTimeRange',
      hideInTable: true,
      search: { transform: (v: [string, string]) => rangeQuery(v) },
    },
    { title: t('audit.actor'), dataIndex: 'actor', copyable: true },
    { title: t('audit.action'), dataIndex: 'action' },
    { title: t('audit.target'), dataIndex: 'target', copyable: true, render: (_, e) => e.target ?? '-' },
    {
      title: t('audit.details'),
      dataIndex: 'details',
      search: false,
      ellipsis: true,
      render: (_, e) => (Object.keys(e.details).length ? <Typography.Text code>{JSON.stringify(e.details)}</Typography.Text> : '-'),
    },
    { title: t('audit.hash'), dataIndex: 'hash', search: false, width: 110, render: (_, e) => <Typography.Text code title={e.hash}>{e.hash.slice(0, 10)}</Typography.Text> },
  ];

  return (
    <PageContainer
      title={t('audit.title')}
      extra={
        <Button icon={<SafetyCertificateOutlined />} loading={verify.isPending} onClick={() => verify.mutate()} id="audit-verify">
          {t('audit.verify')}
        </Button>
      }
    >
      {verify.data && (
        <div style={{ marginBottom: 16 }}>
          <VerifyResult result={verify.data} />
        </div>
      )}
      <ProTable<AuditEvent>
        rowKey="seq"
        columns={columns}
        request={request}
        {...LIST_TABLE}
        toolBarRender={() => [<ExportButton key="export" kind="audit" filter={filter} />]}
        // all four filters in view: the auditor's first move is narrowing the log down
        search={{ ...LIST_TABLE.search, defaultCollapsed: false }}
        expandable={{
          rowExpandable: (e) => Object.keys(e.details).length > 0,
          // a named button (screen readers), not the bare +/- square of the default icon
          expandIcon: ({ expanded, expandable, onExpand, record }) =>
            expandable ? (
              <Button
                type="text"
                size="small"
                aria-expanded={expanded}
                aria-label={t(expanded ? 'audit.hideDetails' : 'audit.showDetails', { seq: record.seq })}
                icon={expanded ? <MinusSquareOutlined /> : <PlusSquareOutlined />}
                onClick={(ev) => onExpand(record, ev)}
              />
            ) : null,
          expandedRowRender: (e) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify(e.details, null, 2)}</pre>,
        }}
      />
    </PageContainer>
  );
}
