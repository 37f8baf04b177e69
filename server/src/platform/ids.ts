import { randomFillSync } from 'node:crypto';
import { encodeTime, monotonicFactory } from 'ulid';

// Prefixed, time-sortable ids (prd_01J…): sortable ids make cursor pagination a simple `id < cursor`.
// The ulid package asks its random source once per character; by default that is a crypto call each
// time (3.5% of the server's CPU when issuing). This source serves bytes from a pooled crypto buffer.
const pool = Buffer.alloc(4096);
let offset = pool.length;
function pooledRandom(): number {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++] / 256; // 256 is a multiple of 32: every base32 character stays equally likely
}
const ulid = monotonicFactory(pooledRandom);

export type IdPrefix =
  | 'prd' | 'bat' | 'grt' | 'cli' | 'usr' | 'job' | 'imp' | 'sup' | 'rco' | 'rca' | 'whe' | 'evt' | 'whd' | 'po' | 'bil' | 'exp'
  // h5 (issue 7 §6)
  | 'brd'
  // risk (issue 7 §7)
  | 'rsk' | 'rbl' | 'rvw' | 'rdc'
  // notify (issue 7 §4)
  | 'msg' | 'ntp' | 'pvc'
  // campaigns (issue 7 §2)
  | 'cmp' | 'ccl'
  // redemption codes (issue 7 §1)
  | 'rcs' | 'rcg'
  // link batches (issue 7 §2)
  | 'lnb'
  // bulk issuance (issue 7 §3)
  | 'blk';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

/**
 * The smallest id of `prefix` made at `at` or later: every id made before `at` sorts below it, so
 * `id < idBoundary(prefix, at)` selects by age through the primary key.
 */
export function idBoundary(prefix: IdPrefix, at: Date): string {
  return `${prefix}_${encodeTime(Math.max(0, at.getTime()), 10).toLowerCase()}`;
}
