import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { verifyAudit } from '../audit/index.ts';
import { campaign, makeCodes } from './redemption.testkit.ts';
import { checkCode, formatCode, generateCode } from './redemption.code.ts';

let h: Harness;
let runner: { stop(): Promise<void> };
beforeAll(async () => {
  h = await createHarness();
  runner = startJobRunner(h.ctx, { pollMs: 20 });
});
afterAll(async () => {
  await runner?.stop();
  await h?.close();
});

async function waitFor<T>(fn: () => Promise<T>, done: (v: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (done(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('redemption codes: console flow', () => {
  it('creates a set, generates codes as a job with progress, and hands the plaintext list out exactly once', async () => {
    const admin = await h.admin('operator');
    const client = await h.client();
    const product = await h.product();
    const created = await admin.request('POST', '/v1/admin/redemption-sets', { name: '618 兑换码', client_id: client.id, product: product.sku, max_redemptions: 3, per_user_limit: 1, ends_at: new Date(Date.now() + 86_400_000).toISOString() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', max_redemptions: 3, per_user_limit: 1, product_id: product.id, code_count: 0 });
    const setId = created.body.id;

    const gen = await admin.request('POST', `/v1/admin/redemption-sets/${setId}/generate`, { count: 1100, length: 10, prefix: 'Q7' });
    expect(gen.status).toBe(202);
    const done = await waitFor(() => admin.request('GET', `/v1/admin/redemption-generations/${gen.body.id}`), (r) => r.body.status === 'succeeded');
    expect(done.body).toMatchObject({ status: 'succeeded', generated: 1100, count: 1100 });
    expect(done.body.download_url).toBe(`/v1/admin/redemption-generations/${gen.body.id}/download`);

    const first = await http(h.url + done.body.download_url, { headers: admin.headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/csv');
    const lines = String(first.body).trim().split('\n');
    expect(lines[0]).toBe('code');
    const codes = lines.slice(1);
    expect(codes).toHaveLength(1100);
    expect(new Set(codes).size).toBe(1100);
    for (const c of codes.slice(0, 50)) expect(checkCode(c)).toMatchObject({ ok: true });
    expect(codes.every((c) => c.replace(/-/g, '').startsWith('Q7'))).toBe(true);

    const second = await http(h.url + done.body.download_url, { headers: admin.headers });
    expect(second.status).toBe(410);
    expect(second.body.code).toBe('redemption_export_gone');

    const list = await admin.request('GET', `/v1/admin/redemption-sets/${setId}/codes?limit=5`);
    expect(list.body.data).toHaveLength(5);
    expect(list.body.data[0]).toMatchObject({ redeemed: 0, max_redemptions: 3, source: 'generated' });
    expect(list.body.data[0].hint).toMatch(/^Q7\*\*\*\*[2-9A-Z]{3}$/);
    expect((await admin.request('GET', `/v1/admin/redemption-sets/${setId}`)).body.code_count).toBe(1100);

    const audit = await h.ctx.db.selectFrom('audit_events').select('action').where('target', 'in', [setId, gen.body.id]).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['redemption.export.download', 'redemption.generate', 'redemption.generate.complete', 'redemption_set.create'].sort());
    expect((await verifyAudit(h.ctx.db)).ok).toBe(true);
  }, 60_000);

  it('a signed client claims a code: a grant of the set\'s product with its redeem URL; a replay returns the same', async () => {
    const c = await campaign(h, { stock: 5, codes: 2, set: { max_redemptions: 2 } });
    const key = idem();
    const body = { code: c.codes[0].toLowerCase(), recipient: { external_id: 'u-1', phone: '13800138000' } };
    const r = await c.client.request('POST', '/v1/redemption-codes/claim', body, { idempotencyKey: key });
    expect(r.status).toBe(201);
    expect(r.body.set_id).toBe(c.setId);
    expect(r.body.grant).toMatchObject({ status: 'issued', product: { sku: c.productSku }, recipient: { external_id: 'u-1', phone: '138****8000' } });
    expect(r.body.grant.redeem_url).toMatch(/\/r\/[\w-]{40,}$/);
    expect(r.body.grant.metadata).toMatchObject({ redemption_set: c.setId, redemption_claim: r.body.claim_id });

    const again = await c.client.request('POST', '/v1/redemption-codes/claim', body, { idempotencyKey: key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.grant.id).toBe(r.body.grant.id);

    // the redeem link works: the recipient reveals the code
    const reveal = await http(r.body.grant.redeem_url.replace(/^.*\/r\//, `${h.url}/v1/redeem/`) + '/reveal', { method: 'POST' });
    expect(reveal.status).toBe(200);
    const row = await h.ctx.db.selectFrom('redemption_codes').select('redeemed').where('set_id', '=', c.setId).where('redeemed', '>', 0).execute();
    expect(row).toEqual([{ redeemed: 1 }]);
  });

  it('the public H5 claim: by phone, or by a device cookie; a multi-use code serves several people', async () => {
    const c = await campaign(h, { stock: 5, codes: 1, set: { max_redemptions: 4 } });
    const claim = (body: object, headers: Record<string, string> = {}) =>
      http(h.url + '/v1/public/redemption/claim', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const byPhone = await claim({ code: formatCode(c.codes[0].replace(/-/g, '')), phone: '+86 139 0000 1111' });
    expect(byPhone.status).toBe(201);
    expect(byPhone.body).toMatchObject({ status: 'issued', product: { kind: 'card_code' } });
    expect(byPhone.body.redeem_url).toContain('/r/');
    const byDevice = await claim({ code: c.codes[0] });
    expect(byDevice.status).toBe(201);
    const cookie = byDevice.headers.get('set-cookie')!;
    // the H5 script's own cookie: it reads the id the server set and sends it as X-Quanyi-Device
    expect(cookie).toMatch(/^qy_dev=[\w-]{16,};/);
    expect(cookie).not.toContain('HttpOnly');
    const sameDevice = await claim({ code: c.codes[0] }, { cookie: cookie.split(';')[0] });
    expect(sameDevice.status).toBe(409);
    expect(sameDevice.body.code).toBe('redemption_limit_reached');
    // the cookie the page's script set (qy_dev) and its X-Quanyi-Device header are one device
    const scriptCookie = await claim({ code: c.codes[0] }, { cookie: 'qy_dev=device-abcdefghijklmnop' });
    expect(scriptCookie.status).toBe(201);
    const sameByHeader = await claim({ code: c.codes[0] }, { 'x-quanyi-device': 'device-abcdefghijklmnop' });
    expect([sameByHeader.status, sameByHeader.body.code]).toEqual([409, 'redemption_limit_reached']);
    const header = await claim({ code: c.codes[0] }, { 'x-quanyi-device': 'device-bcdefghijklmnopq' });
    expect(header.status).toBe(201);
    const exhausted = await claim({ code: c.codes[0] }, { 'x-quanyi-device': 'device-zzzzzzzzzzzzzzzz' });
    expect(exhausted.status).toBe(409);
    expect(exhausted.body.code).toBe('redemption_code_exhausted');
  });

  it('imports codes: rows with a typo, a foreign character or a duplicate are reported, the rest imported', async () => {
    const admin = await h.admin('operator');
    const c = await campaign(h, { stock: 2, codes: 0 });
    const good = [generateCode('', 10), generateCode('', 10), generateCode('IM'.replace('I', 'J'), 12)];
    const typo = good[0].slice(0, -1) + (good[0].at(-1) === 'A' ? 'B' : 'A');
    const content = ['code', good[0], typo, 'ABCD0EFGH2', good[1], good[0], formatCode(good[2]), ''].join('\n');
    const r = await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/import`, { content });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ imported: 3, rejected: [{ row: 3, reason: 'check' }, { row: 4, reason: 'charset' }, { row: 6, reason: 'duplicate_in_file' }] });
    const again = await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/import`, { content: good[1] });
    expect(again.body).toEqual({ imported: 0, rejected: [{ row: 1, reason: 'exists' }] });
    const claimed = await c.client.request('POST', '/v1/redemption-codes/claim', { code: good[2], recipient: { external_id: 'imp' } }, { idempotencyKey: idem() });
    expect(claimed.status).toBe(201);
  });

  it('pause, resume and void move through the machine, are audited, and a paused set refuses claims', async () => {
    const admin = await h.admin('operator');
    const c = await campaign(h, { stock: 3, codes: 1, set: { max_redemptions: 5, per_user_limit: 5 } });
    const claim = () => c.client.request('POST', '/v1/redemption-codes/claim', { code: c.codes[0], recipient: { external_id: 'p' } }, { idempotencyKey: idem() });
    expect((await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/pause`)).body.status).toBe('paused');
    expect((await claim()).body.code).toBe('redemption_code_paused');
    expect((await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/resume`)).body.status).toBe('active');
    expect((await claim()).status).toBe(201);
    expect((await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/void`)).body.status).toBe('voided');
    const r = await claim();
    expect([r.status, r.body.code]).toEqual([410, 'redemption_code_voided']);
    const resume = await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/resume`);
    expect([resume.status, resume.body.code]).toEqual([409, 'redemption_set_state']);
    const actions = await h.ctx.db.selectFrom('audit_events').select('action').where('target', '=', c.setId).orderBy('seq').execute();
    expect(actions.map((a) => a.action)).toEqual(['redemption_set.create', 'redemption_set.pause', 'redemption_set.resume', 'redemption_set.void']);
  });

  it('the CLI helper path: codes made in-process are claimable', async () => {
    const c = await campaign(h, { stock: 1, codes: 0 });
    const codes = await makeCodes(h, c.setId, 3, { prefix: 'CK' });
    expect(codes).toHaveLength(3);
    const r = await c.client.request('POST', '/v1/redemption-codes/claim', { code: codes[2], recipient: { email: 'a@example.com' } }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
  });
});
