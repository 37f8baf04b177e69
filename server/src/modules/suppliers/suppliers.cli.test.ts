import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { runHarnessCli } from '../../testutil/harness-cli.ts';
import { EXIT } from '../../platform/cli/output.ts';
import { supplierConnection } from './index.ts';

// `quanyi suppliers …` and `quanyi products create|update --suppliers …`, run in-process: the real command
// tree composed from the module list, on the harness database (a child process per command costs seconds).
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  h.ctx.config.publicUrl = 'https://quanyi.example.com';
});
afterAll(() => h?.close());

const quanyi = (...args: string[]) => runHarnessCli(h, ...args);

describe('quanyi suppliers / products --suppliers', () => {
  it('creates a supplier and prints its callback_url, never the secret', async () => {
    const r = await quanyi('suppliers', 'create', '--name', 'fulu-main', '--adapter', 'fulu', '--endpoint', 'https://openapi.fulu.example/api/getway', '--app-key', 'KEY123456', '--app-secret', 'S3CRET-xyz', '--json');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ id: expect.stringMatching(/^sup_/), name: 'fulu-main', adapter: 'fulu', status: 'active' });
    expect(r.json.callback_url).toBe(`https://quanyi.example.com/v1/callbacks/suppliers/${r.json.id}`);
    expect(r.stdout).not.toContain('S3CRET-xyz');
    const again = await quanyi('suppliers', 'create', '--name', 'backup', '--adapter', 'fulu', '--endpoint', 'http://127.0.0.1:9100', '--app-key', 'k', '--app-secret', 's');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/callback_url: https:\/\/quanyi\.example\.com\/v1\/callbacks\/suppliers\/sup_/);

    const list = await quanyi('suppliers', 'list', '--json');
    expect(list.code).toBe(0);
    expect(list.json.map((s: { name: string }) => s.name).sort()).toEqual(['backup', 'fulu-main']);
    const text = await quanyi('suppliers', 'list');
    expect(text.stdout).toMatch(/fulu-main .* circuit closed/);

    process.env.QUANYI_SUPPLIER_APP_SECRET = 'FROM-ENV-secret';
    try {
      const upd = await quanyi('suppliers', 'update', 'backup', '--endpoint', 'http://127.0.0.1:9200', '--app-secret-from-env', '--low-balance-threshold', '5000', '--json');
      expect(upd.code).toBe(0);
      expect(upd.json).toMatchObject({ name: 'backup', endpoint: 'http://127.0.0.1:9200', low_balance_threshold: 5000 });
      expect(upd.stdout).not.toContain('FROM-ENV-secret');
      expect((await supplierConnection(h.ctx, upd.json.id)).creds.appSecret).toBe('FROM-ENV-secret');
    } finally {
      delete process.env.QUANYI_SUPPLIER_APP_SECRET;
    }
    const none = await quanyi('suppliers', 'update', 'backup', '--low-balance-threshold', 'none', '--status', 'disabled', '--json');
    expect(none.json).toMatchObject({ low_balance_threshold: null, status: 'disabled' });
    const missing = await quanyi('suppliers', 'update', 'ghost', '--status', 'disabled', '--json');
    expect([missing.code, missing.json.error]).toEqual([EXIT.notFound, 'supplier_not_found']);
  });

  it('refuses bad suppliers with stable exit codes', async () => {
    const unknown = await quanyi('suppliers', 'create', '--name', 'x', '--adapter', 'lanse', '--endpoint', 'https://x.example', '--app-key', 'k', '--app-secret', 's', '--json');
    expect([unknown.code, unknown.json.error]).toEqual([EXIT.invalid, 'unknown_adapter']);
    const badUrl = await quanyi('suppliers', 'create', '--name', 'x', '--adapter', 'fulu', '--endpoint', 'gopher://x', '--app-key', 'k', '--app-secret', 's', '--json');
    expect([badUrl.code, badUrl.json.error, badUrl.json.errors[0].field]).toEqual([EXIT.invalid, 'validation_failed', 'endpoint']);
    const taken = await quanyi('suppliers', 'create', '--name', 'fulu-main', '--adapter', 'fulu', '--endpoint', 'https://x.example', '--app-key', 'k', '--app-secret', 's', '--json');
    expect([taken.code, taken.json.error]).toEqual([EXIT.conflict, 'supplier_name_taken']);
    const noSecret = await quanyi('suppliers', 'create', '--name', 'y', '--adapter', 'fulu', '--endpoint', 'https://x.example', '--app-key', 'k', '--json');
    expect([noSecret.code, noSecret.json.error]).toEqual([EXIT.invalid, 'validation_failed']);
  });

  it('creates and updates a direct-recharge product with its supplier list', async () => {
    const created = await quanyi(
      'products', 'create', '--sku', 'TX-VIP-1M', '--name', '腾讯视频VIP月卡 直充', '--platform', 'tencent_video', '--kind', 'direct_recharge',
      '--period', 'month:1', '--price', '2000', '--suppliers', 'fulu-main:10001:1450, backup:TX-1M:1500', '--json',
    );
    expect(created.code, created.stdout).toBe(0);
    expect(created.json).toMatchObject({ sku: 'TX-VIP-1M', kind: 'direct_recharge' });
    expect(created.json.suppliers.map((s: any) => [s.position, s.supplier_name, s.supplier_product_id, s.unit_cost])).toEqual([
      [1, 'fulu-main', '10001', 1450],
      [2, 'backup', 'TX-1M', 1500],
    ]);

    const updated = await quanyi('products', 'update', 'TX-VIP-1M', '--price', '1900', '--suppliers', 'backup:TX-1M:1480', '--json');
    expect(updated.code).toBe(0);
    expect(updated.json.price).toBe(1900);
    expect(updated.json.suppliers.map((s: any) => [s.position, s.supplier_name, s.unit_cost])).toEqual([[1, 'backup', 1480]]);
    const plain = await quanyi('products', 'update', 'TX-VIP-1M', '--status', 'inactive', '--json');
    expect(plain.json).toMatchObject({ status: 'inactive', price: 1900 });
    expect(plain.json.suppliers).toBeUndefined(); // untouched …
    const route = await h.ctx.db.selectFrom('product_suppliers').select('supplier_id').where('product_id', '=', created.json.id).execute();
    expect(route).toHaveLength(1); // … and still there
    const cleared = await quanyi('products', 'update', 'TX-VIP-1M', '--suppliers', '', '--json');
    expect(cleared.json.suppliers).toEqual([]);
  });

  it('an unknown supplier or a malformed list leaves no product behind', async () => {
    const unknown = await quanyi('products', 'create', '--sku', 'NOPE-1', '--name', 'x', '--platform', 'iqiyi', '--kind', 'direct_recharge', '--suppliers', 'ghost:1:100', '--json');
    expect([unknown.code, unknown.json.error, unknown.json.errors[0].field]).toEqual([EXIT.invalid, 'validation_failed', 'suppliers.0.supplier_id']);
    const malformed = await quanyi('products', 'create', '--sku', 'NOPE-2', '--name', 'x', '--platform', 'iqiyi', '--suppliers', 'fulu-main:100', '--json');
    expect([malformed.code, malformed.json.error]).toEqual([EXIT.invalid, 'validation_failed']);
    const fractional = await quanyi('products', 'create', '--sku', 'NOPE-3', '--name', 'x', '--platform', 'iqiyi', '--suppliers', 'fulu-main:1:14.5', '--json');
    expect([fractional.code, fractional.json.error]).toEqual([EXIT.invalid, 'validation_failed']);
    const products = await h.ctx.db.selectFrom('products').select('sku').where('sku', 'like', 'NOPE-%').execute();
    expect(products).toEqual([]);
    const missing = await quanyi('products', 'update', 'NO-SUCH-SKU', '--suppliers', 'fulu-main:1:1', '--json');
    expect([missing.code, missing.json.error]).toEqual([EXIT.notFound, 'not_found']);
  });
});
