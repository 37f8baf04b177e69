import { defineMachine } from '../../platform/state-machine.ts';

// A set of codes: claims only while active; paused can resume; voided is final. `claim` (a code of the set is
// used) leaves the set as it is: it is there so the guard of taking a use comes from this table too.
export type SetStatus = 'active' | 'paused' | 'voided';
export type SetEvent = 'pause' | 'resume' | 'void' | 'claim';
/** the events an operator sends (admin routes): all but `claim` */
export type SetAdminEvent = Exclude<SetEvent, 'claim'>;
export const redemptionSetMachine = defineMachine<SetStatus, SetEvent>(
  'redemption_set',
  {
    active: { pause: 'paused', void: 'voided', claim: 'active' },
    paused: { resume: 'active', void: 'voided' },
    voided: {},
  },
  ['pause', 'resume', 'void', 'claim'],
);

// A claim: pending from the moment its counters moved until its grant exists (succeed) or issuing refused
// with an expected outcome and the counters were given back (fail). The recovery job finishes pending ones.
export type ClaimStatus = 'pending' | 'succeeded' | 'failed';
export type ClaimEvent = 'succeed' | 'fail';
export const redemptionClaimMachine = defineMachine<ClaimStatus, ClaimEvent>(
  'redemption_claim',
  {
    pending: { succeed: 'succeeded', fail: 'failed' },
    succeeded: {},
    failed: {},
  },
  ['succeed', 'fail'],
);

// A generation (or import) and its one-time plaintext list: written by a job (queued → running, a retried job
// starts again from running), then downloaded once, or purged unseen after 24 h (also a failed one's part).
export type GenerationStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'downloaded' | 'purged';
export type GenerationEvent = 'start' | 'finish' | 'fail' | 'download' | 'purge';
export const redemptionGenerationMachine = defineMachine<GenerationStatus, GenerationEvent>(
  'redemption_generation',
  {
    queued: { start: 'running', fail: 'failed', purge: 'purged' },
    running: { start: 'running', finish: 'succeeded', fail: 'failed', purge: 'purged' },
    succeeded: { download: 'downloaded', purge: 'purged' },
    failed: { download: 'downloaded', purge: 'purged' },
    downloaded: {},
    purged: {},
  },
  ['start', 'finish', 'fail', 'download', 'purge'],
);
