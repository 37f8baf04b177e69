import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptCli } from '../../testutil/cli.ts';
import { chinaDay, fuluAdapter, startSandboxSupplier, type SandboxSupplier } from '../../modules/suppliers/index.ts';

// `quanyi procurement …`, `quanyi bills import|fetch` and `quanyi reconcile` end to end through the real commander
// program (in-process, testutil/cli.ts), against the sandbox supplier over real HTTP (embedded database, or a fresh
// PostgreSQL database when TEST_DATABASE_URL is set).
const { dir, quanyi } = scriptCli('qy-proc-cli-');
let sandbox: SandboxSupplier;
const creds = { appKey: 'cli-key', appSecret: 'cli-secret-0123456789' };

beforeAll(async () => {
  sandbox = await startSandboxSupplier({ ...creds, knobs: { processingMs: 20 } });
  const s = await quanyi('suppliers', 'create', '--name', 'cli-sandbox', '--adapter', 'fulu', '--endpoint', sandbox.url, '--app-key', creds.appKey, '--app-secret', creds.appSecret, '--json');
  expect(s.code, s.stderr + s.stdout).toBe(0);
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
});

describe('quanyi procurement', () => {
  it('set and buy by hand: --json prints the setting and the opened purchase order', async () => {
    const p = await quanyi('products', 'create', '--sku', 'CARD-CLI', '--name', 'Youku VIP', '--platform', 'youku', '--safety-stock', '2', '--suppliers', 'cli-sandbox:2001:900', '--json');
    expect(p.code, p.stderr + p.stdout).toBe(0);
    const set = await quanyi('procurement', 'set', '--product', 'CARD-CLI', '--reorder-quantity', '3', '--json');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ sku: 'CARD-CLI', reorder_quantity: 3, enabled: true });
    const bad = await quanyi('procurement', 'set', '--product', 'CARD-CLI', '--reorder-quantity', 'many', '--json');
    expect(bad.code).toBe(3);
    const buy = await quanyi('procurement', 'buy', '--product', 'CARD-CLI', '--json');
    expect(buy.code, buy.stderr).toBe(0);
    expect(JSON.parse(buy.stdout)).toMatchObject({ created: true, purchase: { state: 'created', quantity: 3, unit_cost_fen: 900 } });
  }, 120_000);
});

describe('quanyi bills / reconcile', () => {
  it('fetch, import (the day taken from the bill), reconcile --json; a bad file exits 3 naming the line', async () => {
    const c = { endpoint: sandbox.url, ...creds };
    expect((await fuluAdapter.submitRecharge(c, { productId: '1001', customerOrderNo: 'NOT-OURS-1', account: '13900000001', buyNum: 1 })).kind).toBe('accepted');
    while (sandbox.order('NOT-OURS-1')!.state !== 'success') await new Promise((r) => setTimeout(r, 20));
    const day = chinaDay();

    const fetched = await quanyi('bills', 'fetch', '--supplier', 'cli-sandbox', '--day', day, '--json');
    expect(fetched.code, fetched.stderr + fetched.stdout).toBe(0);
    expect(JSON.parse(fetched.stdout)).toMatchObject({ supplier_name: 'cli-sandbox', day, source: 'fetch', lines: 1, replaced: false });

    const file = path.join(dir, 'bill.csv');
    fs.writeFileSync(file, await (await fetch(`${sandbox.url}/bills/${day}.csv`)).text());
    const imported = await quanyi('bills', 'import', '--supplier', 'cli-sandbox', '--file', file, '--json');
    expect(imported.code, imported.stderr + imported.stdout).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ day, source: 'upload', lines: 1, replaced: true });

    const rec = await quanyi('reconcile', '--supplier', 'cli-sandbox', '--day', day, '--json');
    expect(rec.code, rec.stderr).toBe(0);
    const report = JSON.parse(rec.stdout);
    expect(report.totals.only_theirs).toEqual({ count: 1, their_fen: 1000, our_fen: 0 });
    expect(report.lines).toEqual([expect.objectContaining({ category: 'only_theirs', customer_order_no: 'NOT-OURS-1' })]);
    const text = await quanyi('reconcile', '--supplier', 'cli-sandbox', '--day', day);
    expect(text.stdout).toMatch(/only_theirs\s+1\s+theirs\s+10\.00/);

    fs.writeFileSync(file, 'order_id,customer_order_no,product_id,charge_account,buy_num,order_price,order_state,finish_time\nSB1,X,1001,,1,ten,success,\n');
    const badFile = await quanyi('bills', 'import', '--supplier', 'cli-sandbox', '--file', file, '--day', day, '--json');
    expect(badFile.code).toBe(3);
    expect(JSON.parse(badFile.stdout)).toMatchObject({ error: 'invalid_file', detail: expect.stringMatching(/line 2: order_price/) });
    const still = await quanyi('reconcile', '--supplier', 'cli-sandbox', '--day', day, '--json');
    expect(JSON.parse(still.stdout).bill.source).toBe('upload');
  }, 180_000);
});
