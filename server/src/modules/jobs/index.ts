import { pruneJobs } from '../../platform/jobs/job-store.ts';
import { registeredJobs, DEFAULT_POLICY } from '../../platform/jobs/registry.ts';
import { periodicWorker, type ModuleDefinition, type Worker } from '../../platform/module.ts';
import { registerJobs } from './jobs.cli.ts';
import { jobRoutes } from './jobs.routes.ts';

// The operator's handle on background work (the machinery itself is platform/jobs).
export { listJobs, requeue } from './jobs.service.ts';

/** Deletes finished jobs past their kind's retention, hourly, in bounded batches. */
export const jobPruner: Worker = periodicWorker('job-pruner', 3_600_000, async (ctx) => {
  for (const [kind, def] of Object.entries(registeredJobs())) {
    while ((await pruneJobs(ctx.db, kind, def.policy.retentionDays ?? DEFAULT_POLICY.retentionDays!)) >= 5000);
  }
});

export const jobsModule: ModuleDefinition = {
  name: 'jobs',
  routes: jobRoutes,
  permissions: { 'jobs:read': ['admin', 'operator'], 'jobs:write': ['admin', 'operator'] },
  cli: registerJobs,
  workers: [jobPruner],
};
