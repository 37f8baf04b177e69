import { createHash } from 'node:crypto';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Database, Executor, Tx } from '../../platform/db/db.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import { newBatchKey, protectCode, type BatchKey } from './code-secret.ts';
import { detectFormat, rowsOf } from './parsers/detect.ts';
import { interpretRows, type ParsedRow } from './parsers/rows.ts';
import { discardStaged, oneAtATime, publishStaged } from './import.staging.ts';
import { batchMachine, IMPORTING, type BatchStatus } from './batch.machine.ts';

// The card-code importer: one streaming pass over a file. Rows are parsed, encrypted and inserted in chunks;
// the UNIQUE fingerprint does the duplicate detection (in the file and against all existing stock) so memory
// stays constant however large the file. Two ways to commit, with the same outcome:
// - 'single' (PostgreSQL): one transaction; a failure anywhere rolls it all back.
// - 'chunked' (the embedded database, ONE connection): the batch is 'importing' and its codes 'staged'
//   (invisible: not claimable, not counted) and every `txRows` rows commit, so issuance, recharges and
//   webhooks get the connection between chunks. After the last row one transaction records the report and
//   the audit event (the point of no return); the staged codes are then published by id range. A failure
//   before that point deletes what was staged; a retry after a crash deletes it too and starts over, or,
//   past that point, finishes the publishing.
// Either way a failed import leaves no batch, no codes, no audit event — and an import that imports no row
// at all is an error (nothing_imported), so a script or a job never mistakes it for success.
export interface ImportOptions {
  /** product sku or id */
  product: string;
  /** the file's plaintext bytes */
  input: Readable;
  /** the file name as given: its extension picks the format; stored (base name only) on the batch */
  sourceName: string;
  format?: string | null;
  supplier?: string | null;
  /** per code, in 分 */
  unitCost?: number | null;
  /** expiry for codes whose row gives none */
  expiresAt?: Date | null;
  /** `usr_…` or `cli:<user>` */
  actor: string;
  /** pre-assigned batch id: a retried import job finds its committed batch instead of importing twice */
  batchId?: string;
  /** bytes of the file consumed so far */
  onProgress?: (bytesRead: number) => void;
  /** rows per INSERT statement */
  chunkSize?: number;
  /** default: 'chunked' on the embedded database, 'single' on PostgreSQL (measured faster, docs/benchmarks.md) */
  mode?: 'single' | 'chunked';
  /** chunked mode: rows per transaction */
  txRows?: number;
  /** chunked mode, for tests: called after each committed transaction with the rows read so far */
  afterCommit?: (rowsRead: number) => void | Promise<void>;
}

export interface Rejection {
  line: number;
  reason: string;
}

export interface ImportResult {
  batch_id: string;
  product_id: string;
  total_rows: number;
  imported: number;
  rejected_count: number;
  /** the first REJECTIONS_KEPT rejections, by line */
  rejected: Rejection[];
  source_sha256: string;
}

export const REJECTIONS_KEPT = 10_000;
const DEFAULT_CHUNK = 2_000;
// rows per transaction on the embedded database: short enough that a grant waiting for the only connection
// waits a fraction of a second
const DEFAULT_TX_ROWS = 1_000;
const YIELD_EVERY = 256;
/** rejections quoted in a nothing_imported error */
const QUOTED = 20;

type Deps = Pick<AppContext, 'db' | 'keyring' | 'secrets'> & { database?: Pick<Database, 'kind'> };

interface Pending {
  line: number;
  ciphertext: Buffer;
  fingerprint: Buffer;
  hint: string;
  expiresAt: Date | null;
}

/** Counts and hashes the bytes flowing through, so the batch records which file it came from. */
function meter(onBytes: (n: number) => void) {
  const hash = createHash('sha256');
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      n += chunk.length;
      onBytes(n);
      cb(null, chunk);
    },
  });
  return { stream: t, digest: () => hash.digest('hex') };
}

class Rejections {
  readonly kept: Rejection[] = [];
  count = 0;
  add(line: number, reason: string) {
    this.count++;
    if (this.kept.length < REJECTIONS_KEPT) this.kept.push({ line, reason });
  }
}

export async function importCodes(deps: Deps, opts: ImportOptions): Promise<ImportResult> {
  const format = detectFormat(opts.sourceName, opts.format);
  if (opts.expiresAt && opts.expiresAt.getTime() <= Date.now()) {
    throw badRequest('already_expired', `The batch expiry ${opts.expiresAt.toISOString()} is in the past.`);
  }
  const m = meter(opts.onProgress ?? (() => {}));
  // A read error must end the import even while the parser waits for bytes that will never come (exceljs,
  // for one, does not pass its input's errors on): every row read also listens for the first stream error.
  const guard = readGuard();
  opts.input.on('error', (e) => {
    guard.fail(e);
    m.stream.destroy(e);
  });
  m.stream.on('error', (e) => guard.fail(e));
  const parsed = interpretRows(rowsOf(format, opts.input.pipe(m.stream)), { defaultExpiry: opts.expiresAt ?? null });
  const rows = guard.wrap(parsed);
  const mode = opts.mode ?? (deps.database?.kind === 'pglite' ? 'chunked' : 'single');
  try {
    const result =
      mode === 'chunked'
        ? await oneAtATime(() => importChunked(deps, opts, format, rows, m.digest))
        : await deps.db.transaction().execute((tx) => importInTx(deps, tx, opts, format, rows, m.digest));
    // fresh statistics for the planner right away: a big import changes the codes table's shape
    await sql`ANALYZE codes`.execute(deps.db).catch(() => undefined);
    return result;
  } finally {
    // on failure, stop reading the file (and release its descriptor)
    opts.input.destroy();
  }
}

/**
 * Iterates `it` but rejects the pending read as soon as `fail` is called. (Not Promise.race against one
 * long-lived promise: every race would leave a reaction on it, a leak of one closure per row.)
 */
function readGuard() {
  let failed: Error | null = null;
  let rejectPending: ((e: Error) => void) | null = null;
  return {
    fail(e: Error) {
      failed ??= e;
      rejectPending?.(e);
    },
    async *wrap<T>(it: AsyncGenerator<T>): AsyncGenerator<T> {
      try {
        for (;;) {
          if (failed) throw failed;
          const r = await new Promise<IteratorResult<T>>((resolve, reject) => {
            rejectPending = reject;
            it.next().then(resolve, reject);
          });
          rejectPending = null;
          if (r.done) return;
          yield r.value;
        }
      } finally {
        void it.return(undefined).catch(() => undefined);
      }
    },
  };
}

async function productFor(db: Executor, ref: string) {
  const product = await findProduct(db, ref);
  if (!product) throw notFound('Product', ref);
  if (product.kind !== 'card_code' && product.kind !== 'link') {
    throw badRequest('wrong_product_kind', `Product ${product.sku} is a ${product.kind} product; only card_code and link products hold codes.`);
  }
  return product;
}

function batchRow(deps: Deps, opts: ImportOptions, batchId: string, productId: string, status: BatchStatus) {
  const bk = newBatchKey(deps.keyring, batchId);
  return {
    key: bk.key,
    row: {
      id: batchId,
      product_id: productId,
      supplier: opts.supplier ?? null,
      unit_cost: opts.unitCost ?? null,
      code_expires_at: opts.expiresAt ?? null,
      source_name: path.basename(opts.sourceName),
      dek_wrapped: bk.wrapped,
      master_key_id: bk.masterKeyId,
      imported_by: opts.actor,
      report: '{}',
      status,
    },
  };
}

/**
 * Reads every row: encrypts it, drops repeats within a statement chunk, and hands full chunks to `insert`
 * (which returns how many rows went in). Returns the counts.
 */
async function consume(deps: Deps, key: BatchKey, rows: AsyncIterable<ParsedRow>, chunkSize: number, rejected: Rejections, insert: (chunk: Pending[]) => Promise<number>) {
  let total = 0;
  let imported = 0;
  let chunk: Pending[] = [];
  // duplicates inside one chunk never reach the database (a multi-row insert cannot say which came first)
  let inChunk = new Map<string, number>();
  const flush = async () => {
    if (chunk.length) imported += await insert(chunk);
    chunk = [];
    inChunk = new Map();
  };
  for await (const row of rows) {
    total++;
    // Parsing and encrypting is CPU on the one thread that also serves HTTP (and, embedded, runs the
    // database): give the event loop a turn now and then, or requests are not even read until the end.
    if (total % YIELD_EVERY === 0) await yieldToEventLoop();
    if ('error' in row) {
      rejected.add(row.line, row.error);
      continue;
    }
    const p = protectCode(key, deps.secrets, row.secret);
    const fp = p.fingerprint.toString('hex');
    const first = inChunk.get(fp);
    if (first !== undefined) {
      rejected.add(row.line, `duplicate of line ${first}`);
      continue;
    }
    inChunk.set(fp, row.line);
    chunk.push({ line: row.line, ciphertext: p.ciphertext, fingerprint: p.fingerprint, hint: p.hint, expiresAt: row.expiresAt });
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return { total, imported };
}

/** An import that imports nothing is an error, whatever the reason: say why, with the first rejections. */
function nothingImported(total: number, rejected: Rejections): AppError {
  if (total === 0) return badRequest('empty_file', 'The file has no rows to import.');
  const kept = [...rejected.kept].sort((a, b) => a.line - b.line);
  const first = kept.slice(0, 3).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
  return new AppError(400, 'nothing_imported', 'Bad request', `No row was imported: ${rejected.count} of ${total} rows rejected (${first}${rejected.count > 3 ? '; …' : ''}).`, {
    total_rows: total,
    rejected_count: rejected.count,
    rejected: kept.slice(0, QUOTED),
  });
}

/** Records the report on the batch and the audit event: the import's point of no return. */
async function finish(tx: Tx, opts: ImportOptions, format: string, product: { id: string; sku: string }, batchId: string, counts: { total: number; imported: number }, rejected: Rejections, digest: string, extra: Record<string, unknown> = {}) {
  const kept = rejected.kept.sort((a, b) => a.line - b.line);
  const result: ImportResult = {
    batch_id: batchId,
    product_id: product.id,
    total_rows: counts.total,
    imported: counts.imported,
    rejected_count: rejected.count,
    rejected: kept,
    source_sha256: digest,
  };
  await tx
    .updateTable('batches')
    .set({
      source_sha256: digest,
      total_rows: counts.total,
      imported_count: counts.imported,
      rejected_count: rejected.count,
      report: JSON.stringify({ format, rejected: kept, rejected_truncated: rejected.count > kept.length, ...extra }),
    })
    .where('id', '=', batchId)
    .execute();
  await appendAudit(tx, {
    actor: opts.actor,
    action: 'batch.import',
    target: batchId,
    details: {
      product_id: product.id,
      sku: product.sku,
      format,
      source_name: path.basename(opts.sourceName),
      source_sha256: digest,
      supplier: opts.supplier ?? null,
      unit_cost: opts.unitCost ?? null,
      total_rows: counts.total,
      imported: counts.imported,
      rejected: rejected.count,
    },
  });
  return result;
}

async function importInTx(deps: Deps, tx: Tx, opts: ImportOptions, format: string, rows: AsyncIterable<ParsedRow>, digest: () => string): Promise<ImportResult> {
  // One import at a time: two imports holding overlapping codes would wait on each other's uniqueness
  // checks in opposite orders and deadlock. Imports are rare; queueing them is the simple, safe answer.
  await sql`SELECT pg_advisory_xact_lock(7261002)`.execute(tx);
  const product = await productFor(tx, opts.product);
  const batchId = opts.batchId ?? newId('bat');
  if (opts.batchId) {
    const done = await tx.selectFrom('batches').selectAll().where('id', '=', batchId).executeTakeFirst();
    if (done) return resultOfBatch(done);
  }
  const b = batchRow(deps, opts, batchId, product.id, batchMachine.targetOf('publish'));
  await tx.insertInto('batches').values(b.row).execute();
  const rejected = new Rejections();
  const counts = await consume(deps, b.key, rows, opts.chunkSize ?? DEFAULT_CHUNK, rejected, (chunk) => insertChunk(tx, batchId, product.id, chunk, rejected, 'available'));
  if (counts.imported === 0) throw nothingImported(counts.total, rejected);
  return finish(tx, opts, format, product, batchId, counts, rejected, digest());
}

async function importChunked(deps: Deps, opts: ImportOptions, format: string, rows: AsyncIterable<ParsedRow>, digest: () => string): Promise<ImportResult> {
  const db = deps.db;
  const product = await productFor(db, opts.product);
  const batchId = opts.batchId ?? newId('bat');
  if (opts.batchId) {
    const prior = await db.selectFrom('batches').selectAll().where('id', '=', batchId).executeTakeFirst();
    if (prior && prior.status !== IMPORTING) return resultOfBatch(prior);
    if (prior && (prior.report as { publishing?: boolean }).publishing) {
      // the crash came after the point of no return: finish publishing
      await publishStaged(db, batchId);
      await db.updateTable('batches').set({ status: batchMachine.targetOf('publish') }).where('id', '=', batchId).where('status', 'in', batchMachine.sourcesOf('publish')).execute();
      return resultOfBatch(prior);
    }
    // a crash before it: what that run staged goes, and the import starts over
    if (prior) await discardStaged(db, batchId);
  }
  const b = batchRow(deps, opts, batchId, product.id, IMPORTING);
  await db.insertInto('batches').values(b.row).execute();
  let decided = false;
  try {
    const rejected = new Rejections();
    const txRows = opts.txRows ?? DEFAULT_TX_ROWS;
    let pending: Pending[][] = [];
    let pendingRows = 0;
    let read = 0;
    // statement chunks wait until a transaction's worth is encrypted; then one short transaction stores them
    const commit = async () => {
      if (!pendingRows) return 0;
      const chunks = pending;
      pending = [];
      pendingRows = 0;
      const n = await db.transaction().execute(async (tx) => {
        let k = 0;
        for (const c of chunks) k += await insertChunk(tx, batchId, product.id, c, rejected, 'staged');
        return k;
      });
      await opts.afterCommit?.(read);
      await yieldToEventLoop(); // queued work takes the connection before the next chunk
      return n;
    };
    const counts = await consume(deps, b.key, countRows(rows, () => read++), opts.chunkSize ?? DEFAULT_CHUNK, rejected, async (chunk) => {
      pending.push(chunk);
      pendingRows += chunk.length;
      return pendingRows >= txRows ? commit() : 0;
    });
    counts.imported += await commit();
    if (counts.imported === 0) throw nothingImported(counts.total, rejected);
    const result = await db.transaction().execute((tx) => finish(tx, opts, format, product, batchId, counts, rejected, digest(), { publishing: true }));
    decided = true;
    await publishStaged(db, batchId);
    await db.updateTable('batches').set({ status: batchMachine.targetOf('publish') }).where('id', '=', batchId).where('status', 'in', batchMachine.sourcesOf('publish')).execute();
    return result;
  } catch (e) {
    // before the point of no return nothing may stay; past it, a retry finishes the publishing
    if (!decided) await discardStaged(db, batchId).catch(() => undefined);
    throw e;
  }
}

async function* countRows<T>(rows: AsyncIterable<T>, tick: () => void): AsyncGenerator<T> {
  for await (const r of rows) {
    tick();
    yield r;
  }
}

/**
 * Inserts a chunk; rows whose fingerprint already exists are skipped by ON CONFLICT and then looked up,
 * so each rejection can say whether it repeats an earlier line of this file or a code already stocked.
 */
async function insertChunk(tx: Tx, batchId: string, productId: string, chunk: Pending[], rejected: Rejections, status: 'available' | 'staged'): Promise<number> {
  const res = await sql<{ fingerprint: Uint8Array }>`
    INSERT INTO codes (batch_id, product_id, ciphertext, fingerprint, hint, source_line, expires_at, status)
    SELECT ${batchId}, ${productId}, t.c, t.f, t.h, t.l, t.e, ${status}
      FROM unnest(${chunk.map((r) => r.ciphertext)}::bytea[], ${chunk.map((r) => r.fingerprint)}::bytea[],
                  ${chunk.map((r) => r.hint)}::text[], ${chunk.map((r) => r.line)}::int[],
                  ${chunk.map((r) => r.expiresAt)}::timestamptz[]) AS t(c, f, h, l, e)
    ON CONFLICT (fingerprint) DO NOTHING
    RETURNING fingerprint`.execute(tx);
  if (res.rows.length === chunk.length) return chunk.length;
  const inserted = new Set(res.rows.map((r) => Buffer.from(r.fingerprint).toString('hex')));
  const clashes = chunk.filter((r) => !inserted.has(r.fingerprint.toString('hex')));
  const existing = await sql<{ fingerprint: Uint8Array; batch_id: string; source_line: number; status: string }>`
    SELECT fingerprint, batch_id, source_line, status FROM codes
     WHERE fingerprint = ANY(${clashes.map((r) => r.fingerprint)}::bytea[])`.execute(tx);
  const byFp = new Map(existing.rows.map((e) => [Buffer.from(e.fingerprint).toString('hex'), e]));
  for (const r of clashes) {
    const e = byFp.get(r.fingerprint.toString('hex'));
    if (!e) rejected.add(r.line, 'duplicate code');
    else if (e.batch_id === batchId) rejected.add(r.line, `duplicate of line ${e.source_line}`);
    else if (e.status === 'available' || e.status === 'reserved') rejected.add(r.line, `already in stock (batch ${e.batch_id}, line ${e.source_line})`);
    else rejected.add(r.line, `already imported (batch ${e.batch_id}, line ${e.source_line}, now ${e.status})`);
  }
  return res.rows.length;
}

export function resultOfBatch(b: {
  id: string;
  product_id: string;
  total_rows: number;
  imported_count: number;
  rejected_count: number;
  report: Record<string, unknown>;
  source_sha256: string | null;
}): ImportResult {
  return {
    batch_id: b.id,
    product_id: b.product_id,
    total_rows: b.total_rows,
    imported: b.imported_count,
    rejected_count: b.rejected_count,
    rejected: (b.report.rejected as Rejection[] | undefined) ?? [],
    source_sha256: b.source_sha256 ?? '',
  };
}
