// The grants module's front door (other modules and flows import from here only).
export { grantMachine, type GrantEvent } from './grant.machine.ts';
export { issueGrant, getGrant, listGrants, voidGrant, expireDueGrants, revealGrant, grantByTokenHash, type RevealOutcome } from './grants.service.ts';
