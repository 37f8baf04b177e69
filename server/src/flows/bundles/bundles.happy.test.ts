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

const secretOf = (c: Record<string, unknown>) => ({ card_number: c.card_number, password: c.password });

describe('bundles', () => {
  it('a bundle whose third component is out of stock issues nothing and reserves nothing; stocked, it fulfils each component', async () => {
    const [a, b, c] = [await h.product({ name: '腾讯视频月卡' }), await h.product({ name: 'QQ音乐月卡', platform: 'qq_music' }), await h.product({ name: '饿了么券', platform: 'eleme' })];
    const codesA = await h.stock(a.id, 2);
    const codesB = await h.stock(b.id, 2);
    const pack = await createPack(h, { kind: 'bundle', components: [a.sku, b.sku, c.id] });
    expect(pack.components).toHaveLength(3);

    const before = await snapshot(h, [a.id, b.id, c.id]);
    const refused = await issue(client, pack.product.sku);
    expect([refused.status, refused.body.code, refused.body.component]).toEqual([409, 'out_of_stock', c.id]);
    expect(refused.body.detail).toContain(c.sku);
    expect(await snapshot(h, [a.id, b.id, c.id])).toEqual(before);

    const codesC = await h.stock(c.id, 1);
    const issued = await issue(client, pack.product.sku, { external_id: 'u-1', phone: '13800138000' });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ status: 'issued', product: { kind: 'bundle' }, recipient: { phone: '138****8000' } });
    expect(issued.body.components.map((x: { product: { id: string }; status: string }) => [x.product.id, x.status])).toEqual([[a.id, 'issued'], [b.id, 'issued'], [c.id, 'issued']]);
    const got = await client.request('GET', `/v1/grants/${issued.body.id}`);
    expect(got.body.components).toEqual(issued.body.components);

    const token = tokenOf(issued.body);
    const view = await redeem.view(h, token);
    expect(view.body.components).toHaveLength(3);
    const revealed = await redeem.reveal(h, token);
    expect(revealed.status).toBe(200);
    expect(revealed.body.components.map(secretOf)).toEqual([codesA[0], codesB[0], codesC[0]]);
    const again = await redeem.reveal(h, token);
    expect(again.body.components.map(secretOf)).toEqual([codesA[0], codesB[0], codesC[0]]);
    const after = await client.request('GET', `/v1/grants/${issued.body.id}`);
    expect(after.body.status).toBe('redeemed');
    expect(after.body.components.map((x: { status: string }) => x.status)).toEqual(['redeemed', 'redeemed', 'redeemed']);
    // each component is a grant of its own product: its code delivered, its own counters
    const delivered = await h.ctx.db.selectFrom('codes').select(['product_id', 'status']).where('product_id', 'in', [a.id, b.id, c.id]).where('status', '=', 'delivered').execute();
    expect(delivered).toHaveLength(3);
  });

  it('a choice pack reserves nothing at issue, shows availability, refuses a pick that ran out and accepts another', async () => {
    const ps = [await h.product({ name: '爱奇艺月卡' }), await h.product({ name: '优酷月卡', platform: 'youku' }), await h.product({ name: '芒果TV月卡', platform: 'mango_tv' })];
    const [iq, yk, mg] = ps;
    const codesIq = await h.stock(iq.id, 1);
    const codesYk = await h.stock(yk.id, 1);
    const pack = await createPack(h, { kind: 'choice_pack', pick_count: 2, components: ps.map((p) => p.sku) });
    expect(pack.pick_count).toBe(2);
    const ids = ps.map((p) => p.id);

    const before = await snapshot(h, ids);
    const issued = await issue(client, pack.product.id);
    expect(issued.status).toBe(201);
    expect(issued.body.components).toEqual([]);
    const afterIssue = await snapshot(h, ids);
    expect(afterIssue.codes).toEqual(before.codes);

    const token = tokenOf(issued.body);
    const view = await redeem.view(h, token);
    expect(view.body).toMatchObject({ status: 'issued', pick_count: 2, picked: false });
    expect(view.body.options.map((o: { product: { id: string }; available: boolean }) => [o.product.id, o.available])).toEqual([[iq.id, true], [yk.id, true], [mg.id, false]]);

    const early = await redeem.reveal(h, token);
    expect([early.status, early.body.code]).toEqual([409, 'choice_not_picked']);

    const beforePick = await snapshot(h, ids);
    const refused = await redeem.pick(h, token, { products: [iq.id, mg.sku] });
    expect([refused.status, refused.body.code]).toEqual([409, 'choice_unavailable']);
    expect(refused.body.unavailable.map((p: { id: string }) => p.id)).toEqual([mg.id]);
    expect(await snapshot(h, ids)).toEqual(beforePick);

    const ok = await redeem.pick(h, token, { products: [yk.sku, iq.id] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ picked: true });
    expect(ok.body.components.map((c: { product: { id: string } }) => c.product.id).sort()).toEqual([iq.id, yk.id].sort());

    const twice = await redeem.pick(h, token, { products: [iq.id, yk.id] });
    expect([twice.status, twice.body.code]).toEqual([409, 'choice_already_picked']);

    const revealed = await redeem.reveal(h, token);
    expect(revealed.status).toBe(200);
    const secrets = revealed.body.components.map(secretOf);
    expect(secrets).toHaveLength(2);
    expect(secrets).toEqual(expect.arrayContaining([codesIq[0], codesYk[0]]));
    const g = await client.request('GET', `/v1/grants/${issued.body.id}`);
    expect(g.body.status).toBe('redeemed');
    expect(g.body.components).toHaveLength(2);
  });

  it('voiding a bundle voids its components and returns their codes to stock', async () => {
    const [a, b] = [await h.product(), await h.product()];
    await h.stock(a.id, 1);
    await h.stock(b.id, 1);
    const pack = await createPack(h, { kind: 'bundle', components: [a.sku, b.sku] });
    const before = await snapshot(h, [a.id, b.id]);
    const issued = await issue(client, pack.product.sku);
    expect((await snapshot(h, [a.id, b.id])).codes.map((c) => c.status)).toEqual(['reserved', 'reserved']);
    const voided = await client.request('POST', `/v1/grants/${issued.body.id}/void`, { reason: 'order refunded' }, { idempotencyKey: crypto.randomUUID() });
    expect(voided.status).toBe(200);
    expect([voided.body.status, ...voided.body.components.map((c: { status: string }) => c.status)]).toEqual(['voided', 'voided', 'voided']);
    expect((await snapshot(h, [a.id, b.id])).codes).toEqual(before.codes);
  });
});
