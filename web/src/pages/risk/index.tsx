import { PageContainer } from '@ant-design/pro-components';
import { Tabs } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { BlacklistTable } from './BlacklistTable.tsx';
import { DecisionsTable } from './DecisionsTable.tsx';
import { ReviewsTable } from './ReviewsTable.tsx';
import { RulesTable } from './RulesTable.tsx';

/** Risk control (风控): the review queue first (what needs a person), then decisions, rules and blacklists. */
export default function RiskPage() {
  const { t } = useI18n();
  return (
    <PageContainer title={t('risk.title')} content={t('risk.intro')}>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'reviews', label: t('risk.tabReviews'), children: <ReviewsTable /> },
          { key: 'decisions', label: t('risk.tabDecisions'), children: <DecisionsTable /> },
          { key: 'rules', label: t('risk.tabRules'), children: <RulesTable /> },
          { key: 'blacklist', label: t('risk.tabBlacklist'), children: <BlacklistTable /> },
        ]}
      />
    </PageContainer>
  );
}
