import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';

let h: Harness;
let client: SignedClient;

beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
});
afterAll(() => h?.close());

const grantCount = async () => Number((await h.ctx.db.selectFrom('grants').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('retries and bad requests', () => {
  it('replays the same grant for the same Idempotency-Key and body, refuses another body', async () => {
    const product = await h.product();
    await h.stock(product.id, 3);
    const key = idem();
    const body = { product: product.sku, recipient: { external_id: 'same' } };
    const first = await client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    const replay = await client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const other = await client.request('POST', '/v1/grants', { ...body, recipient: { external_id: 'other' } }, { idempotencyKey: key });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'idempotency_key_reused', status: 409, existing_grant_id: first.body.id });
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 2, reserved: 1 });
    // keys are per client: another client may use the same key
    const second = await h.client();
    expect((await second.request('POST', '/v1/grants', body, { idempotencyKey: key })).body.id).not.toBe(first.body.id);
  });

  it('concurrent retries with one Idempotency-Key issue exactly one grant', async () => {
    const product = await h.product();
    await h.stock(product.id, 10);
    const key = idem();
    const body = { product: product.sku, recipient: { external_id: 'racer' } };
    const all = await Promise.all(Array.from({ length: 10 }, () => client.request('POST', '/v1/grants', body, { idempotencyKey: key })));
    expect(all.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 9, reserved: 1 });
  });

  it('a replay returns the first result whatever the stock or product is now (the last code, 50 parallel retries)', async () => {
    const product = await h.product();
    await h.stock(product.id, 1);
    const key = idem();
    const body = { product: product.sku, recipient: { external_id: 'last-one' } };
    const all = await Promise.all(Array.from({ length: 50 }, () => client.request('POST', '/v1/grants', body, { idempotencyKey: key })));
    expect(all.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
    expect(all.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(49);
    // stock is gone now: a later replay still answers the first result …
    const later = await client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    expect([later.status, later.body.id]).toEqual([201, all[0].body.id]);
    // … another body under the same key is refused as such, not as out_of_stock …
    const other = await client.request('POST', '/v1/grants', { ...body, recipient: { external_id: 'someone-else' } }, { idempotencyKey: key });
    expect([other.status, other.body.code]).toEqual([409, 'idempotency_key_reused']);
    // … and a deactivated product does not change the answer either
    const admin = await h.admin();
    expect((await admin.request('PATCH', `/v1/admin/products/${product.id}`, { status: 'inactive' })).status).toBe(200);
    const afterDeactivation = await client.request('POST', '/v1/grants', body, { idempotencyKey: key });
    expect([afterDeactivation.status, afterDeactivation.body.id]).toEqual([201, all[0].body.id]);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ reserved: 1 });
  });

  it('refuses a reused out_order_no for a different request, naming the existing grant', async () => {
    const product = await h.product();
    await h.stock(product.id, 3);
    const a = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'a' }, out_order_no: 'DUP-1' }, { idempotencyKey: idem() });
    const b = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'b' }, out_order_no: 'DUP-1' }, { idempotencyKey: idem() });
    expect(b.status).toBe(409);
    expect(b.body).toMatchObject({ code: 'duplicate_out_order_no', existing_grant_id: a.body.id });
    expect(b.body.detail).toContain(a.body.id);
    // the same request under a new key is a replay of the business key, not a second grant
    const c = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'a' }, out_order_no: 'DUP-1' }, { idempotencyKey: idem() });
    expect(c.status).toBe(201);
    expect(c.body.id).toBe(a.body.id);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 2, reserved: 1 });
  });

  it('out of stock is 409 and writes nothing', async () => {
    const product = await h.product();
    const before = await grantCount();
    const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'out_of_stock', title: 'Conflict' });
    expect(r.body.request_id).toMatch(/^req_/);
    expect(await grantCount()).toBe(before);
  });

  it('rejects bad input with field errors and writes nothing', async () => {
    const product = await h.product();
    await h.stock(product.id, 1);
    const before = await grantCount();
    const cases: Array<[unknown, string, string]> = [
      [{ recipient: { external_id: 'x' } }, 'validation_failed', 'product'],
      [{ product: product.sku }, 'validation_failed', 'recipient'],
      [{ product: product.sku, recipient: {} }, 'validation_failed', 'recipient'],
      [{ product: product.sku, recipient: { phone: '12ab' } }, 'validation_failed', 'recipient.phone'],
      [{ product: product.sku, recipient: { email: 'nope' } }, 'validation_failed', 'recipient.email'],
      [{ product: product.sku, recipient: { external_id: 'x' }, surprise: 1 }, 'validation_failed', 'surprise'],
      [{ product: product.sku, recipient: { external_id: 'x' }, expires_at: '2001-01-01T00:00:00Z' }, 'validation_failed', 'expires_at'],
      [{ product: product.sku, recipient: { external_id: 'x' }, expires_at: 'tomorrow' }, 'validation_failed', 'expires_at'],
    ];
    for (const [body, code, field] of cases) {
      const r = await client.request('POST', '/v1/grants', body, { idempotencyKey: idem() });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe(code);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const noKey = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'x' } });
    expect(noKey.status).toBe(400);
    expect(noKey.body.code).toBe('idempotency_key_required');
    const badJson = await client.request('POST', '/v1/grants', undefined, { raw: '{"product":', idempotencyKey: idem() });
    expect(badJson.status).toBe(400);
    expect(badJson.body.code).toBe('invalid_json');
    const unknown = await client.request('POST', '/v1/grants', { product: 'NO-SUCH-SKU', recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('product_not_found');
    expect(await grantCount()).toBe(before);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 1 });
  });

  it('an inactive product issues nothing', async () => {
    const product = await h.product({ status: 'inactive' });
    await h.stock(product.id, 1);
    const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('product_inactive');
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 1 });
  });

  it('unknown routes and unknown grants are problem+json 404s', async () => {
    const r = await client.request('GET', '/v1/grants/grt_nope');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('not_found');
    const route = await fetch(h.url + '/v1/nothing-here');
    expect(route.status).toBe(404);
    expect(((await route.json()) as { code: string }).code).toBe('not_found');
  });
});
