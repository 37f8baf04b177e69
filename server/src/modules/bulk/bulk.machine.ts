import { defineMachine } from '../../platform/state-machine.ts';
import type { BulkRowStatus, BulkRunStatus } from '../../platform/db/schema.ts';

// A bulk run: `validating` while its list is read (inside the intake transaction), `ready` once its rows
// are stored and its job queued, `running` while the job issues rows; an operator pauses it (the job stops
// after the chunk in flight) and resumes it (a new job continues with the rows still pending) or cancels it
// (pending rows are never issued). `start` from running is the job re-run after a crash: it continues.
export type BulkRunEvent = 'validate' | 'start' | 'pause' | 'resume' | 'complete' | 'cancel' | 'fail';

export const bulkRunMachine = defineMachine<BulkRunStatus, BulkRunEvent>(
  'bulk-run',
  {
    validating: { validate: 'ready', fail: 'failed' },
    ready: { start: 'running', pause: 'paused', cancel: 'cancelled', fail: 'failed' },
    running: { start: 'running', pause: 'paused', complete: 'completed', cancel: 'cancelled', fail: 'failed' },
    paused: { resume: 'running', cancel: 'cancelled' },
    completed: {},
    cancelled: {},
    failed: {},
  },
  ['validate', 'start', 'pause', 'resume', 'complete', 'cancel', 'fail'],
);

// A row: rejected or duplicate from the start (never issued), else pending until the job issues it (or
// records why it could not), or the run is cancelled first. A row of the batch in flight when its run was
// cancelled may still come back issued: its grant exists, so the row says so (a failure stays cancelled).
export type BulkRowEvent = 'issue' | 'fail' | 'cancel';

export const bulkRowMachine = defineMachine<BulkRowStatus, BulkRowEvent>(
  'bulk-row',
  {
    pending: { issue: 'issued', fail: 'failed', cancel: 'cancelled' },
    issued: {},
    failed: {},
    rejected: {},
    duplicate: {},
    cancelled: { issue: 'issued' },
  },
  ['issue', 'fail', 'cancel'],
);
