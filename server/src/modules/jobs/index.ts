import type { AppContext } from '../../platform/context.ts';
import { pruneJobs } from '../../platform/jobs/job-store.ts';
import { registeredJobs, DEFAULT_POLICY } from '../../platform/jobs/registry.ts';
import type { ModuleDefinition, Worker } from '../../platform/module.ts';
import { registerJobs } from './jobs.cli.ts';
import { jobRoutes } from './jobs.routes.ts';

// The operator's handle on background work (the machinery itself is platform/jobs).
export { listJobs, requeue } from './jobs.service.ts';

/** Deletes finished jobs past their kind's retention, hourly, in bounded batches. */
export const jobPruner: Worker = {
  name: 'job-pruner',
  start(ctx: AppContext) {
    let running: Promise<void> | null = null;
    const prune = async () => {
      for (const [kind, def] of Object.entries(registeredJobs())) {
        while ((await pruneJobs(ctx.db, kind, def.policy.retentionDays ?? DEFAULT_POLICY.retentionDays!)) >= 5000);
      }
    };
    const timer = setInterval(() => {
      running ??= prune().catch(() => undefined).finally(() => (running = null));
    }, 3_600_000);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await running;
      },
    };
  },
};

export const jobsModule: ModuleDefinition = {
  name: 'jobs',
  routes: jobRoutes,
  permissions: { 'jobs:read': ['admin', 'operator'], 'jobs:write': ['admin', 'operator'] },
  cli: registerJobs,
  workers: [jobPruner],
};
