import { createHmac, randomUUID } from 'node:crypto';
import { ok, permanent, retryable, type OutboundMessage, type Sender, type SendResult } from './sender.ts';

// Aliyun SMS `SendSms` (RPC style, API version 2017-05-25), with its documented signature (SignatureVersion
// 1.0): the parameters sorted by name, each name and value percent-encoded the Aliyun way (RFC 3986:
// everything but A-Z a-z 0-9 - _ . ~; so space is %20, * is %2A, ~ stays), joined as a query; then
// StringToSign = "GET&%2F&" + percentEncode(that query), Signature = base64(HMAC-SHA1(secret + "&", it)).
// The sandbox gateway (sandbox/sms-gateway.ts) verifies with the same functions.

export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
}

export function signParams(params: Record<string, string>, accessKeySecret: string, method = 'GET'): string {
  const toSign = `${method}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', accessKeySecret + '&').update(toSign).digest('base64');
}

/** Provider codes meaning "this message can never go out" (retrying cannot help). */
const PERMANENT = new Set([
  'isv.MOBILE_NUMBER_ILLEGAL',
  'isv.SMS_TEMPLATE_ILLEGAL',
  'isv.SMS_SIGNATURE_ILLEGAL',
  'isv.TEMPLATE_MISSING_PARAMETERS',
  'isv.INVALID_PARAMETERS',
  'isv.BLACK_KEY_CONTROL_LIMIT',
  'isv.PARAM_LENGTH_LIMIT',
  'isv.AMOUNT_NOT_ENOUGH',
  'isv.MOBILE_COUNT_OVER_LIMIT',
  'isv.DENY_IP_RANGE',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId.NotFound',
]);

export interface AliyunSmsOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  regionId: string;
  timeoutMs: number;
}

export function sendSmsParams(o: AliyunSmsOptions, m: OutboundMessage, now = new Date()): Record<string, string> {
  const params: Record<string, string> = {
    AccessKeyId: o.accessKeyId,
    Action: 'SendSms',
    Format: 'JSON',
    OutId: m.id,
    PhoneNumbers: m.to,
    RegionId: o.regionId,
    SignName: o.signName,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    TemplateCode: m.providerTemplate ?? '',
    TemplateParam: JSON.stringify(m.templateParams ?? {}),
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
  };
  return { ...params, Signature: signParams(params, o.accessKeySecret) };
}

export function aliyunSmsSender(o: AliyunSmsOptions): Sender {
  return {
    channel: 'sms',
    async send(m: OutboundMessage): Promise<SendResult> {
      const params = sendSmsParams(o, m);
      const url = o.endpoint.replace(/\?.*$/, '').replace(/\/?$/, '/') + '?' + Object.entries(params).map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
      let res: Response;
      try {
        res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(o.timeoutMs) });
      } catch (e) {
        return retryable((e as Error).name === 'TimeoutError' ? 'timeout' : 'network error');
      }
      let body: { Code?: string; Message?: string; BizId?: string; RequestId?: string };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        return retryable(`HTTP ${res.status}, not JSON`);
      }
      if (body.Code === 'OK') return ok(body.BizId ?? body.RequestId ?? m.id);
      const code = body.Code ?? `HTTP ${res.status}`;
      return PERMANENT.has(code) ? permanent(code) : retryable(code);
    },
  };
}
