import { sql, type RawBuilder } from 'kysely';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { cteRef, type Cte } from '../../platform/db/ctes.ts';
import { enqueueCte, settleWaitingJobCte } from '../../platform/jobs/jobs.ts';
import { newId } from '../../platform/ids.ts';
import { accountContext, maskAccount, RECHARGE_ATTEMPT_JOB } from './recharges.service.ts';
import { attemptNumbered, moveAttemptSql, moveOrderSql, type AttemptPatch } from './recharges.repo.ts';

// The recharge side of accepting a direct recharge as steps of one composed statement (platform/db/ctes.ts):
// what `createRechargeOrder` writes — the order, its first attempt, the job that submits it — without a
// round trip per row. The order is written once per row of the grant step; the attempt once per order and
// supplier row; the job once per attempt. An empty grant step writes nothing here either.

export interface NewOrderCteInput {
  /** the step that inserted the grant (columns id, client_id, product_id) */
  grant: string;
  /** the step naming the first supplier (columns supplier_id, supplier_product_id, unit_cost_fen) */
  supplier: string;
  /** already checked with checkAccount */
  account: string;
  secrets: ServerSecrets;
}

export function newOrderCtes(input: NewOrderCteInput): { ctes: Cte[]; orderId: string; attemptId: string } {
  const orderId = newId('rco');
  const attemptId = newId('rca');
  const g = cteRef(input.grant);
  const r = cteRef(input.supplier);
  const order: Cte = {
    name: 'rc_order',
    // attempt 1 is written right here, so the next number to hand out is 2
    sql: sql`INSERT INTO recharge_orders (id, grant_id, client_id, product_id, account_enc, account_masked, account_fp, next_attempt_no)
             SELECT ${orderId}, ${g}.id, ${g}.client_id, ${g}.product_id, ${input.secrets.sealPii(input.account, accountContext(orderId))}::bytea,
                    ${maskAccount(input.account)}, ${input.secrets.accountFingerprint(input.account)}::bytea, 2
               FROM ${g}
             RETURNING id`,
  };
  const attempt: Cte = {
    name: 'rc_attempt',
    sql: sql`INSERT INTO recharge_attempts (id, order_id, attempt_no, customer_order_no, supplier_id, supplier_product_id, unit_cost_fen)
             SELECT ${attemptId}, o.id, 1, o.id || '-1', ${r}.supplier_id, ${r}.supplier_product_id, ${r}.unit_cost_fen
               FROM rc_order o CROSS JOIN ${r}
             RETURNING id, supplier_id`,
  };
  // the supplier rides along in the payload: the job checks its circuit before it reads anything
  const job = enqueueCte('rc_job', RECHARGE_ATTEMPT_JOB, sql`(SELECT jsonb_build_object('attempt_id', id, 'supplier_id', supplier_id) FROM rc_attempt)`, { after: 'rc_attempt', dedupeKey: attemptId });
  return { ctes: [order, attempt, job], orderId, attemptId };
}

/**
 * The attempt a supplier's callback names (`rc_target`: id, order_id, state, client_id of its order) as a
 * step of a composed statement.
 */
export function callbackTargetCte(supplierId: string, customerOrderNo: string): Cte {
  return {
    name: 'rc_target',
    sql: sql`SELECT a.id, a.order_id, a.state, o.client_id FROM ${attemptNumbered(customerOrderNo)} a JOIN recharge_orders o ON o.id = a.order_id
              WHERE a.supplier_id = ${supplierId}`,
  };
}

/**
 * A live attempt succeeded, as steps of one statement: the attempt (`rc_attempt_done`, RETURNING the row),
 * its order (`rc_order_done`, RETURNING id and grant_id) and the event log entry — each only when the step
 * before it moved — and the attempt's job, when it is waiting to poll, ends (nothing is left to poll). The
 * partial unique index refuses a second success of the order (a unique violation).
 */
export function attemptSucceededCtes(
  attempt: { id: string } | { step: string },
  patch: AttemptPatch,
  log: { supplierId: string; kind: 'callback' | 'query'; outcome: string; detail: Record<string, unknown> },
  when?: RawBuilder<unknown>,
): Cte[] {
  const id = 'id' in attempt ? sql`${attempt.id}` : sql`SELECT id FROM ${cteRef(attempt.step)}`;
  return [
    { name: 'rc_attempt_done', sql: moveAttemptSql(id, 'succeed', patch, when) },
    { name: 'rc_order_done', sql: moveOrderSql(sql`SELECT order_id FROM rc_attempt_done`, 'succeed') },
    {
      name: 'rc_logged',
      sql: sql`INSERT INTO recharge_events (order_id, attempt_id, supplier_id, kind, outcome, detail)
               SELECT order_id, id, ${log.supplierId}, ${log.kind}, ${log.outcome}, ${JSON.stringify(log.detail)}::jsonb FROM rc_attempt_done
               RETURNING id`,
    },
    settleWaitingJobCte('rc_job_done', RECHARGE_ATTEMPT_JOB, sql`SELECT id FROM rc_attempt_done`, { after: 'rc_attempt_done', result: { state: 'succeeded', settled_by: log.kind } }),
  ];
}
