import { useQuery } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { TIME_ZONE } from '../../lib/time.ts';

// The dashboard's period and filters live in the URL (?from=…&to=…&product=…), so a view can be bookmarked
// or sent to a colleague. Days are Asia/Shanghai calendar days, as the server counts them.
export interface Filters {
  from: string;
  to: string;
  product?: string;
  client?: string;
  supplier?: string;
}

const DAY = 'YYYY-MM-DD';
export const today = (): Dayjs => dayjs().tz(TIME_ZONE);

export type PresetKey = 'today' | 'last7' | 'last30' | 'thisMonth';
export function presetRange(key: PresetKey): [Dayjs, Dayjs] {
  const t = today();
  const start = { today: t, last7: t.subtract(6, 'day'), last30: t.subtract(29, 'day'), thisMonth: t.startOf('month') }[key];
  return [start, t];
}

export function useFilters(): [Filters, (patch: Partial<Filters>) => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<Filters>(() => {
    const [from, to] = presetRange('last30');
    const get = (k: string) => params.get(k) || undefined;
    return { from: get('from') ?? from.format(DAY), to: get('to') ?? to.format(DAY), product: get('product'), client: get('client'), supplier: get('supplier') };
  }, [params]);
  const update = useCallback(
    (patch: Partial<Filters>) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(patch)) {
            if (v) next.set(k, v);
            else next.delete(k);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [filters, update];
}

// Each endpoint takes only the filters that mean something for it and answers 400 to any other (a grant has
// no single supplier, so `supplier` only narrows the recharge panels): the query is cut to measure here.
const ACCEPTS = {
  summary: ['from', 'to', 'product', 'client'],
  daily: ['from', 'to', 'product', 'client'],
  stock: ['product'],
  'top-products': ['from', 'to', 'client'],
  clients: ['from', 'to', 'product'],
  suppliers: ['from', 'to', 'product', 'client', 'supplier'],
  failures: ['from', 'to', 'product', 'client', 'supplier'],
} as const satisfies Record<string, readonly (keyof Filters)[]>;

export type Endpoint = keyof typeof ACCEPTS;
type Path<E extends Endpoint> = `/v1/admin/dashboard/${E}`;
export type DashboardData<E extends Endpoint> = ResponseOf<Path<E>, 'get'>;

export function queryFor(endpoint: Endpoint, f: Filters): Record<string, string> {
  return Object.fromEntries(ACCEPTS[endpoint].flatMap((k) => (f[k] ? [[k, f[k]]] : [])));
}

/** One panel's figures for the current filters (cached per endpoint and query; "refresh" invalidates ['dashboard']). */
export function useDashboard<E extends Endpoint>(endpoint: E, f: Filters) {
  const query = queryFor(endpoint, f);
  return useQuery({
    queryKey: ['dashboard', endpoint, query],
    // the typed client wants one literal path; the 7 paths share the same shape of call
    queryFn: async () => unwrap(await api.GET(`/v1/admin/dashboard/${endpoint}` as Path<'summary'>, { params: { query } })) as DashboardData<E>,
    placeholderData: (prev) => prev,
  });
}
