import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';

let h: Harness;
let admin: AdminAgent;
beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin();
});
afterAll(() => h?.close());

const good = { name: 'ok', adapter: 'fulu', endpoint: 'https://gw.example.com/api', app_key: 'key', app_secret: 'secret' };

/** rows of both tables and the audit length: a rejected request changes none of them */
async function snapshot() {
  const db = h.ctx.db;
  return {
    suppliers: await db.selectFrom('suppliers').selectAll().orderBy('id').execute(),
    links: await db.selectFrom('product_suppliers').selectAll().orderBy('product_id').orderBy('position').execute(),
    audit: (await db.selectFrom('audit_events').select('seq').execute()).length,
  };
}

describe('suppliers: bad input is a clear 4xx and changes nothing', () => {
  it('refuses bad suppliers', async () => {
    const first = await admin.request('POST', '/v1/admin/suppliers', { ...good, name: 'taken' });
    expect(first.status).toBe(201);
    const before = await snapshot();
    const cases: Array<[Record<string, unknown>, number, string, string?]> = [
      [{ ...good, adapter: 'lanse' }, 400, 'unknown_adapter'],
      [{ ...good, endpoint: 'ftp://gw.example.com' }, 400, 'validation_failed', 'endpoint'],
      [{ ...good, endpoint: 'not a url' }, 400, 'validation_failed', 'endpoint'],
      [{ ...good, endpoint: 'https://user:pw@gw.example.com/' }, 400, 'validation_failed', 'endpoint'],
      [{ ...good, name: '' }, 400, 'validation_failed', 'name'],
      [{ ...good, name: 'a\u0000b' }, 400, 'validation_failed', 'name'],
      [{ ...good, name: 'sup_fake' }, 400, 'validation_failed', 'name'],
      [{ ...good, name: 'a,b' }, 400, 'validation_failed', 'name'],
      [{ ...good, app_secret: undefined }, 400, 'validation_failed', 'app_secret'],
      [{ ...good, low_balance_threshold: -1 }, 400, 'validation_failed', 'low_balance_threshold'],
      [{ ...good, low_balance_threshold: 1.5 }, 400, 'validation_failed', 'low_balance_threshold'],
      [{ ...good, extra: 1 }, 400, 'validation_failed'],
      [{ ...good, name: 'taken' }, 409, 'supplier_name_taken'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await admin.request('POST', '/v1/admin/suppliers', body);
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code]);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      if (field) expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bad updates and unknown suppliers', async () => {
    const a = (await admin.request('POST', '/v1/admin/suppliers', { ...good, name: 'upd-a' })).body;
    await admin.request('POST', '/v1/admin/suppliers', { ...good, name: 'upd-b' });
    const before = await snapshot();
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [a.id, { endpoint: 'javascript:alert(1)' }, 400, 'validation_failed'],
      [a.id, { status: 'deleted' }, 400, 'validation_failed'],
      [a.id, { adapter: 'fulu' }, 400, 'validation_failed'],
      [a.id, {}, 400, 'validation_failed'],
      [a.id, { name: 'upd-b' }, 409, 'supplier_name_taken'],
      [a.id, { name: 'sup_other' }, 400, 'validation_failed'],
      ['sup_missing', { status: 'disabled' }, 404, 'supplier_not_found'],
    ];
    for (const [id, body, status, code] of cases) {
      const r = await admin.request('PATCH', `/v1/admin/suppliers/${id}`, body);
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect((await admin.request('GET', '/v1/admin/suppliers/sup_missing')).status).toBe(404);
    expect((await admin.request('POST', '/v1/admin/suppliers/sup_missing/balance/refresh')).body.code).toBe('supplier_not_found');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bad product supplier lists and leaves the current list as it was', async () => {
    const s = (await admin.request('POST', '/v1/admin/suppliers', { ...good, name: 'list-s' })).body;
    const product = await h.product({ kind: 'direct_recharge' });
    const ok = await admin.request('PUT', `/v1/admin/products/${product.id}/suppliers`, { suppliers: [{ supplier_id: s.id, supplier_product_id: 'P1', unit_cost: 100 }] });
    expect(ok.status).toBe(200);
    const before = await snapshot();
    const entry = { supplier_id: s.id, supplier_product_id: 'P1', unit_cost: 100 };
    const cases: Array<[string, unknown, number, string, string?]> = [
      ['prd_missing', { suppliers: [entry] }, 404, 'product_not_found'],
      [product.id, { suppliers: [{ ...entry, supplier_id: 'sup_missing' }] }, 400, 'validation_failed', 'suppliers.0.supplier_id'],
      [product.id, { suppliers: [entry, { ...entry, supplier_id: 'list-s' }] }, 400, 'validation_failed', 'suppliers.1.supplier_id'],
      [product.id, { suppliers: [{ ...entry, unit_cost: -5 }] }, 400, 'validation_failed'],
      [product.id, { suppliers: [{ ...entry, supplier_product_id: 'has space' }] }, 400, 'validation_failed'],
      [product.id, { suppliers: [{ ...entry, supplier_product_id: '' }] }, 400, 'validation_failed'],
      [product.id, { suppliers: Array.from({ length: 21 }, () => entry) }, 400, 'validation_failed'],
      [product.id, { list: [] }, 400, 'validation_failed'],
    ];
    for (const [id, body, status, code, field] of cases) {
      const r = await admin.request('PUT', `/v1/admin/products/${id}/suppliers`, body);
      expect([r.status, r.body.code], JSON.stringify(body).slice(0, 200)).toEqual([status, code]);
      if (field) expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect((await admin.request('GET', '/v1/admin/products/prd_missing/suppliers')).body.code).toBe('product_not_found');
    expect(await snapshot()).toEqual(before);
  });
});
