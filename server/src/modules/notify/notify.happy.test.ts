import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';
import { enqueueNotification, inboxFor, phoneProofFrom, PHONE_PROOF_COOKIE, startSmsGateway, type SmsGateway } from './index.ts';
import { mailText, startSending, startSmtpSink, waitFor } from './notify.testkit.ts';

// Email arrives at a real SMTP server with the redeem link; the sandbox gateway receives correctly signed
// SendSms requests; an in-app message lands in the recipient's inbox; a phone is verified by SMS code.
let h: Harness;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let gw: SmsGateway;
let sending: { stop(): Promise<void> };

beforeAll(async () => {
  smtp = await startSmtpSink();
  gw = await startSmsGateway({ accessKeyId: 'LTAI-test', accessKeySecret: 'sandbox-secret' });
  h = await createHarness({ SMTP_URL: smtp.url, MAIL_FROM: 'Quanyi <no-reply@quanyi.test>', ALIYUN_SMS_ENDPOINT: gw.url, ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-test', ALIYUN_SMS_ACCESS_KEY_SECRET: 'sandbox-secret', ALIYUN_SMS_SIGN_NAME: '权益测试' });
  sending = startSending(h.ctx);
});
afterAll(async () => {
  await sending?.stop();
  await h?.close();
  await gw?.close();
  await smtp?.close();
});

async function issue(recipient: Record<string, string>) {
  const product = await h.product({ name: '腾讯视频VIP月卡' });
  await h.stock(product.id, 1);
  const client = await h.client();
  const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient }, { idempotencyKey: idem() });
  expect(g.status).toBe(201);
  return { product, grant: g.body as { id: string; redeem_url: string } };
}

const messageOf = (id: string) => h.ctx.db.selectFrom('notify_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('notify: happy paths', () => {
  it('emails the redeem link through a real SMTP server', async () => {
    const { product, grant } = await issue({ email: 'li.lei@example.com' });
    const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'email', email: 'li.lei@example.com', grantId: grant.id, productId: product.id }));
    const mail = await waitFor(() => smtp.mails.find((x) => x.to.includes('li.lei@example.com')));
    const text = mailText(mail.raw);
    expect(text).toContain(grant.redeem_url);
    expect(text).toContain('腾讯视频VIP月卡');
    const row = await waitFor(async () => ((await messageOf(m.id)).status === 'sent' ? messageOf(m.id) : null));
    expect(row.recipient_masked).toBe('l***@example.com');
    expect(row.attempts).toBe(1);
  });

  it('sends an SMS as a correctly signed SendSms that the sandbox gateway accepts', async () => {
    const { product, grant } = await issue({ phone: '13912345678' });
    const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'sms', phone: '13912345678', grantId: grant.id, productId: product.id }));
    const sms = await waitFor(() => gw.messages.find((x) => x.out_id === m.id));
    expect(sms.phone).toBe('13912345678');
    expect(sms.sign_name).toBe('权益测试');
    expect(sms.template_code).toBe('SMS_QUANYI_GRANT_ISSUED');
    expect(sms.template_param.redeem_url).toBe(grant.redeem_url);
    const row = await waitFor(async () => ((await messageOf(m.id)).status === 'sent' ? messageOf(m.id) : null));
    expect(row.provider_id).toBe(sms.biz_id);
    expect(row.recipient_masked).toBe('139****5678');
    // at rest: the phone sealed, never in plain text
    expect(Buffer.from(row.phone_enc!).toString('latin1')).not.toContain('13912345678');
  });

  it('keeps an in-app message in the recipient inbox with the link', async () => {
    const { product, grant } = await issue({ phone: '13700001111' });
    await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'grant.issued', channel: 'inapp', phone: '13700001111', grantId: grant.id, productId: product.id }));
    const fp = h.ctx.secrets.phoneFingerprint('13700001111');
    const inbox = await waitFor(async () => {
      const list = await inboxFor(h.ctx, fp);
      return list.length ? list : null;
    });
    expect(inbox[0].body).toContain(grant.redeem_url);
    expect(inbox[0].read).toBe(false);
    expect(await inboxFor(h.ctx, h.ctx.secrets.phoneFingerprint('13700002222'))).toEqual([]);
  });

  it('verifies a phone by SMS code and sets the proof cookie', async () => {
    const sent = await fetch(`${h.url}/v1/public/phone-codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '+86 136-0000-1234', purpose: 'my_entitlements' }) });
    expect(sent.status).toBe(202);
    expect(await sent.json()).toEqual({ retry_after_seconds: 60 });
    const sms = await waitFor(() => gw.lastTo('13600001234'));
    expect(sms.template_code).toBe('SMS_QUANYI_PHONE_VERIFY');
    const code = sms.template_param.code;
    expect(code).toMatch(/^\d{6}$/);
    // the code is stored only as a keyed hash
    const stored = await h.ctx.db.selectFrom('notify_phone_codes').select('code_hash').executeTakeFirstOrThrow();
    expect(stored.code_hash).not.toContain(code);
    const ok = await fetch(`${h.url}/v1/public/phone-codes/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13600001234', code, purpose: 'my_entitlements' }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ phone_masked: '136****1234' });
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${PHONE_PROOF_COOKIE}=`));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=1800/);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http here
    const value = cookie.split(';')[0].split('=')[1];
    const proof = phoneProofFrom(h.ctx, { cookies: { [PHONE_PROOF_COOKIE]: value } } as never);
    expect(proof).toMatchObject({ phone: '13600001234', masked: '136****1234', purpose: 'my_entitlements' });
    expect(proof!.phoneFingerprint.equals(h.ctx.secrets.phoneFingerprint('13600001234'))).toBe(true);
    // a tampered cookie proves nothing
    expect(phoneProofFrom(h.ctx, { cookies: { [PHONE_PROOF_COOKIE]: value.slice(0, -2) + 'AA' } } as never)).toBeNull();
    // a used code does not verify twice
    const again = await fetch(`${h.url}/v1/public/phone-codes/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13600001234', code, purpose: 'my_entitlements' }) });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: string }).code).toBe('phone_code_invalid');
  });
});
