import { PageContainer } from '@ant-design/pro-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Form, Input, Modal, Row, Space, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { formatTime } from '../../lib/time.ts';
import { GrantQrButton } from './GrantQr.tsx';
import { GrantStatusTag } from './GrantStatus.tsx';
import { AuditSection, RechargeSection, TrailTimeline, WebhooksSection } from './TrailSections.tsx';
import type { RechargeOrder, Trail, WebhookEvent } from './trail-types.ts';

const trailKey = (id: string) => ['grant-trail', id] as const;

/** Void with a required reason (the audit event keeps it); only an issued grant can be voided. */
function VoidButton({ id }: { id: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const voidGrant = useMutation({
    mutationFn: async (reason: string) => unwrap(await api.POST('/v1/admin/grants/{id}/void', { params: { path: { id } }, body: { reason } })),
    onSuccess: () => {
      message.success(t('grants.voidDone'));
      setOpen(false);
      return queryClient.invalidateQueries({ queryKey: trailKey(id) });
    },
  });
  // a controlled dialog, not modal.confirm: a missing reason keeps it open showing the field's error
  const submit = async () => {
    const values = await form.validateFields().catch(() => null);
    if (values) voidGrant.mutate(values.reason.trim());
  };
  return (
    <>
      <Button
        danger
        id="grant-void"
        onClick={() => {
          form.resetFields();
          setOpen(true);
        }}
      >
        {t('grants.void')}
      </Button>
      <Modal
        open={open}
        title={t('grants.voidTitle')}
        okText={t('grants.void')}
        okButtonProps={{ danger: true, loading: voidGrant.isPending }}
        cancelText={t('common.cancel')}
        onOk={submit}
        onCancel={() => setOpen(false)}
        destroyOnClose
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Typography.Paragraph>{t('grants.voidBody')}</Typography.Paragraph>
          <Form.Item name="reason" label={t('grants.voidReason')} rules={[{ required: true, whitespace: true, message: t('grants.voidReasonRequired') }]}>
            <Input.TextArea id="void-reason" maxLength={200} showCount />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function Facts({ trail }: { trail: Trail }) {
  const { t } = useI18n();
  const g = trail.grant;
  const dash = (v: string | null | undefined) => v || '-';
  return (
    <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small" bordered labelStyle={{ whiteSpace: 'nowrap' }} data-testid="grant-facts">
      <Descriptions.Item label={t('grants.product')}>
        {g.product.name} <Typography.Text type="secondary">({g.product.sku})</Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('grants.outOrderNo')}>{dash(g.out_order_no)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.client')}>{g.client ? `${g.client.name ?? ''} (${g.client.id})` : '-'}</Descriptions.Item>
      <Descriptions.Item label={t('grants.phone')}>{dash(g.recipient.phone)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.externalId')}>{dash(g.recipient.external_id)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.email')}>{dash(g.recipient.email)}</Descriptions.Item>
      {g.recipient.account && <Descriptions.Item label={t('grants.account')}>{g.recipient.account}</Descriptions.Item>}
      <Descriptions.Item label={t('grants.issuedBy')}>{g.issued_by}</Descriptions.Item>
      <Descriptions.Item label={t('grants.channel')}>{dash(g.channel)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.campaign')}>{dash(g.campaign)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.issuedAt')}>{formatTime(g.created_at)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.expiresAt')}>{formatTime(g.expires_at)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.redeemedAt')}>{formatTime(g.redeemed_at)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.reveals')}>
        <span data-testid="reveal-count">{t('grants.revealCount', { count: trail.reveals.count })}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('grants.endedAt')}>{formatTime(g.ended_at)}</Descriptions.Item>
      <Descriptions.Item label={t('grants.endReason')}>{dash(g.end_reason ?? g.failure?.message)}</Descriptions.Item>
    </Descriptions>
  );
}

/** One grant: its facts, the whole trail as a timeline, and the recharge, webhook and audit sections. */
export function GrantDetail() {
  const { t } = useI18n();
  const id = useParams().id!;
  const navigate = useNavigate();
  const q = useQuery({ queryKey: trailKey(id), queryFn: async () => unwrap(await api.GET('/v1/admin/grants/{id}/trail', { params: { path: { id } } })) });
  const trail = q.data;
  return (
    <PageContainer
      title={id}
      onBack={() => navigate('/grants')}
      loading={q.isLoading}
      tags={trail && <GrantStatusTag status={trail.grant.status} />}
      extra={
        trail?.grant.status === 'issued' && (
          <Space>
            <Can permission="grants:qr">
              <GrantQrButton id={id} />
            </Can>
            <Can permission="grants:void">
              <VoidButton id={id} />
            </Can>
          </Space>
        )
      }
    >
      {trail && (
        <Row gutter={[16, 16]}>
          <Col span={24}>
            <Card title={t('grants.facts')} size="small">
              <Facts trail={trail} />
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card title={t('grants.timeline')} size="small">
              <TrailTimeline trail={trail} />
            </Card>
          </Col>
          <Col xs={24} xl={14}>
            <Card size="small">
              <Tabs
                items={[
                  { key: 'audit', label: t('grants.audit'), children: <AuditSection events={trail.audit} /> },
                  { key: 'recharge', label: t('grants.recharge'), children: <RechargeSection order={trail.recharge as RechargeOrder | null} /> },
                  { key: 'webhooks', label: t('grants.webhooks'), children: <WebhooksSection events={trail.webhooks as WebhookEvent[]} /> },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </PageContainer>
  );
}
