import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { enqueueNotification, startSmsGateway, type SmsGateway } from './index.ts';
import { sendSmsParams, percentEncode } from './senders/aliyun-sms.ts';
import { startSending, waitFor } from './notify.testkit.ts';

// The sandbox gateway refuses what the real provider refuses (a bad signature, a wrong key); the logs of a
// whole verification and of sent messages, at trace level, hold neither the phone number nor the code nor
// the provider secret.
let h: Harness;
let gw: SmsGateway;
let sending: { stop(): Promise<void> };
let logs = '';
const SECRET = 'very-secret-access-key';

beforeAll(async () => {
  gw = await startSmsGateway({ accessKeyId: 'LTAI-sec', accessKeySecret: SECRET });
  const stream = new PassThrough();
  stream.on('data', (d) => (logs += String(d)));
  h = await createHarness({ LOG_LEVEL: 'trace', ALIYUN_SMS_ENDPOINT: gw.url, ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-sec', ALIYUN_SMS_ACCESS_KEY_SECRET: SECRET }, { logStream: stream });
  sending = startSending(h.ctx);
});
afterAll(async () => {
  await sending?.stop();
  await h?.close();
  await gw?.close();
});

const opts = { endpoint: '', accessKeyId: 'LTAI-sec', accessKeySecret: SECRET, signName: '权益', regionId: 'cn-hangzhou', timeoutMs: 2000 };
const query = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
const call = async (p: Record<string, string>) => (await fetch(`${gw.url}?${query(p)}`)).json() as Promise<{ Code: string }>;
const message = { id: 'msg_x', to: '13912345678', subject: '', body: '', providerTemplate: 'SMS_1', templateParams: { code: '123456', note: "a b*c~d!'()" } };

describe('sandbox SMS gateway: signatures', () => {
  it('accepts a correctly signed SendSms (Aliyun percent-encoding: space %20, * %2A, ~ kept)', async () => {
    expect(percentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    expect((await call(sendSmsParams(opts, message))).Code).toBe('OK');
  });

  it('refuses a tampered parameter, a signature made with another secret, a wrong key id, a replayed nonce', async () => {
    const p = sendSmsParams(opts, message);
    expect((await call({ ...p, PhoneNumbers: '13900000000' })).Code).toBe('SignatureDoesNotMatch');
    expect((await call(sendSmsParams({ ...opts, accessKeySecret: 'wrong' }, message))).Code).toBe('SignatureDoesNotMatch');
    expect((await call({ ...sendSmsParams(opts, message), Signature: '' })).Code).toBe('MissingParameter');
    expect((await call(sendSmsParams({ ...opts, accessKeyId: 'LTAI-other' }, message))).Code).toBe('InvalidAccessKeyId.NotFound');
    const once = sendSmsParams(opts, message);
    expect((await call(once)).Code).toBe('OK');
    expect((await call(once)).Code).toBe('SignatureNonceUsed');
    expect(gw.messages.filter((m) => m.phone === '13900000000')).toHaveLength(0);
  });
});

describe('logs', () => {
  it('never hold a phone number, a verification code or the provider secret', async () => {
    const phone = '13712345678';
    const post = (path: string, body: unknown) => fetch(h.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/v1/public/phone-codes', { phone, purpose: 'my_entitlements' })).status).toBe(202);
    const code = (await waitFor(() => gw.lastTo(phone))).template_param.code;
    await post('/v1/public/phone-codes/verify', { phone, code: '000000' === code ? '111111' : '000000', purpose: 'my_entitlements' });
    expect((await post('/v1/public/phone-codes/verify', { phone, code, purpose: 'my_entitlements' })).status).toBe(200);
    await post('/v1/public/phone-codes', { phone: phone + 'x', purpose: 'my_entitlements' }); // refused input echoes nothing
    // a message that fails, and its error path
    gw.knobs.errorCode = 'isv.MOBILE_NUMBER_ILLEGAL';
    gw.knobs.errorNext = 1;
    const m = await h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'phone.verify', channel: 'sms', phone, vars: { code: '424242', minutes: '5' } }));
    await waitFor(async () => (await h.ctx.db.selectFrom('notify_messages').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status === 'failed');
    await new Promise((r) => setTimeout(r, 100));
    expect(logs).toContain('/v1/public/phone-codes');
    expect(logs).not.toMatch(/1371234\s?5678/);
    expect(logs).not.toContain(code);
    expect(logs).not.toContain('424242');
    expect(logs).not.toContain(SECRET);
  });
});
