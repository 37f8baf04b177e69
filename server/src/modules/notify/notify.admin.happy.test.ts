import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { enqueueNotification, startSmsGateway, type SmsGateway } from './index.ts';
import { startSending, waitFor } from './notify.testkit.ts';

// The admin API: a stored product template overrides the built-in default at send time; the preview renders
// sample values; a plaintext code reaches a message only when the product is set to send codes, and each such
// message is audited; every change is audited.
let h: Harness;
let gw: SmsGateway;
let sending: { stop(): Promise<void> };

beforeAll(async () => {
  gw = await startSmsGateway({ accessKeyId: 'LTAI-adm', accessKeySecret: 'adm' });
  h = await createHarness({ ALIYUN_SMS_ENDPOINT: gw.url, ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-adm', ALIYUN_SMS_ACCESS_KEY_SECRET: 'adm' });
  sending = startSending(h.ctx);
});
afterAll(async () => {
  await sending?.stop();
  await h?.close();
  await gw?.close();
});

const audits = (action: string) => h.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', action).execute();
const sms = (productId: string, phone: string, vars: Record<string, string>) =>
  h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'sms', phone, productId, vars }));

describe('notify admin API', () => {
  it('saves a product template that overrides the default when sending, and previews', async () => {
    const admin = await h.admin('operator');
    const product = await h.product({ name: 'B站大会员' });
    const saved = await admin.request('PUT', '/v1/admin/notify/templates', { scope: 'product', scope_id: product.id, event: 'grant.issued', channel: 'sms', body: '{{product_name}}到账：{{redeem_url}}', provider_template: 'SMS_BILI_1' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ scope: 'product', scope_id: product.id, built_in: false, provider_template: 'SMS_BILI_1' });
    const list = await admin.request('GET', '/v1/admin/notify/templates');
    expect(list.body.data.filter((t: { built_in: boolean }) => !t.built_in)).toHaveLength(1);
    expect(list.body.data.filter((t: { built_in: boolean }) => t.built_in)).toHaveLength(12);
    const m = await sms(product.id, '13100000001', { redeem_url: 'https://x.test/r/abc' });
    const got = await waitFor(() => gw.messages.find((x) => x.out_id === m.id));
    expect(got.template_code).toBe('SMS_BILI_1');
    expect(got.template_param).toMatchObject({ product_name: 'B站大会员', redeem_url: 'https://x.test/r/abc' });
    const preview = await admin.request('POST', '/v1/admin/notify/templates/preview', { subject: '{{product_name}}', body: '链接 {{redeem_url}}' });
    expect(preview.body.subject).toBe('爱奇艺黄金会员月卡');
    expect(preview.body.body).toMatch(/^链接 http/);
    expect(await audits('notify.template.save')).toHaveLength(1);
  });

  it('sends a plaintext code only for a product set to send codes, and audits each such message', async () => {
    const admin = await h.admin('operator');
    const product = await h.product();
    await admin.request('PUT', '/v1/admin/notify/templates', { scope: 'product', scope_id: product.id, event: 'grant.issued', channel: 'sms', body: '卡密 {{card_code}} 链接 {{redeem_url}}' });
    const off = await sms(product.id, '13100000002', { card_code: 'CARD-SECRET-1', redeem_url: 'https://x.test/r/1' });
    const plain = await waitFor(() => gw.messages.find((x) => x.out_id === off.id));
    expect(plain.template_param.card_code).toBe(''); // the variable is there for the provider's template, empty
    expect(await audits('notify.code_sent')).toHaveLength(0);

    const set = await admin.request('PUT', `/v1/admin/notify/products/${product.id}/settings`, { send_codes: true, renewal_url: null });
    expect(set.status).toBe(200);
    expect((await admin.request('GET', `/v1/admin/notify/products/${product.id}/settings`)).body).toEqual({ send_codes: true, renewal_url: null });
    expect(await audits('notify.product_settings')).toHaveLength(1);
    const on = await sms(product.id, '13100000003', { card_code: 'CARD-SECRET-2', redeem_url: 'https://x.test/r/2' });
    const withCode = await waitFor(() => gw.messages.find((x) => x.out_id === on.id));
    expect(withCode.template_param.card_code).toBe('CARD-SECRET-2');
    const audit = await waitFor(async () => (await audits('notify.code_sent'))[0]);
    expect(audit.target).toBe(on.id);
    expect(JSON.stringify(audit)).not.toContain('CARD-SECRET-2');
    expect(JSON.stringify(audit)).not.toContain('13100000003');
  });

  it('refuses settings for an unknown product and a bad renewal URL', async () => {
    const admin = await h.admin();
    expect((await admin.request('PUT', '/v1/admin/notify/products/prd_nope/settings', { send_codes: true, renewal_url: null })).status).toBe(404);
    const product = await h.product();
    const bad = await admin.request('PUT', `/v1/admin/notify/products/${product.id}/settings`, { send_codes: true, renewal_url: 'not a url' });
    expect(bad.status).toBe(400);
    expect((await admin.request('GET', `/v1/admin/notify/products/${product.id}/settings`)).body.send_codes).toBe(false);
  });
});
