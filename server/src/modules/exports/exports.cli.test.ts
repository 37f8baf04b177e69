import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../platform/cli/output.ts';
import { idem } from '../../testutil/harness.ts';
import { harnessCliEnvironment } from '../../testutil/harness-cli.ts';

// `quanyi exports create`: the console's export, written straight to a file by the command; audited.
const env = harnessCliEnvironment('qy-exports-');
const { dir, quanyi } = env;

describe('quanyi exports create', () => {
  it('writes the filtered grants to a file, masked, and audits it', async () => {
    const client = await env.h.client();
    const product = await env.h.product();
    await env.h.stock(product.id, 3);
    const ids: string[] = [];
    for (const phone of ['13911112222', '13833334444', '13911112222']) {
      const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone } }, { idempotencyKey: idem() });
      ids.push(r.body.id);
    }
    const out = path.join(dir, 'grants.xlsx');
    const r = await quanyi('exports', 'create', '--kind', 'grants', '--format', 'xlsx', '--out', out, '--filter', JSON.stringify({ phone: '13911112222' }), '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.json).toMatchObject({ kind: 'grants', format: 'xlsx', rows: 2, file: out });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const rows = (wb.worksheets[0].getSheetValues().filter(Boolean) as unknown[][]).map((row) => row.slice(1));
    const header = rows[0] as string[];
    expect(rows.slice(1).map((row) => [row[header.indexOf('id')], row[header.indexOf('phone')]])).toEqual([
      [ids[2], '139****2222'],
      [ids[0], '139****2222'],
    ]);
    expect(fs.readFileSync(out).includes(Buffer.from('13911112222'))).toBe(false);
    const audit = await env.h.ctx.db.selectFrom('audit_events').select(['actor', 'details']).where('action', '=', 'export.create').execute();
    expect(audit).toEqual([{ actor: 'cli', details: expect.objectContaining({ kind: 'grants', rows: 2, filter: { phone_masked: '139****2222' } }) }]);
  });

  it('refuses a bad kind, format or filter', async () => {
    const out = path.join(dir, 'x.csv');
    for (const args of [['--kind', 'codes', '--format', 'csv'], ['--kind', 'grants', '--format', 'pdf'], ['--kind', 'grants', '--format', 'csv', '--filter', '{nope'],
      ['--kind', 'grants', '--format', 'csv', '--filter', '{"created_from":"yesterday"}'],
      ['--kind', 'grants', '--format', 'csv', '--filter', '{"code":"x"}'],
      ['--kind', 'audit', '--format', 'csv', '--filter', '[]'],
    ]) {
      const r = await quanyi('exports', 'create', ...args, '--out', out, '--json');
      expect(r.code, args.join(' ')).toBe(EXIT.invalid);
    }
    expect(fs.existsSync(out)).toBe(false);
    const ok = await quanyi('exports', 'create', '--kind', 'grants', '--format', 'csv', '--out', out, '--filter', '{"created_from":"2026-01-01T00:00:00Z","status":"voided"}', '--json');
    expect(ok.code).toBe(EXIT.ok);
    expect(fs.readFileSync(out, 'utf8').split('\r\n')[0]).toBe('\uFEFFid,status,product_id,product_sku,product_name,client_id,out_order_no,external_id,phone,email,account,created_at,redeemed_at,ended_at,expires_at,failure_code');
  });
});
