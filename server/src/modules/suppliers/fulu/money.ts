// Money crosses the supplier boundary as decimal strings in 元 (up to 4 decimals) and is integer 分 inside
// (DESIGN §11). String arithmetic only: a float would turn "0.29" into 28.999… 分.

const YUAN = /^(-?)(\d{1,13})(?:\.(\d{1,4}))?$/;

/**
 * 元 decimal string → integer 分, or null for anything that is not a plain decimal (garbage, exponents, spaces,
 * more than 4 decimals, out of safe range). Digits beyond 分 (the 3rd and 4th decimal) are rounded half away
 * from zero: a supplier may price at 0.1 分, and refusing the order for that would strand it unresolved.
 * A JSON number is accepted too (some suppliers send one) when its shortest decimal form is such a string.
 */
export function yuanToFen(value: unknown): number | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (typeof text !== 'string') return null;
  const m = YUAN.exec(text);
  if (!m) return null;
  const [, sign, whole, frac = ''] = m;
  const digits = (frac + '0000').slice(0, 4);
  let fen = Number(whole) * 100 + Number(digits.slice(0, 2));
  if (Number(digits.slice(2)) >= 50) fen += 1;
  if (!Number.isSafeInteger(fen)) return null;
  return sign === '-' && fen !== 0 ? -fen : fen;
}

/** integer 分 → 元 decimal string with `decimals` (2 or 4) places, e.g. 1234 → "12.34" */
export function fenToYuan(fen: number, decimals: 2 | 4 = 2): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError('fen must be a safe integer');
  const negative = fen < 0;
  const abs = String(Math.abs(fen)).padStart(3, '0');
  const text = `${abs.slice(0, -2)}.${abs.slice(-2)}${decimals === 4 ? '00' : ''}`;
  return negative ? `-${text}` : text;
}
