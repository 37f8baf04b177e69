import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { sql } from 'kysely';
import type { Database } from '../../server/src/platform/db/db.ts';
import type { Config } from '../../server/src/platform/config.ts';
import type { Keyring } from '../../server/src/platform/crypto/keyring.ts';
import { createProduct } from '../../server/src/modules/catalog/catalog.service.ts';
import { createSupplier, setProductSuppliers } from '../../server/src/modules/suppliers/suppliers.service.ts';
import { formatChinaTime, signObject } from '../../server/src/modules/suppliers/fulu/protocol.ts';
import type { BenchProduct } from './setup.ts';

// Fixtures and load of the direct-recharge parts: a supplier (the sandbox's credentials) and a
// `direct_recharge` product routed to it, written through the services before the server starts; the
// request body of a recharge grant; waiting for grants to end; the books check; and signed supplier
// callbacks, built exactly as the sandbox builds them (DESIGN §11 "Callback").

export interface BenchSupplier {
  id: string;
  appKey: string;
  appSecret: string;
}

export const SUPPLIER_PRODUCT_ID = '1001';
export const PRICE_FEN = 1000;

export function supplierCredentials() {
  return { appKey: 'bench-' + randomBytes(4).toString('hex'), appSecret: 'bench-secret-' + randomBytes(12).toString('hex') };
}

/** A fulu-protocol supplier at `endpoint` and a direct-recharge product with it as its only route. */
export async function rechargeFixtures(database: Database, keyring: Keyring, label: string, endpoint: string, creds = supplierCredentials()) {
  const deps = { keyring, config: { publicUrl: 'http://127.0.0.1' } as Config };
  return database.db.transaction().execute(async (tx) => {
    const s = await createSupplier(deps, tx, { name: `bench-${label}-${randomBytes(3).toString('hex')}`, adapter: 'fulu', endpoint, app_key: creds.appKey, app_secret: creds.appSecret }, 'bench');
    const p = await createProduct(tx, {
      sku: `BENCH-${label}-${randomBytes(3).toString('hex')}`.toUpperCase(),
      name: `Bench ${label} (direct recharge)`,
      platform: 'iqiyi',
      kind: 'direct_recharge',
      period: { unit: 'month', count: 1 },
      price: 1500,
    }, 'bench');
    await setProductSuppliers(tx, p.id, [{ supplier_id: s.id, supplier_product_id: SUPPLIER_PRODUCT_ID, unit_cost: 900 }], 'bench');
    return { supplier: { id: s.id, ...creds } as BenchSupplier, product: { id: p.id, sku: p.sku } as BenchProduct };
  });
}

/** Bodies of recharge grants: each to its own mobile number 13xxxxxxxxx (a random block of 10^6 per call). */
export function rechargeBodies(sku: string) {
  const base = Math.floor(Math.random() * 999) * 1_000_000;
  let n = 0;
  return () => ({ product: sku, recipient: { account: '13' + String(base + (n++ % 1_000_000)).padStart(9, '0') } });
}

export interface GrantTotals {
  grants: number;
  pending: number;
  redeemed: number;
  failed: number;
}

export async function grantTotals(database: Database, productId: string): Promise<GrantTotals> {
  const r = await sql<{ status: string; n: string }>`SELECT status, count(*) AS n FROM grants WHERE product_id = ${productId} GROUP BY status`.execute(database.db);
  const by = Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
  return { grants: r.rows.reduce((s, x) => s + Number(x.n), 0), pending: by.pending ?? 0, redeemed: by.redeemed ?? 0, failed: by.failed ?? 0 };
}

/**
 * The books after a run: every grant final, its order agreeing, exactly one succeeded attempt per redeemed
 * grant and none live; and, from the supplier's own counts, no account recharged more than once and every
 * redeemed grant's account exactly once.
 */
export async function rechargeBooks(database: Database, productId: string, rechargesByAccount: Map<string, number>) {
  const r = await sql<{ n: string; not_final: string; disagree: string; bad_success: string; live: string; redeemed: string; failed: string }>`
    WITH g AS (
      SELECT g.id, g.status, o.status AS order_status,
             (SELECT count(*) FROM recharge_attempts a WHERE a.order_id = o.id AND a.state = 'succeeded') AS succeeded,
             (SELECT count(*) FROM recharge_attempts a WHERE a.order_id = o.id AND a.state IN ('created', 'submitting', 'accepted', 'unknown')) AS live
        FROM grants g JOIN recharge_orders o ON o.grant_id = g.id
       WHERE g.product_id = ${productId})
    SELECT count(*) AS n,
           count(*) FILTER (WHERE status NOT IN ('redeemed', 'failed')) AS not_final,
           count(*) FILTER (WHERE order_status <> CASE status WHEN 'redeemed' THEN 'succeeded' WHEN 'failed' THEN 'failed' ELSE '-' END) AS disagree,
           count(*) FILTER (WHERE succeeded <> CASE status WHEN 'redeemed' THEN 1 ELSE 0 END) AS bad_success,
           count(*) FILTER (WHERE live > 0) AS live,
           count(*) FILTER (WHERE status = 'redeemed') AS redeemed,
           count(*) FILTER (WHERE status = 'failed') AS failed
      FROM g`.execute(database.db);
  const x = Object.fromEntries(Object.entries(r.rows[0]).map(([k, v]) => [k, Number(v)])) as Record<keyof (typeof r.rows)[0], number>;
  let accountsTwice = 0;
  let recharged = 0;
  for (const n of rechargesByAccount.values()) {
    recharged += n;
    if (n > 1) accountsTwice++;
  }
  const ok = x.not_final === 0 && x.disagree === 0 && x.bad_success === 0 && x.live === 0 && accountsTwice === 0 && recharged === x.redeemed;
  return {
    ok,
    grants: x.n,
    redeemed: x.redeemed,
    failed: x.failed,
    notFinal: x.not_final,
    orderDisagrees: x.disagree,
    wrongSuccessCount: x.bad_success,
    liveAttempts: x.live,
    supplierAccounts: rechargesByAccount.size,
    supplierRecharges: recharged,
    accountsRechargedTwice: accountsTwice,
  };
}

/**
 * Turns the first attempts of `limit` pending recharge grants into what a supplier's acceptance leaves
 * (state accepted, the supplier's order id, supplier state processing) — the fixture of the callbacks
 * part, whose server runs without workers so nothing else touches them.
 */
export async function acceptAttempts(database: Database, supplierId: string, limit: number) {
  const r = await sql<{ customer_order_no: string; supplier_order_id: string }>`
    UPDATE recharge_attempts SET state = 'accepted', supplier_state = 'processing', supplier_order_id = 'SB' || substr(md5(id), 1, 16),
           submits = 1, submitted_at = now(), updated_at = now(), price_fen = ${PRICE_FEN}
     WHERE id IN (SELECT id FROM recharge_attempts WHERE supplier_id = ${supplierId} AND state = 'created' ORDER BY id LIMIT ${limit})
    RETURNING customer_order_no, supplier_order_id`.execute(database.db);
  return r.rows;
}

class CallbackError extends Error {
  constructor(readonly status: number, body: string) {
    super(`HTTP ${status} ${body.slice(0, 60)}`);
  }
}

/**
 * Signed `success` callbacks for accepted attempts (`post(i)`: the i-th), on keep-alive connections. The
 * bodies are signed before the load starts and sent through undici's pool: the load generator shares the
 * machine with what it measures, and Node's http client cost about as much CPU per request as the
 * server's whole handling of it.
 */
export function callbackSender(baseUrl: string, supplier: BenchSupplier, attempts: Array<{ customer_order_no: string; supplier_order_id: string }>, concurrency: number) {
  const path = `/v1/callbacks/suppliers/${supplier.id}`;
  const pool = new Pool(new URL(baseUrl).origin, { connections: concurrency, pipelining: 1 });
  const finished = formatChinaTime();
  const bodies = attempts.map((a) => {
    const fields = {
      order_id: a.supplier_order_id,
      customer_order_no: a.customer_order_no,
      order_status: 'success',
      recharge_description: '充值成功',
      product_id: Number(SUPPLIER_PRODUCT_ID),
      price: '10.0000',
      buy_num: 1,
      charge_finish_time: finished,
      operator_serial_number: 'OSN' + a.supplier_order_id,
    };
    return JSON.stringify({ ...fields, sign: signObject(fields, supplier.appSecret) });
  });
  const headers = { 'content-type': 'application/json' };
  const post = async (i: number) => {
    const res = await pool.request({ path, method: 'POST', headers, body: bodies[i] });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text !== 'success') throw new CallbackError(res.statusCode, text);
  };
  return {
    post,
    describe: (e: unknown) => (e instanceof CallbackError ? e.message : ((e as { code?: string }).code ?? String(e))),
    close: () => pool.close(),
  };
}

/** Callback outcomes the server recorded for a supplier (applied, repeated, …). */
export async function callbackOutcomes(database: Database, supplierId: string) {
  const r = await sql<{ outcome: string; n: string }>`SELECT outcome, count(*) AS n FROM recharge_events WHERE kind = 'callback' AND supplier_id = ${supplierId} GROUP BY outcome`.execute(database.db);
  return Object.fromEntries(r.rows.map((x) => [x.outcome, Number(x.n)]));
}
