import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { enqueueNotification, PHONE_PROOF_COOKIE, sealPhoneProof } from '../../modules/notify/index.ts';
import { startSending, waitFor } from '../../modules/notify/notify.testkit.ts';

// 我的权益: a verified phone sees its own grants (newest first, paged), with reminders for what expires or
// ends within 7 days, and its in-app messages, which it can mark read; logout forgets the phone.
let h: Harness;
let client: Awaited<ReturnType<Harness['client']>>;
let sending: { stop(): Promise<void> };
const PHONE = '13800138000';
const OTHER = '13900139000';

beforeAll(async () => {
  h = await createHarness();
  client = await h.client();
  sending = startSending(h.ctx);
});
afterAll(async () => {
  await sending?.stop();
  await h?.close();
});

const as = (phone: string) => ({ cookie: `${PHONE_PROOF_COOKIE}=${sealPhoneProof(h.ctx, phone, 'my_entitlements')}` });
const mine = (phone: string, query = '') => http(`${h.url}/v1/public/me${query}`, { headers: as(phone) });

async function issue(phone: string, opts: { expiresAt?: Date; period?: { unit: 'day' | 'month'; count: number }; name?: string } = {}) {
  const product = await h.product({ name: opts.name ?? '爱奇艺黄金VIP月卡', ...(opts.period ? { period: opts.period } : {}) });
  await h.stock(product.id, 1);
  const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone }, ...(opts.expiresAt ? { expires_at: opts.expiresAt.toISOString() } : {}) }, { idempotencyKey: idem() });
  expect(r.status).toBe(201);
  return { product, grant: r.body as { id: string; redeem_url: string } };
}

describe('GET /v1/public/me', () => {
  it('lists the phone\'s grants newest first with their links and reminders, and only its own', async () => {
    const later = await issue(PHONE, { name: '优酷VIP月卡' });
    const expiring = await issue(PHONE, { expiresAt: new Date(Date.now() + 3 * 86_400_000), name: '芒果TV月卡' });
    const ending = await issue(PHONE, { period: { unit: 'day', count: 5 }, name: '腾讯视频VIP5天卡' });
    await http(ending.grant.redeem_url.replace('/r/', '/v1/redeem/') + '/reveal', { method: 'POST' });
    await issue(OTHER, { name: '别人的权益' });

    const r = await mine(PHONE);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.body.phone_masked).toBe('138****8000');
    expect(r.body.grants.map((g: { id: string }) => g.id)).toEqual([ending.grant.id, expiring.grant.id, later.grant.id]);
    const [e, x, l] = r.body.grants;
    expect(e).toMatchObject({ status: 'redeemed', reminder: 'period_ending', redeem_url: ending.grant.redeem_url, product: { name: '腾讯视频VIP5天卡', period: { unit: 'day', count: 5 } } });
    expect(new Date(e.period_ends_at).getTime() - new Date(e.redeemed_at).getTime()).toBe(5 * 86_400_000);
    expect(x).toMatchObject({ status: 'issued', reminder: 'expiring', period_ends_at: null });
    expect(l).toMatchObject({ status: 'issued', reminder: null });
    expect(JSON.stringify(r.body)).not.toContain('别人的权益');
    expect(JSON.stringify(r.body)).not.toContain(PHONE);
    expect(r.body.next_before).toBeNull();
  });

  it('pages with before / next_before', async () => {
    const first = await mine(PHONE, '?limit=2');
    expect(first.body.grants).toHaveLength(2);
    expect(first.body.next_before).toBe(first.body.grants[1].id);
    const rest = await mine(PHONE, `?limit=2&before=${first.body.next_before}`);
    expect(rest.body.grants).toHaveLength(1);
    expect(rest.body.next_before).toBeNull();
    expect(rest.body.messages).toEqual([]); // messages come with the first page
  });

  it('shows the in-app messages (站内信) and marks them read for this phone only', async () => {
    const { product, grant } = await issue(PHONE, { name: '哔哩哔哩大会员月卡' });
    const msg = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'inapp', phone: PHONE, grantId: grant.id, productId: product.id }));
    const listed = await waitFor(async () => (await mine(PHONE)).body.messages.find((m: { id: string }) => m.id === msg.id));
    expect(listed).toMatchObject({ read: false, grant_id: grant.id });
    expect(listed.body).toContain(grant.redeem_url);
    const json = { 'content-type': 'application/json' };
    // another phone cannot mark it
    expect((await http(`${h.url}/v1/public/me/messages/read`, { method: 'POST', headers: { ...json, ...as(OTHER) }, body: JSON.stringify({ ids: [msg.id] }) })).body).toEqual({ read: 0 });
    expect((await http(`${h.url}/v1/public/me/messages/read`, { method: 'POST', headers: { ...json, ...as(PHONE) }, body: JSON.stringify({ ids: [msg.id] }) })).body).toEqual({ read: 1 });
    expect((await mine(PHONE)).body.messages.find((m: { id: string }) => m.id === msg.id).read).toBe(true);
    expect((await mine(OTHER)).body.messages).toEqual([]);
  });

  it('logout clears the proof cookie', async () => {
    const r = await http(`${h.url}/v1/public/me/logout`, { method: 'POST', headers: as(PHONE) });
    expect(r.status).toBe(204);
    expect(r.headers.get('set-cookie')).toMatch(new RegExp(`^${PHONE_PROOF_COOKIE}=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)`));
  });
});
