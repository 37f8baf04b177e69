import { monotonicFactory } from 'ulid';

// Prefixed, time-sortable ids (prd_01J…): sortable ids make cursor pagination a simple `id < cursor`.
const ulid = monotonicFactory();

export type IdPrefix = 'prd' | 'bat' | 'grt' | 'cli' | 'usr' | 'job' | 'imp';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

export function hasPrefix(id: string, prefix: IdPrefix): boolean {
  return id.startsWith(prefix + '_') && /^[a-z]+_[0-9a-hjkmnp-tv-z]{26}$/.test(id);
}
