import { ProTable, type ProColumns } from '@ant-design/pro-components';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Descriptions, Drawer, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { LIST_TABLE } from '../../lib/table.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { AttemptLog, useDeliveryColumns, useResend, type Delivery } from './deliveries.tsx';

type WebhookEvent = ResponseOf<'/v1/admin/webhooks/events', 'get'>['data'][number];
const TYPES = ['grant.issued', 'grant.pending', 'grant.redeemed', 'grant.failed', 'grant.expired', 'grant.voided'] as const satisfies readonly NonNullable<QueryOf<'/v1/admin/webhooks/events', 'get'>['type']>[];

/** One event: what was sent (the payload), and every delivery of it with its attempts; re-send. */
function EventDrawer({ id, onClose }: { id: string | undefined; onClose(): void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const key = ['webhook-event', id];
  const q = useQuery({ queryKey: key, enabled: !!id, queryFn: async () => unwrap(await api.GET('/v1/admin/webhooks/events/{id}', { params: { path: { id: id! } } })) });
  const resend = useResend(() => void queryClient.invalidateQueries({ queryKey: key }));
  const columns = useDeliveryColumns((d) => resend.mutate({ eventId: d.event_id, endpointId: d.endpoint_id }), { showEndpoint: true });
  const e = q.data;
  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      width={1100}
      title={t('webhooks.eventDetail')}
      loading={q.isLoading}
      extra={
        e && (
          <Can permission="webhooks:write">
            <Button onClick={() => resend.mutate({ eventId: e.id })} loading={resend.isPending} id="event-resend-all">{t('webhooks.resendAll')}</Button>
          </Can>
        )
      }
    >
      {e && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('webhooks.event')}>{e.id}</Descriptions.Item>
            <Descriptions.Item label={t('webhooks.type')}><Tag>{e.type}</Tag></Descriptions.Item>
            <Descriptions.Item label={t('webhooks.client')}>{e.client_id}</Descriptions.Item>
            <Descriptions.Item label={t('webhooks.subject')}>{e.subject_id ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('common.createdAt')}>{formatTime(e.created_at)}</Descriptions.Item>
          </Descriptions>
          <ProTable<Delivery>
            headerTitle={t('webhooks.deliveries')}
            rowKey="id"
            columns={columns}
            dataSource={e.deliveries ?? []}
            search={false}
            options={false}
            pagination={false}
            expandable={{ expandedRowRender: (d) => <AttemptLog delivery={d} /> }}
          />
          <Typography.Title level={5}>{t('webhooks.payload')}</Typography.Title>
          <pre style={{ maxHeight: 320, overflow: 'auto', fontSize: 12, margin: 0 }}>{JSON.stringify(e.data, null, 2)}</pre>
        </Space>
      )}
    </Drawer>
  );
}

/** Every client's webhook events, newest first, filterable by type, subject (grant id) and client. */
export function EventsTable() {
  const { t } = useI18n();
  const [open, setOpen] = useState<string>();
  const request = useCursorRequest<WebhookEvent, QueryOf<'/v1/admin/webhooks/events', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/webhooks/events', { params: { query } })));
  const columns: ProColumns<WebhookEvent>[] = [
    { title: t('webhooks.event'), dataIndex: 'id', search: false, render: (_, e) => <a onClick={() => setOpen(e.id)}>{e.id}</a> },
    { title: t('webhooks.type'), dataIndex: 'type', valueType: 'select', valueEnum: Object.fromEntries(TYPES.map((x) => [x, { text: x }])), render: (_, e) => <Tag>{e.type}</Tag> },
    { title: t('webhooks.subject'), dataIndex: 'subject_id' },
    { title: t('webhooks.client'), dataIndex: 'client_id' },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, e) => formatTime(e.created_at) },
    { title: t('common.actions'), valueType: 'option', render: (_, e) => <a onClick={() => setOpen(e.id)}>{t('webhooks.deliveries')}</a> },
  ];
  return (
    <>
      <ProTable<WebhookEvent> rowKey="id" columns={columns} request={request} {...LIST_TABLE} />
      <EventDrawer id={open} onClose={() => setOpen(undefined)} />
    </>
  );
}
