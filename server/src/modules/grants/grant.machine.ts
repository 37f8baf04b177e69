import { defineMachine } from '../../platform/state-machine.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';

// The grant lifecycle (DESIGN §5) as a declared machine. (Stand-in on the recharges branch with the events
// CONTRACTS.md names; the lead's version on main replaces it.)
export type GrantEvent = 'reveal' | 'expire' | 'void' | 'recharge_succeeded' | 'recharge_failed';

export const grantMachine = defineMachine<GrantStatus, GrantEvent>(
  'grant',
  {
    pending: { recharge_succeeded: 'redeemed', recharge_failed: 'failed' },
    issued: { reveal: 'redeemed', expire: 'expired', void: 'voided' },
    redeemed: {},
    expired: {},
    voided: {},
    failed: {},
  },
  ['reveal', 'expire', 'void', 'recharge_succeeded', 'recharge_failed'],
);
