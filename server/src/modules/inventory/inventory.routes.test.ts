import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { expireCodes } from './index.ts';
import { createHarness, http, type AdminAgent, type Harness } from '../../testutil/harness.ts';

let h: Harness;
let admin: AdminAgent;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-inv-'));
beforeAll(async () => {
  h = await createHarness({ QUANYI_DATA_DIR: dataDir });
  admin = await h.admin('operator');
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function upload(agent: AdminAgent, fields: Record<string, string>, file?: { name: string; body: string }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (file) form.append('file', new Blob([file.body]), file.name);
  return http(h.url + '/v1/admin/imports', { method: 'POST', headers: agent.headers, body: form });
}

async function waitForJob(id: string) {
  // generous: a loaded 2-core CI machine may be slow, and a finished job returns at once
  for (let i = 0; i < 600; i++) {
    const r = await admin.request('GET', `/v1/admin/jobs/${id}`);
    if (['succeeded', 'failed', 'dead'].includes(r.body.status)) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('job did not finish');
}

describe('admin import via multipart', () => {
  it('stores the upload encrypted, then a job imports it with progress and deletes the upload', async () => {
    const p = await h.product({ safety_stock: 5 });
    const body = 'card_number,password\nUPL-0001,SECRETPW-1\nUPL-0002,SECRETPW-2\nUPL-0001,SECRETPW-1\nUPL-0003,\n';
    const res = await upload(admin, { product: p.sku, supplier: 'acme', unit_cost: '990' }, { name: 'codes.csv', body });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ job_id: expect.stringMatching(/^job_/), status: 'queued', batch_id: expect.stringMatching(/^bat_/) });

    // waiting for its job: on disk, but not readable
    const files = fs.readdirSync(path.join(dataDir, 'uploads'));
    expect(files).toHaveLength(1);
    const stored = fs.readFileSync(path.join(dataDir, 'uploads', files[0]));
    expect(stored.includes(Buffer.from('UPL-0001'))).toBe(false);
    expect(stored.includes(Buffer.from('SECRETPW'))).toBe(false);

    const runner = startJobRunner(h.ctx, { pollMs: 20 });
    try {
      const job = await waitForJob(res.body.job_id);
      expect(job).toMatchObject({ status: 'succeeded', kind: 'inventory.import', attempts: 1, progress_total: Buffer.byteLength(body), progress_done: Buffer.byteLength(body) });
      expect(job.result).toMatchObject({
        batch_id: res.body.batch_id,
        imported: 2,
        rejected: [
          { line: 4, reason: 'duplicate of line 2' },
          { line: 5, reason: 'empty password' },
        ],
      });
    } finally {
      await runner.stop();
    }
    expect(fs.readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);

    const stock = await admin.request('GET', `/v1/admin/stock?product=${p.sku}`);
    expect(stock.status).toBe(200);
    expect(stock.body.data).toEqual([
      expect.objectContaining({ product_id: p.id, available: 2, reserved: 0, delivered: 0, expired: 0, voided: 0, total: 2, safety_stock: 5, below_safety_stock: true }),
    ]);
    const batch = await admin.request('GET', `/v1/admin/batches/${res.body.batch_id}`);
    expect(batch.body).toMatchObject({ supplier: 'acme', unit_cost: 990, imported_count: 2, rejected_count: 2, imported_by: admin.id, source_name: 'codes.csv' });
    expect(batch.body.report.rejected).toHaveLength(2);
  });

  it('refuses bad fields and unknown products before queueing anything', async () => {
    const p = await h.product();
    const noFile = await upload(admin, { product: p.sku });
    expect(noFile.status).toBe(400);
    expect(noFile.body.errors).toEqual([{ field: 'file', message: 'is required' }]);
    const bad = await upload(admin, { product: p.sku, unit_cost: '-1', expires_at: 'later' }, { name: 'a.csv', body: 'A,B\n' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['expires_at', 'unit_cost']);
    const missing = await upload(admin, { product: 'NOPE' }, { name: 'a.csv', body: 'A,B\n' });
    expect(missing.status).toBe(404);
    const format = await upload(admin, { product: p.sku }, { name: 'a.pdf', body: 'A,B\n' });
    expect(format.body.code).toBe('unsupported_format');
    expect(fs.readdirSync(path.join(dataDir, 'uploads'))).toEqual([]);
    const jobs = await h.ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'inventory.import').execute();
    expect(jobs).toHaveLength(1); // only the one from the previous test
  });

  it('a role without imports:write gets 403; no session gets 401', async () => {
    const p = await h.product();
    const finance = await h.admin('finance');
    const res = await upload(finance, { product: p.sku }, { name: 'a.csv', body: 'A,B\n' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    const anon = await http(h.url + '/v1/admin/stock', { method: 'GET' });
    expect(anon.status).toBe(401);
    expect((await finance.request('POST', '/v1/admin/batches/bat_x/void')).status).toBe(403);
    expect((await finance.request('GET', '/v1/admin/jobs/job_x')).status).toBe(403);
  });
});

describe('batches', () => {
  it('voids a batch: available codes become voided, reserved ones stay, audited; twice is 409', async () => {
    const p = await h.product();
    await h.stock(p.id, 6);
    const [{ id: batchId }] = await h.ctx.db.selectFrom('batches').select('id').where('product_id', '=', p.id).execute();
    const two = await h.ctx.db.selectFrom('codes').select('id').where('batch_id', '=', batchId).limit(2).execute();
    await h.ctx.db.updateTable('codes').set({ status: 'reserved' }).where('id', 'in', two.map((c) => c.id)).execute();

    const res = await admin.request('POST', `/v1/admin/batches/${batchId}/void`, { reason: 'supplier recalled' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ voided: 4, batch: { id: batchId, status: 'voided', voided_count: 4 } });
    const stock = await admin.request('GET', `/v1/admin/stock?product=${p.id}`);
    expect(stock.body.data[0]).toMatchObject({ available: 0, reserved: 2, voided: 4 });
    const events = await h.ctx.db.selectFrom('audit_events').selectAll().where('target', '=', batchId).execute();
    expect(events.map((e) => [e.action, e.actor, e.details])).toEqual([['batch.void', admin.id, { product_id: p.id, voided: 4, reason: 'supplier recalled' }]]);

    const again = await admin.request('POST', `/v1/admin/batches/${batchId}/void`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('batch_already_voided');
    expect((await admin.request('POST', '/v1/admin/batches/bat_nope/void')).status).toBe(404);
  });

  it('lists batches newest first with cursor pagination and a product filter', async () => {
    const p = await h.product();
    for (let i = 0; i < 3; i++) await h.stock(p.id, 1);
    const page1 = await admin.request('GET', `/v1/admin/batches?product=${p.sku}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.next_cursor).toBe(page1.body.data[1].id);
    const page2 = await admin.request('GET', `/v1/admin/batches?product=${p.sku}&limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.next_cursor).toBeNull();
    const ids = [...page1.body.data, ...page2.body.data].map((b: { id: string }) => b.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(JSON.stringify(page1.body)).not.toMatch(/dek_wrapped/);
    expect((await admin.request('GET', '/v1/admin/batches/bat_nope')).status).toBe(404);
  });
});

describe('expiry', () => {
  it('counts codes past expiry as expired, and expireCodes marks them in bounded sweeps', async () => {
    const p = await h.product();
    await h.stock(p.id, 3, { expiresAt: new Date(Date.now() - 1000) });
    await h.stock(p.id, 2);
    const before = await admin.request('GET', `/v1/admin/stock?product=${p.id}`);
    expect(before.body.data[0]).toMatchObject({ available: 2, expired: 3, total: 5 });
    expect(await expireCodes(h.ctx.db, { limit: 2 })).toBe(2);
    expect(await expireCodes(h.ctx.db)).toBe(1);
    expect(await expireCodes(h.ctx.db)).toBe(0);
    const rows = await h.ctx.db.selectFrom('codes').select('status').where('product_id', '=', p.id).execute();
    expect(rows.filter((r) => r.status === 'expired')).toHaveLength(3);
    const after = await admin.request('GET', `/v1/admin/stock?product=${p.id}`);
    expect(after.body.data[0]).toMatchObject({ available: 2, expired: 3, total: 5 });
  });
});
