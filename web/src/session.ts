import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { createAccess, type Access, type Me } from './access.ts';
import { api, unwrap } from './api/client.ts';

export const ME_KEY = ['me'] as const;

/** The signed-in user and what they may do; a 401 sends the browser to the login page (api/client.ts). */
export function useSession(): { me: Me | undefined; access: Access; isLoading: boolean } {
  const q = useQuery({ queryKey: ME_KEY, queryFn: async () => unwrap(await api.GET('/v1/admin/me')), retry: false, staleTime: 60_000, meta: { silent: true } });
  const access = useMemo(() => createAccess(q.data), [q.data]);
  return { me: q.data, access, isLoading: q.isLoading };
}
