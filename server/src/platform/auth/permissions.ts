import type { Role } from '../db/schema.ts';

// Admin permissions: each module declares the ones it checks and the roles holding them (its
// ModuleDefinition); the module list registers them here at start-up. A route naming a permission nobody
// declared fails when the app is built, not when an operator clicks.
export const ROLES: readonly Role[] = ['admin', 'operator', 'finance', 'auditor', 'support'];

const table = new Map<string, readonly Role[]>();

export function registerPermissions(perms: Record<string, readonly Role[]>): void {
  for (const [permission, roles] of Object.entries(perms)) {
    if (table.has(permission) && table.get(permission) !== roles) throw new Error(`permission ${permission} is declared twice`);
    table.set(permission, roles);
  }
}

export function assertPermission(permission: string): void {
  if (!table.has(permission)) throw new Error(`permission ${permission} is not declared by any module`);
}

export function can(role: Role, permission: string): boolean {
  return table.get(permission)?.includes(role) ?? false;
}

export function permissionsOf(role: Role): string[] {
  return [...table].filter(([, roles]) => roles.includes(role)).map(([p]) => p).sort();
}

export function permissionTable(): Record<string, readonly Role[]> {
  return Object.fromEntries(table);
}

// Client-key scopes, declared by the modules that check them (ModuleDefinition.scopes).
const scopes = new Set<string>();

export function registerScopes(list: readonly string[]): void {
  for (const s of list) scopes.add(s);
}

export function knownScopes(): string[] {
  return [...scopes];
}

export function assertScope(scope: string): void {
  if (!scopes.has(scope)) throw new Error(`client scope ${scope} is not declared by any module`);
}
