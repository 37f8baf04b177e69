import type { ProColumns } from '@ant-design/pro-components';
import { useMutation } from '@tanstack/react-query';
import { App, Table, Tag } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';

export type Delivery = ResponseOf<'/v1/admin/webhooks/deliveries/{id}', 'get'>;
type Attempt = NonNullable<Delivery['attempt_log']>[number];

const COLOR: Record<string, string> = { pending: 'blue', delivering: 'blue', retrying: 'orange', succeeded: 'green', dead: 'red', cancelled: 'default' };

export function DeliveryStatus({ status }: { status: string }) {
  const { t } = useI18n();
  // a status this console does not know yet still shows (raw) rather than as a missing key
  const known = status in COLOR;
  return <Tag color={COLOR[status] ?? 'default'}>{known ? t(`webhooks.deliveryStatus.${status}` as MessageKey) : status}</Tag>;
}

/** Sends the event again with the same event id (receivers dedupe on it), to one endpoint or to all. */
export function useResend(onDone: () => void) {
  const { t } = useI18n();
  const { message } = App.useApp();
  return useMutation({
    mutationFn: async ({ eventId, endpointId }: { eventId: string; endpointId?: string }) =>
      unwrap(await api.POST('/v1/admin/webhooks/events/{id}/resend', { params: { path: { id: eventId } }, body: endpointId ? { endpoint_id: endpointId } : {} })),
    onSuccess: (r) => {
      message.success(t('webhooks.resent', { count: r.deliveries.length }));
      onDone();
    },
  });
}

/** The columns of a delivery log (status, attempts, next retry, last answer) with its re-send action. */
export function useDeliveryColumns(resend: (d: Delivery) => void, opts: { showEvent?: boolean; showEndpoint?: boolean } = {}): ProColumns<Delivery>[] {
  const { t } = useI18n();
  return [
    ...(opts.showEvent ? [{ title: t('webhooks.event'), dataIndex: 'event_id', copyable: true } as ProColumns<Delivery>] : []),
    ...(opts.showEndpoint ? [{ title: t('webhooks.endpoint'), dataIndex: 'endpoint_id' } as ProColumns<Delivery>] : []),
    { title: t('common.status'), dataIndex: 'status', render: (_, d) => <DeliveryStatus status={d.status} /> },
    { title: t('webhooks.attempts'), dataIndex: 'attempts', align: 'right' },
    { title: t('webhooks.nextAt'), dataIndex: 'next_at', render: (_, d) => formatTime(d.next_at) },
    { title: t('webhooks.lastAnswer'), dataIndex: 'last_status_code', render: (_, d) => [d.last_status_code, d.last_error].filter((x) => x !== null).join(' ') || '-' },
    { title: t('webhooks.deliveryKind'), dataIndex: 'resend_of', render: (_, d) => (d.resend_of ? <Tag color="purple">{t('webhooks.reSend')}</Tag> : t('webhooks.firstSend')) },
    { title: t('common.createdAt'), dataIndex: 'created_at', render: (_, d) => formatTime(d.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, d) => (
        <Can permission="webhooks:write">
          <a onClick={() => resend(d)} data-testid={`resend-${d.id}`}>{t('webhooks.resend')}</a>
        </Can>
      ),
    },
  ];
}

/** A delivery's attempts: when, the HTTP status the endpoint answered, how long it took, the error. */
export function AttemptLog({ delivery }: { delivery: Delivery }) {
  const { t } = useI18n();
  return (
    <Table<Attempt>
      size="small"
      rowKey="attempt"
      dataSource={delivery.attempt_log ?? []}
      pagination={false}
      locale={{ emptyText: t('webhooks.noAttempts') }}
      columns={[
        { title: '#', dataIndex: 'attempt', width: 48 },
        { title: t('webhooks.attemptAt'), dataIndex: 'at', render: (v: string) => formatTime(v) },
        { title: t('webhooks.statusCode'), dataIndex: 'status_code', render: (v: number | null) => v ?? '-' },
        { title: t('webhooks.duration'), dataIndex: 'duration_ms', align: 'right', render: (v: number) => `${v} ms` },
        { title: t('webhooks.error'), dataIndex: 'error', render: (v: string | null) => v ?? '-' },
      ]}
    />
  );
}
