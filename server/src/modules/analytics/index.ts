import type { ModuleDefinition } from '../../platform/module.ts';
import { analyticsRoutes } from './analytics.routes.ts';

// The analytics module's front door: the dashboards' figures, from counters that migration 016's triggers
// keep exact inside every writer's transaction (docs/dashboards.md says what each figure means).
export { backfill as backfillAnalytics } from './analytics.repo.ts';

export const analyticsModule: ModuleDefinition = {
  name: 'analytics',
  routes: analyticsRoutes,
  // support answers one recipient's questions (grants:read); revenue and cost are not theirs to see
  permissions: { 'dashboard:read': ['admin', 'operator', 'finance', 'auditor'] },
  tags: [{ name: 'dashboard', description: 'Dashboards of the admin console (aggregates kept incrementally)' }],
};
