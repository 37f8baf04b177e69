import { randomInt } from 'node:crypto';

// The shape of a redemption code (兑换码): an optional prefix, random characters and one check character,
// all from a charset without look-alikes (no 0/O, 1/I/L), so a code read off paper or a screen is typed
// right, and a typo is caught by the check character before any database lookup (and is not a guess).

/** 31 characters: 2–9 and A–Z without I, L, O. 31 is prime, which the check character relies on. */
export const CHARSET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const N = CHARSET.length;
const INDEX = new Map([...CHARSET].map((c, i) => [c, i]));

export const MIN_RANDOM = 8;
export const MAX_RANDOM = 24;
export const MAX_PREFIX = 8;
/** a normalised code is at most prefix + random + check */
export const MAX_CODE = MAX_PREFIX + MAX_RANDOM + 1;

/**
 * The check character: a weighted sum modulo the prime 31 (ISO 7064 style), weights 2, 3, … 30, 1, 2 … from
 * the right (the check character itself weighs 1). Every weight is non-zero and neighbours differ, so every
 * single substitution and every swap of two adjacent characters changes the sum. (Luhn mod N was the first
 * idea; with an odd alphabet its doubling is not a bijection, and it misses some substitutions.)
 */
export function checkCharacter(body: string): string {
  let sum = 0;
  for (let i = body.length - 1, p = 1; i >= 0; i--, p++) sum += ((p % 30) + 1) * INDEX.get(body[i])!;
  return CHARSET[(N - (sum % N)) % N];
}

/** What people type: any case, with spaces or dashes between groups. */
export function normaliseCode(raw: string): string {
  return raw.replace(/[\s-]+/g, '').toUpperCase();
}

export type CodeCheck = { ok: true; code: string } | { ok: false; reason: 'length' | 'charset' | 'check' };

/** Validates a typed code without the database: length, charset and check character. */
export function checkCode(raw: string): CodeCheck {
  const code = normaliseCode(raw);
  if (code.length < MIN_RANDOM + 1 || code.length > MAX_CODE) return { ok: false, reason: 'length' };
  for (const c of code) if (!INDEX.has(c)) return { ok: false, reason: 'charset' };
  if (checkCharacter(code.slice(0, -1)) !== code.at(-1)) return { ok: false, reason: 'check' };
  return { ok: true, code };
}

/** A new code: prefix + `length` characters from crypto.randomInt + the check character. */
export function generateCode(prefix: string, length: number): string {
  let body = prefix;
  for (let i = 0; i < length; i++) body += CHARSET[randomInt(N)];
  return body + checkCharacter(body);
}

/** Groups of four for display and print (the dashes are ignored when typed back). */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

/** The masked hint kept in the database: the prefix (or first 2) and the last 3 characters. */
export function hintOf(code: string, prefix: string): string {
  const head = prefix || code.slice(0, 2);
  return `${head}****${code.slice(-3)}`;
}

export function validPrefix(prefix: string): boolean {
  return prefix.length <= MAX_PREFIX && [...prefix].every((c) => INDEX.has(c));
}
