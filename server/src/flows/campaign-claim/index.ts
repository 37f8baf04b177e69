import type { ModuleDefinition } from '../../platform/module.ts';
import { AppError } from '../../platform/errors.ts';
import type { JobRun } from '../../platform/jobs/jobs.ts';
import { CLAIM_JOB, claimPastRisk, finishClaim } from './claim.ts';
import { APPROVED_JOB, registerCampaignReviews } from './risk-gate.ts';
import { campaignClaimRoutes } from './claim.routes.ts';

// The campaign-claim flow (issue 7 §2): spans campaigns (counters, claims) and grants (issuing). Its job
// finishes a claim whose request died between taking the counters and issuing the grant.
export { claimCampaign, finishClaim, reserveClaim, verifiedPhoneOf, claimIdOf, CLAIM_JOB, type VerifiedPhone, type ClaimResult } from './claim.ts';

async function runFinishClaim(run: JobRun) {
  const id = String(run.payload.claim_id ?? '');
  if (!id.startsWith('ccl_')) throw new AppError(400, 'bad_request', 'Bad request', 'payload.claim_id is missing');
  const r = await finishClaim(run.ctx, id);
  return r.outcome === 'issued' ? { outcome: 'issued', grant_id: r.grant_id } : r.outcome === 'review' ? { outcome: 'review' } : { outcome: 'refused', code: r.code };
}

// an operator's approval of a held claim runs the claim past the risk check, as a job
const runApproved = registerCampaignReviews(claimPastRisk);

export const campaignClaimFlow: ModuleDefinition = {
  name: 'campaign-claim',
  routes: campaignClaimRoutes,
  // short work beside recharges and webhooks; a fault (database away) is retried, the grant's idempotency key
  // makes every retry safe
  jobs: {
    [CLAIM_JOB]: { handler: runFinishClaim, policy: { attempts: 12, backoffSeconds: [30, 60, 300, 900, 3600], lane: 'fast', retentionDays: 7 } },
    [APPROVED_JOB]: { handler: runApproved, policy: { attempts: 12, backoffSeconds: [30, 60, 300, 900, 3600], lane: 'fast', retentionDays: 7 } },
  },
};
