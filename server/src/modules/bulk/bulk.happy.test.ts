import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { createHarness, http, idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';
import { csvOf, upload, waitForRun } from './bulk-testkit.ts';

// A recipient list → a run → the job issues each good row once; bad rows and duplicates are reported per row.
let h: Harness;
let admin: AdminAgent;
let client: SignedClient;
let runner: { stop(): Promise<void> };
let sku: string;
let productId: string;

beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin('operator');
  client = await h.client(['bulk:write', 'bulk:read', 'grants:read']);
  const p = await h.product();
  sku = p.sku;
  productId = p.id;
  await h.stock(p.id, 40);
  runner = startJobRunner(h.ctx, { pollMs: 20 });
});
afterAll(async () => {
  await runner?.stop();
  await h?.close();
});

const grantsOf = (runId: string) =>
  sql<{ n: number; keys: number }>`SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM grants WHERE metadata->>'bulk_run' = ${runId}`.execute(h.ctx.db).then((r) => r.rows[0]);

describe('a console upload', () => {
  it('issues the good rows once and reports every row: rejected with a reason, duplicates, issued with grant and link', async () => {
    const csv = [
      'phone,email,external_id,product',
      '13900000001,,emp-1,', // 2 issued
      ',a.b@example.com,,', // 3 issued
      'not-a-phone,,emp-3,', // 4 rejected: invalid_phone
      '13900000004,,,NO-SUCH-SKU', // 5 rejected: product_not_found
      ',,,', // blank: skipped
      ',,,' + sku, // 7 rejected: recipient_missing
      '13900000001,,emp-1,', // 8 duplicate of row 2
      '+86 139-0000-0009,,,', // 9 issued (normalised)
      ',bad-email,,', // 10 rejected: invalid_email
    ].join('\n');
    const r = await upload(h, admin, { client: client.id, product: sku }, 'staff.csv', csv);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ id: expect.stringMatching(/^blk_/), client_id: client.id, product_id: productId, source: 'upload', source_name: 'staff.csv', notify: null });
    expect(r.body.progress).toMatchObject({ total: 8, valid: 3, rejected: 4, duplicates: 1 });
    const done = await waitForRun(admin, r.body.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ issued: 3, failed: 0, done: 3, remaining: 0 });
    expect(await grantsOf(r.body.id)).toEqual({ n: 3, keys: 3 });

    const rep = await http(h.url + `/v1/admin/bulk-issuances/${r.body.id}/report`, { method: 'GET', headers: admin.headers });
    expect(rep.status).toBe(200);
    expect(rep.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = csvOf(rep.body);
    expect(rows.map((x) => [x.row, x.status, x.error_code])).toEqual([
      ['2', 'issued', ''],
      ['3', 'issued', ''],
      ['4', 'rejected', 'invalid_phone'],
      ['5', 'rejected', 'product_not_found'],
      ['7', 'rejected', 'recipient_missing'],
      ['8', 'duplicate', 'duplicate_recipient'],
      ['9', 'issued', ''],
      ['10', 'rejected', 'invalid_email'],
    ]);
    expect(rows[0].recipient).toBe('emp-1 / 139****0001');
    expect(rows[1].recipient).toBe('a.*@example.com');
    expect(rows[0].grant_id).toMatch(/^grt_/);
    expect(rows[0].redeem_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/r\//);
    // the grant is the client's, with the recipient as the row gave it
    const g = await client.request('GET', `/v1/grants/${rows[6].grant_id}`);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ status: 'issued', recipient: { phone: '139****0009' }, metadata: { bulk_run: r.body.id, bulk_row: 9 } });
    // no plaintext phone in the rows table
    const raw = await sql<{ t: string }>`SELECT string_agg(coalesce(encode(phone_enc, 'escape'), '') || coalesce(phone_masked, ''), '|') AS t FROM bulk_rows WHERE run_id = ${r.body.id}`.execute(h.ctx.db);
    expect(raw.rows[0].t).not.toContain('13900000001');
    // audited
    const audit = await sql<{ action: string }>`SELECT action FROM audit_events WHERE target = ${r.body.id} ORDER BY seq`.execute(h.ctx.db);
    expect(audit.rows.map((a) => a.action)).toEqual(['bulk.create', 'bulk.complete', 'bulk.report']);
  });

  it('reads XLSX with Chinese headers, a product per row, and an XLSX report', async () => {
    const other = await h.product();
    await h.stock(other.id, 2);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.addRow(['手机号', '用户ID', '商品', '订单号']);
    ws.addRow(['13800000001', 'x-1', other.sku, 'ORD-X1']);
    ws.addRow(['13800000002', 'x-2', '', 'ORD-X2']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload(h, admin, { client: client.id, product: sku, notify: 'sms' }, 'list.xlsx', file);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ notify: 'sms', progress: { total: 2, valid: 2 } });
    expect((await waitForRun(admin, r.body.id)).progress).toMatchObject({ issued: 2 });
    const res = await fetch(h.url + `/v1/admin/bulk-issuances/${r.body.id}/report?format=xlsx`, { headers: admin.headers });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = book.worksheets[0];
    expect(sheet.getRow(1).values).toEqual([undefined, 'row', 'recipient', 'product_id', 'status', 'grant_id', 'redeem_url', 'error_code', 'error']);
    expect(sheet.getRow(2).getCell(2).value).toBe('x-1 / 138****0001');
    expect(sheet.getRow(2).getCell(3).value).toBe(other.id);
    expect(sheet.getRow(3).getCell(3).value).toBe(productId);
    const g = await client.request('GET', '/v1/grants?out_order_no=ORD-X1');
    expect(g.body.data[0]).toMatchObject({ product: { id: other.id }, out_order_no: 'ORD-X1' });
    // notify: sms — each issued row's recipient gets the grant.issued message by SMS and in the in-app inbox,
    // once per row and channel (the phone only masked at rest)
    const issued = await sql<{ grant_id: string }>`SELECT id AS grant_id FROM grants WHERE metadata->>'bulk_run' = ${r.body.id}`.execute(h.ctx.db);
    const messages = await h.ctx.db.selectFrom('notify_messages').select(['grant_id', 'channel', 'event', 'recipient_masked', 'dedupe_key']).where('grant_id', 'in', issued.rows.map((x) => x.grant_id)).execute();
    expect(messages.map((m) => `${m.channel}:${m.event}:${m.recipient_masked}`).sort()).toEqual([
      'inapp:grant.issued:138****0001', 'inapp:grant.issued:138****0002', 'sms:grant.issued:138****0001', 'sms:grant.issued:138****0002',
    ]);
    expect(new Set(messages.map((m) => m.dedupe_key)).size).toBe(4);
  });
});

describe('the signed client API', () => {
  it('POST /v1/bulk-issuances makes a run (a replay answers the same run), GET follows it, the report lists its rows', async () => {
    const key = idem();
    const body = { product: sku, rows: [{ external_id: 'api-1' }, { phone: '13700000001' }, { external_id: 'api-1' }] };
    const r = await client.request('POST', '/v1/bulk-issuances', body, { idempotencyKey: key });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ source: 'api', progress: { total: 3, valid: 2, duplicates: 1 } });
    const again = await client.request('POST', '/v1/bulk-issuances', body, { idempotencyKey: key });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(r.body.id);
    await waitForRun(admin, r.body.id);
    const got = await client.request('GET', `/v1/bulk-issuances/${r.body.id}`);
    expect(got.body).toMatchObject({ status: 'completed', progress: { issued: 2, duplicates: 1 } });
    const rep = await client.request('GET', `/v1/bulk-issuances/${r.body.id}/report`);
    expect(csvOf(rep.body).map((x) => x.status)).toEqual(['issued', 'issued', 'duplicate']);
    // another client does not see it
    const stranger = await h.client(['bulk:read']);
    expect((await stranger.request('GET', `/v1/bulk-issuances/${r.body.id}`)).status).toBe(404);
  });

  it('rows the stock cannot cover fail with out_of_stock; stock drops by exactly the rows issued', async () => {
    const p = await h.product();
    await h.stock(p.id, 3);
    const r = await client.request('POST', '/v1/bulk-issuances', { product: p.sku, rows: Array.from({ length: 5 }, (_, i) => ({ external_id: 'oos-' + i })) }, { idempotencyKey: idem() });
    const done = await waitForRun(admin, r.body.id);
    expect(done.progress).toMatchObject({ issued: 3, failed: 2 });
    const rep = csvOf((await client.request('GET', `/v1/bulk-issuances/${r.body.id}/report`)).body);
    expect(rep.filter((x) => x.status === 'failed').map((x) => x.error_code)).toEqual(['out_of_stock', 'out_of_stock']);
    expect(await codeCounts(h.ctx.db, p.id)).toEqual({ reserved: 3 });
  });
});
