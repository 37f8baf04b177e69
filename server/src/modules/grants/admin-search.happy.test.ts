import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';

// GET /v1/admin/grants: each filter alone and combined, newest first, cursor pages.
let h: Harness;
let admin: AdminAgent;
let c1: SignedClient;
let c2: SignedClient;
const ids: Record<string, any> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const search = async (q: string) => {
  const r = await admin.request('GET', `/v1/admin/grants?${q}`);
  expect(r.status, q).toBe(200);
  return r.body.data.map((g: { id: string }) => g.id);
};

beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin('finance');
  [c1, c2] = [await h.client(), await h.client()];
  const p1 = await h.product();
  const p2 = await h.product();
  await h.stock(p1.id, 3);
  await h.stock(p2.id, 2);
  const issue = async (name: string, c: SignedClient, sku: string, recipient: Record<string, string>, out?: string) => {
    const r = await c.request('POST', '/v1/grants', { product: sku, recipient, ...(out ? { out_order_no: out } : {}) }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
    ids[name] = r.body;
    await sleep(25);
  };
  await issue('a', c1, p1.sku, { external_id: 'emp-1', phone: '13900000001' }, 'ORD-1');
  await issue('b', c1, p2.sku, { external_id: 'emp-2' }, 'ORD-2');
  await issue('c', c2, p1.sku, { external_id: 'emp-1' }, 'ORD-1');
  await issue('d', c2, p2.sku, { phone: '+86 139 0000 0001' });
  await issue('e', c1, p1.sku, { email: 'x@example.com' });
  expect((await admin.request('POST', `/v1/admin/grants/${ids.e.id}/void`, {})).status).toBe(403); // finance may not void
  const op = await h.admin('operator');
  expect((await op.request('POST', `/v1/admin/grants/${ids.e.id}/void`, { reason: 'test' })).status).toBe(200);
  ids.p1 = p1;
  ids.p2 = p2;
});
afterAll(() => h?.close());

const $ = (...names: string[]) => names.map((n) => ids[n].id);

describe('admin grant search', () => {
  it('newest first, in cursor pages', async () => {
    expect(await search('')).toEqual($('e', 'd', 'c', 'b', 'a'));
    const p1 = await admin.request('GET', '/v1/admin/grants?limit=2');
    expect(p1.body.data.map((g: any) => g.id)).toEqual($('e', 'd'));
    const p2 = await admin.request('GET', `/v1/admin/grants?limit=2&cursor=${p1.body.next_cursor}`);
    expect(p2.body.data.map((g: any) => g.id)).toEqual($('c', 'b'));
    const p3 = await admin.request('GET', `/v1/admin/grants?limit=2&cursor=${p2.body.next_cursor}`);
    expect(p3.body).toMatchObject({ data: [expect.objectContaining({ id: ids.a.id })], next_cursor: null });
  });

  it('each filter', async () => {
    expect(await search(`client=${c1.id}`)).toEqual($('e', 'b', 'a'));
    expect(await search(`client=${c2.id}`)).toEqual($('d', 'c'));
    expect(await search('out_order_no=ORD-1')).toEqual($('c', 'a'));
    expect(await search('status=voided')).toEqual($('e'));
    expect(await search(`product=${ids.p2.sku}`)).toEqual($('d', 'b'));
    expect(await search(`product=${ids.p2.id}`)).toEqual($('d', 'b'));
    expect(await search('product=no-such-sku')).toEqual([]);
    expect(await search('external_id=emp-1')).toEqual($('c', 'a'));
    expect(await search(`phone=${encodeURIComponent('139 0000 0001')}`)).toEqual($('d', 'a'));
    expect(await search(`created_from=${encodeURIComponent(ids.b.created_at)}`)).toEqual($('e', 'd', 'c', 'b'));
    expect(await search(`created_to=${encodeURIComponent(ids.c.created_at)}`)).toEqual($('b', 'a'));
    expect(await search(`created_from=${encodeURIComponent(ids.b.created_at)}&created_to=${encodeURIComponent(ids.d.created_at)}`)).toEqual($('c', 'b'));
  });

  it('filters combine', async () => {
    expect(await search(`client=${c1.id}&out_order_no=ORD-1`)).toEqual($('a'));
    expect(await search(`product=${ids.p1.sku}&status=issued`)).toEqual($('c', 'a'));
    expect(await search(`external_id=emp-1&created_from=${encodeURIComponent(ids.b.created_at)}`)).toEqual($('c'));
  });

  it('bad filters are a 400 that names the field', async () => {
    for (const q of ['created_from=yesterday', 'created_to=2026-13-01T00:00:00Z', 'status=lost', 'phone=abc', 'unknown=1']) {
      const r = await admin.request('GET', `/v1/admin/grants?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.code, q).toBe('validation_failed');
    }
  });
});
