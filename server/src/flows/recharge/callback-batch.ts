import { sql } from 'kysely';
import type { Database } from '../../platform/db/db.ts';
import { withCtes } from '../../platform/db/ctes.ts';
import { batchExecutor, groupCommit } from '../../platform/db/group-commit.ts';
import { completeRechargeGrantCte } from '../../modules/grants/index.ts';
import { nobodyListens } from '../../modules/webhooks/index.ts';
import { attemptsSucceededCtes, callbackTargetsCte } from '../../modules/recharges/index.ts';
import { logRefusedBatch, type BatchContext } from './batch-log.ts';

// The common callback — the first `success` of a live attempt whose client hears nothing of it — applied
// for many callbacks at once (a group commit, platform/db/group-commit.ts): attempt → succeeded, order →
// succeeded, grant → redeemed, the event log, for the whole batch in one statement. Under load a callback's
// statement and commit cost the database more than its rows; in a batch they are paid once.
// A callback the statement does not apply (not live any more, somebody listens for it, a duplicate in the
// batch) answers false and takes the careful path, one by one; so does every callback of a batch whose
// statement failed (a second success of one order is refused by the unique index for the whole statement).

export interface FirstSuccess {
  supplierId: string;
  customerOrderNo: string;
  supplierOrderId: string;
  priceFen: number;
  detail: Record<string, unknown>;
}

const MAX_BATCH = 64;
/** each running batch holds a connection; two let one batch fill while the other commits */
const MAX_IN_FLIGHT = 2;

const appliers = new WeakMap<Database, (item: FirstSuccess) => Promise<boolean>>();

/** True when the callback's success was applied (in a batch with others); false: take the careful path. */
export function applyFirstSuccess(ctx: BatchContext, item: FirstSuccess): Promise<boolean> {
  let apply = appliers.get(ctx.database);
  if (!apply) {
    apply = groupCommit<FirstSuccess, boolean>((items) => applyBatch(ctx, items), { maxBatch: MAX_BATCH, maxInFlight: MAX_IN_FLIGHT });
    appliers.set(ctx.database, apply);
  }
  return apply(item);
}

const keyOf = (x: { supplierId: string; customerOrderNo: string }) => `${x.supplierId}\n${x.customerOrderNo}`;

async function applyBatch(ctx: BatchContext, items: readonly FirstSuccess[]): Promise<boolean[]> {
  // a callback repeated within the batch is applied once; its copies see the final state on the careful path
  const first = new Map<string, FirstSuccess>();
  for (const it of items) if (!first.has(keyOf(it))) first.set(keyOf(it), it);
  const unique = [...first.values()];
  let applied: Set<string>;
  try {
    const r = await runBatchStatement(ctx.database, unique);
    applied = new Set(r.rows.map((x) => keyOf({ supplierId: x.supplier_id, customerOrderNo: x.customer_order_no })));
  } catch (e) {
    logRefusedBatch(ctx, 'callback-batches', items.length, e);
    // whatever refused the batch (a second success of one order, a deadlock with a duplicate in another
    // batch, a lost connection) is met again, callback by callback, on the careful path
    return items.map(() => false);
  }
  return items.map((it) => first.get(keyOf(it)) === it && applied.has(keyOf(it)));
}

/**
 * On PostgreSQL the statement is prepared: planned once per connection, generically, instead of at every
 * batch (planning was a quarter of the database's time per callback), on a pool of its own whose generic
 * plans are keyed (platform/db/group-commit.ts `batchExecutor`) — one round trip, whatever the batch's
 * size. The embedded database (one connection, no prepared statements) plans it at every run, for the
 * tables' size.
 */
async function runBatchStatement(database: Database, items: readonly FirstSuccess[]) {
  return firstSuccessesStatement(items, { prepared: database.kind === 'pg' }).execute(batchExecutor(database, 'callback-batches', MAX_IN_FLIGHT));
}

/** The one statement of a batch of first successes (exported for its plan test). */
export function firstSuccessesStatement(items: readonly FirstSuccess[], opts: { prepared?: boolean } = {}) {
  return withCtes<{ supplier_id: string; customer_order_no: string }>(
    [
      {
        name: 'rc_in',
        sql: sql`SELECT supplier_id, customer_order_no, supplier_order_id, price_fen, cb_detail::jsonb AS cb_detail
                   FROM unnest(${items.map((x) => x.supplierId)}::text[], ${items.map((x) => x.customerOrderNo)}::text[],
                               ${items.map((x) => x.supplierOrderId)}::text[], ${items.map((x) => x.priceFen)}::bigint[],
                               ${items.map((x) => JSON.stringify(x.detail))}::text[])
                        AS i(supplier_id, customer_order_no, supplier_order_id, price_fen, cb_detail)`,
      },
      callbackTargetsCte('rc_in'),
      // a client that listens for grant.redeemed gets its event written on the careful path
      { name: 'rc_quiet_targets', sql: sql`SELECT * FROM rc_targets t WHERE ${nobodyListens(sql`t.client_id`, 'grant.redeemed')}` },
      ...attemptsSucceededCtes('rc_quiet_targets', { kind: 'callback', outcome: 'applied' }),
      completeRechargeGrantCte('rc_grants_done', sql`SELECT grant_id FROM rc_orders_done`, { many: true }),
    ],
    sql`SELECT supplier_id, customer_order_no FROM rc_attempts_done`,
    { prepared: opts.prepared ?? false },
  );
}
