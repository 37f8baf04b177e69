import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { createPack, issue, redeem, snapshot, tokenOf } from './bundles.testkit.ts';

let h: Harness;
let client: SignedClient;
beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
});
afterAll(() => h?.close());

async function productCount() {
  return (await h.ctx.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
}

describe('bundles: bad input changes nothing', () => {
  it('refuses unknown and repeated components, nesting, and a pick count that does not fit', async () => {
    const admin = await h.admin('operator');
    const [a, b] = [await h.product(), await h.product()];
    const nested = await createPack(h, { kind: 'bundle', components: [a.sku, b.sku] });
    const before = await productCount();
    const base = { sku: 'BAD-PACK', name: 'x', platform: 'mixed' };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ kind: 'bundle', components: [a.sku, 'NO-SUCH-SKU'] }, 'bundle_component_invalid', 'components[1]'],
      [{ kind: 'bundle', components: [a.sku, nested.product.sku] }, 'bundle_component_invalid', 'components[1]'],
      [{ kind: 'bundle', components: [a.sku, a.id] }, 'bundle_component_invalid', 'components[1]'],
      [{ kind: 'choice_pack', pick_count: 3, components: [a.sku, b.sku] }, 'pick_count_invalid', 'pick_count'],
      [{ kind: 'choice_pack', components: [a.sku, b.sku] }, 'pick_count_invalid', 'pick_count'],
      [{ kind: 'bundle', pick_count: 1, components: [a.sku, b.sku] }, 'pick_count_invalid', 'pick_count'],
    ];
    for (const [body, code, field] of cases) {
      const r = await admin.request('POST', '/v1/admin/bundles', { ...base, ...body });
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([400, code]);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const schema = await admin.request('POST', '/v1/admin/bundles', { ...base, kind: 'bundle', components: [a.sku] });
    expect([schema.status, schema.body.code]).toEqual([400, 'validation_failed']);
    // a plain product cannot be made a bundle through the product API, and has no components to set
    const plain = await admin.request('POST', '/v1/admin/products', { ...base, kind: 'bundle' });
    expect(plain.status).toBe(400);
    const put = await admin.request('PUT', `/v1/admin/products/${a.id}/components`, { components: [b.sku, nested.product.sku] });
    expect([put.status, put.body.code]).toEqual([400, 'wrong_product_kind']);
    expect(await productCount()).toBe(before);
    const spec = await admin.request('GET', `/v1/admin/products/${nested.product.id}/components`);
    expect(spec.body.components).toHaveLength(2);
    const audit = await h.ctx.db.selectFrom('audit_events').select('action').where('target', '=', nested.product.id).orderBy('seq').execute();
    expect(audit.map((x) => x.action)).toEqual(['product.create', 'bundle.components.set']);
  });

  it('a bundle with a direct recharge needs an account; picks must be k options of the pack, once', async () => {
    const [a, b, c] = [await h.product(), await h.product(), await h.product()];
    await h.stock(a.id, 1);
    await h.stock(b.id, 1);
    const other = await h.product();
    const pack = await createPack(h, { kind: 'choice_pack', pick_count: 2, components: [a.sku, b.sku, c.sku] });
    const g = await issue(client, pack.product.sku);
    const token = tokenOf(g.body);
    const ids = [a.id, b.id, c.id];
    const before = await snapshot(h, ids);
    const bad: Array<[unknown, number, string]> = [
      [{ products: [a.id] }, 400, 'choice_pick_invalid'],
      [{ products: [a.id, b.id, c.id] }, 400, 'choice_pick_invalid'],
      [{ products: [a.id, a.sku] }, 400, 'choice_pick_invalid'],
      [{ products: [a.id, other.id] }, 400, 'choice_pick_invalid'],
      [{ products: [] }, 400, 'validation_failed'],
      [{ products: [a.id, b.id], extra: 1 }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of bad) {
      const r = await redeem.pick(h, token, body);
      expect([r.status, r.body.code], JSON.stringify(body)).toEqual([status, code]);
    }
    expect(await snapshot(h, ids)).toEqual(before);
    expect((await redeem.pick(h, token, { products: [a.id, b.id] })).status).toBe(200);
    const after = await snapshot(h, ids);
    const again = await redeem.pick(h, token, { products: [a.id, b.id] });
    expect([again.status, again.body.code]).toEqual([409, 'choice_already_picked']);
    expect(await snapshot(h, ids)).toEqual(after);

    // not a choice pack, an unknown token
    const single = await h.product();
    await h.stock(single.id, 1);
    const plain = await issue(client, single.sku);
    const notPack = await redeem.pick(h, tokenOf(plain.body), { products: [a.id, b.id] });
    expect([notPack.status, notPack.body.code]).toEqual([409, 'not_a_choice_pack']);
    const unknown = await redeem.pick(h, 'x'.repeat(43), { products: [a.id, b.id] });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'redeem_token_not_found']);

    // a bundle with a direct-recharge component and no account: 400, nothing issued
    const recharge = await h.product({ kind: 'direct_recharge' });
    const withRecharge = await createPack(h, { kind: 'bundle', components: [a.sku, recharge.sku] });
    const s0 = await snapshot(h, [a.id]);
    const noAccount = await issue(client, withRecharge.product.sku);
    expect([noAccount.status, noAccount.body.code]).toEqual([400, 'validation_failed']);
    expect(noAccount.body.errors[0].field).toBe('recipient.account');
    expect(await snapshot(h, [a.id])).toEqual(s0);
  });
});
