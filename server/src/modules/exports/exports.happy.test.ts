import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { createHarness, idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { pruneExports } from './exports.repo.ts';

// POST /v1/admin/exports → a job → GET …/download: the file parses back to the rows the list shows.
let h: Harness;
let finance: AdminAgent;
let client: SignedClient;
let grants: any[] = [];
let runner: { stop(): Promise<void> };

beforeAll(async () => {
  h = await createHarness();
  finance = await h.admin('finance');
  client = await h.client();
  const product = await h.product({ name: '爱奇艺 VIP, "monthly"' });
  await h.stock(product.id, 4);
  for (const [i, phone] of ['13912345678', '13987654321', '13912345678', '13700000000'].entries()) {
    const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone, external_id: i === 3 ? '=cmd()' : `u${i}` }, out_order_no: `EXP-${i}` }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
    grants.push(r.body);
  }
  grants = grants.reverse(); // newest first, as exported
  runner = startJobRunner(h.ctx, { pollMs: 20 });
});
afterAll(async () => {
  await runner?.stop();
  await h?.close();
});

async function exportAndDownload(agent: AdminAgent, body: Record<string, unknown>) {
  const created = await agent.request('POST', '/v1/admin/exports', body);
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  expect(created.body).toMatchObject({ id: expect.stringMatching(/^exp_/), kind: body.kind, format: body.format, download_url: null });
  let e = created.body;
  for (let i = 0; i < 400 && e.status !== 'succeeded' && e.status !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    e = (await agent.request('GET', `/v1/admin/exports/${e.id}`)).body;
  }
  expect(e.status).toBe('succeeded');
  const res = await fetch(h.url + e.download_url, { headers: agent.headers });
  expect(res.status).toBe(200);
  const file = Buffer.from(await res.arrayBuffer());
  expect(file.length).toBe(e.size_bytes);
  return { e, res, file };
}

function parseCsv(text: string): string[][] {
  // a small RFC 4180 reader: quoted fields with "" and commas
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += ch;
  }
  return rows;
}

const expected = () =>
  grants.map((g) => ({ id: g.id, status: 'issued', product_name: '爱奇艺 VIP, "monthly"', client_id: client.id, out_order_no: g.out_order_no, phone: g.recipient.phone }));

describe('grant exports', () => {
  it('CSV: every matching row, masked phones, audited create and download', async () => {
    const { e, res, file } = await exportAndDownload(finance, { kind: 'grants', format: 'csv', filter: { client: client.id } });
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="quanyi-grants-\d{8}-\d{6}\.csv"$/);
    const text = file.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(text.slice(1));
    expect(header).toContain('phone');
    const objects = rows.map((r) => Object.fromEntries(header.map((k, i) => [k, r[i]])));
    expect(objects.map((o) => ({ id: o.id, status: o.status, product_name: o.product_name, client_id: o.client_id, out_order_no: o.out_order_no, phone: o.phone }))).toEqual(expected());
    expect(objects.map((o) => o.phone)).toEqual(['137****0000', '139****5678', '139****4321', '139****5678']);
    // a cell that a spreadsheet would run as a formula stays text
    expect(objects[0].external_id).toBe("'=cmd()");
    for (const secret of ['13912345678', '13987654321', ...grants.map((g) => g.redeem_url.split('/r/')[1])]) expect(text).not.toContain(secret);
    expect(e).toMatchObject({ rows: 4, progress_rows: 4, filter: { client: client.id } });

    const audit = await h.ctx.db.selectFrom('audit_events').select(['actor', 'action', 'details']).where('target', '=', e.id).orderBy('seq').execute();
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['export.create', finance.id],
      ['export.complete', 'system'],
      ['export.download', finance.id],
    ]);
    expect(audit[0].details).toEqual({ kind: 'grants', format: 'csv', filter: { client: client.id } });
    expect(audit[2].details).toMatchObject({ kind: 'grants', rows: 4, filter: { client: client.id } });
  });

  it('XLSX parses back (exceljs) to the same rows; the phone filter applies and is stored masked', async () => {
    const { e, res, file } = await exportAndDownload(finance, { kind: 'grants', format: 'xlsx', filter: { phone: '+86 139 1234 5678' } });
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as never);
    const ws = wb.worksheets[0];
    const values = ws.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    const [header, ...rows] = values as unknown[][];
    const objects = rows.map((r) => Object.fromEntries((header as string[]).map((k, i) => [k, r[i] ?? null])));
    const want = expected().filter((g) => g.phone === '139****5678');
    expect(want).toHaveLength(2);
    expect(objects.map((o) => ({ id: o.id, status: o.status, product_name: o.product_name, client_id: o.client_id, out_order_no: o.out_order_no, phone: o.phone }))).toEqual(want);
    expect(e.filter).toEqual({ phone_masked: '139****5678' });
    const stored = await h.ctx.db.selectFrom('audit_events').select('details').where('target', '=', e.id).where('action', '=', 'export.create').executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.details)).not.toContain('12345678');
    const job = await h.ctx.db.selectFrom('jobs').select(['payload', 'kind']).where('id', '=', e.job_id).executeTakeFirstOrThrow();
    expect(job.kind).toBe('exports.build');
    expect(JSON.stringify(job.payload)).not.toContain('12345678');
  });

  it('other filters apply; an empty result is a header-only file', async () => {
    const one = await exportAndDownload(finance, { kind: 'grants', format: 'csv', filter: { out_order_no: 'EXP-2', created_from: grants[3].created_at } });
    expect(parseCsv(one.file.toString('utf8').slice(1)).slice(1).map((r) => r[0])).toEqual([grants[1].id]);
    const none = await exportAndDownload(finance, { kind: 'grants', format: 'csv', filter: { status: 'voided' } });
    expect(none.e.rows).toBe(0);
    expect(parseCsv(none.file.toString('utf8').slice(1))).toHaveLength(1);
  });

  it('recharge orders and audit events export too', async () => {
    const r = await exportAndDownload(finance, { kind: 'recharges', format: 'csv' });
    expect(parseCsv(r.file.toString('utf8').slice(1))[0]).toEqual(['id', 'grant_id', 'client_id', 'product_id', 'account', 'status', 'failure_code', 'failure_message', 'created_at', 'finished_at']);
    const auditor = await h.admin('auditor');
    const a = await exportAndDownload(auditor, { kind: 'audit', format: 'xlsx', filter: { action: 'export.create' } });
    expect(a.e.rows).toBeGreaterThanOrEqual(4);
  });
});

describe('export permissions and bad input', () => {
  it('support may not export or list exports; finance may not export the audit log', async () => {
    const support = await h.admin('support');
    for (const kind of ['grants', 'recharges', 'audit']) {
      const r = await support.request('POST', '/v1/admin/exports', { kind, format: 'csv' });
      expect(r.status, kind).toBe(403);
    }
    expect((await support.request('GET', '/v1/admin/exports')).status).toBe(403);
    const f = await finance.request('POST', '/v1/admin/exports', { kind: 'audit', format: 'csv' });
    expect(f.status).toBe(403);
    expect(f.body.code).toBe('forbidden');
    // finance does not see audit exports in the list, nor by id
    const list = await finance.request('GET', '/v1/admin/exports?limit=200');
    expect(list.body.data.every((e: any) => e.kind !== 'audit')).toBe(true);
    const auditExport = await h.ctx.db.selectFrom('audit_events').select('target').where('action', '=', 'export.create').where('details', '@>', JSON.stringify({ kind: 'audit' }) as never).executeTakeFirstOrThrow();
    expect((await finance.request('GET', `/v1/admin/exports/${auditExport.target}`)).status).toBe(404);
    expect((await finance.request('GET', `/v1/admin/exports/${auditExport.target}/download`)).status).toBe(404);
  });

  it('bad bodies are a 400 that creates nothing', async () => {
    const before = await h.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    for (const body of [
      { kind: 'codes', format: 'csv' },
      { kind: 'grants', format: 'pdf' },
      { kind: 'grants', format: 'csv', filter: { phone: 'abc' } },
      { kind: 'grants', format: 'csv', filter: { created_from: 'yesterday' } },
      { kind: 'grants', format: 'csv', filter: { code: 'x' } },
      { kind: 'audit', format: 'csv', filter: { status: 'issued' } },
    ]) {
      const r = await finance.request('POST', '/v1/admin/exports', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('validation_failed');
    }
    const after = await h.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  it('a download before the file is written is a 409; expired exports are pruned with their file', async () => {
    await runner.stop();
    const created = await finance.request('POST', '/v1/admin/exports', { kind: 'grants', format: 'csv' });
    const early = await finance.request('GET', `/v1/admin/exports/${created.body.id}/download`);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('export_not_ready');
    runner = startJobRunner(h.ctx, { pollMs: 20 });
    const { e } = await exportAndDownload(finance, { kind: 'grants', format: 'csv' });
    await h.ctx.db.updateTable('exports' as never).set({ expires_at: new Date(Date.now() - 1000) } as never).where('id' as never, '=', e.id).execute();
    expect(await pruneExports(h.ctx.db)).toBeGreaterThanOrEqual(1);
    expect((await finance.request('GET', `/v1/admin/exports/${e.id}`)).status).toBe(404);
    const chunks = await h.ctx.db.selectFrom('export_chunks' as never).select((eb) => eb.fn.countAll().as('n')).where('export_id' as never, '=', e.id).executeTakeFirstOrThrow();
    expect(Number((chunks as { n: unknown }).n)).toBe(0);
  });
});
