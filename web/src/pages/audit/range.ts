import dayjs from 'dayjs';
// lib/time.ts also extends dayjs with the utc and timezone plugins used here
import { TIME_ZONE } from '../../lib/time.ts';

/**
 * The audit filter's time range as the API takes it (`from` inclusive, `to` exclusive, ISO 8601 UTC). The picker's
 * 'YYYY-MM-DD HH:mm:ss' is China time (like every time the console shows), whatever the browser's own zone.
 */
export function rangeQuery(range: readonly [unknown, unknown] | undefined): { from?: string; to?: string } {
  const iso = (v: unknown) => (v ? dayjs.tz(String(v), TIME_ZONE).toISOString() : undefined);
  return { from: iso(range?.[0]), to: iso(range?.[1]) };
}
