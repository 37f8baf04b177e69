import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import { registerIdentityCli } from './identity.cli.ts';
import { identityRoutes } from './identity.routes.ts';
import { totpRoutes } from './totp.routes.ts';
import { userRoutes } from './users.routes.ts';

// The identity module's front door: admin users, passwords, TOTP and console sessions.
export { createAdminUser, checkPassword, type AdminUser } from './identity.service.ts';
export { createSession, SessionDirectory } from './sessions.ts';
export { rewrapTotpSecrets } from './totp.service.ts';

export const identityModule: ModuleDefinition = {
  name: 'identity',
  routes: async (app: FastifyInstance, deps: { ctx: AppContext }) => {
    await identityRoutes(app, deps);
    await userRoutes(app, deps);
    await totpRoutes(app, deps);
  },
  permissions: { 'users:read': ['admin'], 'users:write': ['admin'] },
  cli: registerIdentityCli,
};
