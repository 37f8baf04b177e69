import { LockOutlined, MailOutlined, SafetyOutlined, TranslationOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, toApiError } from '../../api/client.ts';
import { LANGS, useI18n, type Lang } from '../../i18n/index.tsx';
import { ME_KEY } from '../../session.ts';

interface LoginValues {
  email: string;
  password: string;
  totp?: string;
}

/** Email and password; when the server answers 401 `totp_required`, a third field for the authenticator code. */
export default function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: LoginValues) => {
    setBusy(true);
    setError(undefined);
    try {
      // `totp` joins the body only once the server asked for it
      const body = { email: v.email, password: v.password, ...(needTotp ? { totp: v.totp } : {}) } as { email: string; password: string };
      const r = await api.POST('/v1/admin/login', { body });
      if (!r.response.ok) {
        const err = toApiError(r.response, r.error);
        if (err.code === 'totp_required') setNeedTotp(true);
        else setError(err.message);
        return;
      }
      queryClient.setQueryData(ME_KEY, r.data);
      const next = params.get('next');
      // only a path inside the console: ?next= must not send the operator to another site
      navigate(next && /^\/(?!\/)/.test(next) ? next : '/', { replace: true });
    } catch {
      setError(t('common.networkError'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }}>
        <div style={{ display: 'flex', justifyContent: 'flex-end' }}>
          <Segmented<Lang>
            size="small"
            value={lang}
            onChange={setLang}
            options={LANGS.map((l) => ({ value: l, label: l === 'zh-CN' ? '中文' : 'EN', icon: <TranslationOutlined /> }))}
          />
        </div>
        <Typography.Title level={3} style={{ textAlign: 'center' }}>
          {t('login.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          {t('login.subtitle')}
        </Typography.Paragraph>
        {!error && params.get('expired') && <Alert type="warning" showIcon message={t('session.expired')} style={{ marginBottom: 16 }} role="status" data-testid="session-expired" />}
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} role="alert" />}
        <Form<LoginValues> layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item name="email" htmlFor="login-email" label={t('login.email')} rules={[{ required: true, message: t('login.emailRequired') }]}>
            <Input prefix={<MailOutlined />} autoComplete="username" type="email" id="login-email" />
          </Form.Item>
          <Form.Item name="password" htmlFor="login-password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" id="login-password" />
          </Form.Item>
          {needTotp && (
            <Form.Item
              name="totp"
              htmlFor="login-totp"
              label={t('login.totp')}
              extra={t('login.totpHint')}
              rules={[{ required: true, pattern: /^\d{6}$/, message: t('login.totpRequired') }]}
            >
              <Input prefix={<SafetyOutlined />} autoComplete="one-time-code" inputMode="numeric" maxLength={6} autoFocus id="login-totp" />
            </Form.Item>
          )}
          <Button type="primary" htmlType="submit" block loading={busy} id="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
