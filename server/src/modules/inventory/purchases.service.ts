import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';
import { badRequest } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/index.ts';
import { newBatchKey, protectCode, type CodeSecret } from './code-secret.ts';

// Batches that do not come from a file: codes bought from a supplier (procurement), and generated demo
// codes. Both are small enough for one transaction and are stored exactly like imported ones.
type Deps = Pick<AppContext, 'db' | 'keyring' | 'secrets'>;

export interface PurchasedCodes {
  productId: string;
  /** the supplier's id or name, as procurement knows it */
  supplier: string;
  /** per code, in 分 */
  unitCost: number;
  /** our purchase order number: one batch per order, whatever the retries */
  purchaseOrderNo: string;
  codes: CodeSecret[];
  expiresAt?: Date | null;
  actor?: string;
}

export interface PurchaseResult {
  batch_id: string;
  imported: number;
  /** codes the supplier sent that we hold already (or sent twice) */
  duplicates: number;
  /** true when this purchase order was stored before: nothing was written now */
  replayed: boolean;
}

/** Runs `fn` in the caller's transaction when given one, else in a new one. */
const inTx = <T>(db: Deps['db'] | Tx, fn: (tx: Tx) => Promise<T>): Promise<T> =>
  db.isTransaction ? fn(db as Tx) : db.transaction().execute(fn);

/**
 * Stores codes bought from a supplier as a new encrypted batch, audited. Idempotent per (supplier, purchase
 * order): a second call with the same order returns the first batch and writes nothing. Pass a transaction
 * as `deps.db` to store them with the caller's own changes.
 */
export async function storePurchasedCodes(deps: Omit<Deps, 'db'> & { db: Deps['db'] | Tx }, input: PurchasedCodes): Promise<PurchaseResult> {
  if (!Number.isSafeInteger(input.unitCost) || input.unitCost < 0) throw badRequest('validation_failed', 'unitCost must be a whole number of 分.');
  if (!input.purchaseOrderNo) throw badRequest('validation_failed', 'A purchase order number is required.');
  return inTx(deps.db, async (tx) => {
    const batchId = newId('bat');
    const bk = newBatchKey(deps.keyring, batchId);
    const created = await sql<{ id: string }>`
      INSERT INTO batches (id, product_id, supplier, unit_cost, code_expires_at, source_name, dek_wrapped, master_key_id,
                           imported_by, report, purchase_order_no, total_rows)
      VALUES (${batchId}, ${input.productId}, ${input.supplier}, ${input.unitCost}, ${input.expiresAt ?? null},
              ${'purchase:' + input.purchaseOrderNo}, ${bk.wrapped}, ${bk.masterKeyId}, ${input.actor ?? 'system'},
              '{"format":"purchase"}'::jsonb, ${input.purchaseOrderNo}, ${input.codes.length})
      ON CONFLICT (supplier, purchase_order_no) WHERE purchase_order_no IS NOT NULL DO NOTHING
      RETURNING id`.execute(tx);
    if (!created.rows[0]) {
      const b = await tx
        .selectFrom('batches')
        .select(['id', 'imported_count', 'total_rows'])
        .where('supplier', '=', input.supplier)
        .where('purchase_order_no', '=', input.purchaseOrderNo)
        .executeTakeFirstOrThrow();
      return { batch_id: b.id, imported: b.imported_count, duplicates: b.total_rows - b.imported_count, replayed: true };
    }
    const rows = input.codes.map((s, i) => ({ line: i + 1, expiresAt: input.expiresAt ?? null, ...protectCode(bk.key, deps.secrets, s) }));
    const imported = await insertCodes(tx, batchId, input.productId, rows);
    await tx.updateTable('batches').set({ imported_count: imported, rejected_count: rows.length - imported }).where('id', '=', batchId).execute();
    await appendAudit(tx, {
      actor: input.actor ?? 'system',
      action: 'batch.purchase',
      target: batchId,
      details: { product_id: input.productId, supplier: input.supplier, purchase_order_no: input.purchaseOrderNo, unit_cost: input.unitCost, received: rows.length, imported },
    });
    return { batch_id: batchId, imported, duplicates: rows.length - imported, replayed: false };
  });
}

interface ProtectedRow {
  line: number;
  ciphertext: Buffer;
  fingerprint: Buffer;
  hint: string;
  expiresAt: Date | null;
}

/** Inserts protected codes as available stock; a fingerprint already held is skipped. Returns how many went in. */
async function insertCodes(
  tx: Tx,
  batchId: string,
  productId: string,
  rows: ProtectedRow[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    const res = await sql`
      INSERT INTO codes (batch_id, product_id, ciphertext, fingerprint, hint, source_line, expires_at)
      SELECT ${batchId}, ${productId}, t.c, t.f, t.h, t.l, t.e
        FROM unnest(${part.map((r) => r.ciphertext)}::bytea[], ${part.map((r) => r.fingerprint)}::bytea[],
                    ${part.map((r) => r.hint)}::text[], ${part.map((r) => r.line)}::int[],
                    ${part.map((r) => r.expiresAt)}::timestamptz[]) AS t(c, f, h, l, e)
      ON CONFLICT (fingerprint) DO NOTHING`.execute(tx);
    n += Number(res.numAffectedRows ?? 0);
  }
  return n;
}

/** Stocks `n` generated (fake) codes into a new batch: for the demo data set and for tests. */
export async function stockGeneratedCodes(deps: Deps, productId: string, n: number, opts: { expiresAt?: Date; importedBy?: string } = {}) {
  const batchId = newId('bat');
  const bk = newBatchKey(deps.keyring, batchId);
  const secrets: CodeSecret[] = [];
  const rows: ProtectedRow[] = [];
  for (let j = 0; j < n; j++) {
    const s: CodeSecret = { card_number: 'DEMO' + randomBytes(6).toString('hex').toUpperCase(), password: randomBytes(5).toString('hex').toUpperCase() };
    secrets.push(s);
    rows.push({ line: j + 1, expiresAt: opts.expiresAt ?? null, ...protectCode(bk.key, deps.secrets, s) });
  }
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('batches')
      .values({ id: batchId, product_id: productId, supplier: 'generated', dek_wrapped: bk.wrapped, master_key_id: bk.masterKeyId, imported_by: opts.importedBy ?? 'system', total_rows: n, imported_count: n, report: '{}' })
      .execute();
    await insertCodes(tx, batchId, productId, rows);
  });
  return { batchId, secrets };
}
