import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';

/** Every supplier (a platform has a handful): for pickers and for naming a supplier id in other pages. */
export function useSuppliers() {
  const q = useQuery({ queryKey: ['suppliers', 'all'], queryFn: async () => unwrap(await api.GET('/v1/admin/suppliers', { params: { query: { limit: 200 } } })).data });
  const names = new Map((q.data ?? []).map((s) => [s.id, s.name]));
  return { ...q, name: (id: string | null) => (id ? (names.get(id) ?? id) : '-') };
}
