import type { ModuleDefinition } from '../../platform/module.ts';
import { redeemRoutes } from './redeem.routes.ts';
// bundles and choice packs: what the pick answers (flows/bundles/pick.ts)
export { packRedeemView, optionAvailability } from './redeem-components.ts';


export { redeemGuards, RedeemRecharge } from './redeem.routes.ts';
export { TokenNotFound, TOKEN_PATTERN, rechargeStateOf, type RechargeState } from './redeem.service.ts';

// Public redemption by bearer token: the H5 page and its API.
export const redeemModule: ModuleDefinition = {
  name: 'redeem',
  routes: redeemRoutes,
  tags: [{ name: 'redeem', description: 'Public redemption by token' }],
};
