import { defineMachine } from '../../platform/state-machine.ts';
import type { GrantStatus } from '../../platform/db/schema.ts';

// The grant lifecycle (DESIGN §5). Card codes and links: issued → redeemed (the recipient revealed it) or
// expired / voided (the code goes back to stock). Direct recharge: pending → redeemed (the recharge
// succeeded) or failed. A pending grant cannot be voided: a supplier may still be recharging it. A direct
// recharge issued without an account (links, QR codes, bulk lists) waits as `issued` with no code, and can
// expire or be voided like an unclaimed card code; the recipient giving the account starts the recharge.
export type GrantEvent = 'reveal' | 'expire' | 'void' | 'recharge_succeeded' | 'recharge_failed' | 'account_given';

export const grantMachine = defineMachine<GrantStatus, GrantEvent>(
  'grant',
  {
    pending: { recharge_succeeded: 'redeemed', recharge_failed: 'failed' },
    issued: { reveal: 'redeemed', expire: 'expired', void: 'voided', account_given: 'pending' },
    redeemed: {},
    expired: {},
    voided: {},
    failed: {},
  },
  ['reveal', 'expire', 'void', 'recharge_succeeded', 'recharge_failed', 'account_given'],
);
