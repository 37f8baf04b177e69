import { sql, type Selectable } from 'kysely';
import type { Db, Executor } from '../../platform/db/db.ts';
import type { BatchesTable } from '../../platform/db/schema.ts';
import { conflict, notFound } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import type { Rejection } from './import.service.ts';
import { codeMachine } from './code.machine.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import { rewrapBatchKey } from './code-secret.ts';
import { batchMachine, IMPORTING, type BatchStatus } from './batch.machine.ts';

// Batches: list, inspect (with the per-row import report), void. The wrapped data key never leaves.
export interface BatchView {
  id: string;
  product_id: string;
  supplier: string | null;
  unit_cost: number | null;
  code_expires_at: string | null;
  source_name: string | null;
  source_sha256: string | null;
  status: BatchStatus;
  total_rows: number;
  imported_count: number;
  rejected_count: number;
  voided_count: number;
  imported_by: string;
  created_at: string;
  voided_at: string | null;
}

export interface BatchDetail extends BatchView {
  report: { format?: string; rejected: Rejection[]; rejected_truncated: boolean };
  codes: { available: number; reserved: number; delivered: number; expired: number; voided: number };
}

type Row = Selectable<BatchesTable>;

export function toBatchView(r: Row): BatchView {
  return {
    id: r.id,
    product_id: r.product_id,
    supplier: r.supplier,
    unit_cost: r.unit_cost === null ? null : Number(r.unit_cost),
    code_expires_at: r.code_expires_at?.toISOString() ?? null,
    source_name: r.source_name,
    source_sha256: r.source_sha256,
    status: r.status,
    total_rows: r.total_rows,
    imported_count: r.imported_count,
    rejected_count: r.rejected_count,
    voided_count: r.voided_count,
    imported_by: r.imported_by,
    created_at: r.created_at.toISOString(),
    voided_at: r.voided_at?.toISOString() ?? null,
  };
}

export async function listBatches(db: Executor, opts: { limit: number; cursor?: string; product?: string }) {
  // a batch being imported is not visible until its import has finished
  let q = db.selectFrom('batches').selectAll().where('status', '!=', IMPORTING).orderBy('id', 'desc').limit(opts.limit + 1);
  if (opts.cursor) q = q.where('id', '<', opts.cursor);
  if (opts.product) {
    const p = await findProduct(db, opts.product);
    if (!p) throw notFound('Product', opts.product);
    q = q.where('product_id', '=', p.id);
  }
  const rows = await q.execute();
  const more = rows.length > opts.limit;
  const data = rows.slice(0, opts.limit).map(toBatchView);
  return { data, next_cursor: more ? data[data.length - 1].id : null };
}

export async function getBatch(db: Executor, id: string): Promise<BatchDetail> {
  const row = await db.selectFrom('batches').selectAll().where('id', '=', id).where('status', '!=', IMPORTING).executeTakeFirst();
  if (!row) throw notFound('Batch', id);
  const counts = await sql<{ status: string; n: number }>`
    SELECT status, count(*)::int AS n FROM codes WHERE batch_id = ${id} GROUP BY status`.execute(db);
  const codes = { available: 0, reserved: 0, delivered: 0, expired: 0, voided: 0 };
  for (const c of counts.rows) codes[c.status as keyof typeof codes] = Number(c.n);
  const rep = row.report as { format?: string; rejected?: Rejection[]; rejected_truncated?: boolean };
  return {
    ...toBatchView(row),
    report: { format: rep.format, rejected: rep.rejected ?? [], rejected_truncated: rep.rejected_truncated ?? false },
    codes,
  };
}

/**
 * Voids a batch: every still-available code becomes voided in one UPDATE (a code being claimed right now
 * is either already reserved — and keeps going — or still available and voided; never both).
 * Reserved and delivered codes are untouched. Voiding twice is a 409.
 */
export async function voidBatch(db: Db, id: string, actor: string, reason?: string): Promise<{ batch: BatchView; voided: number }> {
  return db.transaction().execute(async (tx) => {
    const locked = await tx
      .updateTable('batches')
      .set({ status: batchMachine.targetOf('void'), voided_at: new Date() })
      .where('id', '=', id)
      .where('status', 'in', batchMachine.sourcesOf('void'))
      .returning('id')
      .executeTakeFirst();
    if (!locked) {
      const exists = await tx.selectFrom('batches').select('status').where('id', '=', id).executeTakeFirst();
      if (!exists || exists.status === IMPORTING) throw notFound('Batch', id);
      throw conflict('batch_already_voided', `Batch ${id} is already voided.`);
    }
    // only codes in stock: a code held by a grant keeps going, and the grant's release voids it later
    const inStock = codeMachine.sourcesOf('void').filter((s) => codeMachine.can(s, 'claim'));
    const res = await sql`UPDATE codes SET status = ${codeMachine.targetOf('void')}, updated_at = now()
                           WHERE batch_id = ${id} AND status = ANY(${inStock}::text[])`.execute(tx);
    const voided = Number(res.numAffectedRows ?? 0);
    const row = await tx.updateTable('batches').set({ voided_count: voided }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await appendAudit(tx, {
      actor,
      action: 'batch.void',
      target: id,
      details: { product_id: row.product_id, voided, reason: reason ?? null },
    });
    return { batch: toBatchView(row), voided };
  });
}

/** Re-wraps every batch data key not under the keyring's current master key; returns how many. */
export async function rewrapBatchKeys(db: Executor, keyring: Keyring): Promise<number> {
  const batches = await db.selectFrom('batches').select(['id', 'dek_wrapped', 'master_key_id']).where('master_key_id', '!=', keyring.current.id).execute();
  for (const b of batches) {
    const w = rewrapBatchKey(keyring, b);
    await db.updateTable('batches').set({ dek_wrapped: w.wrapped, master_key_id: w.masterKeyId }).where('id', '=', b.id).execute();
  }
  return batches.length;
}
