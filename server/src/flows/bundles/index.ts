import type { ModuleDefinition } from '../../platform/module.ts';
import { bundleFlowRoutes } from './pick.routes.ts';

// Bundles and choice packs across modules (bundles, catalog, grants, inventory, recharges, suppliers): the
// issuers of POST /v1/grants for both kinds and the choice pack's pick. Direct-recharge components use the
// recharge flows' jobs (their orders are ordinary recharge orders of the component grants).
export const bundleFlows: ModuleDefinition = {
  name: 'bundle-flows',
  routes: bundleFlowRoutes,
};
