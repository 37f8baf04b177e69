import { defineMachine } from '../../platform/state-machine.ts';
import type { CampaignClaimStatus, CampaignStatus } from '../../platform/db/schema.ts';

// A campaign is prepared as a draft (its link answers "not found"), goes live, may be paused and resumed,
// and ends for good (by its operator; a window that has passed refuses claims without a status change).
export type CampaignEvent = 'activate' | 'pause' | 'resume' | 'end';

export const campaignMachine = defineMachine<CampaignStatus, CampaignEvent>(
  'campaign',
  {
    draft: { activate: 'active', end: 'ended' },
    active: { pause: 'paused', end: 'ended' },
    paused: { resume: 'active', end: 'ended' },
    ended: {},
  },
  ['activate', 'pause', 'resume', 'end'],
);

// A claim: pending from the moment its counters moved until its grant exists (issued) or the grant could not
// be made and the counters were given back (failed). Both ends are final: a claim is finished exactly once.
export type ClaimEvent = 'issue' | 'fail';

export const claimMachine = defineMachine<CampaignClaimStatus, ClaimEvent>(
  'campaign-claim',
  {
    pending: { issue: 'issued', fail: 'failed' },
    issued: {},
    failed: {},
  },
  ['issue', 'fail'],
);
