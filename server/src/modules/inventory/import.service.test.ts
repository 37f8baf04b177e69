import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { openCode, unwrapBatchKey } from './code-secret.ts';
import { importCodes, type ImportOptions } from './import.service.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const text = (s: string) => Readable.from([Buffer.from(s)]);
const run = (o: Partial<ImportOptions> & Pick<ImportOptions, 'product' | 'input'>) =>
  importCodes(h.ctx, { sourceName: 'codes.csv', actor: 'usr_test', ...o });

async function counts() {
  const n = async (t: string) => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(t)}`.execute(h.ctx.db)).rows[0].n);
  return { batches: await n('batches'), codes: await n('codes'), audit: await n('audit_events') };
}

describe('importCodes', () => {
  it('imports, encrypts, and rejects duplicates in the file by line number', async () => {
    const p = await h.product();
    const r = await run({ product: p.sku, input: text('card_number,password\nA-1,P1\nA-2,P2\nA-1,P9\nA-3,P3\nA-2,P2\n'), supplier: 'acme', unitCost: 1200, chunkSize: 2 });
    expect(r.imported).toBe(3);
    expect(r.total_rows).toBe(5);
    // line 4 repeats line 2 in another chunk (caught by the unique fingerprint), line 6 repeats line 3
    expect(r.rejected).toEqual([
      { line: 4, reason: 'duplicate of line 2' },
      { line: 6, reason: 'duplicate of line 3' },
    ]);
    const batch = await h.ctx.db.selectFrom('batches').selectAll().where('id', '=', r.batch_id).executeTakeFirstOrThrow();
    expect(batch).toMatchObject({ product_id: p.id, supplier: 'acme', unit_cost: 1200, imported_count: 3, rejected_count: 2, total_rows: 5, source_name: 'codes.csv', imported_by: 'usr_test' });
    expect(batch.source_sha256).toMatch(/^[0-9a-f]{64}$/);
    const codes = await h.ctx.db.selectFrom('codes').selectAll().where('batch_id', '=', r.batch_id).orderBy('source_line').execute();
    const key = unwrapBatchKey(h.ctx.keyring, batch);
    expect(codes.map((c) => [c.source_line, c.hint, openCode(key, c.ciphertext)])).toEqual([
      [2, '****A-1', { card_number: 'A-1', password: 'P1' }],
      [3, '****A-2', { card_number: 'A-2', password: 'P2' }],
      [5, '****A-3', { card_number: 'A-3', password: 'P3' }],
    ]);
    const audit = await h.ctx.db.selectFrom('audit_events').selectAll().where('target', '=', r.batch_id).execute();
    expect(audit.map((a) => a.action)).toEqual(['batch.import']);
    expect(JSON.stringify(audit[0].details)).not.toMatch(/A-1|P1/);
  });

  it('concurrent imports of overlapping files neither deadlock nor store a code twice', async () => {
    const p = await h.product();
    const fileA = Array.from({ length: 3000 }, (_, i) => `OV-${i}`).join('\n');
    const fileB = Array.from({ length: 3000 }, (_, i) => `OV-${2999 - i + 1500}`).join('\n'); // overlaps 1500..2999, reversed
    const [a, b] = await Promise.all([
      run({ product: p.id, input: text(fileA), sourceName: 'a.txt', chunkSize: 500 }),
      run({ product: p.id, input: text(fileB), sourceName: 'b.txt', chunkSize: 500 }),
    ]);
    expect(a.imported + b.imported).toBe(4500);
    expect(a.rejected_count + b.rejected_count).toBe(1500);
    const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM codes WHERE product_id = ${p.id}`.execute(h.ctx.db);
    expect(Number(n.rows[0].n)).toBe(4500);
  });

  it('rejects codes already in stock, naming the batch, and imports the rest', async () => {
    const p = await h.product();
    const first = await run({ product: p.id, input: text('K-100\nK-200\n'), sourceName: 'a.txt' });
    const second = await run({ product: p.id, input: text('K-300\nK-200\nK-400\n'), sourceName: 'b.txt' });
    expect(second.imported).toBe(2);
    expect(second.rejected).toEqual([{ line: 2, reason: `already in stock (batch ${first.batch_id}, line 2)` }]);
  });

  it('imports an XLSX workbook and a TXT file through the same path', async () => {
    const p = await h.product({ kind: 'link' });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qy-imp-')), 'links.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['url']);
    ws.addRow(['https://v.example/r/AAA1']);
    ws.addRow(['https://v.example/r/AAA2']);
    ws.addRow(['https://v.example/r/AAA1']);
    await wb.xlsx.writeFile(file);
    const x = await run({ product: p.sku, input: fs.createReadStream(file), sourceName: file });
    expect(x).toMatchObject({ imported: 2, total_rows: 3, rejected: [{ line: 4, reason: 'duplicate of line 2' }] });
    const t = await run({ product: p.sku, input: text('https://v.example/r/AAA3\nhttps://v.example/r/AAA2\n'), sourceName: 'more.txt' });
    expect(t.rejected).toEqual([{ line: 2, reason: `already in stock (batch ${x.batch_id}, line 3)` }]);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('applies the batch expiry to rows without their own and keeps per-row expiry', async () => {
    const p = await h.product();
    const batchExpiry = new Date(Date.now() + 86_400_000);
    const r = await run({ product: p.sku, input: text('code,expires_at\nE1,\nE2,2099-01-01\n'), expiresAt: batchExpiry });
    const rows = await h.ctx.db.selectFrom('codes').select(['source_line', 'expires_at']).where('batch_id', '=', r.batch_id).orderBy('source_line').execute();
    expect(rows.map((x) => x.expires_at?.toISOString())).toEqual([batchExpiry.toISOString(), '2099-01-01T23:59:59.999Z']);
  });

  it('unknown product: 404 and nothing written', async () => {
    const before = await counts();
    await expect(run({ product: 'NO-SUCH-SKU', input: text('A,B\n') })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(await counts()).toEqual(before);
  });

  it('refuses a product that holds no codes', async () => {
    const p = await h.product({ kind: 'direct_recharge' });
    await expect(run({ product: p.sku, input: text('A,B\n') })).rejects.toMatchObject({ code: 'wrong_product_kind' });
  });

  it('is atomic: a failure after chunks were inserted leaves no batch, no codes, no audit event', async () => {
    const p = await h.product();
    const before = await counts();
    async function* failing() {
      for (let i = 0; i < 25; i++) yield Buffer.from(`ATOMIC-${i},PW${i}\n`);
      throw new Error('disk read failed');
    }
    await expect(run({ product: p.sku, input: Readable.from(failing()), chunkSize: 5 })).rejects.toThrow(/disk read failed/);
    expect(await counts()).toEqual(before);
  });

  it('an empty file is an error and writes nothing', async () => {
    const p = await h.product();
    const before = await counts();
    await expect(run({ product: p.sku, input: text('\n\n') })).rejects.toMatchObject({ code: 'empty_file' });
    expect(await counts()).toEqual(before);
  });
});
