import type { GrantStatus } from '../../platform/db/schema.ts';

// The grant lifecycle (DESIGN §5). The SQL that moves grants guards each move with the statuses listed
// here, so a transition that is not in this table cannot happen, however requests interleave.
export const GRANT_TRANSITIONS: Readonly<Record<GrantStatus, readonly GrantStatus[]>> = {
  pending: ['issued', 'failed', 'voided'],
  issued: ['redeemed', 'expired', 'voided'],
  redeemed: [],
  expired: [],
  voided: [],
  failed: [],
};

export function canTransition(from: GrantStatus, to: GrantStatus): boolean {
  return GRANT_TRANSITIONS[from].includes(to);
}

/** The statuses from which a grant may move to `to`: the guard of that move's UPDATE. */
export function sourcesOf(to: GrantStatus): GrantStatus[] {
  return (Object.keys(GRANT_TRANSITIONS) as GrantStatus[]).filter((from) => canTransition(from, to));
}
