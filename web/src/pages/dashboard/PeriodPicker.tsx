import { Input, Segmented, Space } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { presetRange, today, type Filters, type PresetKey } from './filters.ts';

const PRESETS: PresetKey[] = ['today', 'last7', 'last30', 'thisMonth'];
const DAY = 'YYYY-MM-DD';

// The period: presets (今天 / 近7天 / 近30天 / 本月) plus two native date inputs rather than antd's RangePicker:
// the picker costs ~30 KB gzipped and the login + dashboard route has a 600 KB budget (issue 6), while
// Segmented and Input are already loaded by the login page. The server checks the period again (≤ 366 days,
// from ≤ to) and says why it refuses one.
export function PeriodPicker({ filters, onChange }: { filters: Filters; onChange: (patch: Partial<Filters>) => void }) {
  const { t } = useI18n();
  const preset = PRESETS.find((k) => {
    const [from, to] = presetRange(k);
    return from.format(DAY) === filters.from && to.format(DAY) === filters.to;
  });
  const pick = (k: PresetKey) => {
    const [from, to] = presetRange(k);
    onChange({ from: from.format(DAY), to: to.format(DAY) });
  };
  // a cleared or half-typed date is not sent: the inputs report '' until the day is complete
  const day = (key: 'from' | 'to', value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && onChange({ [key]: value });
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
      <Segmented<PresetKey | 'custom'>
        data-testid="dashboard-presets"
        value={preset ?? 'custom'}
        onChange={(k) => k !== 'custom' && pick(k)}
        // "custom" only names a period typed in the inputs; it is not something to click
        options={[...PRESETS.map((k) => ({ value: k, label: t(`dashboard.preset.${k}`) })), { value: 'custom', label: t('dashboard.preset.custom'), disabled: true }]}
      />
      <Space.Compact>
        <Input id="dashboard-from" type="date" aria-label={t('dashboard.from')} style={{ width: 140 }} value={filters.from} max={filters.to} onChange={(e) => day('from', e.target.value)} />
        <Input id="dashboard-to" type="date" aria-label={t('dashboard.to')} style={{ width: 140 }} value={filters.to} min={filters.from} max={today().format(DAY)} onChange={(e) => day('to', e.target.value)} />
      </Space.Compact>
    </div>
  );
}
