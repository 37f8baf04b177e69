import type { ModuleDefinition } from '../../platform/module.ts';
import { FINISH_CLAIM_JOB } from '../../modules/redemption/index.ts';
import { claimPastRisk, runFinishClaimJob } from './claim.ts';
import { APPROVED_JOB, registerRedemptionReviews } from './risk-gate.ts';
import { redemptionClaimRoutes } from './routes.ts';

// Claiming redemption codes: spans `redemption` (counters, claim rows) and `grants` (the grant), so it is a
// flow. It owns the claim endpoints and the recovery job that finishes a claim a crash left pending.
export { claimRedemptionCode, finishClaim, runFinishClaimJob, type ClaimInput, type ClaimOutcome, type HeldOutcome } from './claim.ts';

// an operator's approval of a held claim runs it past the risk check, as a job
const runApproved = registerRedemptionReviews(claimPastRisk);

export const redemptionClaimFlow: ModuleDefinition = {
  name: 'redemption-claim',
  routes: redemptionClaimRoutes,
  // short and urgent: the fast lane; retried for about an hour (a grant the claim promised must appear)
  jobs: {
    [FINISH_CLAIM_JOB]: { handler: runFinishClaimJob, policy: { attempts: 10, backoffSeconds: [10, 30, 60, 120, 300, 600], lane: 'fast', retentionDays: 7 } },
    [APPROVED_JOB]: { handler: runApproved, policy: { attempts: 10, backoffSeconds: [10, 30, 60, 120, 300, 600], lane: 'fast', retentionDays: 7 } },
  },
};
