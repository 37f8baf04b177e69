import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { createPack, issue, redeem, tokenOf } from './bundles.testkit.ts';

let h: Harness;
let client: SignedClient;
beforeAll(async () => {
  h = await createHarness({ QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '3', QUANYI_REDEEM_PER_IP_PER_MINUTE: '1000' });
  client = await h.client();
});
afterAll(() => h?.close());

describe('bundles: secrets', () => {
  it('codes appear only in the reveal; component grants keep the phone sealed; other clients see nothing', async () => {
    const [a, b] = [await h.product(), await h.product()];
    const secrets = [...(await h.stock(a.id, 1)), ...(await h.stock(b.id, 1))].map((s) => JSON.stringify(s));
    const pack = await createPack(h, { kind: 'choice_pack', pick_count: 2, components: [a.sku, b.sku] });
    const g = await issue(client, pack.product.sku, { phone: '13912345678' });
    const token = tokenOf(g.body);
    const picked = await redeem.pick(h, token, { products: [a.id, b.id] });
    const view = await redeem.view(h, token);
    const got = await client.request('GET', `/v1/grants/${g.body.id}`);
    for (const body of [picked.body, view.body, got.body, g.body]) {
      const text = JSON.stringify(body);
      for (const s of secrets) for (const v of Object.values(JSON.parse(s))) expect(text).not.toContain(v as string);
      expect(text).not.toContain('13912345678');
    }
    const children = await h.ctx.db.selectFrom('grants').selectAll().where('parent_grant_id', '=', g.body.id).execute();
    expect(children).toHaveLength(2);
    for (const c of children) {
      expect(c.recipient_phone_masked).toBe('139****5678');
      expect(Buffer.from(c.recipient_phone_enc!).toString('latin1')).not.toContain('13912345678');
    }
    const other = await h.client();
    expect((await other.request('GET', `/v1/grants/${g.body.id}`)).status).toBe(404);
    const revealed = await redeem.reveal(h, token);
    expect(revealed.body.components.map((c: Record<string, unknown>) => JSON.stringify({ card_number: c.card_number, password: c.password })).sort()).toEqual([...secrets].sort());
  });

  it('picks with guessed tokens count against the per-IP budget of unknown tokens', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await redeem.pick(h, `guess${i}`.padEnd(43, 'x'), { products: ['a'] })).status);
    expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });
});
