import type { ModuleDefinition } from '../../platform/module.ts';
import { bundleRoutes } from './bundles.routes.ts';

// The bundles module's front door: the component lists of bundles (组合套餐) and choice packs (自选权益包),
// and the record of a choice pack's pick. Issuing and picking (which reserve stock and write grants and
// recharge orders) are flows/bundles.
export { createBundle, setComponents, getBundle, packSpec, isPackKind, type PackSpec } from './bundles.service.ts';
export { insertPick } from './bundles.repo.ts';
export { BundleCreate, ComponentsPut, BundleView, BundleKind } from './bundles.schemas.ts';

export const bundlesModule: ModuleDefinition = {
  name: 'bundles',
  routes: bundleRoutes,
};
