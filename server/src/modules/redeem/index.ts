import type { ModuleDefinition } from '../../platform/module.ts';
import { redeemRoutes } from './redeem.routes.ts';

// Public redemption by bearer token: the H5 page and its API.
export const redeemModule: ModuleDefinition = {
  name: 'redeem',
  routes: redeemRoutes,
  tags: [{ name: 'redeem', description: 'Public redemption by token' }],
};
