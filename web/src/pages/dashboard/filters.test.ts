import { describe, expect, it } from 'vitest';
import { presetRange, queryFor, type Filters } from './filters.ts';

const all: Filters = { from: '2026-11-01', to: '2026-11-30', product: 'VIP-1M', client: 'cli_1', supplier: 'sup_1' };

describe('dashboard filters', () => {
  it('sends each endpoint only the filters it accepts (the server answers 400 to any other)', () => {
    expect(queryFor('summary', all)).toEqual({ from: '2026-11-01', to: '2026-11-30', product: 'VIP-1M', client: 'cli_1' });
    expect(queryFor('stock', all)).toEqual({ product: 'VIP-1M' });
    expect(queryFor('top-products', all)).toEqual({ from: '2026-11-01', to: '2026-11-30', client: 'cli_1' });
    expect(queryFor('clients', all)).toEqual({ from: '2026-11-01', to: '2026-11-30', product: 'VIP-1M' });
    expect(queryFor('failures', all)).toEqual(all);
    expect(queryFor('suppliers', { from: '2026-11-01', to: '2026-11-30' })).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  it('presets are China-time day ranges ending today', () => {
    const day = (d: ReturnType<typeof presetRange>[number]) => d.format('YYYY-MM-DD');
    const [t0, t1] = presetRange('today').map(day);
    expect(t0).toBe(t1);
    expect(t1).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()));
    const [w0, w1] = presetRange('last7');
    expect(w1.diff(w0, 'day')).toBe(6);
    const [m0, m1] = presetRange('last30');
    expect(m1.diff(m0, 'day')).toBe(29);
    const [s0] = presetRange('thisMonth').map(day);
    expect(s0).toBe(t1.slice(0, 8) + '01');
  });
});
