import type { ModuleDefinition } from '../../platform/module.ts';
import { grantRoutes } from './grants.routes.ts';

// The grants module's front door: one entitlement issued to one recipient.
export { issueGrant, getGrant, listGrants, voidGrant, expireDueGrants, revealGrant, grantByTokenHash, type IssueInput, type IssueOutcome, type RevealOutcome } from './grants.service.ts';
export { grantMachine, type GrantEvent } from './grant.machine.ts';
export { Grant, GrantComponent } from './grants.schemas.ts';
// bundles and choice packs: the parent grant, its component grants, their reveal
export { insertParentGrant, insertChildGrant, componentRows, withComponents, grantForToken, revealComponents, PACK_KINDS, type ParentGrantInput, type ChildGrantInput } from './bundle-grants.ts';
export { IssueGrantBody } from './grants.schemas.ts';
// direct recharge: the pending grant, its end, and the issuer a flow registers for other product kinds
export {
  insertPendingGrant,
  insertAwaitingGrant,
  startRechargeGrant,
  pendingGrantCte,
  pendingGrantView,
  grantAsClientSees,
  findClientGrant,
  completeRechargeGrant,
  completeRechargeGrantCte,
  failRechargeGrant,
  type PendingGrantInput,
  type GrantWithOwner,
} from './recharge-grants.ts';
// bulk issuance: many card-code grants of one client and product in one statement
export { issueCardGrantsBatch, type BatchGrantRow, type BatchGrantOutcome } from './grant-batch.ts';
export { registerGrantIssuer, grantIssuerFor, type GrantIssuer, type IssuerInput } from './grant-issuers.ts';
export { recordGrantEvent, type GrantEventType } from './grant-events.ts';
// the console: a grant's detail for its trail, the search as export pages
export { redeemUrl, maskPhone } from './grant-view.ts';
// expiry reminders (flows/notify-reminders.ts)
export { unclaimedGrantsExpiring, redeemedGrantsBetween, grantRecipients, type ReminderGrant } from './grant-reminders.ts';
// 我的权益 (flows/my-entitlements): the grants of one verified phone
export { grantsForPhone, PHONE_GRANTS_MAX, type PhoneGrant } from './grants-by-phone.ts';
export { grantDetail, grantExportPage, type GrantDetail, type GrantExportRow } from './grant-detail.ts';
export { phoneFilterOf, type GrantSearch } from './grants.search.ts';
export { AdminGrantFilter } from './grants.schemas.ts';

export const grantsModule: ModuleDefinition = {
  name: 'grants',
  routes: grantRoutes,
  scopes: ['grants:write', 'grants:read'],
  permissions: {
    'grants:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'grants:void': ['admin', 'operator', 'support'],
  },
  tags: [{ name: 'grants', description: 'Issue and track entitlements (signed client API)' }],
};
