import { PageContainer, type ActionType } from '@ant-design/pro-components';
import { Tabs } from 'antd';
import { useRef } from 'react';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useSession } from '../../session.ts';
import { BatchesTable } from './BatchesTable.tsx';
import { ImportPanel } from './ImportPanel.tsx';
import { StockTable } from './StockTable.tsx';

export default function StockPage() {
  const { t } = useI18n();
  const { access } = useSession();
  const batches = useRef<ActionType>();
  return (
    <PageContainer title={t('stock.title')}>
      <Can permission="imports:write">
        <ImportPanel onDone={() => batches.current?.reload()} />
      </Can>
      <Tabs
        items={[
          { key: 'stock', label: t('stock.tabStock'), children: <StockTable /> },
          ...(access.can('batches:read') ? [{ key: 'batches', label: t('stock.tabBatches'), children: <BatchesTable tableRef={batches} /> }] : []),
        ]}
      />
    </PageContainer>
  );
}
