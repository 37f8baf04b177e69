import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { codeCounts } from '../../testutil/stock.ts';
import { expireGrants } from '../../flows/expire-grants.ts';

let h: Harness;
let client: SignedClient;

beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
});
afterAll(() => h?.close());

const tokenOf = (redeemUrl: string) => redeemUrl.split('/r/')[1];

describe('issuing and redeeming a grant', () => {
  it('issues a grant without the code, and the recipient reveals it once and again', async () => {
    const product = await h.product({ validity_days: 30, renewal: true });
    const stocked = await h.stock(product.id, 3);
    const body = { product: product.sku, recipient: { external_id: 'u-1', phone: '13812345678' }, out_order_no: 'ORD-1', metadata: { campaign: 'spring' } };
    const res = await client.request('POST', '/v1/grants', body, { idempotencyKey: idem() });
    expect(res.status).toBe(201);
    const g = res.body;
    expect(g.id).toMatch(/^grt_/);
    expect(g.status).toBe('issued');
    expect(g.product).toMatchObject({ id: product.id, sku: product.sku, period: { unit: 'month', count: 1 }, renewal: true });
    expect(g.recipient).toEqual({ external_id: 'u-1', phone: '138****5678', email: null });
    expect(g.out_order_no).toBe('ORD-1');
    expect(g.redeem_url).toMatch(new RegExp(`^${h.url}/r/[A-Za-z0-9_-]{43}$`));
    const days = (new Date(g.expires_at).getTime() - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    const text = JSON.stringify(g);
    for (const s of stocked) {
      expect(text).not.toContain((s as { card_number: string }).card_number);
      expect(text).not.toContain((s as { password: string }).password);
    }
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 2, reserved: 1 });

    const token = tokenOf(g.redeem_url);
    const view = await http(`${h.url}/v1/redeem/${token}`, {});
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ status: 'issued', product: { name: product.name, platform: 'iqiyi', renewal: true }, code_hint: null });

    const first = await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' });
    expect(first.status).toBe(200);
    // the code as stocked, plus its own expiry at the platform (none was given at import)
    const { code_expires_at: codeExpiry, ...secret } = first.body;
    expect(codeExpiry).toBeNull();
    expect(stocked).toContainEqual(secret);
    const again = await http(`${h.url}/v1/redeem/${token}/reveal`, { method: 'POST' });
    expect(again.body).toEqual(first.body);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 2, delivered: 1 });

    const after = await client.request('GET', `/v1/grants/${g.id}`);
    expect(after.body.status).toBe('redeemed');
    expect(after.body.redeemed_at).not.toBeNull();
    const reveals = await h.ctx.db.selectFrom('audit_events').select(['action', 'details']).where('target', '=', g.id).execute();
    expect(reveals.map((r) => [r.action, (r.details as { reveal_count: number }).reveal_count])).toEqual([
      ['grant.reveal', 1],
      ['grant.reveal', 2],
    ]);
    // phone is stored encrypted; only the mask and a keyed fingerprint are readable
    const raw = await sql<{ t: string }>`SELECT grants::text AS t FROM grants WHERE id = ${g.id}`.execute(h.ctx.db);
    expect(raw.rows[0].t).not.toContain('13812345678');
    // nor can it be recovered from the stored request fingerprint: that hash is keyed
    expect(raw.rows[0].t).not.toContain(createHash('sha256').update(JSON.stringify(body)).digest('hex'));
  });

  it('lists a client\'s grants newest first with filters and cursor pagination', async () => {
    const product = await h.product();
    await h.stock(product.id, 5);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.request('POST', '/v1/grants', { product: product.id, recipient: { email: `u${i}@example.com` }, out_order_no: `LIST-${i}` }, { idempotencyKey: idem() });
      ids.push(r.body.id);
    }
    const page1 = await client.request('GET', `/v1/grants?product=${product.sku}&limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((g: { id: string }) => g.id)).toEqual([ids[4], ids[3]]);
    const page2 = await client.request('GET', `/v1/grants?product=${product.sku}&limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.data.map((g: { id: string }) => g.id)).toEqual([ids[2], ids[1]]);
    const page3 = await client.request('GET', `/v1/grants?product=${product.sku}&limit=2&cursor=${page2.body.next_cursor}`);
    expect(page3.body.data.map((g: { id: string }) => g.id)).toEqual([ids[0]]);
    expect(page3.body.next_cursor).toBeNull();
    const byOrder = await client.request('GET', '/v1/grants?out_order_no=LIST-3');
    expect(byOrder.body.data.map((g: { id: string }) => g.id)).toEqual([ids[3]]);
    const other = await h.client();
    expect((await other.request('GET', '/v1/grants?out_order_no=LIST-3')).body.data).toEqual([]);
    expect((await other.request('GET', `/v1/grants/${ids[3]}`)).status).toBe(404);
  });

  it('voiding an unredeemed grant returns its code to stock, is audited, and is idempotent', async () => {
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'v' } }, { idempotencyKey: idem() })).body;
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ reserved: 1 });
    const v = await client.request('POST', `/v1/grants/${g.id}/void`, { reason: 'customer refund' });
    expect(v.status).toBe(200);
    expect(v.body.status).toBe('voided');
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 1 });
    expect((await client.request('POST', `/v1/grants/${g.id}/void`)).body.status).toBe('voided');
    const events = await h.ctx.db.selectFrom('audit_events').select(['action', 'actor']).where('target', '=', g.id).execute();
    expect(events).toEqual([{ action: 'grant.void', actor: client.id }]);
    // the voided link no longer reveals anything
    const reveal = await http(`${h.url}/v1/redeem/${tokenOf(g.redeem_url)}/reveal`, { method: 'POST' });
    expect(reveal.status).toBe(410);
    expect(reveal.body.code).toBe('grant_voided');
    const view = await http(`${h.url}/v1/redeem/${tokenOf(g.redeem_url)}`, {});
    expect([view.status, view.body.code]).toEqual([410, 'grant_voided']);
    // the code is issuable again
    const again = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'w' } }, { idempotencyKey: idem() });
    expect(again.status).toBe(201);
  });

  it('a code whose batch was voided while it was out does not come back to stock', async () => {
    const product = await h.product();
    await h.stock(product.id, 3);
    const g1 = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'b1' } }, { idempotencyKey: idem() })).body;
    const g2 = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'b2' } }, { idempotencyKey: idem() })).body;
    const batch = await h.ctx.db.selectFrom('batches').select('id').where('product_id', '=', product.id).executeTakeFirstOrThrow();
    const admin = await h.admin('operator');
    const voided = await admin.request('POST', `/v1/admin/batches/${batch.id}/void`, {});
    expect(voided.status).toBe(200);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ voided: 1, reserved: 2 });
    // the issued grants still work or end; their codes never return to stock
    await client.request('POST', `/v1/grants/${g1.id}/void`, {});
    await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = ${g2.id}`.execute(h.ctx.db);
    expect(await expireGrants(h.ctx.db)).toBe(1);
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ voided: 3 });
    const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'b3' } }, { idempotencyKey: idem() });
    expect(r.body.code).toBe('out_of_stock');
  });

  it('a redeemed grant cannot be voided', async () => {
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'r' } }, { idempotencyKey: idem() })).body;
    await http(`${h.url}/v1/redeem/${tokenOf(g.redeem_url)}/reveal`, { method: 'POST' });
    const v = await client.request('POST', `/v1/grants/${g.id}/void`);
    expect(v.status).toBe(409);
    expect(v.body.code).toBe('grant_redeemed');
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ delivered: 1 });
  });

  it('expiry returns unredeemed codes to stock, and expired codes stay out of it', async () => {
    const product = await h.product();
    await h.stock(product.id, 2);
    const later = new Date(Date.now() + 3600_000).toISOString();
    const g1 = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'e1' }, expires_at: later }, { idempotencyKey: idem() })).body;
    expect(g1.expires_at).toBe(later);
    const g2 = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'e2' } }, { idempotencyKey: idem() })).body;
    expect(g2.status).toBe('issued');
    // a grant whose code itself has expired: the code goes to expired, not back to stock
    const other = await h.product();
    await h.stock(other.id, 1, { expiresAt: new Date(Date.now() + 3600_000) });
    const g3 = (await client.request('POST', '/v1/grants', { product: other.sku, recipient: { external_id: 'e3' } }, { idempotencyKey: idem() })).body;
    expect(g3.status).toBe('issued');
    // time passes (moved in the database rather than waited for)
    await sql`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id IN (${g1.id}, ${g3.id})`.execute(h.ctx.db);
    await sql`UPDATE codes SET expires_at = now() - interval '1 second' WHERE product_id = ${other.id}`.execute(h.ctx.db);
    const expiredLink = await http(`${h.url}/v1/redeem/${tokenOf(g1.redeem_url)}/reveal`, { method: 'POST' });
    expect(expiredLink.status).toBe(410);
    expect(expiredLink.body.code).toBe('grant_expired');
    const expiredView = await http(`${h.url}/v1/redeem/${tokenOf(g1.redeem_url)}`, {});
    expect([expiredView.status, expiredView.body.code]).toEqual([410, 'grant_expired']);
    expect(await expireGrants(h.ctx.db)).toBe(2);
    expect((await client.request('GET', `/v1/grants/${g1.id}`)).body.status).toBe('expired');
    expect((await client.request('GET', `/v1/grants/${g2.id}`)).body.status).toBe('issued');
    expect(await codeCounts(h.ctx.db, product.id)).toEqual({ available: 1, reserved: 1 });
    expect(await codeCounts(h.ctx.db, other.id)).toEqual({ expired: 1 });
    expect(await expireGrants(h.ctx.db)).toBe(0);
  });
});
