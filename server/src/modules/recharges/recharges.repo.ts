import { sql, type Generated, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { RemoteOrderColumns } from '../suppliers/index.ts';
import type { Executor } from '../../platform/db/db.ts';
import { cteRef, keyedGuard, type Cte } from '../../platform/db/ctes.ts';
import { attemptMachine, orderMachine, type AttemptEvent, type AttemptState, type OrderEvent, type OrderStatus } from './recharge.machine.ts';
import { textArray } from '../../platform/db/literals.ts';
import { prepared } from '../../platform/db/prepared.ts';

// SQL for this module's tables only (recharge_orders, recharge_attempts, recharge_events). Every status
// change goes through `moveAttempt` / `moveOrder`, whose guard is the machine's `sourcesOf(event)`.

export interface RechargeOrdersTable {
  id: string;
  grant_id: string;
  client_id: string | null;
  product_id: string;
  account_enc: Uint8Array;
  account_masked: string;
  account_fp: Uint8Array;
  status: Generated<OrderStatus>;
  next_attempt_no: Generated<number>;
  failure_code: string | null;
  failure_message: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: Date | null;
}

export interface RechargeAttemptsTable extends RemoteOrderColumns<AttemptState> {
  id: string;
  order_id: string;
  attempt_no: number;
  customer_order_no: string;
  supplier_id: string;
  supplier_product_id: string;
  unit_cost_fen: number;
}

export interface RechargeEventsTable {
  id: Generated<number>;
  order_id: string | null;
  attempt_id: string | null;
  supplier_id: string | null;
  kind: 'submit' | 'callback' | 'query' | 'resolve' | 'recover';
  outcome: string;
  supplier_code: number | null;
  detail: string;
  actor: Generated<string>;
  created_at: Generated<Date>;
}

export type RechargeTables = {
  recharge_orders: RechargeOrdersTable;
  recharge_attempts: RechargeAttemptsTable;
  recharge_events: RechargeEventsTable;
};

/** The shared executor seen with this module's tables (the shared schema type does not list them). */
export const rdb = (db: Executor) => (db as unknown as Kysely<object>).withTables<RechargeTables>() as Kysely<RechargeTables> | Transaction<RechargeTables>;

export type OrderRow = Selectable<RechargeOrdersTable>;
export type AttemptRow = Selectable<RechargeAttemptsTable>;

const num = <T extends Record<string, unknown>>(r: T, keys: string[]): T => {
  for (const k of keys) if (r[k] !== null && r[k] !== undefined) (r as Record<string, unknown>)[k] = Number(r[k]);
  return r;
};
const attemptOut = (r: AttemptRow) => num(r as unknown as Record<string, unknown>, ['unit_cost_fen', 'price_fen']) as unknown as AttemptRow;

export async function getOrder(db: Executor, id: string): Promise<OrderRow | undefined> {
  return (await rdb(db).selectFrom('recharge_orders').selectAll().where('id', '=', id).executeTakeFirst()) as OrderRow | undefined;
}

export async function getOrderByGrant(db: Executor, grantId: string): Promise<OrderRow | undefined> {
  return (await rdb(db).selectFrom('recharge_orders').selectAll().where('grant_id', '=', grantId).executeTakeFirst()) as OrderRow | undefined;
}

export async function getAttempt(db: Executor, id: string): Promise<AttemptRow | undefined> {
  const r = await rdb(db).selectFrom('recharge_attempts').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? attemptOut(r as AttemptRow) : undefined;
}

export async function attemptByCustomerOrderNo(db: Executor, supplierId: string, customerOrderNo: string): Promise<AttemptRow | undefined> {
  const r = await rdb(db).selectFrom('recharge_attempts').selectAll().where('customer_order_no', '=', customerOrderNo).where('supplier_id', '=', supplierId).executeTakeFirst();
  return r ? attemptOut(r as AttemptRow) : undefined;
}

/** `attemptByCustomerOrderNo` with the order's client (whom a change of the grant would be told). */
/**
 * The attempt a supplier's order number names, as a table expression (the caller checks the supplier).
 * customer_order_no is unique: the lookup goes through its own index, fenced (OFFSET 0) from the supplier
 * condition. Unfenced, on a young table whose statistics are not gathered yet, the planner rated the supplier
 * index as cheap as the unique one and then read every attempt of the supplier per callback (measured: 10 ms
 * a callback after 5,000 recharges in the first minute of a new database).
 */
export function attemptNumbered(customerOrderNo: string): RawBuilder<unknown> {
  return sql`(SELECT * FROM recharge_attempts WHERE customer_order_no = ${customerOrderNo} OFFSET 0)`;
}

export async function attemptWithClient(db: Executor, supplierId: string, customerOrderNo: string): Promise<(AttemptRow & { client_id: string | null }) | undefined> {
  const r = await sql<AttemptRow & { client_id: string | null }>`
    SELECT a.*, o.client_id FROM ${attemptNumbered(customerOrderNo)} a JOIN recharge_orders o ON o.id = a.order_id
     WHERE a.supplier_id = ${supplierId}`.execute(db);
  return r.rows[0] ? { ...attemptOut(r.rows[0]), client_id: r.rows[0].client_id } : undefined;
}

export async function attemptsOf(db: Executor, orderId: string): Promise<AttemptRow[]> {
  const rows = await rdb(db).selectFrom('recharge_attempts').selectAll().where('order_id', '=', orderId).orderBy('attempt_no').execute();
  return rows.map((r) => attemptOut(r as AttemptRow));
}

export type AttemptPatch = Partial<Pick<AttemptRow, 'supplier_state' | 'supplier_order_id' | 'price_fen' | 'result_code' | 'result_message'>> & {
  /** counts one more submission of the customer_order_no */
  submitted?: boolean;
};

/**
 * Moves an attempt by `event` if its state allows it (the guard is the machine's table). Answers the
 * updated row, or null when the attempt was elsewhere (a concurrent callback or query got there first).
 */
export async function moveAttempt(db: Executor, id: string, event: AttemptEvent, patch: AttemptPatch = {}): Promise<AttemptRow | null> {
  const r = await moveAttemptSql(id, event, patch).execute(db);
  return r.rows[0] ? attemptOut(r.rows[0]) : null;
}

/**
 * `moveAttempt` that also answers the order's sealed account (for the submit, which needs it right after):
 * one round trip instead of two. Null when the attempt was elsewhere.
 */
export async function moveAttemptWithAccount(db: Executor, id: string, event: AttemptEvent, patch: AttemptPatch = {}): Promise<{ attempt: AttemptRow; order: Pick<OrderRow, 'id' | 'account_enc'> } | null> {
  const r = await prepared(sql<AttemptRow & { account_enc: Uint8Array }>`
    WITH moved AS (${moveAttemptSql(id, event, patch)})
    SELECT moved.*, o.account_enc FROM moved JOIN recharge_orders o ON o.id = moved.order_id`).execute(db);
  const row = r.rows[0];
  if (!row) return null;
  const { account_enc, ...attempt } = row;
  return { attempt: attemptOut(attempt as AttemptRow), order: { id: attempt.order_id, account_enc } };
}

/**
 * `moveAttemptWithAccount` for many attempts in one statement (a group commit of job runs): the attempts
 * that moved, each with its order's sealed account; one that could not move is left out. Each attempt and
 * its order are found by key (a lateral probe per order), whatever the planner guesses of the list.
 */
export async function moveAttemptsWithAccount(db: Executor, ids: readonly string[], event: AttemptEvent, patch: AttemptPatch = {}): Promise<Array<{ attempt: AttemptRow; order: Pick<OrderRow, 'id' | 'account_enc'> }>> {
  const r = await moveAttemptsWithAccountSql(ids, event, patch).execute(db);
  return r.rows.map(({ account_enc, ...attempt }) => ({ attempt: attemptOut(attempt as AttemptRow), order: { id: attempt.order_id, account_enc } }));
}

/** The prepared statement of `moveAttemptsWithAccount` (exported for its plan test). */
export function moveAttemptsWithAccountSql(ids: readonly string[], event: AttemptEvent, patch: AttemptPatch = {}) {
  return prepared(sql<AttemptRow & { account_enc: Uint8Array }>`
    WITH moved AS (
      UPDATE recharge_attempts a SET ${attemptMoveSet(event, patchValues(patch))}
       WHERE ${keyedGuard(sql`SELECT unnest(${ids}::text[])`, sql`a.state = ANY(${textArray(attemptMachine.sourcesOf(event))})`, { many: true })}
      RETURNING a.*)
    SELECT moved.*, o.account_enc FROM moved
     CROSS JOIN LATERAL (SELECT account_enc FROM recharge_orders WHERE id = moved.order_id OFFSET 0) o`);
}

/**
 * `moveAttempt` and the event log entry of what caused it, as steps of one statement: `attempt_moved`,
 * `attempt_logged` (written whether or not the attempt could move: the fact is kept either way) and
 * `attempt_now` — the attempt after the statement, moved, or as the statement's snapshot saw it when it
 * could not move, with a boolean column `moved`.
 */
export function moveAttemptLoggedCtes(id: string, event: AttemptEvent, patch: AttemptPatch, e: EventInput): Cte[] {
  return [
    { name: 'attempt_moved', sql: moveAttemptSql(id, event, patch) },
    {
      name: 'attempt_logged',
      sql: sql`INSERT INTO recharge_events (order_id, attempt_id, supplier_id, kind, outcome, supplier_code, detail, actor)
               VALUES (${e.orderId}, ${e.attemptId}, ${e.supplierId}, ${e.kind}, ${e.outcome}, ${e.supplierCode ?? null},
                       ${JSON.stringify(e.detail ?? {})}::jsonb, ${e.actor ?? 'system'}) RETURNING id`,
    },
    {
      name: 'attempt_now',
      sql: sql`SELECT attempt_moved.*, true AS moved FROM attempt_moved
               UNION ALL
               SELECT a.*, false AS moved FROM recharge_attempts a WHERE a.id = ${id} AND NOT EXISTS (SELECT 1 FROM attempt_moved)`,
    },
  ];
}

/** Reads the row of `attempt_now` (see `moveAttemptLoggedCtes`). */
export function attemptNowOut(row: (AttemptRow & { moved: boolean }) | undefined): { attempt: AttemptRow; moved: boolean } | null {
  if (!row) return null;
  const { moved, ...attempt } = row;
  return { attempt: attemptOut(attempt as AttemptRow), moved };
}

/** The guarded UPDATE of `moveAttempt`, RETURNING the row (also a step of a composed statement). */
export function moveAttemptSql(id: string | RawBuilder<unknown>, event: AttemptEvent, patch: AttemptPatch = {}) {
  return sql<AttemptRow>`
    UPDATE recharge_attempts a SET ${attemptMoveSet(event, patchValues(patch))}
     WHERE a.id = (${typeof id === 'string' ? sql`${id}` : id}) AND a.state = ANY(${textArray(attemptMachine.sourcesOf(event))})
    RETURNING a.*`;
}

/**
 * `moveAttemptSql` for every attempt of the step `from` (columns id, and the patch's columns
 * supplier_order_id and price_fen, NULL to keep), RETURNING the moved rows and the step's `extra` columns.
 * The supplier's state is `patch.supplier_state`, or without it the step's column supplier_state.
 * One statement over a batch (a group commit); the guard is the same machine's.
 */
export function moveAttemptsFromSql(from: string, event: AttemptEvent, patch: { supplier_state?: string }, extra: string[] = []) {
  const f = cteRef(from);
  const values: PatchValues = {
    supplier_state: patch.supplier_state ?? sql`${f}.supplier_state`,
    supplier_order_id: sql`${f}.supplier_order_id`,
    price_fen: sql`${f}.price_fen::bigint`,
  };
  return sql<AttemptRow>`
    UPDATE recharge_attempts a SET ${attemptMoveSet(event, values)}
      FROM ${f}
     WHERE a.id = ${f}.id AND ${keyedGuard(sql`SELECT id FROM ${f}`, sql`a.state = ANY(${textArray(attemptMachine.sourcesOf(event))})`, { many: true, column: 'a.id' })}
    RETURNING a.*${sql.join(extra.map((c) => sql`, ${f}.${sql.ref(c)}`), sql``)}`;
}

/** what a move writes besides the state: a value, or the column's own value (undefined) */
interface PatchValues {
  supplier_state?: unknown;
  supplier_order_id?: unknown;
  price_fen?: unknown;
  result_code?: unknown;
  result_message?: unknown;
  submitted?: boolean;
}

const patchValues = (patch: AttemptPatch): PatchValues => ({
  ...patch,
  supplier_order_id: patch.supplier_order_id ?? undefined,
  price_fen: patch.price_fen === undefined || patch.price_fen === null ? undefined : sql`${patch.price_fen}::bigint`,
});

/** the SET list of a move by `event` of the attempt aliased `a` */
function attemptMoveSet(event: AttemptEvent, v: PatchValues): RawBuilder<unknown> {
  const to = attemptMachine.targetOf(event);
  const final = attemptMachine.isFinal(to);
  const keep = (value: unknown, column: string) => (value === undefined ? sql.ref(`a.${column}`) : value);
  const reset = event === 'resubmit' || event === 'accept';
  return sql`state = ${to}, updated_at = now(),
           supplier_state = ${keep(v.supplier_state, 'supplier_state')},
           supplier_order_id = COALESCE(${v.supplier_order_id ?? null}, a.supplier_order_id),
           price_fen = COALESCE(${v.price_fen ?? null}, a.price_fen),
           result_code = ${keep(v.result_code, 'result_code')},
           result_message = ${keep(v.result_message, 'result_message')},
           submits = a.submits + ${v.submitted ? 1 : 0},
           submitted_at = ${v.submitted ? sql`now()` : sql`a.submitted_at`},
           not_found_count = ${reset ? 0 : sql`a.not_found_count`},
           not_found_since = ${reset ? null : sql`a.not_found_since`},
           finished_at = ${final ? sql`now()` : sql`a.finished_at`}`;
}

/** Notes what a query found without a change of state (still processing; or 2001 once more). */
export async function notePoll(db: Executor, id: string, found: { supplierState?: string; notFound?: boolean }): Promise<AttemptRow | null> {
  const r = await sql<AttemptRow>`
    UPDATE recharge_attempts SET polls = polls + 1, updated_at = now(),
           supplier_state = COALESCE(${found.supplierState ?? null}, supplier_state),
           not_found_count = CASE WHEN ${Boolean(found.notFound)} THEN not_found_count + 1 ELSE 0 END,
           not_found_since = CASE WHEN ${Boolean(found.notFound)} THEN COALESCE(not_found_since, now()) ELSE NULL END
     WHERE id = ${id}
    RETURNING *`.execute(db);
  return r.rows[0] ? attemptOut(r.rows[0]) : null;
}

export async function moveOrder(db: Executor, id: string, event: OrderEvent, failure?: { code: string; message: string }): Promise<boolean> {
  const r = await moveOrderSql(sql`${id}`, event, failure).execute(db);
  return r.rows.length === 1;
}

/** The guarded UPDATE of `moveOrder` for the order `id` (an SQL expression; with `many`, a subquery of ids), RETURNING id and grant_id. */
export function moveOrderSql(id: RawBuilder<unknown>, event: OrderEvent, failure?: { code: string; message: string }, opts: { many?: boolean } = {}) {
  return sql<{ id: string; grant_id: string }>`
    UPDATE recharge_orders SET status = ${orderMachine.targetOf(event)}, updated_at = now(), finished_at = now(),
           failure_code = ${failure?.code ?? null}, failure_message = ${failure?.message ?? null}
     WHERE ${keyedGuard(id, sql`status = ANY(${textArray(orderMachine.sourcesOf(event))})`, opts)}
    RETURNING id, grant_id`;
}

export interface NewAttempt {
  id: string;
  supplierId: string;
  supplierProductId: string;
  unitCostFen: number;
}

/**
 * Adds the next attempt of an open order (numbers run on across suppliers). Answers null when the order
 * is no longer open or one of its attempts has succeeded already (a success is final for the whole order,
 * even before the order row has caught up). The one-live-attempt index refuses a second live attempt (a
 * unique violation).
 */
export async function addAttempt(db: Executor, orderId: string, a: NewAttempt): Promise<AttemptRow | null> {
  const n = await sql<{ no: number }>`
    UPDATE recharge_orders SET next_attempt_no = next_attempt_no + 1, updated_at = now()
     WHERE id = ${orderId} AND status = ANY(${textArray(orderMachine.sourcesOf('succeed'))})
       AND NOT EXISTS (SELECT 1 FROM recharge_attempts s WHERE s.order_id = ${orderId} AND s.state = ${attemptMachine.targetOf('succeed')})
    RETURNING next_attempt_no - 1 AS no`.execute(db);
  if (!n.rows[0]) return null;
  const no = Number(n.rows[0].no);
  const r = await rdb(db)
    .insertInto('recharge_attempts')
    .values({ id: a.id, order_id: orderId, attempt_no: no, customer_order_no: `${orderId}-${no}`, supplier_id: a.supplierId, supplier_product_id: a.supplierProductId, unit_cost_fen: a.unitCostFen })
    .returningAll()
    .executeTakeFirstOrThrow();
  return attemptOut(r as AttemptRow);
}

export interface EventInput {
  orderId: string | null;
  attemptId: string | null;
  supplierId: string | null;
  kind: RechargeEventsTable['kind'];
  outcome: string;
  supplierCode?: number | null;
  /** facts only: never an account in full, a signature or a credential */
  detail?: Record<string, unknown>;
  actor?: string;
}

export async function logEvent(db: Executor, e: EventInput): Promise<void> {
  await rdb(db)
    .insertInto('recharge_events')
    .values({
      order_id: e.orderId,
      attempt_id: e.attemptId,
      supplier_id: e.supplierId,
      kind: e.kind,
      outcome: e.outcome,
      supplier_code: e.supplierCode ?? null,
      detail: JSON.stringify(e.detail ?? {}),
      actor: e.actor ?? 'system',
    })
    .execute();
}

export async function eventsOf(db: Executor, orderId: string) {
  return rdb(db).selectFrom('recharge_events').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

/** Suppliers this order has tried already (a failover never goes back to one). */
export async function triedSuppliers(db: Executor, orderId: string): Promise<string[]> {
  const rows = await rdb(db).selectFrom('recharge_attempts').select('supplier_id').where('order_id', '=', orderId).execute();
  return rows.map((r) => r.supplier_id);
}
