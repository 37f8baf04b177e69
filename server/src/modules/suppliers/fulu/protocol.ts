// The gateway protocol's signatures and timestamps (DESIGN §11), shared by the `fulu` adapter and the sandbox
// supplier. Sorting the characters makes the signature independent of key order, which is why the receiver
// can parse, drop `sign`, re-serialise with JSON.stringify and compare.
import { createHash, timingSafeEqual } from 'node:crypto';

export const PROTOCOL_VERSION = '2.0';
/** a timestamp further than this from our clock is refused (code 1002) */
export const TIMESTAMP_WINDOW_SECONDS = 600;

/** The code points of `text`, sorted ascending by code point, joined, then the secret appended; lowercase hex MD5. */
export function signText(text: string, appSecret: string): string {
  return createHash('md5').update(sortCodePoints(text) + appSecret, 'utf8').digest('hex');
}

const SURROGATE = /[\uD800-\uDFFF]/;
const COUNTS = new Uint32Array(0x10000);

/** the characters of `text` sorted by code point (every request and answer is signed: this is the hot path) */
export function sortCodePoints(text: string): string {
  if (!SURROGATE.test(text)) {
    // without surrogates, UTF-16 units are code points: a counting sort over the few distinct units
    const distinct: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      if (COUNTS[u]++ === 0) distinct.push(u);
    }
    distinct.sort((a, b) => a - b);
    let out = '';
    for (const u of distinct) {
      out += String.fromCharCode(u).repeat(COUNTS[u]);
      COUNTS[u] = 0; // leave the shared table clean for the next call (synchronous: no interleaving)
    }
    return out;
  }
  // Array.from splits by code point (a surrogate pair stays one character); compare numerically by code point,
  // not by UTF-16 unit as the default sort would (it misorders characters above U+FFFF against U+E000–U+FFFF)
  const chars = Array.from(text);
  chars.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  return chars.join('');
}

/** sign of an object (request or callback): compact JSON of the object without `sign` */
export function signObject(obj: Record<string, unknown>, appSecret: string): string {
  const { sign: _ignored, ...rest } = obj;
  return signText(JSON.stringify(rest), appSecret);
}

/** sign of a response: over its `result` string */
export function signResult(result: string, appSecret: string): string {
  return signText(result, appSecret);
}

const HEX32 = /^[0-9a-f]{32}$/;

/** Constant-time comparison of a received sign with the expected one. Empty, missing or malformed never passes. */
export function signMatches(received: unknown, expected: string): boolean {
  if (typeof received !== 'string' || !HEX32.test(received)) return false;
  return timingSafeEqual(Buffer.from(received, 'ascii'), Buffer.from(expected, 'ascii'));
}

/** verifies `obj.sign` against the rest of `obj` */
export function verifyObject(obj: Record<string, unknown>, appSecret: string): boolean {
  return signMatches(obj.sign, signObject(obj, appSecret));
}

export function verifyResult(result: unknown, sign: unknown, appSecret: string): boolean {
  return typeof result === 'string' && signMatches(sign, signResult(result, appSecret));
}

// --- timestamps: `yyyy-MM-dd HH:mm:ss` in China time (UTC+8, no daylight saving) ---

const CHINA_OFFSET_MS = 8 * 3600_000;
const TS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatChinaTime(date: Date | number = Date.now()): string {
  const d = new Date((typeof date === 'number' ? date : date.getTime()) + CHINA_OFFSET_MS);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** the China-time day (YYYY-MM-DD) of an instant */
export function chinaDay(date: Date | number = Date.now()): string {
  return formatChinaTime(date).slice(0, 10);
}

/** epoch ms of a China-time timestamp, or null when it is not exactly that format or not a real date */
export function parseChinaTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = TS.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CHINA_OFFSET_MS;
  // Date.UTC rolls 2026-02-30 over into March: formatting back catches every impossible field
  return formatChinaTime(ms) === text ? ms : null;
}

/** true when `timestamp` is a valid China-time timestamp within ±600 s of `nowMs` */
export function timestampInWindow(timestamp: unknown, nowMs = Date.now(), windowSeconds = TIMESTAMP_WINDOW_SECONDS): boolean {
  const ms = parseChinaTime(timestamp);
  return ms !== null && Math.abs(ms - nowMs) <= windowSeconds * 1000;
}

/** a real calendar day written YYYY-MM-DD */
export function isDay(day: unknown): day is string {
  return typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) && parseChinaTime(`${day} 00:00:00`) !== null;
}

// --- requests ---

export interface GatewayRequest {
  app_key: string;
  method: string;
  timestamp: string;
  version: string;
  format: string;
  charset: string;
  sign_type: string;
  app_auth_token: string;
  biz_content: string;
  sign: string;
}

/** a complete signed request body for `method` with `biz` as its business payload */
export function buildRequest(appKey: string, appSecret: string, method: string, biz: Record<string, unknown>, now = Date.now()): GatewayRequest {
  const unsigned = {
    app_key: appKey,
    method,
    timestamp: formatChinaTime(now),
    version: PROTOCOL_VERSION,
    format: 'json',
    charset: 'utf-8',
    sign_type: 'md5',
    app_auth_token: '',
    biz_content: JSON.stringify(biz),
  };
  return { ...unsigned, sign: signObject(unsigned, appSecret) };
}

export interface GatewayResponse {
  code: number;
  message: string;
  result: string;
  sign: string;
}

/** a signed response; with a non-zero code `result` is '' unless the code carries data (2002) */
export function buildResponse(code: number, message: string, result: string, appSecret: string | null): GatewayResponse {
  // without a known secret (unknown app_key) there is nothing to sign with: an empty sign, which never verifies
  return { code, message, result, sign: appSecret === null ? '' : signResult(result, appSecret) };
}
