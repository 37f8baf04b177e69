import { defineMachine } from '../../platform/state-machine.ts';
import type { CodeStatus } from '../../platform/db/schema.ts';

// The life of a card code (DESIGN §5). Every UPDATE of codes.status that TypeScript issues takes its guard
// from this table (`sourcesOf`); the claim itself is the SQL function quanyi_claim_code (migrations 001/003,
// the benchmarked hot path), and a test checks that it guards with exactly sourcesOf('claim').
//
//   staged    --publish--> available        an import's final step (staged codes are invisible)
//   available --claim-->   reserved         issuing a grant
//   reserved  --deliver--> delivered        the recipient reveals it
//   reserved  --release--> available        the grant was voided or expired unredeemed
//   available, reserved --expire--> expired the code's own expiry passed
//   available, reserved --void-->   voided  its batch was voided
//
// A code held by a grant (reserved) is never expired or voided under the grant's feet: the expiry sweep and
// the batch void touch only codes in stock (the sources of expire / void that can also be claimed); a released
// code goes to expired / voided instead of back to stock when its expiry passed or its batch was voided.
export type CodeEvent = 'publish' | 'claim' | 'deliver' | 'release' | 'expire' | 'void';

export const codeMachine = defineMachine<CodeStatus, CodeEvent>(
  'code',
  {
    staged: { publish: 'available' },
    available: { claim: 'reserved', expire: 'expired', void: 'voided' },
    reserved: { deliver: 'delivered', release: 'available', expire: 'expired', void: 'voided' },
    delivered: {},
    expired: {},
    voided: {},
  },
  ['publish', 'claim', 'deliver', 'release', 'expire', 'void'],
);

/** Guard of an UPDATE: `status = ANY(${textArray(sourcesOf('claim'))})`. */
export const sourcesOf = (event: CodeEvent): CodeStatus[] => codeMachine.sourcesOf(event);
export const targetOf = (event: CodeEvent): CodeStatus => codeMachine.targetOf(event);
