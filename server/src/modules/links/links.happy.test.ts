import ExcelJS from 'exceljs';
import jsQRModule from 'jsqr';
import { sql } from 'kysely';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { isCheckAgain, type JobRun } from '../../platform/jobs/jobs.ts';
import { createHarness, http, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { runIssueJob } from './links.service.ts';
import { unzipEntries } from './links.testkit.ts';

// Link batches end to end: N grants issued by the job (exactly N, also after a restart that lost its
// bookkeeping), exported as CSV / XLSX with N working links and as a ZIP of N decodable QR PNGs.
// jsqr is CommonJS with a `default` export: Node's ESM import hands over module.exports, vitest the default
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule.default }).default ?? jsQRModule) as typeof jsQRModule.default;

let h: Harness;
let admin: AdminAgent;
let client: SignedClient;
let runner: { stop(): Promise<void> };
beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin();
  client = await h.client();
  runner = startJobRunner(h.ctx, { pollMs: 20 });
});
afterAll(async () => {
  await runner?.stop();
  await h?.close();
});

async function untilDone(id: string) {
  for (let i = 0; i < 400; i++) {
    const b = await admin.request('GET', `/v1/admin/link-batches/${id}`);
    if (b.body.status !== 'issuing') return b.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('batch still issuing');
}
const download = async (id: string, format: string) => {
  const res = await fetch(`${h.url}/v1/admin/link-batches/${id}/export?format=${format}`, { headers: admin.headers });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
};
const grantsOf = async (batchId: string) =>
  Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM grants WHERE metadata->>'link_batch' = ${batchId}`.execute(h.ctx.db)).rows[0].n);

describe('link batches', () => {
  const N = 23;
  let batch: { id: string };

  it('issues exactly N card-code grants without recipients, with progress', async () => {
    const product = await h.product();
    await h.stock(product.id, N + 2);
    const r = await admin.request('POST', '/v1/admin/link-batches', { client: client.id, product: product.sku, count: N, label: 'flyer 2026' });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'issuing', count: N, label: 'flyer 2026' });
    const done = await untilDone(r.body.id);
    expect(done).toMatchObject({ status: 'ready', issued: N, error: null });
    expect(await grantsOf(r.body.id)).toBe(N);
    batch = r.body;
    const list = await admin.request('GET', '/v1/admin/link-batches?limit=5');
    expect(list.body.data.map((b: { id: string }) => b.id)).toContain(batch.id);
  });

  it('a restart that lost the bookkeeping issues nothing twice (each grant is keyed by batch and index)', async () => {
    await sql`DELETE FROM link_batch_items WHERE batch_id = ${batch.id} AND idx >= 10`.execute(h.ctx.db);
    await sql`UPDATE link_batches SET status = 'issuing', issued = 10, finished_at = NULL WHERE id = ${batch.id}`.execute(h.ctx.db);
    const run = { ctx: h.ctx, payload: { batch_id: batch.id }, progress: () => {}, attempt: 1, lastAttempt: false } as unknown as JobRun;
    while (isCheckAgain(await runIssueJob(run)));
    expect((await admin.request('GET', `/v1/admin/link-batches/${batch.id}`)).body).toMatchObject({ status: 'ready', issued: N });
    expect(await grantsOf(batch.id)).toBe(N);
  });

  it('exports CSV and XLSX with N working links', async () => {
    const csv = await download(batch.id, 'csv');
    expect([csv.status, csv.type]).toEqual([200, 'text/csv; charset=utf-8']);
    const lines = csv.body.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('index,grant_id,redeem_url,expires_at');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r[2])).size).toBe(N);
    const token = rows[7][2].split('/r/')[1];
    const opened = await http(`${h.url}/v1/redeem/${token}`, { method: 'GET' });
    expect([opened.status, opened.body.status]).toEqual([200, 'issued']);

    const xlsx = await download(batch.id, 'xlsx');
    expect(xlsx.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).toBe(N + 1);
    expect(ws.getRow(9).getCell(3).value).toBe(rows[7][2]);
  });

  it('exports a ZIP of N QR PNGs named by index, each decoding to its link', async () => {
    const csvRows = (await download(batch.id, 'csv')).body.toString('utf8').trim().split('\r\n').slice(1).map((l) => l.split(','));
    const zip = await download(batch.id, 'zip');
    expect([zip.status, zip.type]).toEqual([200, 'application/zip']);
    const entries = unzipEntries(zip.body);
    expect(entries.map((e) => e.name)).toEqual(Array.from({ length: N }, (_, i) => String(i + 1).padStart(2, '0') + '.png'));
    for (const i of [0, 12, N - 1]) {
      const png = PNG.sync.read(entries[i].data);
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      expect(decoded?.data).toBe(csvRows[i][2]);
    }
  });

  it('refuses bad input with a clear 400 and creates nothing; stops with the reason when stock runs out', async () => {
    const product = await h.product();
    for (const body of [
      { client: client.id, product: product.sku, count: 0, label: 'x' },
      { client: client.id, product: product.sku, count: 5, label: 'x', expires_at: '2001-01-01T00:00:00Z' },
      { client: client.id, product: product.sku, count: 5 },
    ]) {
      const r = await admin.request('POST', '/v1/admin/link-batches', body);
      expect([r.status, r.body.code]).toEqual([400, 'validation_failed']);
    }
    const none = await admin.request('POST', '/v1/admin/link-batches', { client: 'cli_nope', product: product.sku, count: 5, label: 'x' });
    expect(none.status).toBe(404);
    await h.stock(product.id, 3);
    const short = await admin.request('POST', '/v1/admin/link-batches', { client: client.id, product: product.sku, count: 5, label: 'short' });
    const done = await untilDone(short.body.id);
    expect(done).toMatchObject({ status: 'failed', issued: 3 });
    expect(done.error).toMatch(/^out_of_stock/);
  });
});
