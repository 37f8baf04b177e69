import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { useSession } from '../../session.ts';

// The filter bar's choices, from the list endpoints. A role that may read the dashboard but not a list
// (only admins read clients) gets no such list; the caller then falls back to what the figures name.
// 200 is the lists' page maximum: more products or suppliers than that is beyond a select box anyway.
const LIMIT = 200;

/** A list for a select, fetched only when the user may read it (the server would answer 403). */
function useList<T>(name: string, permission: string, fetch: () => Promise<T[]>) {
  const { access } = useSession();
  return useQuery({ queryKey: ['dashboard-options', name], enabled: access.can(permission), staleTime: 60_000, queryFn: fetch });
}

export const useProducts = () => useList('products', 'products:read', async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { limit: LIMIT } } })).data);
export const useClients = () => useList('clients', 'clients:read', async () => unwrap(await api.GET('/v1/admin/clients')).data);
export const useSuppliers = () => useList('suppliers', 'suppliers:read', async () => unwrap(await api.GET('/v1/admin/suppliers', { params: { query: { limit: LIMIT } } })).data);
