import type { ModuleDefinition } from '../../platform/module.ts';
import { grantRoutes } from './grants.routes.ts';

// The grants module's front door: one entitlement issued to one recipient.
export { issueGrant, getGrant, listGrants, voidGrant, expireGrants, type IssueInput, type IssueOutcome } from './grants.service.ts';
export { grantMachine, type GrantEvent } from './grant.machine.ts';
export { Grant } from './grants.schemas.ts';

export const grantsModule: ModuleDefinition = {
  name: 'grants',
  routes: grantRoutes,
  scopes: ['grants:write', 'grants:read'],
  permissions: {
    'grants:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'grants:void': ['admin', 'operator', 'support'],
  },
  tags: [{ name: 'grants', description: 'Issue and track entitlements (signed client API)' }],
};
