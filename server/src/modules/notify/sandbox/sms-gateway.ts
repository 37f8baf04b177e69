import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { signParams } from '../senders/aliyun-sms.ts';

// A sandbox SMS gateway speaking Aliyun's SendSms protocol on a real socket: it checks the parameters and
// the signature exactly as the provider does (refusing a bad one with SignatureDoesNotMatch), records what it
// received (tests and the demo read it: `messages` in process, or GET /_sandbox/messages), and has fault
// knobs (latency, an error code for the next N sends, dropping the connection). Messages stay in memory.
export interface SmsKnobs {
  latencyMs: number;
  /** answer this provider code instead of OK … */
  errorCode: string | null;
  /** … for this many sends (0: every send while errorCode is set) */
  errorNext: number;
  /** drop the connection without an answer (the client sees a network error) */
  drop: boolean;
}
export const DEFAULT_SMS_KNOBS: SmsKnobs = { latencyMs: 0, errorCode: null, errorNext: 0, drop: false };

export interface ReceivedSms {
  biz_id: string;
  phone: string;
  sign_name: string;
  template_code: string;
  template_param: Record<string, string>;
  out_id: string | null;
  received_at: string;
}

export interface SmsGateway {
  url: string;
  messages: ReceivedSms[];
  knobs: SmsKnobs;
  /** the latest message to `phone` (tests, the demo) */
  lastTo(phone: string): ReceivedSms | undefined;
  close(): Promise<void>;
}

const REQUIRED = ['AccessKeyId', 'Action', 'Format', 'PhoneNumbers', 'SignName', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion', 'TemplateCode', 'Timestamp', 'Version', 'Signature'];

function answer(res: ServerResponse, status: number, body: Record<string, unknown>) {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify({ RequestId: randomUUID(), ...body }));
}

export async function startSmsGateway(opts: { accessKeyId: string; accessKeySecret: string; port?: number; host?: string; knobs?: Partial<SmsKnobs> }): Promise<SmsGateway> {
  const knobs: SmsKnobs = { ...DEFAULT_SMS_KNOBS, ...opts.knobs };
  const messages: ReceivedSms[] = [];
  const seenNonces = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname === '/_sandbox/messages' && req.method === 'GET') {
      const phone = url.searchParams.get('phone');
      return answer(res, 200, { messages: phone ? messages.filter((m) => m.phone === phone) : messages });
    }
    if (url.pathname === '/_sandbox/knobs') {
      if (req.method === 'POST') {
        let raw = '';
        for await (const chunk of req) raw += chunk;
        try {
          Object.assign(knobs, pickKnobs(JSON.parse(raw || '{}')));
        } catch {
          return answer(res, 400, { Code: 'InvalidParameter', Message: 'knobs must be JSON' });
        }
      }
      return answer(res, 200, { knobs });
    }
    if (url.pathname !== '/' || req.method !== 'GET') return answer(res, 404, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found' });
    const p = Object.fromEntries(url.searchParams) as Record<string, string>;
    const missing = REQUIRED.filter((k) => !p[k]);
    if (missing.length) return answer(res, 400, { Code: 'MissingParameter', Message: `missing ${missing.join(', ')}` });
    if (p.AccessKeyId !== opts.accessKeyId) return answer(res, 404, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
    const expected = Buffer.from(signParams(p, opts.accessKeySecret));
    const given = Buffer.from(p.Signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return answer(res, 400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
    }
    const ts = Date.parse(p.Timestamp);
    if (!Number.isFinite(ts) || Math.abs(Date.now() - ts) > 15 * 60_000) return answer(res, 400, { Code: 'InvalidTimeStamp.Expired', Message: 'Specified time stamp or date value is expired.' });
    if (seenNonces.has(p.SignatureNonce)) return answer(res, 400, { Code: 'SignatureNonceUsed', Message: 'Specified signature nonce was used already.' });
    seenNonces.add(p.SignatureNonce);
    if (p.Action !== 'SendSms' || p.Version !== '2017-05-25') return answer(res, 400, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found' });
    if (!/^\d{6,20}$/.test(p.PhoneNumbers)) return answer(res, 200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'invalid phone number' });
    let param: Record<string, string> = {};
    try {
      param = p.TemplateParam ? (JSON.parse(p.TemplateParam) as Record<string, string>) : {};
    } catch {
      return answer(res, 200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'TemplateParam is not JSON' });
    }
    if (knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, knobs.latencyMs));
    if (knobs.drop) return req.socket.destroy();
    if (knobs.errorCode) {
      const code = knobs.errorCode;
      if (knobs.errorNext > 0 && --knobs.errorNext === 0) knobs.errorCode = null;
      return answer(res, 200, { Code: code, Message: 'sandbox fault' });
    }
    const bizId = `${Date.now()}^${randomUUID().slice(0, 8)}`;
    messages.push({ biz_id: bizId, phone: p.PhoneNumbers, sign_name: p.SignName, template_code: p.TemplateCode, template_param: param, out_id: p.OutId ?? null, received_at: new Date().toISOString() });
    if (messages.length > 10_000) messages.shift();
    return answer(res, 200, { Code: 'OK', Message: 'OK', BizId: bizId });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) answer(res, 500, { Code: 'InternalError', Message: 'sandbox error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${addr.port}/`,
    messages,
    knobs,
    lastTo: (phone) => messages.filter((m) => m.phone === phone).at(-1),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function pickKnobs(v: Record<string, unknown>): Partial<SmsKnobs> {
  const out: Partial<SmsKnobs> = {};
  if (typeof v.latencyMs === 'number' && v.latencyMs >= 0) out.latencyMs = v.latencyMs;
  if (v.errorCode === null || typeof v.errorCode === 'string') out.errorCode = v.errorCode;
  if (typeof v.errorNext === 'number' && v.errorNext >= 0) out.errorNext = v.errorNext;
  if (typeof v.drop === 'boolean') out.drop = v.drop;
  return out;
}
