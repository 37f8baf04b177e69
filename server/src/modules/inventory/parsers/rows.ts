import type { CodeSecret } from '../code-secret.ts';

// What every file format is turned into before the importer sees it: a numbered row of trimmed text
// fields. Interpreting those fields (header or not, which column is what) happens once, here, so CSV, TXT
// and XLSX accept the same shapes.
export interface RawRow {
  /** 1-based line (row) number in the source file: what rejections are reported by */
  line: number;
  fields: string[];
  /** the row cannot be read (e.g. longer than the format allows): reported as is */
  error?: string;
  /** the row's fields were split on an explicit separator (TXT `----`, tab, comma): an empty last field is a
   *  missing value, not a spreadsheet's stray column */
  separated?: boolean;
}

export type ParsedRow =
  | { line: number; secret: CodeSecret; expiresAt: Date | null }
  | { line: number; error: string };

export const MAX_CODE_LENGTH = 512;

type Column = 'card_number' | 'password' | 'code' | 'url' | 'expires_at' | 'ignore';

// Header names people actually put in supplier files (English and Chinese).
const HEADER_ALIASES: Record<string, Column> = {};
const aliases: Record<Exclude<Column, 'ignore'>, string[]> = {
  card_number: ['card_number', 'card_no', 'cardno', 'card', 'card number', 'number', '卡号'],
  password: ['password', 'pass', 'pwd', 'pin', 'card_password', 'secret', '密码', '卡密'],
  code: ['code', 'key', 'cdkey', 'redeem_code', '兑换码', '激活码', '券码'],
  url: ['url', 'link', 'redeem_url', '链接', '兑换链接'],
  expires_at: ['expires_at', 'expires', 'expiry', 'expire_at', 'expiration', 'valid_until', '有效期', '过期时间', '到期时间'],
};
for (const [col, names] of Object.entries(aliases)) for (const n of names) HEADER_ALIASES[n] = col as Column;

/** The columns of a header row, or null when the row is data (any unknown name means data). */
export function headerColumns(fields: string[]): Column[] | null {
  if (fields.length === 0) return null;
  const cols = fields.map((f) => HEADER_ALIASES[f.trim().toLowerCase()] ?? null);
  if (cols.some((c) => c === null)) return null;
  const has = (c: Column) => cols.includes(c);
  if (!has('card_number') && !has('code') && !has('url')) return null;
  return cols as Column[];
}

const ISO_DATE = /^\d{4}[-/]\d{2}[-/]\d{2}$/;
const ISO_DATETIME = /^(\d{4}[-/]\d{2}[-/]\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses an expiry. A bare date means the end of that day and a time without a zone means UTC, so the
 * same file gives the same expiry on every machine. Returns null when unparseable.
 */
export function parseExpiry(text: string): Date | null {
  const t = text.trim();
  let iso: string;
  if (ISO_DATE.test(t)) iso = t.replace(/\//g, '-') + 'T23:59:59.999Z';
  else {
    const m = ISO_DATETIME.exec(t);
    if (!m) return null;
    iso = `${m[1].replace(/\//g, '-')}T${m[2]}${m[3] ? m[3].toUpperCase() : 'Z'}`;
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const looksLikeDate = (s: string) => ISO_DATE.test(s.trim()) || ISO_DATETIME.test(s.trim());
const looksLikeUrl = (s: string) => /^https?:\/\//i.test(s);

/** Columns of a header-less row, guessed from its width (and whether the last field is a date). */
function guessColumns(fields: string[]): Column[] | string {
  const last = fields[fields.length - 1];
  switch (fields.length) {
    case 1:
      return [looksLikeUrl(fields[0]) ? 'url' : 'code'];
    case 2:
      return looksLikeDate(last) ? [looksLikeUrl(fields[0]) ? 'url' : 'code', 'expires_at'] : ['card_number', 'password'];
    case 3:
      // a third field that is no date is more likely one field too many than a mistyped expiry
      if (last !== '' && !looksLikeDate(last)) return 'too many fields (3): the third is not an expiry date; expected card_number, password[, expires_at]';
      return ['card_number', 'password', 'expires_at'];
    default:
      return `too many columns (${fields.length}); expected card_number,password[,expires_at] or code[,expires_at]`;
  }
}

function toRow(line: number, fields: string[], columns: Column[] | null, now: Date, defaultExpiry: Date | null, separated: boolean): ParsedRow {
  // trailing empty cells (a spreadsheet's stray column, "a,b,") do not change the shape of the row; after an
  // explicit TXT separator ("CODE----") the empty field is a value that is missing
  let width = fields.length;
  if (separated && fields.some((f) => f !== '')) {
    if (width > 2 && fields[width - 1] === '') width--; // "CARD----PWD----": no expiry
  } else while (width > 0 && fields[width - 1] === '') width--;
  const used = fields.slice(0, width);
  if (used.length === 0) return { line, error: 'empty row' };
  const cols = columns ?? guessColumns(used);
  if (typeof cols === 'string') return { line, error: cols };
  const v: Partial<Record<Column, string>> = {};
  cols.forEach((c, i) => {
    if (c !== 'ignore' && used[i] !== undefined && used[i] !== '') v[c] = used[i];
  });
  let secret: CodeSecret;
  if (v.card_number !== undefined || (cols.includes('card_number') && v.password !== undefined) || (separated && cols.includes('card_number'))) {
    if (!v.card_number) return { line, error: 'empty card number' };
    if (!v.password) return { line, error: 'empty password' };
    secret = { card_number: v.card_number, password: v.password };
  } else if (v.code !== undefined) secret = { code: v.code };
  else if (v.url !== undefined) {
    if (!looksLikeUrl(v.url)) return { line, error: 'url must start with http:// or https://' };
    secret = { url: v.url };
  } else return { line, error: 'empty row' };
  const parts = Object.values(secret) as string[];
  if (parts.some((p) => p.length > MAX_CODE_LENGTH)) return { line, error: `code too long (more than ${MAX_CODE_LENGTH} characters)` };
  if (parts.some((p) => /[\u0000-\u001f\u007f]/.test(p))) return { line, error: 'code contains control characters' };
  let expiresAt = defaultExpiry;
  if (v.expires_at !== undefined) {
    expiresAt = parseExpiry(v.expires_at);
    if (!expiresAt) return { line, error: 'invalid expires_at (use ISO 8601, e.g. 2026-12-31 or 2026-12-31T23:59:59+08:00)' };
  }
  if (expiresAt && expiresAt.getTime() <= now.getTime()) return { line, error: `already expired (expires_at ${expiresAt.toISOString()})` };
  return { line, secret, expiresAt };
}

/**
 * Turns raw rows into codes or per-row errors. The first non-empty row is a header when every cell is a
 * known column name; otherwise each row's shape is guessed from its width.
 */
export async function* interpretRows(
  raw: AsyncIterable<RawRow>,
  opts: { now?: Date; defaultExpiry?: Date | null } = {},
): AsyncGenerator<ParsedRow> {
  const now = opts.now ?? new Date();
  let columns: Column[] | null = null;
  let first = true;
  for await (const r of raw) {
    if (r.error) {
      first = false;
      yield { line: r.line, error: r.error };
      continue;
    }
    const fields = r.fields.map((f) => f.trim());
    if (fields.every((f) => f === '') && fields.length <= 1) continue; // a blank line is not a row
    if (first) {
      first = false;
      const header = headerColumns(fields);
      if (header) {
        columns = header;
        continue;
      }
    }
    yield toRow(r.line, fields, columns, now, opts.defaultExpiry ?? null, r.separated === true);
  }
}
