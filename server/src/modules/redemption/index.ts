import { periodicWorker, type ModuleDefinition } from '../../platform/module.ts';
import { registerRedemption } from './redemption.cli.ts';
import { GENERATE_JOB_POLICY, purgeGenerations, runGenerateJob } from './redemption.generate.ts';
import { redemptionRoutes } from './redemption.routes.ts';
import { GENERATE_JOB } from './redemption.service.ts';

// The redemption module's front door (issue 7 §1): redemption code sets (兑换码), generation and import,
// the one-time plaintext list, and its half of a claim. Claiming (which issues grants) is the flow
// flows/redemption, which calls the functions below.
export { checkCode, checkCharacter, generateCode, normaliseCode, formatCode, CHARSET } from './redemption.code.ts';
export {
  findCodeByFingerprint,
  FINISH_CLAIM_JOB,
  normalisedOrTypo,
  findCode,
  reserveClaim,
  recipientOf,
  claimTarget,
  claimSucceeded,
  claimFailed,
  getClaim,
  claimByRequestKey,
  type ClaimRecipient,
  type FoundCode,
  type ReserveInput,
} from './redemption.claim.ts';
export type { ClaimRow, SetRow } from './redemption.repo.ts';
export { createSet, changeSet, startGeneration, importCodes, GENERATE_JOB } from './redemption.service.ts';
export { runGenerateJob, downloadGeneration } from './redemption.generate.ts';
export { redemptionSetMachine, redemptionClaimMachine, redemptionGenerationMachine } from './redemption.machine.ts';

/** Purges plaintext lists past their 24 h, every 10 minutes. */
const listPurger = periodicWorker('redemption-list-purger', 600_000, async (ctx) => {
  while ((await purgeGenerations(ctx, 100)) === 100);
});

export const redemptionModule: ModuleDefinition = {
  name: 'redemption',
  routes: redemptionRoutes,
  jobs: { [GENERATE_JOB]: { handler: runGenerateJob, policy: GENERATE_JOB_POLICY } },
  permissions: {
    'redemption:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'redemption:write': ['admin', 'operator'],
    // the plaintext list: who may take the codes away
    'redemption:export': ['admin', 'operator'],
  },
  tags: [{ name: 'redemption', description: 'Redemption codes (兑换码): claim with a code (signed client API and public H5 API)' }],
  cli: registerRedemption,
  workers: [listPurger],
};
