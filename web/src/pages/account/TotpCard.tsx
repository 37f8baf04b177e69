import { SafetyOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Space, Steps, Typography } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ME_KEY } from '../../session.ts';

type Enrolment = ResponseOf<'/v1/admin/me/totp/enrol', 'post'>;
const CODE = /^\d{6}$/;

/**
 * The server's QR code is SVG markup: shown as an <img> from a data: URL (the CSP's img-src allows data:),
 * never inserted into the page, so nothing in it can run or restyle the console.
 */
const svgDataUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

function CodeForm({ id, submitLabel, busy, onCode }: { id: string; submitLabel: string; busy: boolean; onCode(code: string): void }) {
  const { t } = useI18n();
  return (
    <Form<{ code: string }> layout="inline" onFinish={({ code }) => onCode(code)} requiredMark={false}>
      <Form.Item name="code" label={t('account.code')} rules={[{ required: true, pattern: CODE, message: t('account.codeRule') }]}>
        <Input id={`${id}-code`} autoComplete="one-time-code" inputMode="numeric" maxLength={6} style={{ width: 120 }} />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} id={`${id}-submit`}>
        {submitLabel}
      </Button>
    </Form>
  );
}

/** Two-step sign-in for the signed-in user: scan a QR code, confirm with a first code; or turn it off with a current code. */
export function TotpCard({ enabled }: { enabled: boolean }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  // the enrolment (its secret) lives only in this component's memory, never in storage, gone when confirmed
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const changed = (text: string) => {
    setEnrolment(undefined);
    message.success(text);
    void queryClient.invalidateQueries({ queryKey: ME_KEY });
  };
  const enrol = useMutation({ mutationFn: async () => unwrap(await api.POST('/v1/admin/me/totp/enrol')), onSuccess: setEnrolment });
  const confirm = useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/v1/admin/me/totp/confirm', { body: { code } })),
    onSuccess: () => changed(t('account.totpEnabled')),
  });
  const disable = useMutation({
    mutationFn: async (code: string) => unwrap(await api.POST('/v1/admin/me/totp/disable', { body: { code } })),
    onSuccess: () => changed(t('account.totpDisabled')),
  });

  return (
    <Card title={<Space><SafetyOutlined />{t('account.totpTitle')}</Space>} data-testid="totp-card">
      {enabled ? (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Alert type="success" showIcon message={t('account.totpOn')} />
          <Typography.Paragraph>{t('account.disableHint')}</Typography.Paragraph>
          <CodeForm id="totp-disable" submitLabel={t('account.disable')} busy={disable.isPending} onCode={(c) => disable.mutate(c)} />
        </Space>
      ) : enrolment ? (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Steps
            direction="vertical"
            size="small"
            current={1}
            items={[{ title: t('account.stepScan'), description: t('account.stepScanHint') }, { title: t('account.stepConfirm'), description: t('account.stepConfirmHint') }]}
          />
          <img src={svgDataUrl(enrolment.qr_svg)} alt={t('account.qrAlt')} width={200} height={200} data-testid="totp-qr" style={{ border: '1px solid #f0f0f0' }} />
          <CodeForm id="totp-confirm" submitLabel={t('account.confirm')} busy={confirm.isPending} onCode={(c) => confirm.mutate(c)} />
        </Space>
      ) : (
        <Space direction="vertical" size="middle">
          <Alert type="info" showIcon message={t('account.totpOff')} />
          <Button type="primary" onClick={() => enrol.mutate()} loading={enrol.isPending} id="totp-enrol">
            {t('account.enrol')}
          </Button>
        </Space>
      )}
    </Card>
  );
}
