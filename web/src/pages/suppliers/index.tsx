import { PageContainer } from '@ant-design/pro-components';
import { Tabs } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { useSession } from '../../session.ts';
import { Reconciliation } from './Reconciliation.tsx';
import { SuppliersTable } from './SuppliersTable.tsx';

export default function SuppliersPage() {
  const { t } = useI18n();
  const { access } = useSession();
  return (
    <PageContainer title={t('suppliers.title')}>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'list', label: t('suppliers.tabList'), children: <SuppliersTable /> },
          ...(access.can('reconciliation:read') ? [{ key: 'reconciliation', label: t('suppliers.tabReconciliation'), children: <Reconciliation /> }] : []),
        ]}
      />
    </PageContainer>
  );
}
