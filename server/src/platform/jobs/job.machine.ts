import { defineMachine } from '../state-machine.ts';
import type { JobStatus } from '../db/schema.ts';

// The life of a durable job. `reclaim` is a run whose worker stopped renewing its lease: another worker takes
// it over. `check_again` is a handler saying "not done yet, look again at T" (polling), which is not a failure.
// `settle` ends a waiting job whose work was finished elsewhere (a supplier's callback settled the recharge the
// job was polling), so it does not wake up only to find that out; a running job is left to finish itself.
export type JobEvent = 'claim' | 'reclaim' | 'succeed' | 'check_again' | 'retry' | 'fail' | 'die' | 'requeue' | 'settle';

export const jobMachine = defineMachine<JobStatus, JobEvent>(
  'job',
  {
    queued: { claim: 'running', settle: 'succeeded' },
    running: { reclaim: 'running', succeed: 'succeeded', check_again: 'queued', retry: 'queued', fail: 'failed', die: 'dead' },
    succeeded: {},
    failed: { requeue: 'queued' },
    dead: { requeue: 'queued' },
  },
  ['claim', 'reclaim', 'succeed', 'check_again', 'retry', 'fail', 'die', 'requeue', 'settle'],
);
