// The grants module's front door: what other modules and flows may use.
export { grantMachine, type GrantEvent } from './grant.machine.ts';
export {
  insertPendingGrant,
  grantAsClientSees,
  findClientGrant,
  completeRechargeGrant,
  failRechargeGrant,
  type PendingGrantInput,
  type GrantWithOwner,
} from './recharge-grants.ts';
export { registerGrantIssuer, grantIssuerFor, type GrantIssuer } from './grant-issuers.ts';
