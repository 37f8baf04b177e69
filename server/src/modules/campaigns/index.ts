import type { ModuleDefinition } from '../../platform/module.ts';
import { registerCampaigns } from './campaigns.cli.ts';
import { campaignRoutes } from './campaigns.routes.ts';

// The campaigns module's front door (issue 7 §2): campaign links — a public link where a visitor with a
// verified phone claims one grant within the campaign's budget, window and per-person limit. This module
// owns the campaigns, their counters and their claims; the claim itself (which issues a grant) is the flow
// flows/campaign-claim.
export { campaignMachine, claimMachine, type CampaignEvent, type ClaimEvent } from './campaigns.machine.ts';
export {
  campaignBySlug,
  getCampaign,
  takeClaimant,
  takeBudget,
  giveBack,
  insertClaim,
  getClaim,
  latestLiveClaim,
  moveClaim,
  CLAIMABLE_STATUS,
  type CampaignRow,
  type ClaimRow,
} from './campaigns.repo.ts';
export { createCampaign, transitionCampaign, updateCampaign, getCampaignView, publicUrlOf, toCampaign, SLUG_PATTERN } from './campaigns.service.ts';
export { Campaign, CampaignCreate } from './campaigns.schemas.ts';

export const campaignsModule: ModuleDefinition = {
  name: 'campaigns',
  routes: campaignRoutes,
  permissions: {
    'campaigns:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'campaigns:write': ['admin', 'operator'],
  },
  tags: [{ name: 'campaigns', description: 'Campaign links: a public link where a verified phone claims one grant' }],
  cli: registerCampaigns,
};
