import type { FastifyServerOptions } from 'fastify';
import { normalisePhone } from '../phone.ts';

// Logs hold no secret (DESIGN §7). Three layers, because secrets reach log lines by three roads:
// - request URLs (redeem tokens in the path, phone numbers and tokens in the query): maskUrl, applied to
//   the decoded URL so neither case (`/R/`, `/v1/Redeem/`) nor percent-encoding slips past it;
// - known fields (headers, bodies): pino's redact paths;
// - objects logged by libraries we do not control (busboy's options carry every request header): a
//   deep scrub of each log line's own plain objects, by key name.

const TOKEN_SEGMENTS = new Set(['r', 'redeem', 'x']); // x: the redemption-code page /x/<code>
const SECRET_QUERY = new Set(['token', 'secret', 'password', 'code', 'signature', 'key', 'card_number']);
const PHONE_QUERY = new Set(['phone', 'account', 'mobile']);

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** 13912345678 → 139****5678; short or odd values lose everything but their last two characters. */
export function maskPhoneLike(value: string): string {
  const d = normalisePhone(value) ?? value.replace(/[^0-9]/g, '');
  return d.length >= 11 ? `${d.slice(0, 3)}****${d.slice(-4)}` : '****' + d.slice(-2);
}

/** A URL safe to log: redeem tokens cut to a 6-character prefix, secret query values masked. */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const segments = path.split('/');
  for (let i = 0, prev = ''; i < segments.length; i++) {
    if (!segments[i]) continue;
    const decoded = decode(segments[i]);
    if (TOKEN_SEGMENTS.has(prev)) segments[i] = encodeURIComponent(decoded.slice(0, prev === 'x' ? 2 : 6)) + '…'; // a code is shorter than a token: keep less
    prev = decoded.toLowerCase();
  }
  if (q < 0) return segments.join('/');
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const key = decode(pair.slice(0, eq).replace(/\+/g, ' ')).toLowerCase();
      const value = decode(pair.slice(eq + 1).replace(/\+/g, ' '));
      if (SECRET_QUERY.has(key)) return `${pair.slice(0, eq)}=%5Bredacted%5D`;
      if (PHONE_QUERY.has(key)) return `${pair.slice(0, eq)}=${encodeURIComponent(maskPhoneLike(value))}`;
      return pair;
    })
    .join('&');
  return `${segments.join('/')}?${query}`;
}

const SECRET_KEYS = new Set([
  'cookie',
  'set-cookie',
  'authorization',
  'proxy-authorization',
  'x-quanyi-signature',
  'quanyi-signature',
  'idempotency-key',
  'password',
  'secret',
  'token',
  'code',
  'card_number',
  'phone',
  'account',
]);

const isPlain = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * A copy of a logged object with secret-named keys censored, URLs masked, at any depth. Only plain
 * objects and arrays are walked: requests, replies and errors go through their serializers instead.
 */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('/') ? maskUrl(value) : value;
  if (!isPlain(value) || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEYS.has(k.toLowerCase()) && v != null ? '[redacted]' : scrub(v, depth + 1);
  }
  return out;
}

export function loggerOptions(level: string): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-quanyi-signature"]',
        'req.headers["idempotency-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.secret',
        '*.code',
        '*.card_number',
        '*.token',
      ],
      censor: '[redacted]',
    },
    formatters: {
      log: (obj) => scrub(obj) as Record<string, unknown>,
    },
    serializers: {
      req(req) {
        return { method: req.method, url: maskUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
