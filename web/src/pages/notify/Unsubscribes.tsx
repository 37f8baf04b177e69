import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';

/** Recipients who unsubscribed from marketing messages (masked). */
export function UnsubscribesTab() {
  const { t } = useI18n();
  const list = useQuery({ queryKey: ['notify', 'unsubscribes'], queryFn: async () => unwrap(await api.GET('/v1/admin/notify/unsubscribes')).data });
  return (
    <Table
      rowKey={(r) => `${r.recipient_masked}-${r.created_at}`}
      loading={list.isLoading}
      dataSource={list.data ?? []}
      columns={[
        { title: t('notify.recipient'), dataIndex: 'recipient_masked' },
        { title: t('notify.channel'), dataIndex: 'channel' },
        { title: t('common.createdAt'), dataIndex: 'created_at', render: (v: string) => formatTime(v) },
      ]}
    />
  );
}
