import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Tabs, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { LIST_TABLE } from '../../lib/table.ts';
import { formatTime } from '../../lib/time.ts';
import { TemplatesTab } from './Templates.tsx';
import { ProductSettingsTab } from './ProductSettings.tsx';
import { UnsubscribesTab } from './Unsubscribes.tsx';

type Message = ResponseOf<'/v1/admin/notify/messages', 'get'>['data'][number];
type Status = Message['status'];
const STATUSES: readonly Status[] = ['queued', 'sent', 'skipped', 'failed'];
const BADGE: Record<Status, 'Default' | 'Success' | 'Warning' | 'Error'> = { queued: 'Default', sent: 'Success', skipped: 'Warning', failed: 'Error' };
const CHANNELS = ['sms', 'email', 'inapp'] as const;

/** The messages log: status, channel, masked recipient, attempts, the last error or why it was skipped. */
function MessagesTab() {
  const { t } = useI18n();
  const request = useCursorRequest<Message, QueryOf<'/v1/admin/notify/messages', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/notify/messages', { params: { query } })));
  const columns: ProColumns<Message>[] = [
    { title: t('notify.id'), dataIndex: 'id', search: false, copyable: true, width: 150, ellipsis: true },
    { title: t('notify.event'), dataIndex: 'event', valueType: 'select', valueEnum: Object.fromEntries(['grant.issued', 'reminder.unclaimed_expiry', 'reminder.period_end', 'phone.verify'].map((e) => [e, { text: e }])) },
    { title: t('notify.channel'), dataIndex: 'channel', valueType: 'select', valueEnum: Object.fromEntries(CHANNELS.map((c) => [c, { text: t(`notify.channels.${c}`) }])) },
    { title: t('notify.category'), dataIndex: 'category', search: false, render: (_, m) => t(`notify.categories.${m.category}`) },
    { title: t('common.status'), dataIndex: 'status', valueType: 'select', valueEnum: Object.fromEntries(STATUSES.map((s) => [s, { text: t(`notify.status.${s}`), status: BADGE[s] }])) },
    { title: t('notify.recipient'), dataIndex: 'recipient_masked', search: false },
    { title: t('notify.grant'), dataIndex: 'grant_id', copyable: true, ellipsis: true },
    { title: t('notify.attempts'), dataIndex: 'attempts', search: false, align: 'right' },
    {
      title: t('notify.error'),
      dataIndex: 'last_error',
      search: false,
      ellipsis: true,
      render: (_, m) => (m.last_error ? <Typography.Text type="danger">{m.last_error}</Typography.Text> : m.skip_reason ? t(`notify.skipReasons.${m.skip_reason === 'unsubscribed' ? 'unsubscribed' : 'frequency_cap'}`) : '-'),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', search: false, render: (_, m) => formatTime(m.created_at) },
    { title: t('notify.sentAt'), dataIndex: 'sent_at', search: false, render: (_, m) => (m.sent_at ? formatTime(m.sent_at) : '-') },
  ];
  return <ProTable<Message> rowKey="id" columns={columns} request={request} {...LIST_TABLE} />;
}

/** Notifications: messages log, templates (per scope, event, channel; with a preview), product settings, unsubscribes. */
export default function NotifyPage() {
  const { t } = useI18n();
  return (
    <PageContainer title={t('notify.title')}>
      <Tabs
        items={[
          { key: 'messages', label: t('notify.tabs.messages'), children: <MessagesTab /> },
          { key: 'templates', label: t('notify.tabs.templates'), children: <TemplatesTab /> },
          { key: 'products', label: t('notify.tabs.products'), children: <ProductSettingsTab /> },
          { key: 'unsubscribes', label: t('notify.tabs.unsubscribes'), children: <UnsubscribesTab /> },
        ]}
      />
    </PageContainer>
  );
}
