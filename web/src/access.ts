import type { ResponseOf } from './api/types.ts';

// What the signed-in user may do, from GET /v1/admin/me (like ant-design-pro's access.ts). Menus, routes
// and buttons ask this; the server checks every call again and stays the authority.
export type Me = ResponseOf<'/v1/admin/me', 'get'>;

export interface Access {
  can(permission: string | undefined): boolean;
}

export function createAccess(me: Pick<Me, 'permissions'> | undefined): Access {
  const granted = new Set(me?.permissions ?? []);
  return { can: (permission) => permission === undefined || granted.has(permission) };
}
