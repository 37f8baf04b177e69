import type { ModuleDefinition } from '../../platform/module.ts';
import type { JobPolicy } from '../../platform/jobs/jobs.ts';
import { RECHARGE_ATTEMPT_JOB, RECHARGE_CONFIRM_JOB } from '../../modules/recharges/index.ts';
import { attemptIdOf, runAttempt, runConfirm, supplierIdOf } from './fulfil.ts';
import { rechargeFlowRoutes } from './recharge.routes.ts';
import { rechargePorts } from './wiring.ts';

// Direct recharge across modules (grants, recharges, suppliers, webhooks), declared like a module: the job
// that works each attempt, the one-shot confirmation query, the callback address and the operator actions.
// Policies: the fast lane (a long import never delays a recharge); `attempts` counts failed runs only
// (database or programming faults) — polling answers `checkAgain`, which does not count.
const ATTEMPT_POLICY: JobPolicy = { attempts: 20, backoffSeconds: [2, 5, 10, 30, 60], lane: 'fast', retentionDays: 30, leaseSeconds: 10 };
const CONFIRM_POLICY: JobPolicy = { attempts: 5, backoffSeconds: [2, 5, 10, 30, 60], lane: 'fast', retentionDays: 7, leaseSeconds: 10 };

export const rechargeFlows: ModuleDefinition = {
  name: 'recharge-flows',
  routes: rechargeFlowRoutes(rechargePorts),
  jobs: {
    [RECHARGE_ATTEMPT_JOB]: { policy: ATTEMPT_POLICY, handler: (run) => runAttempt(run.ctx, rechargePorts, attemptIdOf(run), run.attempt === 1 ? supplierIdOf(run) : undefined, run) },
    [RECHARGE_CONFIRM_JOB]: { policy: CONFIRM_POLICY, handler: (run) => runConfirm(run.ctx, rechargePorts, attemptIdOf(run)) },
  },
};
