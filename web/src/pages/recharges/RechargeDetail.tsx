import { SyncOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Drawer, Space, Table, Timeline, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan } from '../../lib/money.ts';
import { formatTime } from '../../lib/time.ts';
import { useSuppliers } from '../suppliers/useSuppliers.ts';
import { AttemptStateTag, OrderStatusTag, type Attempt, type RechargeEvent, type RechargeOrder } from './RechargeTags.tsx';
import { ResolveUnknown } from './ResolveUnknown.tsx';

const EVENT_COLOR: Record<RechargeEvent['kind'], string> = { submit: 'blue', callback: 'green', query: 'gray', resolve: 'red', recover: 'orange' };

/** The facts an event carries, one line (they never hold a full account or a credential). */
function detailText(detail: unknown): string {
  if (!detail || typeof detail !== 'object' || Object.keys(detail).length === 0) return '';
  return Object.entries(detail as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ');
}

/** A recharge order: every attempt (one per supplier tried) and its log of submits, callbacks and queries. */
export function RechargeDetail({ id, onClose, onChanged }: { id: string | undefined; onClose(): void; onChanged(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const suppliers = useSuppliers();
  const key = ['recharge', id];
  const q = useQuery({ queryKey: key, enabled: !!id, queryFn: async () => unwrap(await api.GET('/v1/admin/recharges/{id}', { params: { path: { id: id! } } })) });
  const updated = (o: RechargeOrder) => {
    queryClient.setQueryData(key, o);
    onChanged();
  };
  const queryNow = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/admin/recharges/{id}/query', { params: { path: { id: id! } } })),
    onSuccess: (o) => {
      message.success(t('recharges.queried', { status: t(`recharges.status.${o.status}`) }));
      updated(o);
    },
  });
  const o = q.data;
  const unknown = o?.attempts.find((a) => a.state === 'unknown');
  const eventsOf = (a: Attempt) => (o?.events ?? []).filter((e) => e.attempt_id === a.id);
  const timeline = (events: RechargeEvent[]) =>
    events.length === 0 ? (
      <Typography.Text type="secondary">{t('recharges.noEvents')}</Typography.Text>
    ) : (
      <Timeline
        style={{ marginTop: 8 }}
        items={events.map((e) => ({
          color: EVENT_COLOR[e.kind],
          children: (
            <>
              <Typography.Text strong>{t(`recharges.eventKind.${e.kind}`)}</Typography.Text> · {e.outcome}
              {e.supplier_code !== null && ` · ${t('recharges.supplierCode')} ${e.supplier_code}`} · <Typography.Text type="secondary">{formatTime(e.at)} · {e.actor}</Typography.Text>
              {detailText(e.detail) && <div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{detailText(e.detail)}</Typography.Text></div>}
            </>
          ),
        }))}
      />
    );
  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      width={980}
      title={t('recharges.detail')}
      loading={q.isLoading}
      extra={
        o && (
          <Can permission="recharges:write">
            <Space>
              {o.status === 'processing' && (
                <Button icon={<SyncOutlined />} loading={queryNow.isPending} onClick={() => queryNow.mutate()} id="recharge-query">
                  {t('recharges.queryNow')}
                </Button>
              )}
              {unknown && <ResolveUnknown order={o} attempt={unknown} onDone={(r) => { message.success(t('recharges.resolved')); updated(r); }} />}
            </Space>
          </Can>
        )
      }
    >
      {o && (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('recharges.id')}>{o.id}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}><OrderStatusTag status={o.status} /></Descriptions.Item>
            <Descriptions.Item label={t('recharges.grant')}>{o.grant_id}</Descriptions.Item>
            <Descriptions.Item label={t('recharges.product')}>{o.product_id}</Descriptions.Item>
            <Descriptions.Item label={t('recharges.account')}>{o.account}</Descriptions.Item>
            <Descriptions.Item label={t('recharges.client')}>{o.client_id ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('common.createdAt')}>{formatTime(o.created_at)}</Descriptions.Item>
            <Descriptions.Item label={t('recharges.finishedAt')}>{formatTime(o.finished_at)}</Descriptions.Item>
            {o.failure && <Descriptions.Item label={t('recharges.failure')} span={2}>{`${o.failure.code}: ${o.failure.message}`}</Descriptions.Item>}
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 24 }}>{t('recharges.attempts', { count: o.attempts.length })}</Typography.Title>
          <Table<Attempt>
            size="small"
            rowKey="id"
            dataSource={o.attempts}
            pagination={false}
            data-testid="recharge-attempts"
            scroll={{ x: 'max-content' }}
            expandable={{ expandedRowRender: (a) => timeline(eventsOf(a)), defaultExpandAllRows: true }}
            columns={[
              { title: '#', dataIndex: 'attempt_no', width: 48 },
              { title: t('recharges.supplier'), dataIndex: 'supplier_id', render: (v: string) => suppliers.name(v) },
              { title: t('recharges.supplierProductId'), dataIndex: 'supplier_product_id' },
              { title: t('recharges.unitCost'), dataIndex: 'unit_cost_fen', align: 'right', render: (v: number) => fenToYuan(v) },
              { title: t('recharges.attemptStateTitle'), dataIndex: 'state', render: (_: unknown, a) => <AttemptStateTag state={a.state} /> },
              { title: t('recharges.customerOrderNo'), dataIndex: 'customer_order_no' },
              { title: t('recharges.supplierOrderId'), dataIndex: 'supplier_order_id', render: (v: string | null) => v ?? '-' },
              { title: t('recharges.submitsPolls'), key: 'sp', render: (_: unknown, a) => `${a.submits} / ${a.polls}` },
              { title: t('recharges.result'), key: 'result', render: (_: unknown, a) => [a.result_code, a.result_message].filter((x) => x !== null && x !== '').join(' ') || '-' },
              { title: t('recharges.finishedAt'), dataIndex: 'finished_at', render: (v: string | null) => formatTime(v) },
            ]}
          />
          {o.events.some((e) => e.attempt_id === null) && (
            <>
              <Typography.Title level={5} style={{ marginTop: 24 }}>{t('recharges.orderEvents')}</Typography.Title>
              {timeline(o.events.filter((e) => e.attempt_id === null))}
            </>
          )}
        </>
      )}
    </Drawer>
  );
}
