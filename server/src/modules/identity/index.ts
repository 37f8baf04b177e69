import type { ModuleDefinition } from '../../platform/module.ts';
import { registerAdmin } from './identity.cli.ts';
import { identityRoutes } from './identity.routes.ts';

// The identity module's front door: admin users, passwords and console sessions.
export { createAdminUser, createSession, checkPassword, SessionDirectory, type AdminUser } from './identity.service.ts';

export const identityModule: ModuleDefinition = {
  name: 'identity',
  routes: identityRoutes,
  permissions: { 'users:write': ['admin'] },
  cli: registerAdmin,
};
