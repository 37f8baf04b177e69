import { PageContainer } from '@ant-design/pro-components';
import { Tabs } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointsTable } from './EndpointsTable.tsx';
import { EventsTable } from './EventsTable.tsx';

export default function WebhooksPage() {
  const { t } = useI18n();
  return (
    <PageContainer title={t('webhooks.title')} content={t('webhooks.intro')}>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'events', label: t('webhooks.tabEvents'), children: <EventsTable /> },
          { key: 'endpoints', label: t('webhooks.tabEndpoints'), children: <EndpointsTable /> },
        ]}
      />
    </PageContainer>
  );
}
