import type { Role } from '../../platform/db/schema.ts';

// Roles from DESIGN §7 and what each may do. Every admin route names one permission; nothing is open.
export const PERMISSIONS = {
  'products:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
  'products:write': ['admin', 'operator'],
  'stock:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
  'imports:write': ['admin', 'operator'],
  'batches:read': ['admin', 'operator', 'finance', 'auditor'],
  'batches:void': ['admin', 'operator'],
  'grants:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
  'grants:void': ['admin', 'operator', 'support'],
  'jobs:read': ['admin', 'operator'],
  'audit:read': ['admin', 'auditor'],
  'clients:read': ['admin'],
  'clients:write': ['admin'],
  'users:write': ['admin'],
  'recharges:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
  'recharges:write': ['admin', 'operator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;
export const ROLES: Role[] = ['admin', 'operator', 'finance', 'auditor', 'support'];

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
