import { ProTable, type ProColumns } from '@ant-design/pro-components';
import { Tag } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';

type Decision = ResponseOf<'/v1/admin/risk/decisions', 'get'>['data'][number];

/** Recent deny and review decisions with their reasons; phones masked, device and external ids as hints. */
export function DecisionsTable() {
  const { t } = useI18n();
  const request = useCursorRequest(async (query: { outcome?: 'deny' | 'review'; limit: number; cursor?: string }) =>
    unwrap(await api.GET('/v1/admin/risk/decisions', { params: { query } })),
  );
  const columns: ProColumns<Decision>[] = [
    { title: t('risk.at'), dataIndex: 'created_at', search: false, render: (_, d) => formatTime(d.created_at) },
    {
      title: t('risk.outcome'),
      dataIndex: 'outcome',
      valueType: 'select',
      valueEnum: { deny: { text: t('risk.outcomes.deny') }, review: { text: t('risk.outcomes.review') } },
      render: (_, d) => <Tag color={d.outcome === 'deny' ? 'red' : 'orange'}>{t(`risk.outcomes.${d.outcome}`)}</Tag>,
    },
    { title: t('risk.code'), dataIndex: 'code', search: false },
    { title: t('risk.why'), dataIndex: 'reason', search: false, ellipsis: true },
    { title: 'IP', dataIndex: 'ip', search: false },
    { title: t('risk.phone'), dataIndex: 'phone_masked', search: false },
    { title: t('risk.device'), dataIndex: 'device_hint', search: false },
    { title: t('risk.externalId'), dataIndex: 'external_hint', search: false },
    { title: t('risk.scope'), dataIndex: 'scope', search: false, render: (_, d) => Object.entries(d.scope).filter(([, v]) => v).map(([k, v]) => <Tag key={k}>{String(v)}</Tag>) },
  ];
  return (
    <ProTable<Decision>
      rowKey="id"
      columns={columns}
      request={request}
      pagination={{ defaultPageSize: 20 }}
      search={{ labelWidth: 'auto' }}
      options={{ reload: true, density: false, setting: false }}
      locale={{ emptyText: t('risk.noDecisions') }}
    />
  );
}
