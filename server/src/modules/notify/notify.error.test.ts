import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { enqueueNotification, resetSenders, startSmsGateway, type SmsGateway } from './index.ts';
import { startSending, startSmtpSink, waitFor } from './notify.testkit.ts';

// Wrong, expired and too many codes; resend too soon; bad input; unknown template variables; a provider
// that refuses a number for good, and one that keeps failing (retried, then failed with the reason).
let h: Harness;
let gw: SmsGateway;
let sending: { stop(): Promise<void> };

beforeAll(async () => {
  gw = await startSmsGateway({ accessKeyId: 'LTAI-err', accessKeySecret: 's3cret' });
  h = await createHarness({ ALIYUN_SMS_ENDPOINT: gw.url, ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-err', ALIYUN_SMS_ACCESS_KEY_SECRET: 's3cret' });
  sending = startSending(h.ctx);
});
afterAll(async () => {
  await sending?.stop();
  await h?.close();
  await gw?.close();
});

const post = async (path: string, body: unknown) => {
  const res = await fetch(h.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};

async function codeFor(phone: string, purpose = 'campaign') {
  expect((await post('/v1/public/phone-codes', { phone, purpose })).status).toBe(202);
  return (await waitFor(() => gw.lastTo(phone))).template_param.code;
}
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('phone codes: refusals', () => {
  it('refuses a wrong code, counts attempts atomically and locks after five', async () => {
    const code = await codeFor('13800000001');
    for (let i = 0; i < 5; i++) {
      const r = await post('/v1/public/phone-codes/verify', { phone: '13800000001', code: wrong(code), purpose: 'campaign' });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('phone_code_invalid');
    }
    // even the right code is refused now
    const r = await post('/v1/public/phone-codes/verify', { phone: '13800000001', code, purpose: 'campaign' });
    expect(r.body.code).toBe('phone_code_attempts_exceeded');
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('refuses an expired code', async () => {
    const code = await codeFor('13800000002');
    await h.ctx.db.updateTable('notify_phone_codes').set({ expires_at: new Date(Date.now() - 1000) }).where('phone_fp', '=', h.ctx.secrets.phoneFingerprint('13800000002')).execute();
    const r = await post('/v1/public/phone-codes/verify', { phone: '13800000002', code, purpose: 'campaign' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('phone_code_expired');
  });

  it('refuses a code for another purpose, and a resend within 60 s (429 with Retry-After)', async () => {
    const code = await codeFor('13800000003', 'campaign');
    expect((await post('/v1/public/phone-codes/verify', { phone: '13800000003', code, purpose: 'my_entitlements' })).body.code).toBe('phone_code_invalid');
    const again = await post('/v1/public/phone-codes', { phone: '13800000003', purpose: 'campaign' });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('phone_code_too_soon');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(gw.messages.filter((m) => m.phone === '13800000003')).toHaveLength(1);
  });

  it('answers bad input with 400 and stores nothing', async () => {
    const before = await h.ctx.db.selectFrom('notify_phone_codes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    for (const body of [{ phone: 'abc', purpose: 'campaign' }, { phone: '13800000009', purpose: 'other' }, { phone: '13800000009' }, { phone: '12', purpose: 'campaign' }]) {
      const r = await post('/v1/public/phone-codes', body);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('validation_failed');
    }
    const after = await h.ctx.db.selectFrom('notify_phone_codes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });
});

describe('templates: refusals', () => {
  it('refuses unknown variables and a product scope without its id', async () => {
    const admin = await h.admin('operator');
    const r = await admin.request('PUT', '/v1/admin/notify/templates', { scope: 'default', event: 'grant.issued', channel: 'sms', body: '您好 {{product_nmae}} {{redeem_url}}' });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation_failed');
    expect(r.body.errors[0].message).toContain('{{product_nmae}}');
    const s = await admin.request('PUT', '/v1/admin/notify/templates', { scope: 'product', event: 'grant.issued', channel: 'sms', body: '{{redeem_url}}' });
    expect(s.body.errors[0].field).toBe('scope_id');
    expect(await h.ctx.db.selectFrom('notify_templates').selectAll().execute()).toEqual([]);
    const support = await h.admin('support');
    expect((await support.request('PUT', '/v1/admin/notify/templates', { scope: 'default', event: 'grant.issued', channel: 'sms', body: '{{redeem_url}}' })).status).toBe(403);
  });
});

describe('sending: provider refusals', () => {
  const msg = (id: string) => h.ctx.db.selectFrom('notify_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('fails a message for good when the provider refuses the number', async () => {
    gw.knobs.errorCode = 'isv.MOBILE_NUMBER_ILLEGAL';
    gw.knobs.errorNext = 1;
    const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'sms', phone: '13800000010', vars: { product_name: 'x' } }));
    const row = await waitFor(async () => ((await msg(m.id)).status !== 'queued' ? msg(m.id) : null));
    expect(row.status).toBe('failed');
    expect(row.last_error).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    expect(row.attempts).toBe(1);
  });

  it('retries a throttled send with backoff, and sends once the provider recovers', async () => {
    gw.knobs.errorCode = 'isv.BUSINESS_LIMIT_CONTROL';
    gw.knobs.errorNext = 2;
    const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'sms', phone: '13800000011', vars: { product_name: 'x' } }));
    const row = await waitFor(async () => ((await msg(m.id)).status !== 'queued' ? msg(m.id) : null));
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(3);
    expect(gw.messages.filter((x) => x.out_id === m.id)).toHaveLength(1);
  });

  it('fails with the reason after the last retry when the gateway keeps dropping the connection', async () => {
    gw.knobs.drop = true;
    try {
      const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'sms', phone: '13800000012', vars: { product_name: 'x' } }));
      const row = await waitFor(async () => ((await msg(m.id)).status !== 'queued' ? msg(m.id) : null));
      expect(row.status).toBe('failed');
      expect(row.last_error).toBe('network error');
      expect(row.attempts).toBe(6);
    } finally {
      gw.knobs.drop = false;
    }
  });
});

describe('sending: email refusals', () => {
  it('fails an email for good when the SMTP server answers 550', async () => {
    const smtp = await startSmtpSink({ rejectWith: 550 });
    h.ctx.config.notify.smtpUrl = smtp.url;
    resetSenders(h.ctx);
    try {
      const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'email', email: 'nobody@example.com', vars: { product_name: 'x' } }));
      const row = await waitFor(async () => {
        const r = await h.ctx.db.selectFrom('notify_messages').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
        return r.status !== 'queued' ? r : null;
      });
      expect(row.status).toBe('failed');
      expect(row.last_error).toContain('550');
      expect(row.attempts).toBe(1);
    } finally {
      await smtp.close();
    }
  });

  it('refuses an email message without an address, and writes nothing', async () => {
    await expect(h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'email' }))).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
