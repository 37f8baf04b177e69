import { defineMachine } from '../../platform/state-machine.ts';

// A batch of imported codes. On the embedded database an import stages its codes behind an `importing` batch
// and publishes them at the end (`publish`); a failed import deletes the importing batch with its staged codes
// (no state: the row is gone). An import on PostgreSQL writes the batch `completed` in one transaction.
// A completed batch can be voided once.
export type BatchStatus = 'importing' | 'completed' | 'voided';
export type BatchEvent = 'publish' | 'void';

export const batchMachine = defineMachine<BatchStatus, BatchEvent>(
  'batch',
  {
    importing: { publish: 'completed' },
    completed: { void: 'voided' },
    voided: {},
  },
  ['publish', 'void'],
);

/** The state of a batch still being written: nobody outside the import sees it. */
export const IMPORTING: BatchStatus = 'importing';
