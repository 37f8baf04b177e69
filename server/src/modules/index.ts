import type { ModuleDefinition } from '../platform/module.ts';
import { flowsModule } from '../flows/index.ts';
import { auditModule } from './audit/index.ts';
import { catalogModule } from './catalog/index.ts';
import { clientsModule } from './clients/index.ts';
import { grantsModule } from './grants/index.ts';
import { identityModule } from './identity/index.ts';
import { inventoryModule } from './inventory/index.ts';
import { jobsModule } from './jobs/index.ts';
import { redeemModule } from './redeem/index.ts';
import { suppliersModule } from './suppliers/index.ts';
import { rechargesModule } from './recharges/index.ts';
import { rechargeFlows } from '../flows/recharge/index.ts';
import { procurementModule } from './procurement/index.ts';
import { procurementFlows } from '../flows/procurement/index.ts';
import { webhooksModule } from './webhooks/index.ts';
import { analyticsModule } from './analytics/index.ts';
import { grantTrailFlow } from '../flows/grant-trail.routes.ts';
import { exportsModule } from './exports/index.ts';
import { h5Module } from './h5/index.ts';
import { bundlesModule } from './bundles/index.ts';
import { bundleFlows } from '../flows/bundles/index.ts';
import { riskModule } from './risk/index.ts';
import { notifyModule } from './notify/index.ts';
import { campaignsModule } from './campaigns/index.ts';
import { campaignClaimFlow } from '../flows/campaign-claim/index.ts';
import { redemptionModule } from './redemption/index.ts';
import { redemptionClaimFlow } from '../flows/redemption/index.ts';
import { linksModule } from './links/index.ts';
import { bulkModule } from './bulk/index.ts';
import { bulkIssueFlow } from '../flows/bulk-issue/index.ts';
import { myEntitlementsFlow } from '../flows/my-entitlements/index.ts';

// THE list of modules. The app (routes, OpenAPI tags), the job runner, RBAC, client scopes, the CLI and the
// background workers are all composed from it (src/compose.ts). Adding a module: its folder, its migration,
// one line here.
export const MODULES: readonly ModuleDefinition[] = [
  identityModule,
  auditModule,
  catalogModule,
  inventoryModule,
  clientsModule,
  grantsModule,
  redeemModule,
  suppliersModule,
  jobsModule,
  webhooksModule,
  flowsModule,
  rechargesModule,
  rechargeFlows,
  procurementModule,
  procurementFlows,
  analyticsModule,
  grantTrailFlow,
  exportsModule,
  h5Module,
  bundlesModule,
  bundleFlows,
  riskModule,
  notifyModule,
  campaignsModule, campaignClaimFlow,
  redemptionModule, redemptionClaimFlow,
  linksModule,
  bulkModule,
  bulkIssueFlow,
  myEntitlementsFlow,
];
