import { defineMachine } from '../../platform/state-machine.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';

// The grant lifecycle (DESIGN §5, CONTRACTS "front doors"): card codes and links go issued → redeemed (or
// expired / voided); a direct recharge goes pending → redeemed (the recharge succeeded) or failed.
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
