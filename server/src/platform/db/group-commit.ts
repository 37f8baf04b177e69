import DataLoader from 'dataloader';
import type { Database, Db } from './db.ts';

// Group commit: many concurrent requests' writes applied by one statement in one transaction. Under load a
// statement and its commit cost the database more than the rows it writes (parse, plan, statement triggers,
// the commit itself), so a batch of 32 costs far less than 32 single statements.
//
// DataLoader collects the items; its schedule function decides when a batch leaves: at once when fewer
// than `maxInFlight` batches are running (after the current I/O turn, so requests read in the same turn ride
// together), else as soon as one of them ends — while it waits, the batch keeps filling up to `maxBatch`.
// A lone request therefore waits for nothing, and under load the batches grow by themselves.

export interface GroupCommitOptions {
  /** most items in one batch */
  maxBatch: number;
  /** most batches running at once (each holds one database connection) */
  maxInFlight: number;
}

/**
 * `apply` gets the items of one batch and answers one result per item, in order (an Error for an item that
 * failed on its own). When it throws, every item of the batch gets that error.
 */
export function groupCommit<I, O>(apply: (items: readonly I[]) => Promise<Array<O | Error>>, opts: GroupCommitOptions): (item: I) => Promise<O> {
  let running = 0;
  const queued: Array<() => void> = [];
  const loader = new DataLoader<I, O>(
    async (items) => {
      try {
        return await apply(items);
      } finally {
        running--;
        const next = queued.shift();
        if (next) {
          running++;
          next();
        }
      }
    },
    {
      cache: false,
      maxBatchSize: opts.maxBatch,
      batchScheduleFn: (dispatch) => {
        // the slot is taken now, not when the batch leaves: a batch scheduled meanwhile must see it taken
        if (running < opts.maxInFlight) {
          running++;
          setImmediate(dispatch);
        } else queued.push(dispatch);
      },
    },
  );
  return (item) => loader.load(item);
}

/**
 * What a batch's prepared statement is planned under. A generic plan outlives the table sizes it was made
 * for, so it is made with sequential scans priced out: even on a young database whose tables look empty
 * it is the keyed plan, and stays right as the tables grow.
 */
export const BATCH_PLAN_SETTINGS = { enable_seqscan: 'off' };

/**
 * Where a group commit's statements run: on PostgreSQL a pool of its own (`size` connections, one per batch
 * in flight) whose sessions have BATCH_PLAN_SETTINGS, so a slow batch never waits behind requests for a
 * connection and requests never wait behind batches; the embedded database's one connection otherwise.
 */
export function batchExecutor(database: Database, name: string, size: number): Db {
  return database.kind === 'pg' ? database.dedicated(name, size, BATCH_PLAN_SETTINGS) : database.db;
}
