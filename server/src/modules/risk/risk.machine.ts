import { defineMachine } from '../../platform/state-machine.ts';
import type { RiskReviewStatus } from '../../platform/db/schema.ts';

// A review item: pending until an operator decides it, once. Both decisions are final: a rejected claim is
// refused for good (the caller can claim again and be assessed again), an approved one has been finished by
// its subject's handler in the deciding transaction.
export type ReviewEvent = 'approve' | 'reject';
export const REVIEW_EVENTS: readonly ReviewEvent[] = ['approve', 'reject'];

export const reviewMachine = defineMachine<RiskReviewStatus, ReviewEvent>(
  'risk_review',
  {
    pending: { approve: 'approved', reject: 'rejected' },
    approved: {},
    rejected: {},
  },
  REVIEW_EVENTS,
);
