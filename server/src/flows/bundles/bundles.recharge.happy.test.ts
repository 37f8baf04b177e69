import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKit, type Kit } from '../recharge/recharge.testkit.ts';
import { createPack, issue, redeem, tokenOf } from './bundles.testkit.ts';

// A bundle of a card code and a direct recharge (with the sandbox supplier over a real socket): one grant,
// two components, each fulfilled on its own — the code waits for the recipient, the recharge goes
// pending → redeemed through the recharge flow's job and callback.
let kit: Kit;
beforeAll(async () => {
  kit = await createKit({ suppliers: [{}] });
});
afterAll(() => kit?.close());

describe('bundle with card-code and direct-recharge components', () => {
  it('issues both in one grant and fulfils each on its own', async () => {
    const { h, client } = kit;
    const card = await h.product({ name: 'QQ音乐月卡', platform: 'qq_music' });
    const codes = await h.stock(card.id, 1);
    const pack = await createPack(h, { kind: 'bundle', components: [card.sku, kit.product.sku] });

    const issued = await issue(client, pack.product.sku, { external_id: 'u-9', account: '13900001111' });
    expect(issued.status).toBe(201);
    const [cc, rc] = issued.body.components;
    expect([cc.product.id, cc.status]).toEqual([card.id, 'issued']);
    expect([rc.product.id, rc.status, rc.account]).toEqual([kit.product.id, 'pending', '139****1111']);

    // the recharge component ends through the recharge flow (sandbox callback), on its own
    const child = await kit.waitFinal(rc.grant_id);
    expect(child.status).toBe('redeemed');
    const order = await kit.admin.request('GET', `/v1/admin/grants/${rc.grant_id}`);
    expect(order.status).toBe(200);
    let parent = await client.request('GET', `/v1/grants/${issued.body.id}`);
    expect(parent.body.status).toBe('issued');
    expect(parent.body.components.map((c: { status: string }) => c.status)).toEqual(['issued', 'redeemed']);

    // the reveal shows the code and the recharge's state
    const revealed = await redeem.reveal(h, tokenOf(issued.body));
    expect(revealed.status).toBe(200);
    expect(revealed.body.components[0]).toMatchObject({ product: { id: card.id }, status: 'redeemed', ...codes[0] });
    expect(revealed.body.components[1]).toMatchObject({ product: { id: kit.product.id }, status: 'redeemed' });
    expect(revealed.body.components[1].card_number).toBeUndefined();
    parent = await client.request('GET', `/v1/grants/${issued.body.id}`);
    expect(parent.body.status).toBe('redeemed');
    expect(parent.body.components.map((c: { status: string }) => c.status)).toEqual(['redeemed', 'redeemed']);
  });

  it('a choice pack picks a direct recharge with the account given at the pick', async () => {
    const { h, client } = kit;
    const card = await h.product({ name: '网易云音乐月卡', platform: 'netease_music' });
    await h.stock(card.id, 1);
    const pack = await createPack(h, { kind: 'choice_pack', pick_count: 1, components: [card.sku, kit.product.sku] });
    const g = await issue(client, pack.product.sku, { external_id: 'u-10' });
    const token = tokenOf(g.body);
    const noAccount = await redeem.pick(h, token, { products: [kit.product.sku] });
    expect([noAccount.status, noAccount.body.code, noAccount.body.errors?.[0]?.field]).toEqual([400, 'validation_failed', 'account']);
    const picked = await redeem.pick(h, token, { products: [kit.product.sku], account: '13900002222' });
    expect(picked.status).toBe(200);
    expect(picked.body.components).toEqual([expect.objectContaining({ status: 'pending', account: '139****2222' })]);
    const child = await kit.waitFinal(picked.body.components[0].grant_id);
    expect(child.status).toBe('redeemed');
    const view = await redeem.view(h, token);
    expect(view.body.components.map((c: { status: string }) => c.status)).toEqual(['redeemed']);
  });
});
