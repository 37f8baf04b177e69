import { useQuery } from '@tanstack/react-query';
import { Descriptions, Drawer, Table, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan } from '../../lib/money.ts';
import { formatTime } from '../../lib/time.ts';
import type { Supplier } from './SupplierForm.tsx';
import { Balance, CircuitTag } from './SupplierTags.tsx';

type Reason = Supplier['circuit']['last_reasons'][number];

/** A supplier: its callback address to give the supplier, balance, and the circuit breaker's recent view. */
export function SupplierDetail({ id, onClose }: { id: string | undefined; onClose(): void }) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ['supplier', id], enabled: !!id, queryFn: async () => unwrap(await api.GET('/v1/admin/suppliers/{id}', { params: { path: { id: id! } } })) });
  const s = q.data;
  return (
    <Drawer open={!!id} onClose={onClose} width={760} title={s ? s.name : t('suppliers.detail')} loading={q.isLoading}>
      {s && (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('suppliers.id')}>{s.id}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>{t(`suppliers.status.${s.status}`)}</Descriptions.Item>
            <Descriptions.Item label={t('suppliers.adapter')}>{s.adapter}</Descriptions.Item>
            <Descriptions.Item label={t('suppliers.appKey')}>{s.app_key_hint}</Descriptions.Item>
            <Descriptions.Item label={t('suppliers.endpoint')} span={2}>{s.endpoint}</Descriptions.Item>
            <Descriptions.Item label={t('suppliers.callbackUrl')} span={2}>
              <Typography.Text copyable={{ text: s.callback_url }} code data-testid="callback-url">
                {s.callback_url}
              </Typography.Text>
              <br />
              <Typography.Text type="secondary">{t('suppliers.callbackHint')}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('suppliers.balance')}><Balance supplier={s} /></Descriptions.Item>
            <Descriptions.Item label={t('suppliers.balanceCheckedAt')}>{formatTime(s.balance_checked_at)}</Descriptions.Item>
            <Descriptions.Item label={t('suppliers.threshold')}>{s.low_balance_threshold === null ? '-' : fenToYuan(s.low_balance_threshold)}</Descriptions.Item>
            <Descriptions.Item label={t('common.createdAt')}>{formatTime(s.created_at)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 24 }}>{t('suppliers.circuitTitle')}</Typography.Title>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('suppliers.circuitState')}><CircuitTag state={s.circuit.state} /></Descriptions.Item>
            <Descriptions.Item label={t('suppliers.circuitSince')}>{formatTime(s.circuit.since)}</Descriptions.Item>
            <Descriptions.Item label={t('suppliers.circuitWindow')}>
              {t('suppliers.circuitWindowValue', { failures: s.circuit.window.failures, calls: s.circuit.window.calls, seconds: s.circuit.window.window_seconds })}
            </Descriptions.Item>
            <Descriptions.Item label={t('suppliers.circuitOpened')}>{s.circuit.opened_count}</Descriptions.Item>
          </Descriptions>
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('suppliers.circuitPerProcess')}</Typography.Paragraph>
          <Table<Reason>
            size="small"
            rowKey={(r) => r.at + r.reason}
            dataSource={s.circuit.last_reasons}
            pagination={false}
            locale={{ emptyText: t('suppliers.noFailures') }}
            columns={[
              { title: t('suppliers.failedAt'), dataIndex: 'at', width: 180, render: (v: string) => formatTime(v) },
              { title: t('suppliers.failureReason'), dataIndex: 'reason' },
            ]}
          />
        </>
      )}
    </Drawer>
  );
}
