import { Space, Tag, Typography } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan } from '../../lib/money.ts';
import type { Supplier } from './SupplierForm.tsx';

const CIRCUIT_COLOR = { closed: 'green', half_open: 'orange', open: 'red' } as const;

/** The circuit breaker's state as a coloured tag: open = calls to this supplier are refused for now. */
export function CircuitTag({ state }: { state: Supplier['circuit']['state'] }) {
  const { t } = useI18n();
  return <Tag color={CIRCUIT_COLOR[state]}>{t(`suppliers.circuit.${state}`)}</Tag>;
}

/** The last polled balance in 元, flagged when it is below the supplier's threshold. */
export function Balance({ supplier }: { supplier: Supplier }) {
  const { t } = useI18n();
  if (supplier.balance === null) return <Typography.Text type="secondary">{t('suppliers.balanceUnknown')}</Typography.Text>;
  return (
    <Space size={4}>
      <Typography.Text type={supplier.low_balance ? 'danger' : undefined} data-testid="supplier-balance">{fenToYuan(supplier.balance)}</Typography.Text>
      {supplier.low_balance && <Tag color="red">{t('suppliers.lowBalance')}</Tag>}
    </Space>
  );
}
