import { PageContainer } from '@ant-design/pro-components';
import { Card, Descriptions, Space, Tag } from 'antd';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { useSession } from '../../session.ts';
import { TotpCard } from './TotpCard.tsx';

/** The signed-in user's own account: who they are, how long an idle session lasts, two-step sign-in. */
export default function AccountPage() {
  const { t } = useI18n();
  const { me } = useSession();
  if (!me) return null;
  return (
    <PageContainer title={t('account.title')}>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Card title={t('account.profile')}>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('account.email')}>{me.email}</Descriptions.Item>
            <Descriptions.Item label={t('account.role')}>
              <Tag color="blue">{t(`roles.${me.role}` as MessageKey)}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('account.idleTimeout')}>{t('account.minutes', { count: Math.round(me.idle_timeout_seconds / 60) })}</Descriptions.Item>
          </Descriptions>
        </Card>
        <TotpCard enabled={me.totp_enabled} />
      </Space>
    </PageContainer>
  );
}
