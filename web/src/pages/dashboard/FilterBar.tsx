import { Card, Select } from 'antd';
import type { CSSProperties } from 'react';
import { useI18n } from '../../i18n/index.tsx';
import { useSession } from '../../session.ts';
import { useDashboard, type Filters } from './filters.ts';
import { useClients, useProducts, useSuppliers } from './options.ts';
import { PeriodPicker } from './PeriodPicker.tsx';

const SELECT: CSSProperties = { flex: '1 1 150px', minWidth: 150, maxWidth: 260 };

/** Period and product / client / supplier; every panel follows them (each endpoint takes the ones it can). */
export function FilterBar({ filters, onChange }: { filters: Filters; onChange: (patch: Partial<Filters>) => void }) {
  const { t } = useI18n();
  const { access } = useSession();
  const products = useProducts();
  const clients = useClients();
  const suppliers = useSuppliers();
  // without clients:read (only admins hold it), the clients that have figures in the period are the choices
  const volumes = useDashboard('clients', { from: filters.from, to: filters.to });
  const clientOptions = access.can('clients:read')
    ? (clients.data ?? []).map((c) => ({ value: c.id, label: c.name }))
    : (volumes.data?.data ?? []).flatMap((c) => (c.client_id ? [{ value: c.client_id, label: c.name ?? c.client_id }] : []));
  const select = (key: 'product' | 'client' | 'supplier', placeholder: string) => ({
    id: `dashboard-${key}`,
    'aria-label': t(`dashboard.${key}`),
    style: SELECT,
    allowClear: true,
    showSearch: true,
    optionFilterProp: 'label',
    placeholder,
    value: filters[key],
    onChange: (v: string | undefined) => onChange({ [key]: v }),
  });

  return (
    <Card size="small" data-testid="dashboard-filters">
      {/* two groups, the period and the selects: one line on a wide screen (the selects share what the period
          leaves), the selects together on a second line when it is too narrow */}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '8px 12px', alignItems: 'center' }}>
        <PeriodPicker filters={filters} onChange={onChange} />
        <div style={{ display: 'flex', gap: 12, flex: '1 1 460px' }}>
          <Select {...select('product', t('dashboard.allProducts'))} loading={products.isLoading} options={(products.data ?? []).map((p) => ({ value: p.sku, label: `${p.sku} · ${p.name}` }))} />
          <Select {...select('client', t('dashboard.allClients'))} options={[{ value: 'none', label: t('dashboard.adminIssued') }, ...clientOptions]} />
          {access.can('suppliers:read') && (
            <Select
              {...select('supplier', t('dashboard.allSuppliers'))}
              title={t('dashboard.supplierHint')}
              loading={suppliers.isLoading}
              options={(suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
          )}
        </div>
      </div>
    </Card>
  );
}
