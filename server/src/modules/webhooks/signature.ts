import { createHmac, randomBytes } from 'node:crypto';

// DESIGN §6: `Quanyi-Signature: t=<unix seconds at sending>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>`,
// the secret being the whole printed `whsec_…` string as UTF-8 bytes. During a rotation every live secret
// signs, so a receiver that knows either one verifies: `t=…,v1=<new>,v1=<old>`.
export const SIGNATURE_HEADER = 'Quanyi-Signature';

export function newWebhookSecret(): string {
  return 'whsec_' + randomBytes(32).toString('base64url');
}

export function signatureHeader(secrets: readonly string[], rawBody: string, unixSeconds: number): string {
  const signed = `${unixSeconds}.${rawBody}`;
  const v1 = secrets.map((s) => 'v1=' + createHmac('sha256', Buffer.from(s, 'utf8')).update(signed, 'utf8').digest('hex'));
  return [`t=${unixSeconds}`, ...v1].join(',');
}
