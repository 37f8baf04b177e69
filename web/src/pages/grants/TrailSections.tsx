import { Card, Empty, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';
import { eventKey, type AuditEntry, type RechargeOrder, type TimelineEntry, type Trail, type WebhookEvent, type WebhookTry } from './trail-types.ts';

const KIND_COLOR: Record<TimelineEntry['kind'], string> = { grant: 'blue', audit: 'gray', recharge: 'orange', webhook: 'purple' };
const NOWRAP = () => ({ style: { whiteSpace: 'nowrap' as const } });
type DeliveryStatus = 'pending' | 'delivering' | 'retrying' | 'succeeded' | 'dead' | 'cancelled';
const DELIVERY_STATUSES: string[] = ['pending', 'delivering', 'retrying', 'succeeded', 'dead', 'cancelled'] satisfies DeliveryStatus[];
const END_COLOR: Record<string, string> = { 'grant.voided': 'red', 'grant.failed': 'red', 'grant.redeemed': 'green' };

/**
 * What the console says about one entry, in the operator's language: for the grant's own events and its audit
 * events it is composed from the trail's data; recharge and webhook entries keep the server's technical line
 * (supplier ids, outcomes, HTTP statuses), which reads the same in any language.
 */
function useSummary(trail: Trail) {
  const { t } = useI18n();
  const g = trail.grant;
  const details = new Map(trail.audit.map((e) => [`${e.created_at}|${e.action}`, e.details]));
  return (e: TimelineEntry): string => {
    const d = details.get(`${e.at}|${e.event}`) ?? {};
    switch (e.event) {
      case 'grant.issued':
        return [g.product.name, g.client ? (g.client.name ?? g.client.id) : null, g.out_order_no].filter(Boolean).join(' · ');
      case 'grant.redeemed':
        return g.product.kind === 'direct_recharge' ? t('grants.redeemedByRecharge') : t('grants.redeemedByReveal');
      case 'grant.voided':
      case 'grant.expired':
      case 'grant.failed':
        return g.end_reason ?? g.failure?.message ?? '';
      case 'grant.reveal':
        return t('grants.revealNth', { count: String(d.reveal_count ?? '?') });
      case 'grant.void':
        return [d.reason ? String(d.reason) : null, d.code_returned ? t('grants.codeReturned') : null].filter(Boolean).join(' · ');
      default:
        return e.kind === 'recharge' || e.kind === 'webhook' ? e.summary : '';
    }
  };
}

/** The whole trail, oldest first: each entry's translated name, when, who, and what it was about. */
export function TrailTimeline({ trail }: { trail: Trail }) {
  const { t } = useI18n();
  const summary = useSummary(trail);
  if (!trail.timeline.length) return <Empty description={t('grants.noTimeline')} />;
  return (
    <Timeline
      data-testid="grant-timeline"
      style={{ paddingTop: 8 }}
      items={trail.timeline.map((e, i) => {
        const key = eventKey(e.event);
        const text = summary(e);
        return {
          key: i,
          color: END_COLOR[e.event] ?? KIND_COLOR[e.kind],
          children: (
            <Space direction="vertical" size={0} data-event={e.event}>
              <Space size="small" wrap>
                <Typography.Text strong>{key ? t(key) : e.event}</Typography.Text>
                <Typography.Text type="secondary">{formatTime(e.at)}</Typography.Text>
                {e.actor && <Tag>{e.actor}</Tag>}
              </Space>
              {text && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {text}
                </Typography.Text>
              )}
            </Space>
          ),
        };
      })}
    />
  );
}

/** Every attempt of a direct recharge at its supplier, each with its submits, callbacks and queries. */
export function RechargeSection({ order }: { order: RechargeOrder | null }) {
  const { t } = useI18n();
  if (!order) return <Typography.Text type="secondary">{t('grants.noRecharge')}</Typography.Text>;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text>
        {t('grants.rechargeOrder')}: <Typography.Text code>{order.id}</Typography.Text> <Tag>{order.status}</Tag> {order.account}
      </Typography.Text>
      {order.attempts.map((a) => (
        <Card key={a.id} size="small" title={`${t('grants.attempt', { n: a.attempt_no })} · ${a.supplier_id}`} extra={<Tag>{a.state}</Tag>}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            {t('grants.supplierOrder')}: {a.supplier_order_id ?? '-'} · {t('grants.submits')}: {a.submits} · {t('grants.polls')}: {a.polls}
            {a.result_code && ` · ${t('grants.result')}: ${a.result_code} ${a.result_message ?? ''}`}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={order.events.filter((e) => e.attempt_id === a.id)}
            columns={[
              { title: t('grants.at'), dataIndex: 'at', render: (v: string) => formatTime(v) },
              { title: t('grants.eventKind'), dataIndex: 'kind', render: (k: string) => (eventKey(k) ? t(eventKey(k)!) : k) },
              { title: t('grants.outcome'), dataIndex: 'outcome' },
              { title: t('grants.result'), dataIndex: 'supplier_code', render: (v: string | null) => v ?? '-' },
              { title: t('grants.actor'), dataIndex: 'actor' },
            ]}
          />
        </Card>
      ))}
    </Space>
  );
}

/** Webhook events about the grant, each delivery to each endpoint and every try of it. */
export function WebhooksSection({ events }: { events: WebhookEvent[] }) {
  const { t } = useI18n();
  if (!events.length) return <Typography.Text type="secondary">{t('grants.noWebhooks')}</Typography.Text>;
  type Row = { key: string; type: string; endpoint: string | null; status: string | null } & WebhookTry;
  // one row per try; an event not yet fanned out to an endpoint shows as one row without a try
  const rows = events.flatMap((e): Row[] =>
    e.deliveries.some((d) => d.attempt_log.length)
      ? e.deliveries.flatMap((d) => d.attempt_log.map((a) => ({ key: `${d.id}-${a.attempt}`, type: e.type, endpoint: d.endpoint_id, status: d.status, ...a })))
      : [{ key: e.id, type: e.type, endpoint: null, status: null, attempt: 0, at: e.created_at, status_code: null, duration_ms: null, error: null }],
  );
  const deliveryStatus = (s: string | null) => (s && DELIVERY_STATUSES.includes(s) ? t(`grants.delivery.${s as DeliveryStatus}`) : (s ?? '-'));
  return (
    <div data-testid="webhook-deliveries">
      <Table<Row>
        size="small"
        pagination={false}
        dataSource={rows}
        columns={[
          {
            title: t('grants.eventKind'),
            dataIndex: 'type',
            render: (type: string, r) => (
              <Space direction="vertical" size={0}>
                {type}
                {r.endpoint && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('grants.endpoint')}: {r.endpoint}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: t('grants.deliveryStatus'), dataIndex: 'status', render: deliveryStatus, onCell: NOWRAP },
          { title: t('grants.tries'), dataIndex: 'attempt', align: 'right', onCell: NOWRAP },
          { title: t('grants.at'), dataIndex: 'at', render: (v: string) => formatTime(v), onCell: NOWRAP },
          { title: t('grants.httpStatus'), dataIndex: 'status_code', render: (v: number | null, r) => v ?? r.error ?? '-', onCell: NOWRAP },
          { title: t('grants.duration'), dataIndex: 'duration_ms', align: 'right', render: (v: number | null) => v ?? '-', onCell: NOWRAP },
        ]}
      />
    </div>
  );
}

export function AuditSection({ events }: { events: AuditEntry[] }) {
  const { t } = useI18n();
  return (
    <Table
      size="small"
      rowKey="seq"
      pagination={false}
      locale={{ emptyText: t('grants.noAudit') }}
      dataSource={events}
      columns={[
        { title: '#', dataIndex: 'seq', width: 80 },
        { title: t('grants.at'), dataIndex: 'created_at', render: (v: string) => formatTime(v), onCell: NOWRAP },
        { title: t('grants.actor'), dataIndex: 'actor' },
        { title: t('grants.auditAction'), dataIndex: 'action', render: (a: string) => (eventKey(a) ? `${t(eventKey(a)!)} (${a})` : a) },
        { title: t('grants.auditDetails'), dataIndex: 'details', render: (d: Record<string, unknown>) => <Typography.Text code style={{ fontSize: 12, wordBreak: 'break-all' }}>{JSON.stringify(d)}</Typography.Text> },
      ]}
    />
  );
}
