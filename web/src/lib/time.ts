import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';
import 'dayjs/locale/zh-cn';

dayjs.extend(utc);
dayjs.extend(timezone);

// Operators read times in China time whatever the browser's zone, unless the build sets another
// (VITE_QUANYI_TIMEZONE), so two operators in two places see the same figures.
export const TIME_ZONE: string = import.meta.env.VITE_QUANYI_TIMEZONE || 'Asia/Shanghai';

export function formatTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).tz(TIME_ZONE).format('YYYY-MM-DD HH:mm:ss') : '-';
}
