import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';

// Brands through the admin API, applied to the redeem page; QR codes of redeem links and of our public URLs.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const png = () => QRCode.toBuffer('logo', { type: 'png', width: 64 });

describe('H5 brands', () => {
  it('creates a client brand with a logo, and the redeem page of that client\'s grant wears it', async () => {
    const admin = await h.admin('operator');
    const client = await h.client();
    const created = await admin.request('POST', '/v1/admin/brands', { name: '招商银行 · 权益', client_id: client.id, primary_color: '#C8102E', text_color: '#FFFFFF', service_phone: '95555', service_wechat: 'cmb_service', footer: '本活动由招商银行提供' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '招商银行 · 权益', client_id: client.id, primary_color: '#c8102e', text_color: '#ffffff', logo_url: null });

    const logo = await png();
    const up = await admin.request('PUT', `/v1/admin/brands/${created.body.id}/logo`, { data_base64: logo.toString('base64') });
    expect(up.status).toBe(200);
    expect(up.body.logo_url).toMatch(/^\/h5\/logos\/[0-9a-f]{64}\.png$/);
    const served = await fetch(h.url + up.body.logo_url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await served.arrayBuffer()).equals(logo)).toBe(true);

    const patched = await admin.request('PATCH', `/v1/admin/brands/${created.body.id}`, { service_url: 'https://help.example.com/cmb', footer: null });
    expect(patched.body).toMatchObject({ service_url: 'https://help.example.com/cmb', footer: null, service_phone: '95555' });
    expect((await admin.request('GET', '/v1/admin/brands')).body.data.map((b: { id: string }) => b.id)).toContain(created.body.id);

    const product = await h.product({ name: '爱奇艺黄金VIP月卡' });
    const [secret] = await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'u1' } }, { idempotencyKey: idem() })).body;
    const page = await fetch(grant.redeem_url);
    const html = await page.text();
    expect(html).toContain('招商银行 · 权益');
    expect(html).toContain('--brand:#c8102e');
    expect(html).toContain(up.body.logo_url);
    expect(html).toContain('href="tel:95555"');
    expect(html).toContain('cmb_service');
    // no secrets in the HTML: neither the token nor the code
    const token = new URL(grant.redeem_url).pathname.split('/').pop()!;
    expect(html).not.toContain(token);
    expect(html).not.toContain((secret as { card_number: string }).card_number);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(html.match(/<script [^>]*>/g)!.every((tag) => tag.includes(`nonce="${nonce}"`))).toBe(true);

    const audit = await h.ctx.db.selectFrom('audit_events').select(['action', 'actor']).where('target', '=', created.body.id).execute();
    expect(audit.map((e) => e.action).sort()).toEqual(['brand.create', 'brand.logo.set', 'brand.update']);
    expect(new Set(audit.map((e) => e.actor))).toEqual(new Set([admin.id]));
  });

  it('a campaign brand wins over the client brand; without either the page has the default look', async () => {
    const admin = await h.admin();
    const client = await h.client();
    await admin.request('POST', '/v1/admin/brands', { name: 'Client look', client_id: client.id });
    await admin.request('POST', '/v1/admin/brands', { name: 'Campaign look', campaign_id: 'spring-2027', primary_color: '#00aa55' });
    const product = await h.product();
    await h.stock(product.id, 2);
    const withCampaign = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'c1' } }, { idempotencyKey: idem() })).body;
    // the open API takes no campaign yet (the campaigns module sets it): set the column as it will
    await h.ctx.db.updateTable('grants').set({ campaign: 'spring-2027' }).where('id', '=', withCampaign.id).execute();
    expect(await (await fetch(withCampaign.redeem_url)).text()).toContain('Campaign look');
    const other = await h.client();
    const plain = (await other.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'c2' } }, { idempotencyKey: idem() })).body;
    const html = await (await fetch(plain.redeem_url)).text();
    expect(html).toContain('权益中心');
    expect(html).not.toContain('Client look');
  });

  it('the code page (/x) and 我的权益 (/me) wear the brand their link names; an unknown or malformed one is the default', async () => {
    const admin = await h.admin('operator');
    const brand = (await admin.request('POST', '/v1/admin/brands', { name: '浦发银行 · 会员', primary_color: '#0a3d91' })).body;
    for (const path of ['/x', '/x/ABCD-EFGH-JKMN', '/me']) {
      const named = await (await fetch(`${h.url}${path}?brand=${brand.id}`)).text();
      expect(named, path).toContain('浦发银行 · 会员');
      expect(named, path).toContain('--brand:#0a3d91');
      for (const other of ['brd_nosuchbrand', "brd_x' OR 1=1", '']) {
        const res = await fetch(`${h.url}${path}?brand=${encodeURIComponent(other)}`);
        expect(res.status, `${path} ${other}`).toBe(200);
        expect(await res.text()).not.toContain('浦发银行');
      }
    }
  });

  it('serves the shell scripts by content hash with a long cache', async () => {
    const html = await (await fetch(`${h.url}/r/${'x'.repeat(43)}`)).text();
    const srcs = [...html.matchAll(/src="(\/h5\/assets\/[^"]+)"/g)].map((m) => m[1]);
    // the shared script, the account-entry and pack hooks, and the page's own script
    expect(srcs.map((s) => s.replace(/\.[0-9a-f]{16}\.js$/, ''))).toEqual(['/h5/assets/h5', '/h5/assets/account', '/h5/assets/pack', '/h5/assets/redeem']);
    for (const src of srcs) {
      const r = await fetch(h.url + src);
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(r.headers.get('content-type')).toContain('javascript');
    }
    expect((await fetch(`${h.url}/h5/assets/redeem.0000000000000000.js`)).status).toBe(404);
  });
});

describe('QR codes', () => {
  it('renders a grant\'s redeem link as PNG and SVG, not cached, throttled like the redeem API', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'q' } }, { idempotencyKey: idem() })).body;
    const pngRes = await fetch(`${grant.redeem_url.replace('/r/', '/v1/redeem/')}/qr.png`);
    expect(pngRes.status).toBe(200);
    expect(pngRes.headers.get('content-type')).toBe('image/png');
    expect(pngRes.headers.get('cache-control')).toBe('no-store');
    expect(pngRes.headers.get('ratelimit-limit') ?? pngRes.headers.get('ratelimit-policy')).toBeTruthy();
    const bytes = Buffer.from(await pngRes.arrayBuffer());
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    const svg = await http(`${grant.redeem_url.replace('/r/', '/v1/redeem/')}/qr.svg`, {});
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    expect((await fetch(`${h.url}/v1/redeem/${'y'.repeat(43)}/qr.png`)).status).toBe(404);
  });

  it('renders any of our public links for the console, and a grant\'s link only audited', async () => {
    const admin = await h.admin('support');
    const ok = await fetch(`${h.url}/v1/admin/qr?format=svg&url=${encodeURIComponent(h.url + '/r/abc')}`, { headers: admin.headers });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<svg');
    const png = await fetch(`${h.url}/v1/admin/qr?url=${encodeURIComponent(h.url + '/r/abc')}`, { headers: admin.headers });
    expect(png.headers.get('content-type')).toBe('image/png');

    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'g' } }, { idempotencyKey: idem() })).body;
    expect((await fetch(`${h.url}/v1/admin/grants/${grant.id}/qr`, { headers: admin.headers })).status).toBe(403); // support may not
    const operator = await h.admin('operator');
    const qr = await fetch(`${h.url}/v1/admin/grants/${grant.id}/qr?format=svg`, { headers: operator.headers });
    expect(qr.status).toBe(200);
    expect(qr.headers.get('cache-control')).toBe('no-store');
    const events = await h.ctx.db.selectFrom('audit_events').select(['action', 'actor']).where('target', '=', grant.id).execute();
    expect(events).toContainEqual({ action: 'grant.qr', actor: operator.id });
  });
});
