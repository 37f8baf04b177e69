import type { AppContext } from '../../platform/context.ts';
import { sql } from 'kysely';
import { withCtes } from '../../platform/db/ctes.ts';
import { checkAgain, endedInStatement, type CheckAgain, type EndedInStatement, type JobRun } from '../../platform/jobs/jobs.ts';
import {
  attemptMachine,
  getAttempt,
  logEvent,
  moveAttempt,
  moveAttemptLoggedCtes,
  attemptNowOut,
  moveAttemptWithAccount,
  notePoll,
  openAccount,
  type AttemptRow,
} from '../../modules/recharges/index.ts';
import type { QueryResult, RechargePorts, SubmitResult, SupplierConnection } from './ports.ts';
import { settleFailure, settleSuccess } from './settle.ts';
import { recordAccepted, startSubmit } from './submit-batch.ts';
import { textArray } from '../../platform/db/literals.ts';

// Fulfilment of one attempt (DESIGN §11), run by the job `recharge.attempt` (one per attempt, dedupe key =
// the attempt id). Calls to the supplier happen between transactions, never inside one: the attempt is
// moved to `submitting` and committed before the request leaves, so a crash during the call leaves an
// attempt in `submitting`, which the next run treats as `unknown` (the request may have left) and resolves
// by querying — never by submitting elsewhere.

type Outcome = Record<string, unknown> | CheckAgain | EndedInStatement;

const delayFor = (ctx: AppContext, polls: number) => {
  const s = ctx.config.recharge.pollScheduleMs;
  return s[Math.min(polls, s.length - 1)];
};

/**
 * The job: from whatever state the attempt is in, one step further; again later while it is live.
 * `supplierId` (from the job's payload) lets the first run check the circuit and move the attempt to
 * `submitting` without reading it first — the common case, one statement before the request leaves.
 */
export async function runAttempt(ctx: AppContext, ports: RechargePorts, attemptId: string, supplierId?: string, run?: JobRun): Promise<Outcome> {
  if (supplierId) {
    const conn = await ports.supplierConnection(ctx, supplierId);
    if (conn && !conn.disabled && ports.circuitAllows(supplierId)) {
      // in a batch with the other runs starting now (submit-batch.ts)
      const started = await startSubmit(ctx, attemptId);
      if (started) return send(ctx, ports, conn, started.attempt, started.order, run);
    }
  }
  let a = await getAttempt(ctx.db, attemptId);
  if (!a) return { attempt: attemptId, missing: true };
  if (a.state === 'submitting') {
    // the run that moved it there died (or its lease lapsed) during the call
    const moved = await ctx.db.transaction().execute(async (tx) => {
      const m = await moveAttempt(tx, a!.id, 'lose', { result_message: 'found submitting when its job started again (the request may have left)' });
      if (m) await logEvent(tx, { orderId: a!.order_id, attemptId: a!.id, supplierId: a!.supplier_id, kind: 'recover', outcome: 'unknown' });
      return m;
    });
    a = moved ?? (await getAttempt(ctx.db, attemptId))!;
    if (a.state === 'unknown') return checkAgain(delayFor(ctx, 0), 'attempt unknown after a restart: query first');
  }
  if (a.state === 'created') return submit(ctx, ports, a, 'submit', run);
  if (attemptMachine.isFinal(a.state)) return { attempt: a.id, state: a.state };
  return poll(ctx, ports, a);
}

/** Submits (or resubmits) the attempt's customer_order_no to its supplier and applies the answer. */
async function submit(ctx: AppContext, ports: RechargePorts, a: AttemptRow, event: 'submit' | 'resubmit', run?: JobRun): Promise<Outcome> {
  const conn = await ports.supplierConnection(ctx, a.supplier_id);
  if (event === 'submit' && (!conn || conn.disabled || !ports.circuitAllows(a.supplier_id))) {
    // nothing was sent: the next supplier gets a new attempt
    const reason = conn && !conn.disabled ? 'circuit_open' : 'supplier_unavailable';
    await ctx.db.transaction().execute(async (tx) => {
      const moved = await settleFailure(ctx, ports, tx, a, 'reject', { result_message: reason });
      if (moved) await logEvent(tx, { orderId: a.order_id, attemptId: a.id, supplierId: a.supplier_id, kind: 'submit', outcome: 'rejected:' + reason });
    });
    return { attempt: a.id, state: 'rejected', reason };
  }
  if (!conn || (event === 'resubmit' && !ports.circuitAllows(a.supplier_id))) {
    // a resubmission waits for its own supplier: the order may exist there
    return checkAgain(delayFor(ctx, a.polls), 'supplier unavailable: resubmission waits');
  }
  const started = await moveAttemptWithAccount(ctx.db, a.id, event, { submitted: true });
  if (!started) return checkAgain(delayFor(ctx, 0), 'the attempt moved meanwhile');
  return send(ctx, ports, conn, started.attempt, started.order, run);
}

/** The request itself, for an attempt already moved to `submitting` (committed), and what its answer does. */
async function send(ctx: AppContext, ports: RechargePorts, conn: SupplierConnection, sending: AttemptRow, order: { id: string; account_enc: Uint8Array }, run?: JobRun): Promise<Outcome> {
  let res: SubmitResult;
  try {
    res = await conn.adapter.submitRecharge(
      conn.creds,
      { productId: sending.supplier_product_id, customerOrderNo: sending.customer_order_no, account: openAccount(ctx.secrets, order), buyNum: 1 },
      { timeoutMs: ctx.config.recharge.submitTimeoutMs },
    );
  } catch (e) {
    // adapters answer values; a throw is a fault of ours or theirs and is treated as a lost answer
    res = { kind: 'unknown', countsForCircuit: true, reason: e instanceof Error ? e.message : String(e) };
  }
  ports.recordSupplierCall(sending.supplier_id, callOutcome(res));
  return applySubmit(ctx, ports, sending, res, run);
}

function callOutcome(res: SubmitResult | QueryResult) {
  if (res.kind === 'unknown') return { countsForCircuit: res.countsForCircuit, reason: res.reason };
  if (res.kind === 'rejected') return res.countsForCircuit ? { countsForCircuit: true, reason: `code ${res.code}` } : ({ ok: true } as const);
  return { ok: true } as const;
}

async function applySubmit(ctx: AppContext, ports: RechargePorts, a: AttemptRow, res: SubmitResult, run?: JobRun): Promise<Outcome> {
  const log = { orderId: a.order_id, attemptId: a.id, supplierId: a.supplier_id, kind: 'submit' as const };
  if (res.kind === 'accepted' && res.order.state !== 'success' && res.order.state !== 'failed') {
    // the common answer (taken, still processing): the move, its log entry and — when the job's run is at
    // hand — the end of this run (done if a callback finished the attempt first, else poll later) in one
    // statement, shared with the other runs answered now (submit-batch.ts)
    const o = res.order;
    const outcome = (res.duplicate ? 'accepted:duplicate:' : 'accepted:') + o.state;
    const supplierCode = res.duplicate ? 2002 : 0;
    const detail = { supplier_order_id: o.orderId, price_fen: o.priceFen };
    const at = new Date(Date.now() + delayFor(ctx, a.polls));
    const decide = (state: string | null): Record<string, unknown> | CheckAgain =>
      state === null || attemptMachine.isFinal(state as AttemptRow['state']) ? { attempt: a.id, state } : checkAgain(at, `attempt ${state}`);
    if (run) {
      const batched = await recordAccepted(ctx, {
        attempt: a,
        supplierOrderId: o.orderId,
        priceFen: o.priceFen,
        supplierState: o.state,
        outcome,
        supplierCode,
        detail,
        run: { id: run.id, runs: run.runs },
        at,
        note: 'attempt accepted',
        result: { attempt: a.id },
      });
      if (batched) return endedInStatement(decide(batched.state));
    }
    const steps = moveAttemptLoggedCtes(a.id, 'accept', { supplier_order_id: o.orderId, price_fen: o.priceFen, supplier_state: o.state }, { ...log, outcome, supplierCode, detail });
    const end = run?.endSteps({ done: sql`EXISTS (SELECT 1 FROM attempt_now WHERE state = ANY(${textArray(attemptMachine.finalStates())}))`, result: { attempt: a.id }, at, note: 'attempt accepted' });
    const r = await withCtes<AttemptRow & { moved: boolean }>([...steps, ...(end ?? [])], sql`SELECT * FROM attempt_now`).execute(ctx.db);
    const outcomeNow = decide(attemptNowOut(r.rows[0])?.attempt.state ?? null);
    return end ? endedInStatement(outcomeNow) : outcomeNow;
  }
  const after = await ctx.db.transaction().execute(async (tx) => {
    if (res.kind === 'accepted') {
      const o = res.order;
      const patch = { supplier_order_id: o.orderId, price_fen: o.priceFen, supplier_state: o.state };
      await logEvent(tx, { ...log, outcome: (res.duplicate ? 'accepted:duplicate:' : 'accepted:') + o.state, supplierCode: res.duplicate ? 2002 : 0, detail: { supplier_order_id: o.orderId, price_fen: o.priceFen } });
      if (o.state === 'success') await settleSuccess(ctx, ports, tx, a, patch);
      else if (o.state === 'failed') await settleFailure(ctx, ports, tx, a, 'fail', patch);
      else await moveAttempt(tx, a.id, 'accept', patch);
    } else if (res.kind === 'rejected') {
      await logEvent(tx, { ...log, outcome: 'rejected', supplierCode: res.code, detail: { message: res.message.slice(0, 200) } });
      const patch = { result_code: res.code, result_message: res.message.slice(0, 500) };
      if (res.accountInvalid) await settleFailure(ctx, ports, tx, a, 'reject', patch, { accountInvalid: true });
      else if (res.safeToFailover) await settleFailure(ctx, ports, tx, a, 'reject', patch);
      // any other refusal (bad sign, bad parameters …) is not declared safe: resolve by query, as a timeout
      else await moveAttempt(tx, a.id, 'lose', patch);
    } else {
      await logEvent(tx, { ...log, outcome: 'unknown', detail: { reason: res.reason.slice(0, 200) } });
      await moveAttempt(tx, a.id, 'lose', { result_message: res.reason.slice(0, 500) });
    }
    return getAttempt(tx, a.id);
  });
  if (!after || attemptMachine.isFinal(after.state)) return { attempt: a.id, state: after?.state ?? null };
  return checkAgain(delayFor(ctx, after.polls), `attempt ${after.state}`);
}

/** Queries the supplier about the attempt and applies what it says; answers whether to resubmit. */
export async function queryAndApply(ctx: AppContext, ports: RechargePorts, a: AttemptRow, actor = 'system'): Promise<{ attempt: AttemptRow; resubmit: boolean; result: QueryResult['kind'] | 'no_supplier' }> {
  const conn = await ports.supplierConnection(ctx, a.supplier_id);
  if (!conn) return { attempt: a, resubmit: false, result: 'no_supplier' };
  let res: QueryResult;
  try {
    res = await conn.adapter.queryOrder(conn.creds, a.customer_order_no, { timeoutMs: ctx.config.recharge.queryTimeoutMs });
  } catch (e) {
    res = { kind: 'unknown', countsForCircuit: true, reason: e instanceof Error ? e.message : String(e) };
  }
  ports.recordSupplierCall(a.supplier_id, callOutcome(res));
  const log = { orderId: a.order_id, attemptId: a.id, supplierId: a.supplier_id, kind: 'query' as const, actor };
  const r = ctx.config.recharge;
  const after = await ctx.db.transaction().execute(async (tx) => {
    if (res.kind === 'found') {
      const o = res.order;
      const patch = { supplier_order_id: o.orderId, price_fen: o.priceFen, supplier_state: o.state };
      await logEvent(tx, { ...log, outcome: 'found:' + o.state, supplierCode: 0, detail: { supplier_order_id: o.orderId } });
      await notePoll(tx, a.id, { supplierState: o.state });
      if (o.state === 'success') await settleSuccess(ctx, ports, tx, a, patch);
      else if (o.state === 'failed') await settleFailure(ctx, ports, tx, a, 'fail', patch);
      else await moveAttempt(tx, a.id, 'accept', patch); // from unknown; a no-op when accepted already
    } else if (res.kind === 'not_found') {
      await logEvent(tx, { ...log, outcome: 'not_found', supplierCode: 2001 });
      await notePoll(tx, a.id, { notFound: true });
    } else {
      await logEvent(tx, { ...log, outcome: 'unknown', detail: { reason: res.reason.slice(0, 200) } });
      await notePoll(tx, a.id, {});
    }
    return (await getAttempt(tx, a.id))!;
  });
  const resubmit =
    after.state === 'unknown' &&
    after.not_found_count >= r.resubmitAfterNotFound &&
    after.not_found_since !== null &&
    Date.now() - new Date(after.not_found_since).getTime() >= r.resubmitAfterMs;
  return { attempt: after, resubmit, result: res.kind };
}

async function poll(ctx: AppContext, ports: RechargePorts, a: AttemptRow): Promise<Outcome> {
  const q = await queryAndApply(ctx, ports, a);
  // 2001 several times over at least a minute: the order never reached the supplier; the same number again
  if (q.resubmit) return submit(ctx, ports, q.attempt, 'resubmit');
  if (attemptMachine.isFinal(q.attempt.state)) return { attempt: a.id, state: q.attempt.state };
  return checkAgain(delayFor(ctx, q.attempt.polls), `attempt ${q.attempt.state}, supplier ${q.attempt.supplier_state ?? '?'}`);
}

/** The job `recharge.confirm`: one query now (after a `failed` callback), no polling of its own. */
export async function runConfirm(ctx: AppContext, ports: RechargePorts, attemptId: string): Promise<Outcome> {
  const a = await getAttempt(ctx.db, attemptId);
  if (!a || attemptMachine.isFinal(a.state)) return { attempt: attemptId, state: a?.state ?? null };
  const q = await queryAndApply(ctx, ports, a);
  return { attempt: attemptId, state: q.attempt.state, query: q.result };
}

export const attemptIdOf = (run: JobRun) => String((run.payload as { attempt_id?: unknown }).attempt_id ?? '');
/** the attempt's supplier, in payloads written since it rides along (older jobs: undefined) */
export const supplierIdOf = (run: JobRun) => {
  const s = (run.payload as { supplier_id?: unknown }).supplier_id;
  return typeof s === 'string' ? s : undefined;
};
