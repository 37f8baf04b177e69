import { ModalForm, ProFormTextArea, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { App, Space, Tag, Typography } from 'antd';
import { useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';

export type Review = ResponseOf<'/v1/admin/risk/reviews/{id}', 'get'>;
const COLORS = { pending: 'orange', approved: 'green', rejected: 'red' } as const;

/** Approve or reject a held claim: a reason is required (audited); deciding an item twice is refused (409). */
function Decide({ review, decision, onDone }: { review: Review; decision: 'approve' | 'reject'; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  return (
    <ModalForm<{ reason: string }>
      title={t(decision === 'approve' ? 'risk.approveTitle' : 'risk.rejectTitle', { ref: review.subject_ref })}
      trigger={<a id={`risk-${decision}-${review.id}`}>{t(decision === 'approve' ? 'risk.approve' : 'risk.reject')}</a>}
      width={480}
      modalProps={{ destroyOnHidden: true }}
      onFinish={async ({ reason }) => {
        const path = decision === 'approve' ? '/v1/admin/risk/reviews/{id}/approve' : '/v1/admin/risk/reviews/{id}/reject';
        unwrap(await api.POST(path, { params: { path: { id: review.id } }, body: { reason: reason.trim() } }));
        message.success(t(decision === 'approve' ? 'risk.approved' : 'risk.rejected'));
        onDone();
        return true;
      }}
    >
      <Typography.Paragraph type="secondary">{review.reason}</Typography.Paragraph>
      <ProFormTextArea name="reason" label={t('risk.decisionReason')} fieldProps={{ maxLength: 1000, showCount: true }}
        rules={[{ required: true, whitespace: true, message: t('risk.reasonRequired') }]} />
    </ModalForm>
  );
}

export function ReviewsTable() {
  const { t } = useI18n();
  const table = useRef<ActionType>(null);
  const request = useCursorRequest(async (query: { status?: Review['status']; subject_type?: string; limit: number; cursor?: string }) =>
    unwrap(await api.GET('/v1/admin/risk/reviews', { params: { query } })),
  );
  const columns: ProColumns<Review>[] = [
    { title: t('risk.subject'), dataIndex: 'subject_type', render: (_, r) => <Space direction="vertical" size={0}><span>{r.subject_type}</span><Typography.Text type="secondary" copyable>{r.subject_ref}</Typography.Text></Space> },
    { title: t('risk.heldBecause'), dataIndex: 'reason', search: false, ellipsis: true },
    { title: t('risk.scope'), dataIndex: 'scope', search: false, render: (_, r) => Object.entries(r.scope).filter(([, v]) => v).map(([k, v]) => <Tag key={k}>{String(v)}</Tag>) },
    {
      title: t('common.status'),
      dataIndex: 'status',
      valueType: 'select',
      initialValue: 'pending',
      valueEnum: { pending: { text: t('risk.reviewStatus.pending') }, approved: { text: t('risk.reviewStatus.approved') }, rejected: { text: t('risk.reviewStatus.rejected') } },
      render: (_, r) => (
        <Space direction="vertical" size={0}>
          <Tag color={COLORS[r.status]}>{t(`risk.reviewStatus.${r.status}`)}</Tag>
          {r.decision_reason && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.decision_reason} — {r.decided_by}</Typography.Text>}
        </Space>
      ),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, r) => formatTime(r.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, r) =>
        r.status === 'pending' ? (
          <Can permission="risk:review">
            <Space>
              <Decide review={r} decision="approve" onDone={() => table.current?.reload()} />
              <Decide review={r} decision="reject" onDone={() => table.current?.reload()} />
            </Space>
          </Can>
        ) : null,
    },
  ];
  return (
    <ProTable<Review>
      rowKey="id"
      actionRef={table}
      columns={columns}
      request={request}
      pagination={{ defaultPageSize: 20 }}
      search={{ labelWidth: 'auto' }}
      options={{ reload: true, density: false, setting: false }}
      locale={{ emptyText: t('risk.noReviews') }}
    />
  );
}
