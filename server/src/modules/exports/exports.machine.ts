import { defineMachine } from '../../platform/state-machine.ts';

// An export: queued until its job starts writing it; a job that is retried after a crash starts again from
// running (its chunks are discarded first); succeeded once the whole file is written; failed when its last
// attempt failed.
export type ExportStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export type ExportEvent = 'start' | 'finish' | 'fail';

export const exportMachine = defineMachine<ExportStatus, ExportEvent>(
  'export',
  {
    queued: { start: 'running', fail: 'failed' },
    running: { start: 'running', finish: 'succeeded', fail: 'failed' },
    succeeded: {},
    failed: {},
  },
  ['start', 'finish', 'fail'],
);
