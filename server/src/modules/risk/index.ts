import { periodicWorker, type ModuleDefinition } from '../../platform/module.ts';
import { pruneCounters } from './risk.counters.ts';
import { pruneDecisions } from './risk.repo.ts';
import { riskRoutes } from './risk.routes.ts';

// The risk module's front door (issue 7 §7, 风控). Claim paths (redemption codes, campaign links, bulk
// issuance) call assessClaim before they issue and releaseClaim when the claim did not happen; a claim held
// for review is queued with submitForReview and finished by the handler its module registered. See
// docs/risk.md for the rules, the windows, the device id and the stores.
export { assessClaim, releaseClaim, type Assessment, type ClaimInput, type DenyCode } from './risk.assess.ts';
export type { Reservation } from './risk.counters.ts';
export type { Scope } from './risk.repo.ts';
export { submitForReview, registerReviewHandler, registerHeldClaimReviews, decideReview, type ReviewHandler, type ReviewInput, type ReviewItem } from './risk.reviews.ts';
export { FACTS, type FactName, type Facts } from './risk.rules.ts';
export { reviewMachine } from './risk.machine.ts';

/** how long deny / review decisions stay in the console's log */
export const DECISION_RETENTION_DAYS = 30;

/** Deletes counters of past windows and old decisions, every 10 minutes, in bounded batches. */
const riskPruner = periodicWorker('risk-pruner', 600_000, async (ctx) => {
  while ((await pruneCounters(ctx, 1000)) === 1000);
  while ((await pruneDecisions(ctx.db, DECISION_RETENTION_DAYS, 1000)) === 1000);
});

export const riskModule: ModuleDefinition = {
  name: 'risk',
  routes: riskRoutes,
  permissions: {
    'risk:read': ['admin', 'operator', 'support'],
    'risk:write': ['admin', 'operator'],
    'risk:review': ['admin', 'operator'],
  },
  workers: [riskPruner],
};
