import { fenToYuan } from '../../lib/money.ts';

// How the dashboard writes its figures: 元 with 2 decimals and thousands separators (money stays integer 分
// until here), rates as percentages with one decimal, latencies in ms or s. A figure that does not exist
// (a rate with nothing to divide, a latency with no attempt) is a dash, never 0.
export const NONE = '-';

/** 123456 分 → "¥1,234.56"; -150 → "-¥1.50" (a negative margin) */
export function yuan(fen: number): string {
  const [int, dec] = fenToYuan(Math.abs(fen)).split('.');
  return `${fen < 0 ? '-' : ''}¥${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${dec}`;
}

/** 0.4567 → "45.7%"; null → "-" */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? NONE : `${(rate * 100).toFixed(1)}%`;
}

/** 850 → "850 ms", 12500 → "12.5 s" */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return NONE;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** 12 → "12", 1234567 → "1,234,567" */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** days of stock left: one decimal below 10, whole days above; null (nothing issued in 7 days) → "-" */
export function days(d: number | null): string {
  if (d === null) return NONE;
  return d < 10 ? d.toFixed(1) : String(Math.round(d));
}
