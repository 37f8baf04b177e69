import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';

// Bad input to the brands API and the QR endpoint: a clear 4xx with a stable code, and nothing changes.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

const count = async () => Number((await h.ctx.db.selectFrom('h5_brands').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('H5 brands: bad input', () => {
  it('refuses bad colours, contacts and names field by field, and creates nothing', async () => {
    const admin = await h.admin();
    const before = await count();
    const r = await admin.request('POST', '/v1/admin/brands', { name: ' ', primary_color: 'red', text_color: '#12345', service_phone: 'call me', service_wechat: '1abc', service_url: 'javascript:alert(1)' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'primary_color', 'service_phone', 'service_url', 'service_wechat', 'text_color']);
    const both = await admin.request('POST', '/v1/admin/brands', { name: 'x', client_id: 'cli_1', campaign_id: 'c' });
    expect(both.body.errors).toEqual([{ field: 'campaign_id', message: expect.stringContaining('not both') }]);
    expect((await admin.request('POST', '/v1/admin/brands', { name: 'x', colour: '#fff' })).status).toBe(400); // unknown field
    const ghost = await admin.request('POST', '/v1/admin/brands', { name: 'x', client_id: 'cli_nobody' });
    expect([ghost.status, ghost.body.errors]).toEqual([400, [{ field: 'client_id', message: 'no client cli_nobody' }]]);
    expect(await count()).toBe(before);
  });

  it('one brand per client or campaign: a second one is a 409, the first unchanged', async () => {
    const admin = await h.admin();
    const first = await admin.request('POST', '/v1/admin/brands', { name: 'one', campaign_id: 'camp-x' });
    expect(first.status).toBe(201);
    const second = await admin.request('POST', '/v1/admin/brands', { name: 'two', campaign_id: 'camp-x' });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('brand_scope_taken');
    const other = await admin.request('POST', '/v1/admin/brands', { name: 'three' });
    const moved = await admin.request('PATCH', `/v1/admin/brands/${other.body.id}`, { campaign_id: 'camp-x' });
    expect(moved.body.code).toBe('brand_scope_taken');
    expect((await admin.request('GET', `/v1/admin/brands/${other.body.id}`)).body.campaign_id).toBeNull();
    expect((await admin.request('PATCH', '/v1/admin/brands/brd_nope', { name: 'x' })).status).toBe(404);
  });

  it('takes PNG or JPEG logos up to 100 KB only (by their bytes), and keeps the old logo on refusal', async () => {
    const admin = await h.admin();
    const b = (await admin.request('POST', '/v1/admin/brands', { name: 'logo test' })).body;
    const good = await QRCode.toBuffer('x', { type: 'png', width: 64 });
    const set = await admin.request('PUT', `/v1/admin/brands/${b.id}/logo`, { data_base64: good.toString('base64') });
    expect(set.status).toBe(200);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');
    const r1 = await admin.request('PUT', `/v1/admin/brands/${b.id}/logo`, { data_base64: svg.toString('base64') });
    expect([r1.status, r1.body.code]).toEqual([400, 'logo_invalid']);
    const big = Buffer.concat([good, Buffer.alloc(101 * 1024)]);
    const r2 = await admin.request('PUT', `/v1/admin/brands/${b.id}/logo`, { data_base64: big.toString('base64') });
    expect(r2.status).toBe(400); // over the schema's base64 length: refused before decoding
    const justOver = Buffer.concat([good, Buffer.alloc(100 * 1024 - good.length + 1)]);
    const r3 = await admin.request('PUT', `/v1/admin/brands/${b.id}/logo`, { data_base64: justOver.toString('base64') });
    expect([r3.status, r3.body.code]).toEqual([413, 'logo_too_large']);
    const r4 = await admin.request('PUT', `/v1/admin/brands/${b.id}/logo`, { data_base64: '@@not base64@@' });
    expect([r4.status, r4.body.code]).toEqual([400, 'logo_invalid']);
    expect((await admin.request('GET', `/v1/admin/brands/${b.id}`)).body.logo_url).toBe(set.body.logo_url);
    expect((await fetch(`${h.url}/h5/logos/${'0'.repeat(64)}.png`)).status).toBe(404);
    expect((await fetch(`${h.url}/h5/logos/..%2F..%2Fetc.png`)).status).toBe(404);
  });

  it('checks permissions: finance may not read brands, support may read but not write', async () => {
    const finance = await h.admin('finance');
    expect((await finance.request('GET', '/v1/admin/brands')).status).toBe(403);
    const support = await h.admin('support');
    expect((await support.request('GET', '/v1/admin/brands')).status).toBe(200);
    const w = await support.request('POST', '/v1/admin/brands', { name: 'nope' });
    expect([w.status, w.body.code]).toEqual([403, 'forbidden']);
    expect((await fetch(`${h.url}/v1/admin/brands`)).status).toBe(401);
  });
});

describe('QR codes: bad input', () => {
  it('makes QR codes only for links under PUBLIC_URL', async () => {
    const admin = await h.admin();
    for (const url of ['https://evil.example.com/r/abc', 'not a url', `${h.url.replace('127.0.0.1', 'localhost')}/r/x`, `http://user:pw@${new URL(h.url).host}/r/x`]) {
      const r = await admin.request('GET', `/v1/admin/qr?url=${encodeURIComponent(url)}`);
      expect([url, r.status, r.body.code]).toEqual([url, 400, 'qr_url_not_ours']);
    }
    expect((await admin.request('GET', `/v1/admin/qr?url=${encodeURIComponent(h.url + '/x')}&format=gif`)).status).toBe(400);
    expect((await admin.request('GET', '/v1/admin/grants/grt_nope/qr')).status).toBe(404);
  });
});
