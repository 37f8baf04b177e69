import { sql } from 'kysely';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { cteRef, type Cte } from '../../platform/db/ctes.ts';
import { enqueueCte, settleWaitingJobsCte } from '../../platform/jobs/jobs.ts';
import { newId } from '../../platform/ids.ts';
import { accountContext, maskAccount, RECHARGE_ATTEMPT_JOB } from './recharges.service.ts';
import { moveAttemptsFromSql, moveOrderSql } from './recharges.repo.ts';

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
 * The attempts many supplier callbacks name at once (`rc_targets`: id, order_id, state, client_id of its
 * order, and the input's customer_order_no, supplier_order_id, price_fen, cb_detail). The step `input` has
 * the columns supplier_id, customer_order_no, supplier_order_id, price_fen and cb_detail (jsonb);
 * Each attempt is found through the unique index of its order number, a lateral probe per input row
 * (fenced from the supplier condition, as in `attemptNumbered`), whatever the planner guesses of the input.
 */
export function callbackTargetsCte(input: string): Cte {
  const i = cteRef(input);
  return {
    name: 'rc_targets',
    sql: sql`SELECT a.id, a.order_id, a.state, o.client_id, i.customer_order_no, i.supplier_order_id, i.price_fen, i.cb_detail
               FROM ${i} i
               CROSS JOIN LATERAL (SELECT * FROM recharge_attempts WHERE customer_order_no = i.customer_order_no OFFSET 0) a
               JOIN recharge_orders o ON o.id = a.order_id
              WHERE a.supplier_id = i.supplier_id`,
  };
}

/**
 * A live attempt succeeded, for every live attempt of the step `targets` (columns id, supplier_order_id,
 * price_fen, cb_detail — see `callbackTargetsCte`) in one statement: `rc_attempts_done` (the moved
 * attempts, with cb_detail), `rc_orders_done` (id, grant_id), their event log entries, and their waiting
 * jobs end. An attempt that was not live is left out of every step. A second success of one order is
 * refused for the whole statement (a unique violation).
 */
export function attemptsSucceededCtes(targets: string, log: { kind: 'callback' | 'query'; outcome: string }): Cte[] {
  return [
    { name: 'rc_attempts_done', sql: moveAttemptsFromSql(targets, 'succeed', { supplier_state: 'success' }, ['cb_detail']) },
    { name: 'rc_orders_done', sql: moveOrderSql(sql`SELECT order_id FROM rc_attempts_done`, 'succeed', undefined, { many: true }) },
    {
      name: 'rc_events_logged',
      sql: sql`INSERT INTO recharge_events (order_id, attempt_id, supplier_id, kind, outcome, detail)
               SELECT order_id, id, supplier_id, ${log.kind}, ${log.outcome}, cb_detail FROM rc_attempts_done
               RETURNING id`,
    },
    settleWaitingJobsCte('rc_jobs_done', RECHARGE_ATTEMPT_JOB, { step: 'rc_attempts_done', key: 'id' }, { state: 'succeeded', settled_by: log.kind }),
  ];
}

/**
 * Many suppliers' answers "accepted, still processing" recorded at once (a group commit of job runs): the
 * step `input` has one row per attempt with the columns id, order_id, supplier_id, supplier_order_id,
 * price_fen, supplier_state, outcome, supplier_code and detail (jsonb). Steps: `rc_accepted` (the attempts
 * that moved), `rc_accept_logged` (an event per row, written whether or not its attempt could move: the
 * fact is kept either way) and `rc_accept_now` (id, state, moved: each attempt after the statement, or as
 * the statement's snapshot saw it when it could not move — a callback finished it first).
 */
export function attemptsAcceptedCtes(input: string): Cte[] {
  const i = cteRef(input);
  return [
    { name: 'rc_accepted', sql: moveAttemptsFromSql(input, 'accept', {}) },
    {
      name: 'rc_accept_logged',
      sql: sql`INSERT INTO recharge_events (order_id, attempt_id, supplier_id, kind, outcome, supplier_code, detail)
               SELECT order_id, id, supplier_id, 'submit', outcome, supplier_code, detail FROM ${i}
               RETURNING id`,
    },
    {
      name: 'rc_accept_now',
      sql: sql`SELECT id, state, true AS moved FROM rc_accepted
               UNION ALL
               SELECT a.id, a.state, false AS moved
                 FROM ${i} i CROSS JOIN LATERAL (SELECT id, state FROM recharge_attempts WHERE id = i.id OFFSET 0) a
                WHERE NOT EXISTS (SELECT 1 FROM rc_accepted m WHERE m.id = i.id)`,
    },
  ];
}
